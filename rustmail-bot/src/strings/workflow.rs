//! Texts of the staff workflow (issue #5): opening tickets from the staff side, assignment,
//! staff access, reminders, alerts, blocks, notes, labels, categories, `/logs`, snippets and
//! `/help`.

use rustmail_db::events::EventKind;

/// How a workflow prefix command is written (by qualified name: `note add`), for argument
/// errors.
pub fn usage(command: &str) -> Option<&'static str> {
    Some(match command {
        "new_thread" => "!new_thread USER_ID|@mention",
        "take" => "!take  (admins: !take force)",
        "release" => "!release",
        "add_staff" => "!add_staff USER_ID|@mention",
        "remove_staff" => "!remove_staff USER_ID|@mention",
        "add_reminder" => "!add_reminder 2h TEXT",
        "remove_reminder" => "!remove_reminder REMINDER_ID",
        "alert" => "!alert | !alert cancel",
        "id" => "!id",
        "rename" => "!rename LABEL (nothing clears it)",
        "block" => "!block USER_ID|@mention [DURATION] [REASON]",
        "unblock" => "!unblock USER_ID|@mention",
        "blocked" => "!blocked",
        "note" | "note add" | "note list" | "note remove" => {
            "!note add TEXT | !note list | !note remove NOTE_ID"
        }
        "category" => "!category create|list|delete|rename|on|off|timeout|enable|disable ...",
        "category create" => "!category create DISCORD_CATEGORY_ID NAME | DESCRIPTION | EMOJI",
        "category delete" => "!category delete NAME",
        "category rename" => "!category rename OLD NAME | NEW NAME",
        "category timeout" => "!category timeout SECONDS",
        "category enable" => "!category enable NAME",
        "category disable" => "!category disable NAME",
        "move_thread" => "!move_thread CATEGORY_NAME",
        "logs" => "!logs [USER_ID|@mention]",
        "snippet" => "!snippet add|edit|remove|list|show ...",
        "snippet add" => "!snippet add NAME TEXT",
        "snippet edit" => "!snippet edit NAME TEXT",
        "snippet remove" => "!snippet remove NAME",
        "snippet show" => "!snippet show NAME",
        "s" => "!s NAME",
        "as" => "!as NAME",
        "help" => "!help",
        _ => return None,
    })
}

// ---- Arguments -------------------------------------------------------------------------------

/// A prefix argument that is neither a mention nor an id.
pub fn not_a_user(word: &str) -> String {
    format!(
        "`{word}` is not a user: give a mention (@someone) or a Discord id (123456789012345678)"
    )
}

/// No Discord user has this id.
pub fn unknown_user(id: u64) -> String {
    format!("no Discord user has the id `{id}`")
}

/// Discord failed while looking a user up.
pub fn user_lookup_failed(id: u64, why: &str) -> String {
    format!("cannot look up the user `{id}` right now ({why})")
}

/// A word that is not an on/off switch.
pub fn not_a_switch(word: &str) -> String {
    format!("`{word}` is not an option here")
}

/// A duration that does not parse (reminders, blocks).
pub fn bad_duration(error: &impl std::fmt::Display) -> String {
    format!("⏰ {error}. Examples: `30m`, `2h`, `1d`, `1d12h`.")
}

// ---- Opening tickets from the staff side -----------------------------------------------------

/// The user already has an open ticket.
pub fn already_open(ticket: i64, channel: Option<u64>) -> String {
    match channel {
        Some(c) => format!("📂 That user already has an open ticket: <#{c}> (#{ticket})."),
        None => format!(
            "📂 That user already has an open ticket (#{ticket}); its channel is being created."
        ),
    }
}

/// `new_thread` opened a ticket.
pub fn thread_opened(channel: u64) -> String {
    format!("📨 Ticket opened: <#{channel}>")
}

/// Notice at the top of a ticket opened by staff.
pub fn opened_by_staff(staff: u64, notified: bool) -> String {
    if notified {
        format!("📨 Ticket opened by <@{staff}>; the user was sent the new-ticket message.")
    } else {
        format!("📨 Ticket opened by <@{staff}>; the user was not notified.")
    }
}

