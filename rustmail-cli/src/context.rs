//! What every command needs besides its own arguments: where the database is (flag, environment
//! or configuration file), whether to print JSON or colours, and who is asking.

use std::io::IsTerminal;

use rustmail_db::Db;

use crate::args::GlobalArgs;
use crate::error::{CliError, CliResult};
use crate::output::Style;
use crate::strings;

/// Pool size for the CLI and the TUI: both run one query at a time on one thread.
const POOL_SIZE: u32 = 1;

/// The resolved global options.
#[derive(Debug, Clone)]
pub struct Context {
    pub global: GlobalArgs,
    pub style: Style,
}

impl Context {
    pub fn new(global: GlobalArgs) -> Self {
        let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = !global.no_color && !no_color_env && std::io::stdout().is_terminal();
        Self {
            global,
            style: Style { color },
        }
    }

    pub fn json(&self) -> bool {
        self.global.json
    }

    /// The database URL: `--database-url`, else `RUSTMAIL_DATABASE_URL` (both via clap), else the
    /// `[database]` section of `--config FILE` (no token needed).
    pub fn database_url(&self) -> CliResult<String> {
        // A `--config` file is read even when `--database-url` wins: a file the operator named
        // but that cannot be read (a typo in its path) is an error, never silently skipped.
        let from_file = match &self.global.config {
            Some(path) => Some(
                rustmail_db::config::database_from_file(path)
                    .map_err(|e| CliError::Flag {
                        flag: "--config".to_owned(),
                        message: e.to_string(),
                    })?
                    .url,
            ),
            None => None,
        };
        if let Some(url) = self
            .global
            .database_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            return Ok(url.to_owned());
        }
        from_file.ok_or_else(|| CliError::Message(strings::NO_DATABASE.to_owned()))
    }

    /// Connects without checking migrations (`db migrate`, `db status`).
    pub fn connect(&self) -> CliResult<Db> {
        Ok(Db::connect(&self.database_url()?, POOL_SIZE)?)
    }

    /// Connects and checks that every migration is applied, so a fresh or outdated database is
    /// reported as such rather than as a missing table.
    pub fn open(&self) -> CliResult<Db> {
        let db = self.connect()?;
        let pending = db
            .migration_status()?
            .into_iter()
            .filter(|m| !m.applied)
            .count();
        if pending > 0 {
            return Err(CliError::Message(strings::not_migrated(
                &db.redacted_url(),
                pending,
            )));
        }
        Ok(db)
    }
}

/// Who is asking, for `requested_by` of operator actions: the OS login name, or "operator".
pub fn requested_by() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|v| v.trim().to_owned())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| strings::DEFAULT_REQUESTER.to_owned())
}
