//! Every text the bot shows to users and staff (configurable texts such as the welcome and close
//! messages come from `[thread]` instead).

pub mod workflow;

use rustmail_db::tickets::CloseKind;
use rustmail_db::DomainError;

// ---- Command descriptions -------------------------------------------------------------------

pub const NOT_STAFF: &str = "🚫 Only staff can use this command.";
pub const NOT_A_TICKET: &str = "This command only works in an open ticket channel.";
pub const NOT_IN_GUILD: &str = "This command only works in the staff server.";
pub const INTERNAL_ERROR: &str =
    "⚠️ Something went wrong on our side; it has been logged. Please try again.";
pub const REPLY_EMPTY: &str = "A reply needs some text or an attachment.";
pub const CLOSING: &str = "🔒 Closing this ticket…";
pub const NO_SCHEDULED_CLOSE: &str = "There is no scheduled close to cancel.";
pub const FORCE_CLOSE_NOT_ORPHAN: &str =
    "This channel is neither a ticket channel nor an orphaned channel in the inbox.";
pub const RECOVERY_STARTED: &str =
    "🔄 Recovery started; a summary will be posted in the log channel.";

/// How a prefix command is written, for argument errors.
pub fn usage(command: &str) -> Option<&'static str> {
    match command {
        "reply" => Some("!reply TEXT (uploads on the message are sent too)"),
        "anonreply" => Some("!anonreply TEXT"),
        "edit" => Some("!edit NUMBER TEXT"),
        "delete" => Some("!delete NUMBER"),
        "close" => Some("!close | !close -s | !close 2h | !close -c"),
        _ => workflow::usage(command),
    }
}

/// `!close` got something that is neither `-s`, `-c` nor a duration.
pub fn bad_close_time(error: &impl std::fmt::Display) -> String {
    format!(
        "⏰ {error}. Examples: `!close 30m`, `!close 2h`, `!close 1d12h`, `!close -s`, `!close -c`."
    )
}

/// A domain refusal, phrased for the invoker.
pub fn domain_error(e: &DomainError) -> String {
    let text = e.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("⚠️ {}{}", first.to_uppercase(), chars.as_str()),
        None => INTERNAL_ERROR.to_owned(),
    }
}

/// An argument could not be read: the offending input (when there is one), what is wrong with it
/// in plain words (poise and `str::parse` speak of "digits" and "target types"), and the usage,
/// which names every argument.
pub fn bad_argument(error: &str, input: Option<&str>, usage: Option<&str>) -> String {
    let known = match error {
        "invalid digit found in string" => Some(("is not a whole number", "A number is expected.")),
        "number too large to fit in target type" => {
            Some(("is too large a number", "A number is too large."))
        }
        "number too small to fit in target type" => {
            Some(("is too small a number", "A number is too small."))
        }
        "cannot parse integer from empty string" => Some(("is empty", "A number is missing.")),
        "Too few arguments were passed" => Some(("is not enough", "An argument is missing.")),
        "Too many arguments were passed" => {
            Some(("is unexpected extra text", "Unexpected extra text."))
        }
        _ => None,
    };
    let input = input
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(|i| i.chars().take(100).collect::<String>());
    let what = match (input, known) {
        (Some(input), Some((phrase, _))) => format!("`{input}` {phrase}"),
        (None, Some((_, alone))) => alone.to_owned(),
        (Some(input), None) if !error.contains(&format!("`{input}`")) => {
            format!("`{input}`: {error}")
        }
        _ => error.to_owned(),
    };
    match usage {
        Some(u) => format!("⚠️ {what}\nUsage: `{u}`"),
        None => format!("⚠️ {what}"),
    }
}

// ---- Replies and relays ---------------------------------------------------------------------

/// The channel copy's footer of reply `#n`.
pub fn reply_footer(number: i32) -> String {
    format!("#{number} · /edit {number}")
}

/// The channel copy's author line of a staff reply.
pub fn staff_author(name: &str, role: Option<&str>, anonymous: bool) -> String {
    let base = match role {
        Some(role) => format!("{name} ({role})"),
        None => name.to_owned(),
    };
    if anonymous {
        format!("{base} · sent anonymously")
    } else {
        base
    }
}

/// The author line the user sees on a staff reply.
pub fn staff_author_for_user(name: &str, role: Option<&str>) -> String {
    match role {
        Some(role) => format!("{name} ({role})"),
        None => name.to_owned(),
    }
}