/// The new-ticket message could not reach the user.
pub fn notify_failed(reason: &str) -> String {
    format!("⚠️ The user could not be sent the new-ticket message: {reason}")
}

/// The header field naming who opened a staff-opened ticket.
pub const HEADER_OPENED_BY: &str = "Opened by";

/// The header field value for a staff-opened ticket.
pub fn header_opened_by(staff: u64, via: &str) -> String {
    format!("<@{staff}> ({via})")
}

/// A channel created in the inbox whose name is not a user id.
pub fn channel_name_not_an_id(name: &str) -> String {
    format!(
        "ℹ️ `#{name}` is not a ticket: to open one from here, create a channel in this category named after the user's id (e.g. `123456789012345678`)."
    )
}

/// A channel named after an id that opens no ticket.
pub fn channel_not_a_ticket(reason: &str) -> String {
    format!("⚠️ No ticket was opened for this channel: {reason}")
}

// ---- Assignment and access -------------------------------------------------------------------

/// The header field and topic part naming the assignee.
pub const HEADER_ASSIGNED: &str = "Assigned to";

/// How every ticket channel's topic starts (the bot's own channels are told apart by it).
pub const TOPIC_PREFIX: &str = "Ticket #";

/// The ticket channel's topic.
pub fn topic(ticket: i64, user: u64, assignee: Option<&str>) -> String {
    match assignee {
        Some(name) => format!("{TOPIC_PREFIX}{ticket} · user {user} · assigned to {name}"),
        None => format!("{TOPIC_PREFIX}{ticket} · user {user}"),
    }
}

/// `/take` succeeded.
pub fn taken(staff: u64, previous: Option<u64>) -> String {
    match previous {
        Some(p) => format!("🙋 <@{staff}> took over this ticket from <@{p}>."),
        None => format!("🙋 <@{staff}> took this ticket."),
    }
}

/// `/take` by the assignee.
pub const ALREADY_YOURS: &str = "🙋 This ticket is already assigned to you.";

/// `/take` on a ticket someone else has.
pub fn taken_by_other(staff: u64, admin: bool) -> String {
    if admin {
        format!("🔒 This ticket is taken by <@{staff}>. Use `/take force:true` or `!take force` to take it over.")
    } else {
        format!("🔒 This ticket is taken by <@{staff}>. Ask them, or an admin, to release it.")
    }
}

/// `/release` succeeded.
pub fn released(staff: u64) -> String {
    format!("👐 <@{staff}> released this ticket; it is unassigned.")
}

/// `/release` on an unassigned ticket.
pub const NOT_ASSIGNED: &str = "This ticket is not assigned to anyone.";

/// `/add_staff` succeeded.
pub fn staff_added(staff: u64, by: u64) -> String {
    format!("➕ <@{by}> gave <@{staff}> access to this ticket.")
}

/// `/remove_staff` succeeded.
pub fn staff_removed(staff: u64, by: u64) -> String {
    format!("➖ <@{by}> removed <@{staff}>'s access to this ticket.")
}

/// `/add_staff` on the ticket's own user.
pub const CANNOT_ADD_TICKET_USER: &str =
    "⚠️ That is the ticket's user: they talk to staff through their DMs, never in this channel.";

/// `/add_staff` on a bot.
pub const CANNOT_ADD_BOT: &str = "⚠️ Bots cannot be given access to a ticket.";

/// `/add_staff` on someone outside the staff server.
pub fn not_a_member(user: u64) -> String {
    format!("⚠️ <@{user}> is not a member of the staff server.")
}

// ---- Reminders and alerts --------------------------------------------------------------------

/// `/add_reminder` succeeded.
pub fn reminder_set(id: i64, unix: i64) -> String {
    format!("⏰ Reminder {id} set for <t:{unix}:f> (<t:{unix}:R>). Remove it with `/remove_reminder reminder_id:{id}` or `!remove_reminder {id}`.")
}

