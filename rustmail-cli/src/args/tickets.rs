//! Arguments of `rustmail tickets ...` and `rustmail logs`.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use rustmail_db::ids::{TicketId, UserId};
use rustmail_db::transcript::Format;

use crate::strings::help as h;

/// `rustmail tickets ...`.
#[derive(Debug, Subcommand)]
pub enum TicketsCommand {
    #[command(about = h::TICKETS_LIST)]
    List(ListArgs),
    #[command(about = h::TICKETS_SHOW)]
    Show(ShowArgs),
    #[command(about = h::TICKETS_CLOSE)]
    Close(CloseArgs),
    #[command(name = "force-close", about = h::TICKETS_FORCE_CLOSE)]
    ForceClose(ForceCloseArgs),
    #[command(name = "cancel-close", about = h::TICKETS_CANCEL_CLOSE)]
    CancelClose(TicketActionArgs),
    #[command(name = "move", about = h::TICKETS_MOVE)]
    Move(MoveArgs),
}

/// `rustmail tickets list`.
#[derive(Debug, Clone, Args)]
#[command(group(ArgGroup::new("status").args(["open", "closed", "all"])))]
pub struct ListArgs {
    #[arg(long, help = h::OPEN)]
    pub open: bool,
    #[arg(long, help = h::CLOSED)]
    pub closed: bool,
    #[arg(long, help = h::ALL)]
    pub all: bool,
    #[arg(long, value_name = "USER_ID", allow_negative_numbers = true, help = h::USER)]
    pub user: Option<UserId>,
    #[arg(long, value_name = "NAME", help = h::CATEGORY)]
    pub category: Option<String>,
    #[arg(long, value_name = "USER_ID", allow_negative_numbers = true, help = h::ASSIGNED)]
    pub assigned: Option<UserId>,
    #[arg(long, value_name = "TEXT", help = h::SEARCH)]
    pub search: Option<String>,
    #[arg(long, value_name = "TEXT", help = h::TEXT)]
    pub text: Option<String>,
    #[arg(long, value_name = "N", default_value_t = 50, allow_negative_numbers = true, help = h::LIMIT)]
    pub limit: i64,
    #[arg(long, value_name = "N", default_value_t = 1, allow_negative_numbers = true, help = h::PAGE)]
    pub page: i64,
}

/// Transcript output options shared by `tickets show` and `logs`.
#[derive(Debug, Clone, Args)]
pub struct TranscriptArgs {
    #[arg(long, value_enum, help = h::FORMAT)]
    pub format: Option<TranscriptFormatArg>,
    #[arg(long, short, value_name = "FILE", help = h::OUTPUT)]
    pub output: Option<PathBuf>,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TranscriptFormatArg {
    Text,
    Markdown,
    Json,
    Html,
}

impl From<TranscriptFormatArg> for Format {
    fn from(value: TranscriptFormatArg) -> Self {
        match value {
            TranscriptFormatArg::Text => Format::Text,
            TranscriptFormatArg::Markdown => Format::Markdown,
            TranscriptFormatArg::Json => Format::Json,
            TranscriptFormatArg::Html => Format::Html,
        }
    }
}

/// `rustmail tickets show ID`.
#[derive(Debug, Clone, Args)]
pub struct ShowArgs {
    #[arg(help = h::TICKET_ID)]
    pub id: TicketId,
    #[command(flatten)]
    pub transcript: TranscriptArgs,
}

/// `rustmail logs ID|--user USER_ID`.
#[derive(Debug, Clone, Args)]
#[command(group(ArgGroup::new("which").args(["id", "user"]).required(true)))]
pub struct LogsArgs {
    #[arg(help = h::TICKET_ID)]
    pub id: Option<TicketId>,
    #[arg(long, value_name = "USER_ID", allow_negative_numbers = true, help = h::LOGS_USER)]
    pub user: Option<UserId>,
    #[command(flatten)]
    pub transcript: TranscriptArgs,
}

/// `--wait` and `--timeout` of the commands that queue an operator action.
#[derive(Debug, Clone, Copy, Args)]
pub struct WaitArgs {
    #[arg(long, help = h::WAIT)]
    pub wait: bool,
    #[arg(long, value_name = "SECONDS", default_value_t = 30, requires = "wait",
          value_parser = clap::value_parser!(u64).range(1..=3600), help = h::TIMEOUT)]
    pub timeout: u64,
}

/// A command that only names a ticket.
#[derive(Debug, Clone, Args)]
pub struct TicketActionArgs {
    #[arg(help = h::TICKET_ID)]
    pub id: TicketId,
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `rustmail tickets close ID [--silent]`.
#[derive(Debug, Clone, Args)]
pub struct CloseArgs {
    #[arg(help = h::TICKET_ID)]
    pub id: TicketId,
    #[arg(long, help = h::SILENT)]
    pub silent: bool,
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `rustmail tickets force-close ID|--orphans`.
#[derive(Debug, Clone, Args)]
#[command(group(ArgGroup::new("which").args(["id", "orphans"]).required(true)))]
pub struct ForceCloseArgs {
    #[arg(help = h::TICKET_ID)]
    pub id: Option<TicketId>,
    #[arg(long, help = h::ORPHANS)]
    pub orphans: bool,
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `rustmail tickets move ID CATEGORY`.
#[derive(Debug, Clone, Args)]
pub struct MoveArgs {
    #[arg(help = h::TICKET_ID)]
    pub id: TicketId,
    #[arg(help = h::MOVE_CATEGORY)]
    pub category: String,
    #[command(flatten)]
    pub wait: WaitArgs,
}