/// Acknowledges a reply to the staff member who sent it with `/reply`.
pub fn reply_sent(number: i32) -> String {
    format!("✅ Sent as reply #{number}.")
}

/// A reply the user could not receive.
pub fn reply_not_delivered(number: Option<i32>, reason: &str) -> String {
    match number {
        Some(n) => format!("⚠️ Reply #{n} could not be delivered to the user: {reason}"),
        None => format!("⚠️ This message could not be delivered to the user: {reason}"),
    }
}

/// Why a DM could not be delivered, in words.
pub fn dm_failure_reason(code: Option<isize>, fallback: &str) -> String {
    match code {
        Some(crate::discord::CANNOT_DM) => {
            "they do not accept direct messages from the bot (DMs closed, blocked, or no shared server).".to_owned()
        }
        _ => fallback.to_owned(),
    }
}

/// A line in a relayed user message for an attachment too large to copy.
pub fn attachment_link(filename: &str, size_bytes: i64, url: &str) -> String {
    #[allow(clippy::cast_precision_loss)]
    let mib = size_bytes as f64 / (1024.0 * 1024.0);
    format!("📎 {filename} ({mib:.1} MiB, too large to copy): {url}")
}

/// A sticker the user sent.
pub fn sticker(name: &str) -> String {
    format!("[sticker: {name}]")
}

/// The "in reply to" line on a relayed user message.
pub const IN_REPLY_TO: &str = "↪ In reply to";

/// A relayed message that has only attachments.
pub const ONLY_ATTACHMENTS: &str = "*(attachment)*";

/// Edit log (`show_log_on_edit`).
pub fn edit_log(who: &str, what: &str, before: &str, after: &str) -> String {
    format!("📝 {who} edited {what}.\n**Before:**\n{before}\n**After:**\n{after}")
}

/// Deletion log (`show_log_on_delete`).
pub fn delete_log(who: &str, what: &str, content: &str) -> String {
    if content.trim().is_empty() {
        format!("🗑️ {who} deleted {what}.")
    } else {
        format!("🗑️ {who} deleted {what}:\n{content}")
    }
}

/// What a log line calls a message.
pub fn message_label(number: Option<i32>) -> String {
    number.map_or_else(|| "a message".to_owned(), |n| format!("reply #{n}"))
}

pub const THE_USER: &str = "The user";

/// Footer of a user message's channel copy once the user deleted it.
pub const DELETED_BY_USER: &str = "🗑️ Deleted by the user";

// ---- Opening and refusing -------------------------------------------------------------------

/// Alert in the log channel when no channel can be created for a ticket.
pub fn inbox_full(user: u64) -> String {
    format!(
        "🚨 Cannot create a ticket channel for <@{user}>: the inbox category is full and no overflow category has room. \
         Their messages are kept and will be delivered as soon as there is room (close some tickets or set channels.overflow_category_id)."
    )
}

/// The header's title.
pub fn header_title(user_name: &str) -> String {
    format!("New ticket from {user_name}")
}

pub const HEADER_USER: &str = "User";
pub const HEADER_ACCOUNT_AGE: &str = "Account created";
pub const HEADER_JOINED: &str = "Joined the server";
pub const HEADER_ROLES: &str = "Roles";
pub const HEADER_PREVIOUS: &str = "Previous tickets";
pub const HEADER_NOTES: &str = "Notes";
pub const NONE: &str = "none";
pub const UNKNOWN: &str = "unknown";

/// One previous ticket in the header.
pub fn previous_ticket(id: i64, opened: &str, link: Option<&str>) -> String {
    match link {
        Some(link) => format!("#{id} ({opened}) {link}"),
        None => format!("#{id} ({opened})"),
    }
}

/// More previous tickets than listed.
pub fn and_more(n: usize) -> String {
    format!("… and {n} more")
}

// ---- Closing --------------------------------------------------------------------------------

/// Confirmation of a scheduled close, shown in the ticket channel.
pub fn close_scheduled(unix: i64, silent: bool) -> String {
    let silent = if silent { " silently" } else { "" };
    format!(
        "⏰ This ticket will close{silent} <t:{unix}:R> (<t:{unix}:f>). A message from the user cancels it; `/close cancel:true` or `!close -c` cancels it too."
    )
}