/// `/remove_reminder` succeeded.
pub fn reminder_removed(id: i64) -> String {
    format!("🗑️ Reminder {id} removed.")
}

/// `/alert` succeeded.
pub const ALERT_SET: &str =
    "🔔 You will be pinged here on the user's next message (once). `/alert cancel:true` or `!alert cancel` removes it.";

/// `/alert cancel` succeeded.
pub const ALERT_CANCELLED: &str = "🔕 Your alert on this ticket was removed.";

/// `/alert cancel` with no alert.
pub const NO_ALERT: &str = "You have no alert on this ticket.";

// ---- Blocks ----------------------------------------------------------------------------------

/// `/block` succeeded.
pub fn blocked(user: u64, until_unix: Option<i64>, reason: &str) -> String {
    let until = until_unix.map_or_else(
        || " indefinitely".to_owned(),
        |u| format!(" until <t:{u}:f> (<t:{u}:R>)"),
    );
    let reason = if reason.is_empty() {
        String::new()
    } else {
        format!(" Reason: {reason}")
    };
    format!("🚫 <@{user}> is blocked{until}: their messages open no ticket.{reason}")
}

/// `/block` on a user with an open ticket.
pub fn blocked_with_open_ticket(channel: Option<u64>) -> String {
    match channel {
        Some(c) => format!("\nTheir open ticket <#{c}> stays open; their messages will not reach it while they are blocked."),
        None => "\nTheir open ticket stays open; their messages will not reach it while they are blocked.".to_owned(),
    }
}

/// `/unblock` succeeded.
pub fn unblocked(user: u64) -> String {
    format!("✅ <@{user}> is no longer blocked.")
}

/// `/blocked` with no block.
pub const NOBODY_BLOCKED: &str = "Nobody is blocked.";

/// `/blocked`'s title.
pub const BLOCKED_TITLE: &str = "🚫 Blocked users";

/// One block in `/blocked`.
pub fn block_line(
    user: u64,
    by: u64,
    since_unix: i64,
    until_unix: Option<i64>,
    reason: &str,
) -> String {
    let until =
        until_unix.map_or_else(|| "indefinitely".to_owned(), |u| format!("until <t:{u}:f>"));
    let reason = if reason.is_empty() {
        "no reason given"
    } else {
        reason
    };
    format!("• <@{user}> (`{user}`) {until}, by <@{by}> <t:{since_unix}:R>: {reason}")
}

// ---- Notes and labels ------------------------------------------------------------------------

/// `/note add` succeeded.
pub fn note_added(id: i64) -> String {
    format!("🗒️ Note {id} added; it will show in the header of this user's future tickets.")
}

/// `/note remove` succeeded.
pub fn note_removed(id: i64) -> String {
    format!("🗑️ Note {id} removed.")
}

/// `/note list` with no note.
pub const NO_NOTES: &str = "There are no notes about this user.";

/// `/note list`'s title.
pub fn notes_title(user: u64) -> String {
    format!("🗒️ Notes about <@{user}>")
}

/// One note in `/note list`.
pub fn note_line(id: i64, content: &str, author: &str, unix: i64) -> String {
    format!("`{id}` {content} — {author}, <t:{unix}:d>")
}

/// `/rename` succeeded.
pub fn renamed(name: &str) -> String {
    format!("🏷️ Channel renamed to `#{name}`.")
}

/// `/rename` with no label: cleared.
pub fn label_cleared(name: &str) -> String {
    format!("🏷️ Label removed; channel renamed to `#{name}`.")
}

// ---- Information -----------------------------------------------------------------------------

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
    format!("**Messages** {user} from the user, {staff} staff replies, {internal} internal notes; {edited} edited, {deleted} deleted")
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

// ---- Categories ------------------------------------------------------------------------------

/// The category prompt sent to a new user, with a line per category.
pub fn prompt(lines: &[String], timeout_seconds: i32) -> String {
    let minutes = (timeout_seconds + 59) / 60;
    format!(
        "📂 **What is your message about?** Pick a category below so the right people see it.\n{}\n\nIf you do not pick one within {minutes} minute(s), your message goes to our general inbox. Any further messages are kept and delivered in order.",
        lines.join("\n")
    )
}

