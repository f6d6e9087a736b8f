//! Errors of the CLI's commands. Each is shown as one line `error: ...` and exits with code 1;
//! usage errors (exit code 2) are clap's and never reach this type.

use rustmail_db::config::ConfigError;
use rustmail_db::{DbError, DomainError};

/// A command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// An argument has an unacceptable value; `flag` names it as typed (`--limit`, `NAME`).
    #[error("{flag}: {message}")]
    Flag { flag: String, message: String },
    #[error(transparent)]
    Domain(DomainError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Writing output or a file failed.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// Anything else, already worded.
    #[error("{0}")]
    Message(String),
}

impl From<DomainError> for CliError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::Db(e) => Self::Db(e),
            other => Self::Domain(other),
        }
    }
}

impl CliError {
    /// True when the error is a closed output pipe (`rustmail tickets list | head`): not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Self::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// Writing to standard output failed.
    pub fn stdout(source: std::io::Error) -> Self {
        Self::Io {
            what: crate::strings::STDOUT.to_owned(),
            source,
        }
    }
}

/// Maps a domain error's field names to the flags the user typed, e.g. `limit` → `--limit`, so
/// `DomainError::Invalid { field: "limit", .. }` reads `--limit: must be between 1 and 500`.
pub fn with_flags(
    flags: &'static [(&'static str, &'static str)],
) -> impl Fn(DomainError) -> CliError {
    move |err| match err {
        DomainError::Invalid { field, message } => {
            let flag = flags
                .iter()
                .find(|(f, _)| *f == field)
                .map_or(field, |(_, flag)| *flag);
            CliError::Flag {
                flag: flag.to_owned(),
                message,
            }
        }
        other => other.into(),
    }
}

/// The result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;