pub const CLOSE_CANCELLED: &str = "⏰ The scheduled close was cancelled.";
pub const CLOSE_CANCELLED_BY_USER: &str = "⏰ The scheduled close was cancelled because the user sent a message. Decide again when ready.";

/// The log-channel line of a closed ticket (the transcript is attached).
pub fn closed_log(
    ticket: i64,
    user: u64,
    user_name: &str,
    kind: CloseKind,
    by: Option<u64>,
) -> String {
    let how = match kind {
        CloseKind::Staff => "closed",
        CloseKind::Scheduled => "closed (scheduled)",
        CloseKind::Silent => "closed silently",
        CloseKind::UserLeft => "closed: the user left the server",
        CloseKind::Force => "force-closed",
        CloseKind::ChannelDeleted => "closed: its channel was deleted",
        CloseKind::Operator => "closed by an operator",
        CloseKind::Inactivity => "closed for inactivity",
    };
    let by = by.map_or_else(String::new, |b| format!(" by <@{b}>"));
    format!("🔒 Ticket #{ticket} of <@{user}> ({user_name}) {how}{by}.")
}

pub const USER_LEFT_NOTICE: &str =
    "👋 The user left the server. The ticket stays open; replies may not reach them.";

/// Force-close of a channel with no ticket.
pub fn orphan_removed(channel: &str) -> String {
    format!("🧹 Removed orphaned channel #{channel} (no open ticket).")
}

// ---- Alerts, reminders, recovery ------------------------------------------------------------

/// Ping for staff who asked to be alerted on the user's next message.
pub fn alert_ping(staff: &[u64]) -> String {
    let mentions: Vec<String> = staff.iter().map(|s| format!("<@{s}>")).collect();
    format!("🔔 {} the user replied.", mentions.join(" "))
}

/// A reminder firing.
pub fn reminder(staff: u64, content: &str) -> String {
    format!("⏰ <@{staff}> reminder: {content}")
}

/// The operator's message posted in a ticket channel.
pub fn operator_message(content: &str) -> String {
    format!("🛠️ Operator: {content}")
}

/// Recovery summary in the log channel.
pub fn recovery_summary(
    missed: usize,
    redriven: usize,
    reconciled: usize,
    channels: usize,
    commands: usize,
) -> String {
    format!(
        "🔄 Recovery: checked {channels} DM channel(s); relayed {missed} missed message(s); re-drove {redriven} pending relay(s); reconciled {reconciled} ticket(s); ran {commands} unanswered reply command(s)."
    )
}

/// Refusal DM for bots (never sent; bots are ignored) kept for completeness of wording.
pub const CLOSED_NOTICE_IN_CHANNEL: &str = "🔒 This ticket is closed.";

/// A reply whose delivery failed for now and will be retried.
pub fn reply_queued(number: i32) -> String {
    format!(
        "⏳ Reply #{number} is recorded; Discord did not take it yet, it will be retried shortly."
    )
}

/// Answers a reply held back behind an earlier one that is still waiting for a retry.
pub fn reply_waiting(number: i32, earlier: Option<i32>) -> String {
    match earlier {
        Some(earlier) => format!(
            "⏳ Reply #{number} is recorded; it goes out right after reply #{earlier}, which Discord did not take yet."
        ),
        None => format!(
            "⏳ Reply #{number} is recorded; it goes out right after an earlier reply that Discord did not take yet."
        ),
    }
}

/// Why a user's DM is still pending (stored as its relay error): an earlier DM of the ticket
/// could not go out yet.
pub const WAITING_FOR_EARLIER_DM: &str = "waiting for an earlier message to be delivered first";

/// Why a reply is put off (stored as its relay error): the earlier reply it waits for.
pub fn waiting_behind(earlier: Option<i32>) -> String {
    match earlier {
        Some(n) => format!("waiting for reply #{n} to be delivered first"),
        None => "waiting for an earlier reply to be delivered first".to_owned(),
    }
}

/// Acknowledges `/edit`.
pub fn reply_edited(number: i32) -> String {
    format!("✏️ Reply #{number} edited.")
}

/// Acknowledges `/delete`.
pub fn reply_deleted(number: i32) -> String {
    format!("🗑️ Reply #{number} deleted.")
}

/// The staff member who changed a reply, for logs.
pub fn staff_label(name: &str) -> String {
    format!("**{name}**")
}
