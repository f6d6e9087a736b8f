//! Rustmail's TOML configuration: the typed sections, loading with environment overrides, and
//! validation that reports every problem at once, each under its full dotted key.
//!
//! Start from [`Config::example`] (the commented `config.example.toml`), then [`Config::load`].

mod discord;
mod general;
mod secret;
pub mod shards;
mod thread;
mod values;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use discord::{ChannelsConfig, ServersConfig};
pub use general::{
    AttachmentsConfig, BotConfig, DatabaseConfig, DatabaseKind, LoggingConfig, MetricsConfig,
    DEFAULT_DATABASE_URL, DEFAULT_LOG_LEVEL, DEFAULT_MAX_STORED_BYTES, DEFAULT_POOL_SIZE,
    DEFAULT_PREFIX, MAX_STORED_BYTES_LIMIT,
};
pub use secret::{redact_url, Secret};
pub use shards::ShardPlan;
pub use thread::{ThreadConfig, MAX_ANONYMOUS_LABEL_CHARS, MAX_MESSAGE_CHARS};
pub use values::{Colour, NewTicketMention, TranscriptFormat};

/// Overrides `bot.token`.
pub const ENV_TOKEN: &str = "RUSTMAIL_TOKEN";
/// Overrides `database.url`.
pub const ENV_DATABASE_URL: &str = "RUSTMAIL_DATABASE_URL";
/// Overrides `bot.api_base_url`.
pub const ENV_API_BASE_URL: &str = "RUSTMAIL_API_BASE_URL";
/// Overrides `bot.shard_count` (a number; anything else is a configuration problem).
pub const ENV_SHARD_COUNT: &str = "RUSTMAIL_SHARD_COUNT";
/// Overrides `bot.shards`.
pub const ENV_SHARDS: &str = "RUSTMAIL_SHARDS";

/// Section order, used to list problems in file order.
const SECTIONS: [&str; 8] = [
    "bot",
    "database",
    "servers",
    "channels",
    "thread",
    "attachments",
    "metrics",
    "logging",
];

/// The whole configuration. Build it with [`Config::load`] or [`Config::from_toml_str`]; the
/// fields are public so tests can tweak a loaded config (call [`Config::validate`] afterwards).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub bot: BotConfig,
    pub database: DatabaseConfig,
    pub servers: ServersConfig,
    pub channels: ChannelsConfig,
    pub thread: ThreadConfig,
    pub attachments: AttachmentsConfig,
    pub metrics: MetricsConfig,
    pub logging: LoggingConfig,
}

/// One thing wrong with a configuration, under its full dotted key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// E.g. `thread.close_message`.
    pub key: String,
    /// E.g. `must not be empty`.
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the configuration is not valid TOML for Rustmail: {message}")]
    Parse { message: String },
    #[error("{}", list_problems(.0))]
    Invalid(Vec<ConfigProblem>),
}

impl ConfigError {
    /// The validation problems, if that is what went wrong.
    pub fn problems(&self) -> &[ConfigProblem] {
        match self {
            Self::Invalid(problems) => problems,
            _ => &[],
        }
    }
}

fn list_problems(problems: &[ConfigProblem]) -> String {
    let count = problems.len();
    let mut out = format!(
        "the configuration has {count} problem{}:",
        if count == 1 { "" } else { "s" }
    );
    for problem in problems {
        out.push('\n');
        out.push_str(&problem.to_string());
    }
    out
}

/// Collects problems while validating.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<ConfigProblem>);

impl Problems {
    pub(crate) fn push(&mut self, key: &str, message: impl Into<String>) {
        self.0.push(ConfigProblem {
            key: key.to_owned(),
            message: message.into(),
        });
    }

    /// The problems, ordered by section as in the example file (stable within a section).
    fn into_sorted(mut self) -> Vec<ConfigProblem> {
        self.0.sort_by_key(|p| {
            let section = p.key.split('.').next().unwrap_or_default();
            SECTIONS
                .iter()
                .position(|s| *s == section)
                .unwrap_or(SECTIONS.len())
        });
        self.0
    }
}

/// The file as deserialized; `[thread]` needs a second parsing step.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    bot: BotConfig,
    #[serde(default)]
    database: DatabaseConfig,
    servers: ServersConfig,
    channels: ChannelsConfig,
    #[serde(default)]
    thread: thread::RawThreadConfig,
    #[serde(default)]
    attachments: AttachmentsConfig,
    #[serde(default)]
    metrics: MetricsConfig,
    #[serde(default)]
    logging: LoggingConfig,
}