/// One category in the prompt.
pub fn prompt_line(emoji: Option<&str>, name: &str, description: &str) -> String {
    let emoji = emoji.map_or_else(String::new, |e| format!("{e} "));
    if description.is_empty() {
        format!("• {emoji}**{name}**")
    } else {
        format!("• {emoji}**{name}** — {description}")
    }
}

/// The prompt's button for the default inbox.
pub const PROMPT_DEFAULT: &str = "Default";

/// The prompt once answered.
pub fn prompt_chosen(name: Option<&str>) -> String {
    match name {
        Some(n) => format!("📂 Thanks! Your message went to **{n}**. Staff will reply here."),
        None => {
            "📂 Thanks! Your message went to our general inbox. Staff will reply here.".to_owned()
        }
    }
}

/// The prompt after its timeout.
pub const PROMPT_TIMED_OUT: &str =
    "📂 No category was picked in time, so your message went to our general inbox. Staff will reply here.";

/// A click on a prompt already answered.
pub const PROMPT_ALREADY: &str = "📂 A category was already chosen for this conversation.";

/// The notice in a channel turned into a ticket.
pub fn channel_ticket_opened(user: u64, notified: bool) -> String {
    if notified {
        format!("📨 This channel is now the ticket of <@{user}>; they were sent the new-ticket message.")
    } else {
        format!("📨 This channel is now the ticket of <@{user}>; they were not notified.")
    }
}

/// The header field value for a ticket opened by creating a channel.
pub const HEADER_OPENED_BY_CHANNEL: &str = "a channel created in the inbox";

/// Commands for admins only.
pub const ADMIN_ONLY: &str = "🚫 Only admins can manage ticket categories.";

/// A channel that is not a category of the staff server.
pub fn not_a_category(id: u64) -> String {
    format!("⚠️ <#{id}> (`{id}`) is not a category channel of the staff server.")
}

/// A prefix argument that is not a channel.
pub fn not_a_channel(word: &str) -> String {
    format!("`{word}` is not a channel: give its id (right-click → Copy Channel ID) or #mention")
}

/// `/category create` succeeded.
pub fn category_created(name: &str, discord: u64) -> String {
    format!("📂 Category **{name}** created; its tickets go to <#{discord}>. It is enabled in the prompt.")
}

/// `/category delete` succeeded.
pub fn category_deleted(name: &str) -> String {
    format!("🗑️ Category **{name}** deleted. Its open tickets keep their channels; they count as the default inbox now.")
}

/// `/category rename` succeeded.
pub fn category_renamed(old: &str, new: &str) -> String {
    format!("🏷️ Category **{old}** is now **{new}**.")
}

/// `/category rename` without the new name.
pub const RENAME_NEEDS_TWO: &str =
    "⚠️ Give the old and the new name: `!category rename OLD NAME | NEW NAME`, or `/category rename name:… new_name:…`.";

/// `/category enable|disable` succeeded.
pub fn category_enabled(name: &str, enabled: bool) -> String {
    if enabled {
        format!("✅ Category **{name}** is shown in the prompt.")
    } else {
        format!("⏸️ Category **{name}** is hidden from the prompt.")
    }
}

/// `/category on|off` succeeded.
pub fn prompt_switched(on: bool, enabled_categories: usize) -> String {
    match (on, enabled_categories) {
        (false, _) => "⏸️ The category prompt is off: new tickets open in the inbox.".to_owned(),
        (true, 0) => "▶️ The category prompt is on, but no category is enabled yet, so new tickets still open in the inbox.".to_owned(),
        (true, n) => format!("▶️ The category prompt is on: new users pick one of {n} categories (or Default)."),
    }
}

/// `/category timeout` succeeded.
pub fn prompt_timeout_set(seconds: i32) -> String {
    format!(
        "⏱️ Users have {seconds} seconds to pick a category; then their ticket opens in the inbox."
    )
}

