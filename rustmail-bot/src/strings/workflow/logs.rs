//! Texts of `/logs`: the activity log's lines, a page's parts and buttons, transcripts.

use rustmail_db::events::EventKind;

/// Describes a ticket event for `/logs`.
pub fn event_line(kind: EventKind, actor: Option<u64>, detail: &str, unix: i64) -> String {
    let who = actor.map_or_else(|| "the bot".to_owned(), |a| format!("<@{a}>"));
    let what = match kind {
        EventKind::Opened => format!(
            "opened by {who} ({})",
            match detail {
                "user_dm" => "the user's DM",
                "staff_command" => "new_thread",
                "channel_created" => "a channel created in the inbox",
                other => other,
            }
        ),
        EventKind::Assigned => format!("taken by {who}"),
        EventKind::Released => format!("released by {who}"),
        EventKind::StaffAdded => format!("{who} gave <@{detail}> access"),
        EventKind::StaffRemoved => format!("{who} removed <@{detail}>'s access"),
        EventKind::Moved => format!("moved by {who} to {}", category_detail(detail)),
        EventKind::Labelled if detail.is_empty() => format!("label removed by {who}"),
        EventKind::Labelled => format!("labelled `{detail}` by {who}"),
        EventKind::CloseScheduled => format!("close scheduled by {who} ({detail})"),
        EventKind::CloseCancelled => format!("scheduled close cancelled by {who}"),
        EventKind::MessageEdited => format!("message edited by {who}{}", suffix(detail)),
        EventKind::MessageDeleted => format!("message deleted by {who}{}", suffix(detail)),
        EventKind::AlertSet => format!("alert set by {who}"),
        EventKind::ReminderSet => format!("{detail} set by {who}"),
        EventKind::CategoryChosen => format!("category chosen: {}", category_detail(detail)),
        EventKind::Closed => format!("closed by {who} ({detail})"),
        EventKind::Note => format!("note by {who}{}", suffix(detail)),
    };
    format!("<t:{unix}:f> {what}")
}

fn category_detail(detail: &str) -> String {
    if detail == "default" {
        "the default inbox".to_owned()
    } else {
        format!("**{detail}**")
    }
}

fn suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(": {detail}")
    }
}

/// `/logs` for a user with no ticket.
pub fn no_tickets(user: u64) -> String {
    format!("<@{user}> has no tickets.")
}

/// A `/logs` page's title.
pub fn logs_title(ticket: i64, user_name: &str, open: bool) -> String {
    if open {
        format!("📜 Ticket #{ticket} · {user_name} (open)")
    } else {
        format!("📜 Ticket #{ticket} · {user_name}")
    }
}

/// A `/logs` page's footer.
pub fn logs_footer(page: usize, pages: usize, user: u64) -> String {
    format!("Ticket {page} of {pages} · user {user}")
}

/// When and how the ticket was opened.
pub fn logs_opened(unix: i64, by: u64, via: &str) -> String {
    format!("**Opened** <t:{unix}:f> by <@{by}> ({via})")
}

/// When and by whom the ticket was closed.
pub fn logs_closed(unix: i64, by: Option<u64>, kind: &str) -> String {
    let by = by.map_or_else(String::new, |b| format!(" by <@{b}>"));
    format!("**Closed** <t:{unix}:f>{by} ({kind})")
}

/// The ticket's category and assignee.
pub fn logs_placement(category: Option<&str>, assignee: Option<u64>) -> String {
    let category = category.unwrap_or("default inbox");
    let assignee = assignee.map_or_else(|| "nobody".to_owned(), |a| format!("<@{a}>"));
    format!("**Category** {category} · **Assigned to** {assignee}")
}

/// The ticket's message counts.
pub fn logs_counts(
    user: usize,
    staff: usize,
    internal: usize,
    edited: usize,
    deleted: usize,
) -> String {
    format!(
        "**Messages** {user} from the user, {staff} staff replies, {internal} internal notes; {edited} edited, {deleted} deleted"
    )
}

/// The activity log's heading.
pub const LOGS_ACTIVITY: &str = "**Activity**";

/// Events left out of a long activity log.
pub fn logs_earlier(n: usize) -> String {
    format!("… {n} earlier events")
}

/// The buttons of a `/logs` page.
pub const LOGS_PREVIOUS: &str = "◀ Newer";
pub const LOGS_NEXT: &str = "Older ▶";
pub const LOGS_TRANSCRIPT: &str = "📄 Transcript";

/// The message carrying a requested transcript.
pub fn transcript_for(ticket: i64) -> String {
    format!("📄 Transcript of ticket #{ticket}")
}

/// A button pressed by someone who may not use it.
pub const NOT_YOUR_BUTTON: &str = "🚫 This button is for staff.";
