//! The `[bot]`, `[database]`, `[attachments]`, `[metrics]` and `[logging]` sections.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

use super::{redact_url, Problems, Secret};

/// Default command prefix.
pub const DEFAULT_PREFIX: &str = "!";
/// Default database URL (a SQLite file in the working directory).
pub const DEFAULT_DATABASE_URL: &str = "sqlite://rustmail.db";
/// Default connection pool size.
pub const DEFAULT_POOL_SIZE: u32 = 8;
/// Default cap on stored attachment bytes (8 MiB).
pub const DEFAULT_MAX_STORED_BYTES: u64 = 8 * 1024 * 1024;
/// Largest allowed `attachments.max_stored_bytes` (100 MiB).
pub const MAX_STORED_BYTES_LIMIT: u64 = 100 * 1024 * 1024;
/// Default log level.
pub const DEFAULT_LOG_LEVEL: &str = "info";

/// `[bot]`: how to connect to Discord.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BotConfig {
    /// The bot token. Required, here or via `RUSTMAIL_TOKEN`.
    pub token: Secret,
    /// Command prefix, 1–5 characters without whitespace.
    pub prefix: String,
    /// Discord REST base URL override (rate-limit proxy, local simulator).
    pub api_base_url: Option<String>,
    /// Activity text shown under the bot's name.
    pub status: Option<String>,
    /// Gateway shards in total, over every process (see [`super::shards`]).
    pub shard_count: u32,
    /// The shards this process runs (`"N"` or `"A-B"`); unset = all of them.
    #[serde(deserialize_with = "super::shards::deserialize_shards")]
    pub shards: Option<String>,
}

impl Default for BotConfig {
    fn default() -> Self {
        Self {
            token: Secret::default(),
            prefix: DEFAULT_PREFIX.to_owned(),
            api_base_url: None,
            status: None,
            shard_count: super::shards::DEFAULT_SHARD_COUNT,
            shards: None,
        }
    }
}

impl BotConfig {
    /// The shards this process runs (all of them unless `shards` says otherwise). Meaningful on a
    /// validated configuration.
    pub fn shard_plan(&self) -> super::ShardPlan {
        super::shards::plan(self.shard_count, self.shards.as_deref())
    }

    pub(crate) fn check(&self, p: &mut Problems) {
        let token = self.token.expose();
        if token.trim().is_empty() {
            p.push(
                "bot.token",
                "is required: set it here or in the RUSTMAIL_TOKEN environment variable",
            );
        } else if token.chars().any(char::is_whitespace) {
            p.push(
                "bot.token",
                "must not contain whitespace (paste the bare token, without a `Bot ` prefix)",
            );
        }

        let prefix_len = self.prefix.chars().count();
        if prefix_len == 0 {
            p.push("bot.prefix", "must not be empty");
        } else if prefix_len > 5 {
            p.push(
                "bot.prefix",
                format!(
                    "must be at most 5 characters, `{}` has {prefix_len}",
                    self.prefix
                ),
            );
        }
        if self.prefix.chars().any(char::is_whitespace) {
            p.push("bot.prefix", "must not contain whitespace");
        }

        if let Some(url) = &self.api_base_url {
            let rest = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"));
            match rest {
                None => p.push(
                    "bot.api_base_url",
                    format!(
                        "must start with http:// or https://, got `{}`",
                        redact_url(url)
                    ),
                ),
                Some(rest) if rest.trim().is_empty() || rest.contains(char::is_whitespace) => {
                    p.push(
                        "bot.api_base_url",
                        "must be a URL with a host, e.g. http://127.0.0.1:8080/api/v10",
                    );
                }
                Some(_) => {}
            }
        }

        if let Some(status) = &self.status {
            let len = status.chars().count();
            if len > 128 {
                p.push(
                    "bot.status",
                    format!("must be at most 128 characters, it has {len}"),
                );
            }
        }
        super::shards::check(self.shard_count, self.shards.as_deref(), p);
    }
}

/// Which database engine a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

/// `[database]`: where tickets are stored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://path`, `postgres://...`, `postgresql://...` or a plain SQLite file path.
    pub url: String,
    /// Connections kept in the pool, 1–64.
    pub pool_size: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: DEFAULT_DATABASE_URL.to_owned(),
            pool_size: DEFAULT_POOL_SIZE,
        }
    }
}

