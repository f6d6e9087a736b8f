//! Error types: [`BotError`] for starting and running the bot, [`CommandError`] for commands
//! (shown to the invoker when it is their mistake, logged when it is ours), and [`RelayError`]
//! for delivering a message (retried later when Discord's failure is transient).

use rustmail_db::{DbError, DomainError};

/// Starting or running the bot failed. Each message is one line an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Database(#[from] DbError),
    #[error("database: {0}")]
    Domain(#[from] DomainError),
    #[error("cannot connect to Discord: {0}")]
    Discord(String),
}

/// A command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The invoker's mistake or a refusal: shown to them as is.
    #[error("{0}")]
    User(String),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("Discord: {0}")]
    Discord(Box<serenity::Error>),
    #[error(transparent)]
    Relay(#[from] RelayError),
    /// Another bot process on the same database claimed this invocation (both receive every
    /// event): not an error to show anyone.
    #[error("handled by another bot process")]
    AlreadyHandled,
}

impl From<serenity::Error> for CommandError {
    fn from(e: serenity::Error) -> Self {
        Self::Discord(Box::new(e))
    }
}

impl CommandError {
    /// A refusal or mistake to show the invoker.
    pub fn user(message: impl Into<String>) -> Self {
        Self::User(message.into())
    }

    /// The text to show the invoker when the error is theirs; `None` for internal errors.
    pub fn user_message(&self) -> Option<String> {
        match self {
            Self::User(m) => Some(m.clone()),
            Self::Domain(e) if e.is_user_error() => Some(crate::strings::domain_error(e)),
            Self::Relay(RelayError::Domain(e)) if e.is_user_error() => {
                Some(crate::strings::domain_error(e))
            }
            _ => None,
        }
    }
}

/// Delivering a message, or a side effect on Discord, failed.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// Worth retrying later (5xx, 429, network, full category).
    #[error("{0}")]
    Transient(String),
    /// Will not work by retrying (e.g. the user does not accept DMs); `code` is Discord's.
    #[error("{message}")]
    Permanent {
        code: Option<isize>,
        message: String,
    },
    #[error(transparent)]
    Domain(#[from] DomainError),
}

impl RelayError {
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transient(_) => true,
            Self::Permanent { .. } => false,
            Self::Domain(e) => !e.is_user_error(),
        }
    }
}

impl From<serenity::Error> for RelayError {
    fn from(e: serenity::Error) -> Self {
        crate::discord::classify(&e)
    }
}
