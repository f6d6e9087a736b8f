//! The command line, as clap parses it: global options and the subcommands. Parsing only; the
//! commands themselves are in [`crate::commands`]. Help texts live in [`crate::strings::help`].

mod tickets;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use rustmail_db::ids::{JobId, UserId};

use crate::strings::help as h;

pub use tickets::{
    CloseArgs, ForceCloseArgs, ListArgs, LogsArgs, MoveArgs, ShowArgs, TicketActionArgs,
    TicketsCommand, TranscriptArgs, TranscriptFormatArg, WaitArgs,
};

/// `rustmail [GLOBAL OPTIONS] COMMAND`.
#[derive(Debug, Parser)]
#[command(name = "rustmail", version, about = h::ABOUT, long_about = h::LONG_ABOUT)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted before or after any subcommand.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    #[arg(long, global = true, value_name = "FILE", help = h::CONFIG)]
    pub config: Option<PathBuf>,
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = rustmail_db::config::ENV_DATABASE_URL,
        hide_env_values = true,
        help = h::DATABASE_URL
    )]
    pub database_url: Option<String>,
    #[arg(long, global = true, help = h::JSON)]
    pub json: bool,
    #[arg(long, global = true, help = h::NO_COLOR)]
    pub no_color: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    #[command(about = h::TICKETS)]
    Tickets {
        #[command(subcommand)]
        command: TicketsCommand,
    },
    #[command(about = h::LOGS)]
    Logs(LogsArgs),
    #[command(about = h::CATEGORIES)]
    Categories {
        #[command(subcommand)]
        command: CategoriesCommand,
    },
    #[command(about = h::SCHEDULES)]
    Schedules {
        #[command(subcommand)]
        command: SchedulesCommand,
    },
    #[command(about = h::STATS)]
    Stats(StatsArgs),
    #[command(about = h::DB)]
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    #[command(about = h::CONFIG_CMD)]
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    #[command(about = h::COMPLETIONS)]
    Completions {
        #[arg(value_enum, help = h::SHELL)]
        shell: clap_complete::Shell,
    },
    #[command(about = h::TUI)]
    Tui(TuiArgs),
}

/// `rustmail categories ...`.
#[derive(Debug, Subcommand)]
pub enum CategoriesCommand {
    #[command(about = h::CATEGORIES_LIST)]
    List,
    #[command(about = h::CATEGORIES_CREATE)]
    Create {
        #[arg(help = h::CATEGORY_NAME)]
        name: String,
        #[arg(long, value_name = "CHANNEL_ID", help = h::DISCORD_CATEGORY)]
        discord_category: rustmail_db::ids::ChannelId,
        #[arg(long, default_value = "", help = h::DESCRIPTION)]
        description: String,
        #[arg(long, help = h::EMOJI)]
        emoji: Option<String>,
    },
    #[command(about = h::CATEGORIES_RENAME)]
    Rename {
        #[arg(help = h::CATEGORY_NAME)]
        name: String,
        #[arg(help = h::NEW_NAME)]
        new_name: String,
    },
    #[command(about = h::CATEGORIES_DELETE)]
    Delete {
        #[arg(help = h::CATEGORY_NAME)]
        name: String,
    },
    #[command(about = h::CATEGORIES_ENABLE)]
    Enable {
        #[arg(help = h::CATEGORY_NAME)]
        name: String,
    },
    #[command(about = h::CATEGORIES_DISABLE)]
    Disable {
        #[arg(help = h::CATEGORY_NAME)]
        name: String,
    },
    #[command(about = h::CATEGORIES_PROMPT)]
    Prompt {
        #[command(subcommand)]
        command: Option<PromptCommand>,
    },
}

/// `rustmail categories prompt on|off|timeout SECONDS`.
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum PromptCommand {
    #[command(about = h::PROMPT_ON)]
    On,
    #[command(about = h::PROMPT_OFF)]
    Off,
    #[command(about = h::PROMPT_TIMEOUT)]
    Timeout {
        #[arg(help = h::SECONDS, allow_negative_numbers = true)]
        seconds: i64,
    },
}

/// `rustmail schedules ...`.
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum SchedulesCommand {
    #[command(about = h::SCHEDULES_LIST)]
    List,
    #[command(about = h::SCHEDULES_CANCEL)]
    Cancel {
        #[arg(help = h::JOB_ID)]
        id: JobId,
    },
}

/// `rustmail stats`.
#[derive(Debug, Clone, Args)]
pub struct StatsArgs {
    #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = parse_duration, allow_hyphen_values = true, help = h::SINCE)]
    pub since: std::time::Duration,
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    rustmail_db::duration::parse_duration(s).map_err(|e| e.to_string())
}

/// `rustmail db ...`.
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum DbCommand {
    #[command(about = h::DB_MIGRATE)]
    Migrate,
    #[command(about = h::DB_STATUS)]
    Status,
}

/// `rustmail config ...`.
#[derive(Debug, Clone, Subcommand)]
pub enum ConfigCommand {
    #[command(about = h::CONFIG_CHECK)]
    Check {
        #[arg(value_name = "FILE", help = h::CONFIG_FILE)]
        file: PathBuf,
    },
    #[command(about = h::CONFIG_EXAMPLE)]
    Example,
}

/// `rustmail tui`.
#[derive(Debug, Clone, Args)]
pub struct TuiArgs {
    #[arg(long, value_name = "USER_ID", env = "RUSTMAIL_STAFF_ID", help = h::STAFF_ID)]
    pub staff_id: Option<UserId>,
    #[arg(long, value_name = "FILE", help = h::LOG_FILE)]
    pub log_file: Option<PathBuf>,
    #[arg(long, value_name = "MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(100..=60_000), help = h::REFRESH_MS)]
    pub refresh_ms: u64,
}