impl Config {
    /// Reads `path`, applies `RUSTMAIL_*` overrides from the process environment, and validates.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_toml_str(&text, &|name| std::env::var(name).ok())
    }

    /// Parses `text`, applies overrides looked up with `env` (see [`Config::apply_env_overrides`]),
    /// and validates, reporting every problem.
    pub fn from_toml_str(
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            message: scrub_secrets(&e.to_string(), text),
        })?;
        let mut problems = Problems::default();
        let mut config = Config {
            bot: raw.bot,
            database: raw.database,
            servers: raw.servers,
            channels: raw.channels,
            thread: raw.thread.into_config(&mut problems),
            attachments: raw.attachments,
            metrics: raw.metrics,
            logging: raw.logging,
        };
        config.apply_env_overrides(env);
        env_problems(env, &mut problems);
        config.check(&mut problems);
        let problems = problems.into_sorted();
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError::Invalid(problems))
        }
    }

    /// Applies `RUSTMAIL_TOKEN` → `bot.token`, `RUSTMAIL_DATABASE_URL` → `database.url`,
    /// `RUSTMAIL_API_BASE_URL` → `bot.api_base_url`, `RUSTMAIL_SHARD_COUNT` → `bot.shard_count`
    /// and `RUSTMAIL_SHARDS` → `bot.shards`. Values are trimmed; empty ones are ignored, and so is
    /// a shard count that is not a number ([`Config::from_toml_str`] reports it).
    pub fn apply_env_overrides(&mut self, env: &dyn Fn(&str) -> Option<String>) {
        let get = |name: &str| {
            env(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        if let Some(token) = get(ENV_TOKEN) {
            self.bot.token = Secret::new(token);
        }
        if let Some(url) = get(ENV_DATABASE_URL) {
            self.database.url = url;
        }
        if let Some(url) = get(ENV_API_BASE_URL) {
            self.bot.api_base_url = Some(url);
        }
        if let Some(count) = get(ENV_SHARD_COUNT).and_then(|c| c.parse().ok()) {
            self.bot.shard_count = count;
        }
        if let Some(shards) = get(ENV_SHARDS) {
            self.bot.shards = Some(shards);
        }
    }

    /// Every problem with this configuration, in file order; empty when it is valid.
    pub fn problems(&self) -> Vec<ConfigProblem> {
        let mut problems = Problems::default();
        self.check(&mut problems);
        problems.into_sorted()
    }

    /// `Ok` when valid, otherwise [`ConfigError::Invalid`] with every problem.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(problems))
        }
    }

    /// The commented example configuration (`config.example.toml`), documenting every key.
    pub fn example() -> &'static str {
        include_str!("../../config.example.toml")
    }

    fn check(&self, p: &mut Problems) {
        self.bot.check(p);
        self.database.check(p);
        self.servers.check(p);
        self.channels.check(p);
        self.thread.check(p);
        self.attachments.check(p);
        self.metrics.check(p);
        self.logging.check(p);
    }
}

/// Environment overrides that cannot be applied because they do not parse.
fn env_problems(env: &dyn Fn(&str) -> Option<String>, p: &mut Problems) {
    if let Some(count) = env(ENV_SHARD_COUNT).map(|v| v.trim().to_owned()) {
        if !count.is_empty() && count.parse::<u32>().is_err() {
            p.push(
                "bot.shard_count",
                format!("{ENV_SHARD_COUNT} = `{count}` is not a number"),
            );
        }
    }
}

/// Reads only the `[database]` section of a configuration file, validated like [`Config::load`]
/// does (without environment overrides). For the CLI's database commands, which must work with a
/// file whose token lives elsewhere; other sections are neither required nor checked.
pub fn database_from_file(path: &Path) -> Result<DatabaseConfig, ConfigError> {
    #[derive(Deserialize)]
    struct DatabaseOnly {
        #[serde(default)]
        database: DatabaseConfig,
    }
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    let only: DatabaseOnly = toml::from_str(&text).map_err(|e| ConfigError::Parse {
        message: scrub_secrets(&e.to_string(), &text),
    })?;
    let mut problems = Problems::default();
    only.database.check(&mut problems);
    let problems = problems.into_sorted();
    if problems.is_empty() {
        Ok(only.database)
    } else {
        Err(ConfigError::Invalid(problems))
    }
}

/// toml's messages quote the offending source line, which may hold the token or a database
/// password: blank out the token's value and redact URL passwords found in `source`.
fn scrub_secrets(message: &str, source: &str) -> String {
    let mut message = message.to_owned();
    for line in source.lines() {
        for value in values_of(line, "token") {
            if value.len() >= 4 {
                message = message.replace(value, "[redacted]");
            }
        }
        for key in ["url", "api_base_url"] {
            for value in values_of(line, key) {
                if value.contains('@') || value.contains("password") {
                    message = message.replace(value, &redact_url(value));
                }
            }
        }
    }
    message
}

/// The values assigned to `key` on one line, however the key is written: `token = v`,
/// `"token" = v`, as the last part of a dotted key (`bot.token = v`, which the fuzzer found
/// leaking) or inside an inline table (`bot = { token = v }`). The line may be broken TOML.
fn values_of<'a>(line: &'a str, key: &str) -> Vec<&'a str> {
    let mut values = Vec::new();
    for (at, _) in line.match_indices(key) {
        let before = line[..at].trim_end_matches(['"', '\'']);
        let starts_key = before.is_empty()
            || before.ends_with(|c: char| c.is_whitespace() || matches!(c, '{' | ',' | '.'));
        let after = line[at + key.len()..].trim_start_matches(['"', '\'']);
        if let (true, Some(value)) = (starts_key, after.trim_start().strip_prefix('=')) {
            values.push(value_text(value.trim_start()));
        }
    }
    values
}

/// A value's text: a quoted string up to its closing quote (or the line's end), else the bare
/// value before a comment or the end of an inline table entry.
fn value_text(value: &str) -> &str {
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if let Some(inner) = value.strip_prefix(quote) {
            return inner.split(quote).next().unwrap_or_default();
        }
    }
    value
        .split(['#', ',', '}'])
        .next()
        .unwrap_or_default()
        .trim()
}