impl DatabaseConfig {
    /// The engine the URL selects (a plain path means SQLite).
    pub fn kind(&self) -> DatabaseKind {
        let url = self.url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DatabaseKind::Postgres
        } else {
            DatabaseKind::Sqlite
        }
    }

    pub(crate) fn check(&self, p: &mut Problems) {
        let url = self.url.trim();
        if url.is_empty() {
            p.push("database.url", "must not be empty");
        } else if let Some(end) = url.find("://") {
            let scheme = &url[..end];
            if !matches!(scheme, "sqlite" | "postgres" | "postgresql") {
                p.push(
                    "database.url",
                    format!(
                        "`{}` has an unsupported scheme `{scheme}://`: use sqlite://, postgres://, postgresql:// or a plain file path",
                        redact_url(url)
                    ),
                );
            } else if url.len() == end + 3 {
                p.push(
                    "database.url",
                    format!("`{url}` names no database after the scheme"),
                );
            }
        }
        if !(1..=64).contains(&self.pool_size) {
            p.push(
                "database.pool_size",
                format!("must be between 1 and 64, got {}", self.pool_size),
            );
        }
    }
}

/// `[attachments]`: how much of each attachment is kept.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AttachmentsConfig {
    /// Attachments up to this size are copied into the database; 0 keeps links only.
    pub max_stored_bytes: u64,
}

impl Default for AttachmentsConfig {
    fn default() -> Self {
        Self {
            max_stored_bytes: DEFAULT_MAX_STORED_BYTES,
        }
    }
}

impl AttachmentsConfig {
    pub(crate) fn check(&self, p: &mut Problems) {
        if self.max_stored_bytes > MAX_STORED_BYTES_LIMIT {
            p.push(
                "attachments.max_stored_bytes",
                format!(
                    "must be at most {MAX_STORED_BYTES_LIMIT} (100 MiB), got {}",
                    self.max_stored_bytes
                ),
            );
        }
    }
}

/// `[metrics]`: the Prometheus `/metrics` and `/healthz` endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// `ip:port` to listen on; unset = no metrics server.
    pub address: Option<String>,
}

impl MetricsConfig {
    /// The parsed listen address (`None` when unset or, on an unvalidated config, invalid).
    pub fn socket_addr(&self) -> Option<SocketAddr> {
        self.address.as_deref()?.trim().parse().ok()
    }

    pub(crate) fn check(&self, p: &mut Problems) {
        if let Some(address) = &self.address {
            if address.trim().parse::<SocketAddr>().is_err() {
                p.push(
                    "metrics.address",
                    format!(
                        "`{address}` is not an ip:port address, e.g. 127.0.0.1:9100 or [::1]:9100"
                    ),
                );
            }
        }
    }
}

/// `[logging]`: log verbosity and destination.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoggingConfig {
    /// `error`, `warn`, `info`, `debug`, `trace` or an `EnvFilter` directive.
    pub level: String,
    /// Log file; unset = stderr.
    pub file: Option<PathBuf>,
}

impl Default for LoggingConfig {
    fn default() -> Self {
        Self {
            level: DEFAULT_LOG_LEVEL.to_owned(),
            file: None,
        }
    }
}

impl LoggingConfig {
    pub(crate) fn check(&self, p: &mut Problems) {
        if self.level.trim().is_empty() {
            p.push(
                "logging.level",
                "must not be empty: use error, warn, info, debug, trace or a filter like `info,rustmail=debug`",
            );
        } else if let Err(message) = check_level_filter(&self.level) {
            p.push("logging.level", message);
        }
        if let Some(file) = &self.file {
            if file.as_os_str().is_empty() {
                p.push(
                    "logging.file",
                    "must not be empty: remove the key to log to stderr",
                );
            }
        }
    }
}

/// Level names a log filter accepts (and `tracing`'s numeric spellings).
const LEVELS: [&str; 12] = [
    "off", "error", "warn", "info", "debug", "trace", "0", "1", "2", "3", "4", "5",
];

/// Checks a log filter: comma-separated directives, each a level (`info`) or `target=level`.
/// A bare word that is not a level would be taken as a target name with every level on, which
/// is how a typo (`verbose`) silently turns logging upside down, so it is refused here.
fn check_level_filter(filter: &str) -> Result<(), String> {
    let is_level = |w: &str| LEVELS.iter().any(|l| l.eq_ignore_ascii_case(w.trim()));
    for directive in filter.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let ok = match directive.rsplit_once('=') {
            Some((target, level)) => !target.trim().is_empty() && is_level(level),
            None => is_level(directive),
        };
        if !ok {
            return Err(format!(
                "`{directive}` is not a level (off, error, warn, info, debug, trace) nor \
                 `target=level`"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod level_tests {
    use super::check_level_filter;

    #[test]
    fn levels_and_directives() {
        for ok in [
            "info",
            "WARN",
            "info,rustmail_bot=debug",
            "serenity=off,trace",
            "3",
        ] {
            assert_eq!(check_level_filter(ok), Ok(()), "{ok}");
        }
        for bad in [
            "verbose",
            "info,rustmail=loud",
            "=debug",
            "info,debug=",
            "rustmail_bot",
        ] {
            assert!(check_level_filter(bad).is_err(), "{bad}");
        }
    }
}
