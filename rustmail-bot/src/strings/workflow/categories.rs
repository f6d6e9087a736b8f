//! Texts of ticket categories: the prompt users see, `/category` and `/move_thread`.

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
pub const PROMPT_TIMED_OUT: &str = "📂 No category was picked in time, so your message went to our general inbox. Staff will reply here.";

/// A click on a prompt already answered.
pub const PROMPT_ALREADY: &str = "📂 A category was already chosen for this conversation.";

/// The notice in a channel turned into a ticket.
pub fn channel_ticket_opened(user: u64, notified: bool) -> String {
    if notified {
        format!(
            "📨 This channel is now the ticket of <@{user}>; they were sent the new-ticket message."
        )
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
    format!(
        "📂 Category **{name}** created; its tickets go to <#{discord}>. It is enabled in the prompt."
    )
}

/// `/category delete` succeeded.
pub fn category_deleted(name: &str) -> String {
    format!(
        "🗑️ Category **{name}** deleted. Its open tickets keep their channels; they count as the default inbox now."
    )
}

/// `/category rename` succeeded.
pub fn category_renamed(old: &str, new: &str) -> String {
    format!("🏷️ Category **{old}** is now **{new}**.")
}

/// `/category rename` without the new name.
pub const RENAME_NEEDS_TWO: &str = "⚠️ Give the old and the new name: `!category rename OLD NAME | NEW NAME`, or `/category rename name:… new_name:…`.";

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
    format!(
        "⚠️ The Discord category of **{name}** is full (50 channels). Close some tickets there or pick another category."
    )
}

/// `/move_thread` succeeded.
pub fn moved(name: &str, by: u64) -> String {
    format!("📦 <@{by}> moved this ticket to **{name}**.")
}

/// The default inbox's name in messages.
pub const DEFAULT_INBOX: &str = "default inbox";
