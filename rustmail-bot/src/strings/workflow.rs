//! Texts of the staff workflow (issue #5): opening tickets from the staff side, assignment,
//! staff access, reminders, alerts, blocks, notes and labels here; categories and the prompt in
//! [`categories`], `/logs` in [`logs`], snippets and `/help` in [`snippets`], the forms of
//! prefix arguments in [`arguments`] (all re-exported, so callers write `workflow::name`).

mod arguments;
mod categories;
mod logs;
mod snippets;

pub use arguments::*;
pub use categories::*;
pub use logs::*;
pub use snippets::*;

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
            "📂 That user already has an open ticket (#{ticket}); it has no channel yet (they may still be picking a category)."
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
        format!(
            "🔒 This ticket is taken by <@{staff}>. Use `/take force:true` or `!take force` to take it over."
        )
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
    format!(
        "⏰ Reminder {id} set for <t:{unix}:f> (<t:{unix}:R>). Remove it with `/remove_reminder reminder_id:{id}` or `!remove_reminder {id}`."
    )
}

/// `/remove_reminder` succeeded.
pub fn reminder_removed(id: i64) -> String {
    format!("🗑️ Reminder {id} removed.")
}

/// `/alert` succeeded.
pub const ALERT_SET: &str = "🔔 You will be pinged here on the user's next message (once). `/alert cancel:true` or `!alert cancel` removes it.";

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
