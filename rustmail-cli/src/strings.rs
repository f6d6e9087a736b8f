//! Every text the CLI shows: messages, table headers, and (in submodules) the clap help and the
//! TUI's labels. Kept in one place so wording stays consistent and reviewable.

pub mod help;
pub mod tui;

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDateTime;
use rustmail_db::actions::{Action, ActionKind, Outcome};
use rustmail_db::categories::{Category, PromptSettings};
use rustmail_db::duration::format_duration;
use rustmail_db::ids::{CategoryId, UserId};
use rustmail_db::instances::Instance;
use rustmail_db::jobs::{Job, JobKind};
use rustmail_db::transcript::Format;
use rustmail_db::Backend;

pub const STDOUT: &str = "standard output";
pub const NO_DATABASE: &str =
    "no database: pass --database-url URL, set RUSTMAIL_DATABASE_URL, or pass --config FILE";
pub const DEFAULT_REQUESTER: &str = "operator";
pub const DEFAULT_CATEGORY: &str = "default";
pub const FORCE_CLOSE_REASON: &str = "force-closed by an operator";
pub const YES: &str = "yes";
pub const NO: &str = "no";
pub const SILENT: &str = "silent";
pub const NONE_YET: &str = "-";

pub fn not_migrated(url: &str, pending: usize) -> String {
    format!(
        "the database at {url} is not up to date ({pending} migration{} pending): run `rustmail db migrate`",
        plural(pending)
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

// --- tickets list -----------------------------------------------------------------------------

pub const TICKET_COLUMNS: [&str; 8] = [
    "id",
    "user",
    "category",
    "status",
    "assigned",
    "opened",
    "last activity",
    "scheduled close",
];

pub fn no_tickets(total: i64, page: i64) -> String {
    if total == 0 {
        "no tickets match".to_owned()
    } else {
        format!("page {page} is empty ({total} tickets match)")
    }
}

pub fn page_footer(page: i64, limit: i64, total: i64) -> String {
    let pages = ((total + limit - 1) / limit).max(1);
    format!(
        "page {page} of {pages} · {total} ticket{} (times in UTC)",
        if total == 1 { "" } else { "s" }
    )
}

pub fn user_has_no_tickets(user: UserId) -> String {
    format!("user {user} has no tickets")
}

pub fn wrote_transcript(tickets: usize, format: Format, path: &Path) -> String {
    format!(
        "wrote the {format} transcript of {tickets} ticket{} to {}",
        plural(tickets),
        path.display()
    )
}

// --- operator actions -------------------------------------------------------------------------

/// What an action asks for: `close of ticket #12`.
pub fn describe(action: &Action) -> String {
    let ticket = action
        .ticket_id
        .map_or_else(String::new, |t| format!(" of ticket #{t}"));
    let payload = action.payload_json();
    match action.kind {
        ActionKind::Close if payload["silent"].as_bool() == Some(true) => {
            format!("silent close{ticket}")
        }
        ActionKind::Close => format!("close{ticket}"),
        ActionKind::ForceClose => format!("force-close{ticket}"),
        ActionKind::CancelClose => format!("cancellation of the scheduled close{ticket}"),
        ActionKind::Move => match payload["category_id"].as_i64() {
            Some(c) => format!("move{ticket} to category {c}"),
            None => format!("move{ticket} to the default inbox"),
        },
        ActionKind::Message => format!("message{ticket}"),
        ActionKind::Recover => {
            "recovery pass (closes tickets whose user left or whose channel vanished)".to_owned()
        }
    }
}

pub fn queued(action: &Action) -> String {
    format!("queued {} (action {})", describe(action), action.id)
}

pub fn already_in(ticket: i64, category: &str) -> String {
    format!("ticket #{ticket} is already in {category}")
}

pub fn orphans_found(without_channel: usize) -> String {
    format!(
        "{without_channel} open ticket{} without a channel; the bot decides which other tickets lost their user or channel",
        plural(without_channel)
    )
}

pub fn bot_online(bot: &Instance) -> String {
    format!(
        "a bot is online ({}, pid {}, last heartbeat {} UTC): it will run the action shortly",
        bot.hostname,
        bot.pid,
        bot.last_heartbeat_at.format("%H:%M:%S")
    )
}

pub const BOT_OFFLINE: &str = "warning: no bot is online; the action will run when a bot starts";

pub fn waiting(seconds: u64) -> String {
    format!("waiting up to {seconds}s for the bot...")
}

pub fn timed_out(action: &Action, seconds: u64) -> String {
    format!(
        "the bot did not finish action {} ({}) within {seconds}s; it stays queued",
        action.id,
        describe(action)
    )
}

pub fn finished(action: &Action) -> String {
    let outcome = match action.outcome {
        Some(Outcome::Ok) => "done",
        Some(Outcome::Error) => "failed",
        None => "unknown",
    };
    let result = action.result.as_deref().unwrap_or_default();
    let by = action.claimed_by.as_deref().unwrap_or("the bot");
    if result.is_empty() {
        format!("action {} {outcome} (by {by})", action.id)
    } else {
        format!("action {} {outcome} (by {by}): {result}", action.id)
    }
}

pub fn bot_failed(action: &Action) -> String {
    format!(
        "the bot could not run action {} ({}): {}",
        action.id,
        describe(action),
        action.result.as_deref().unwrap_or("no reason given")
    )
}

// --- categories -------------------------------------------------------------------------------

pub const NO_CATEGORIES: &str = "no categories (new tickets open in the default inbox)";
pub const CATEGORY_COLUMNS: [&str; 6] = [
    "id",
    "name",
    "enabled",
    "discord category",
    "emoji",
    "description",
];

pub fn category_created(c: &Category) -> String {
    format!("created category `{}` (id {})", c.name, c.id)
}

pub fn category_renamed(old: &str, c: &Category) -> String {
    format!("renamed category `{}` to `{}`", old.trim(), c.name)
}

pub fn category_deleted(c: &Category) -> String {
    format!(
        "deleted category `{}`; its open tickets now belong to the default inbox",
        c.name
    )
}

pub fn category_enabled(c: &Category) -> String {
    if c.enabled {
        format!(
            "category `{}` is enabled: it is offered in the prompt",
            c.name
        )
    } else {
        format!("category `{}` is disabled: it is no longer offered", c.name)
    }
}

pub fn prompt_settings(p: &PromptSettings, applies: bool) -> String {
    let state = if p.enabled { "on" } else { "off" };
    let note = if p.enabled && !applies {
        " (no category is enabled, so new users are not asked)"
    } else {
        ""
    };
    format!(
        "category prompt: {state}, timeout {}{note}",
        format_duration(Duration::from_secs(
            u64::try_from(p.timeout_seconds).unwrap_or(0)
        ))
    )
}

// --- schedules --------------------------------------------------------------------------------

pub const NO_SCHEDULES: &str = "nothing is scheduled";
pub const SCHEDULE_COLUMNS: [&str; 6] = ["id", "kind", "ticket", "due", "created by", "detail"];

pub fn job_kind(kind: JobKind) -> &'static str {
    match kind {
        JobKind::Close => "close",
        JobKind::InactivityClose => "inactivity close",
        JobKind::Reminder => "reminder",
        JobKind::CategoryTimeout => "category prompt timeout",
        JobKind::SideEffect => "retried action",
    }
}

pub fn retrying(attempts: i32, error: &str) -> String {
    format!(
        "{attempts} attempt{} so far, last error: {error}",
        plural(usize::try_from(attempts).unwrap_or(0))
    )
}

pub fn schedule_cancelled(job: &Job) -> String {
    let ticket = job
        .ticket_id
        .map_or_else(String::new, |t| format!(" for ticket #{t}"));
    format!(
        "cancelled the {}{ticket} (job {})",
        job_kind(job.kind),
        job.id
    )
}

// --- stats ------------------------------------------------------------------------------------

pub fn stats_header(since: NaiveDateTime, window: Duration) -> String {
    format!(
        "Tickets since {} UTC (last {})",
        since.format("%Y-%m-%d %H:%M"),
        format_duration(window)
    )
}

pub const STATS_SUMMARY_COLUMNS: [&str; 2] = ["measure", "value"];
pub const STATS_OPEN_NOW: &str = "open now";
pub const STATS_OPENED: &str = "opened";
pub const STATS_CLOSED: &str = "closed";
pub const STATS_FIRST_RESPONSE: &str = "median first response";
pub const STATS_CLOSE_TIME: &str = "median time to close";
pub const STATS_CATEGORY_COLUMNS: [&str; 2] = ["busiest categories", "tickets"];
pub const STATS_NO_CATEGORIES: &str = "no tickets opened in this window";
pub const STATS_STAFF_COLUMNS: [&str; 3] = ["staff member", "replies", "anonymous"];
pub const STATS_NO_REPLIES: &str = "no staff replies in this window";

pub fn deleted_category(id: CategoryId) -> String {
    format!("deleted category {id}")
}

// --- db and config ----------------------------------------------------------------------------

pub const MIGRATION_COLUMNS: [&str; 2] = ["migration", "state"];
pub const APPLIED: &str = "applied";
pub const PENDING: &str = "pending";
pub const CONFIG_OK: &str = "ok";

pub fn migrated(url: &str, applied: &[String]) -> String {
    if applied.is_empty() {
        format!("{url} is up to date")
    } else {
        format!(
            "applied {} migration{} to {url}: {}",
            applied.len(),
            plural(applied.len()),
            applied.join(", ")
        )
    }
}

pub fn database_is(url: &str, backend: Backend) -> String {
    format!("database: {url} ({backend})")
}

pub fn config_problems(path: &Path, count: usize) -> String {
    format!("{} has {count} problem{}", path.display(), plural(count))
}

pub fn json_failed(e: &serde_json::Error) -> String {
    format!("cannot write JSON: {e}")
}