/// `/category list`'s title.
pub const CATEGORIES_TITLE: &str = "📂 Ticket categories";

/// `/category list`'s first line.
pub fn categories_prompt(on: bool, timeout: i32) -> String {
    format!(
        "Prompt: **{}**, timeout {timeout} s",
        if on { "on" } else { "off" }
    )
}

/// One category in `/category list`.
pub fn category_line(
    name: &str,
    description: &str,
    emoji: Option<&str>,
    discord: u64,
    enabled: bool,
) -> String {
    let state = if enabled { "enabled" } else { "disabled" };
    let emoji = emoji.map_or_else(String::new, |e| format!("{e} "));
    let description = if description.is_empty() {
        String::new()
    } else {
        format!(" — {description}")
    };
    format!("• {emoji}**{name}**{description} → <#{discord}> ({state})")
}

/// `/category list` with no category.
pub const NO_CATEGORIES: &str = "No categories yet. Create one with `!category create DISCORD_CATEGORY_ID NAME | DESCRIPTION | EMOJI`.";

/// `/move_thread` with an unknown name.
pub fn unknown_category(name: &str, valid: &[String]) -> String {
    format!(
        "⚠️ There is no category named `{name}`. Valid names: default, {}.",
        if valid.is_empty() {
            "(no other category yet)".to_owned()
        } else {
            valid.join(", ")
        }
    )
}

/// `/move_thread` to where the ticket already is.
pub fn already_in(name: &str) -> String {
    format!("The ticket is already in **{name}**.")
}

/// `/move_thread` into a full Discord category.
pub fn category_full(name: &str) -> String {
    format!("⚠️ The Discord category of **{name}** is full (50 channels). Close some tickets there or pick another category.")
}

/// `/move_thread` succeeded.
pub fn moved(name: &str, by: u64) -> String {
    format!("📦 <@{by}> moved this ticket to **{name}**.")
}

/// The default inbox's name in messages.
pub const DEFAULT_INBOX: &str = "default inbox";

// ---- Snippets and help -----------------------------------------------------------------------

/// `/snippet add` succeeded.
pub fn snippet_added(name: &str) -> String {
    format!("✂️ Snippet `{name}` added. Send it with `!s {name}` or `/reply snippet:{name}`.")
}

/// `/snippet edit` succeeded.
pub fn snippet_edited(name: &str) -> String {
    format!("✏️ Snippet `{name}` updated.")
}

/// `/snippet remove` succeeded.
pub fn snippet_removed(name: &str) -> String {
    format!("🗑️ Snippet `{name}` removed.")
}

/// `/snippet list`'s title.
pub const SNIPPETS_TITLE: &str = "✂️ Snippets";

/// `/snippet list` with no snippet.
pub const NO_SNIPPETS: &str = "No snippets yet. Add one with `!snippet add NAME TEXT`.";

/// One snippet in `/snippet list`.
pub fn snippet_line(name: &str, content: &str) -> String {
    let preview: String = content.chars().take(80).collect();
    let more = if content.chars().count() > 80 {
        "…"
    } else {
        ""
    };
    format!("• `{name}` — {}{more}", preview.replace('\n', " "))
}

/// `/snippet show`.
pub fn snippet_shown(name: &str, content: &str) -> String {
    format!("✂️ `{name}`:\n{content}")
}

/// `/reply` with both text and a snippet.
pub const TEXT_OR_SNIPPET: &str = "⚠️ Give either text or a snippet, not both.";

/// `/help`'s title.
pub const HELP_TITLE: &str = "📖 Rustmail commands";

/// One command in `/help`.
pub fn help_line(name: &str, description: &str) -> String {
    format!("`/{name}` — {description}")
}

/// A category heading in `/help`.
pub fn help_heading(category: &str) -> String {
    format!("**{category}**")
}

/// `/help`'s last line.
pub fn help_footer(prefix: &str) -> String {
    format!("Every command also works with the `{prefix}` prefix, e.g. `{prefix}close 2h`.")
}
