//! The `[thread]` section: how tickets look and behave (messages, colours, auto-close, logs).

use std::time::Duration;

use serde::Deserialize;

use super::{Colour, NewTicketMention, Problems, TranscriptFormat};
use crate::duration::{format_duration, parse_duration, MAX_DURATION};
use crate::ids::RoleId;

/// Longest message Discord accepts.
pub const MAX_MESSAGE_CHARS: usize = 2000;
/// Longest `thread.anonymous_label`.
pub const MAX_ANONYMOUS_LABEL_CHARS: usize = 80;

const DEFAULT_WELCOME: &str =
    "Thanks for your message! Our staff will reply here as soon as possible.";
const DEFAULT_CLOSE: &str = "This ticket has been closed. Send a new message to open a new one.";
const DEFAULT_NEW_THREAD: &str =
    "Our staff have opened a ticket with you. Reply to this message to answer them.";
const DEFAULT_BLOCKED: &str = "You are currently blocked from contacting the staff team.";
const DEFAULT_NOT_IN_GUILD: &str =
    "You need to be a member of our server to contact the staff team.";
const DEFAULT_ANONYMOUS_LABEL: &str = "Staff Team";

/// `[thread]`: ticket behaviour and wording.
// A config section is a list of switches; bools are the natural type for them.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadConfig {
    /// Sent to the user when their first message opens a ticket.
    pub welcome_message: String,
    /// Sent to the user when a ticket is closed.
    pub close_message: String,
    /// Whether to DM the user when staff open a ticket with them.
    pub new_thread_notify_user: bool,
    /// Text sent by DM when staff open a ticket with `new_thread`.
    pub new_thread_message: String,
    /// Inactivity after a staff reply that closes the ticket; `None` = off.
    pub time_to_close_thread: Option<Duration>,
    /// Close the ticket when the user leaves the community guild.
    pub close_on_leave: bool,
    /// Relay messages as embeds.
    pub embedded_message: bool,
    /// Quote relayed text with `>` (only when `embedded_message` is false).
    pub block_quote: bool,
    /// Log edits in the ticket channel.
    pub show_log_on_edit: bool,
    /// Log deletions in the ticket channel.
    pub show_log_on_delete: bool,
    /// Treat a channel created by staff in the inbox category as a new ticket.
    pub create_ticket_by_create_channel: bool,
    /// Name shown for anonymous replies.
    pub anonymous_label: String,
    /// Embed colour of user messages.
    pub user_colour: Colour,
    /// Embed colour of staff replies.
    pub staff_colour: Colour,
    /// Show the user's typing in the ticket channel and staff typing in the DM.
    pub relay_typing: bool,
    /// Reply to blocked users; empty = stay silent.
    pub blocked_message: String,
    /// Reply to users who are not members of the community guild.
    pub not_in_guild_message: String,
    /// Transcript rendering.
    pub transcript_format: TranscriptFormat,
    /// Who to ping when a ticket opens.
    pub mention_on_new_ticket: NewTicketMention,
}

impl Default for ThreadConfig {
    fn default() -> Self {
        Self {
            welcome_message: DEFAULT_WELCOME.to_owned(),
            close_message: DEFAULT_CLOSE.to_owned(),
            new_thread_notify_user: true,
            new_thread_message: DEFAULT_NEW_THREAD.to_owned(),
            time_to_close_thread: None,
            close_on_leave: false,
            embedded_message: true,
            block_quote: true,
            show_log_on_edit: true,
            show_log_on_delete: true,
            create_ticket_by_create_channel: false,
            anonymous_label: DEFAULT_ANONYMOUS_LABEL.to_owned(),
            user_colour: Colour::BLURPLE,
            staff_colour: Colour::GREEN,
            relay_typing: false,
            blocked_message: DEFAULT_BLOCKED.to_owned(),
            not_in_guild_message: DEFAULT_NOT_IN_GUILD.to_owned(),
            transcript_format: TranscriptFormat::Markdown,
            mention_on_new_ticket: NewTicketMention::None,
        }
    }
}

impl ThreadConfig {
    pub(crate) fn check(&self, p: &mut Problems) {
        for (key, text, may_be_empty) in [
            ("thread.welcome_message", &self.welcome_message, false),
            ("thread.close_message", &self.close_message, false),
            ("thread.new_thread_message", &self.new_thread_message, false),
            ("thread.blocked_message", &self.blocked_message, true),
            (
                "thread.not_in_guild_message",
                &self.not_in_guild_message,
                false,
            ),
        ] {
            check_text(p, key, text, may_be_empty, MAX_MESSAGE_CHARS);
        }
        check_text(
            p,
            "thread.anonymous_label",
            &self.anonymous_label,
            false,
            MAX_ANONYMOUS_LABEL_CHARS,
        );

        if let Some(d) = self.time_to_close_thread {
            if d.is_zero() || d > MAX_DURATION {
                p.push(
                    "thread.time_to_close_thread",
                    format!(
                        "must be between 1s and 365d, got {}; remove the key to turn auto-close off",
                        format_duration(d)
                    ),
                );
            }
        }
        for (key, colour) in [
            ("thread.user_colour", self.user_colour),
            ("thread.staff_colour", self.staff_colour),
        ] {
            if colour.get() > 0xFF_FFFF {
                p.push(key, format!("0x{:X} is not a 24-bit colour", colour.get()));
            }
        }
        if let NewTicketMention::Role(role) = self.mention_on_new_ticket {
            if role.get() == 0 {
                p.push(
                    "thread.mention_on_new_ticket",
                    "must be a Discord role id, not 0",
                );
            }
        }
    }
}

/// Non-empty (unless allowed), at most `max` characters.
fn check_text(p: &mut Problems, key: &str, text: &str, may_be_empty: bool, max: usize) {
    if !may_be_empty && crate::text::is_blank(text) {
        p.push(key, "must not be empty");
    }
    let len = text.chars().count();
    if len > max {
        p.push(
            key,
            format!("must be at most {max} characters, it has {len}"),
        );
    }
}

/// `[thread]` as written in the file: values needing parsing are kept as text so every bad
/// value is reported with its key, rather than the first one aborting deserialization.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct RawThreadConfig {
    welcome_message: String,
    close_message: String,
    new_thread_notify_user: bool,
    new_thread_message: String,
    time_to_close_thread: Option<String>,
    close_on_leave: bool,
    embedded_message: bool,
    block_quote: bool,
    show_log_on_edit: bool,
    show_log_on_delete: bool,
    create_ticket_by_create_channel: bool,
    anonymous_label: String,
    user_colour: String,
    staff_colour: String,
    relay_typing: bool,
    blocked_message: String,
    not_in_guild_message: String,
    transcript_format: String,
    /// A string (`"here"`, `"none"`, `"<role id>"`) or a bare integer role id.
    mention_on_new_ticket: Option<toml::Value>,
}

impl Default for RawThreadConfig {
    fn default() -> Self {
        let d = ThreadConfig::default();
        Self {
            welcome_message: d.welcome_message,
            close_message: d.close_message,
            new_thread_notify_user: d.new_thread_notify_user,
            new_thread_message: d.new_thread_message,
            time_to_close_thread: None,
            close_on_leave: d.close_on_leave,
            embedded_message: d.embedded_message,
            block_quote: d.block_quote,
            show_log_on_edit: d.show_log_on_edit,
            show_log_on_delete: d.show_log_on_delete,
            create_ticket_by_create_channel: d.create_ticket_by_create_channel,
            anonymous_label: d.anonymous_label,
            user_colour: d.user_colour.to_string(),
            staff_colour: d.staff_colour.to_string(),
            relay_typing: d.relay_typing,
            blocked_message: d.blocked_message,
            not_in_guild_message: d.not_in_guild_message,
            transcript_format: d.transcript_format.to_string(),
            mention_on_new_ticket: None,
        }
    }
}

impl RawThreadConfig {
    /// Parses the text values; each one that fails is reported and replaced by its default.
    pub(crate) fn into_config(self, p: &mut Problems) -> ThreadConfig {
        let defaults = ThreadConfig::default();
        let time_to_close_thread = self.time_to_close_thread.and_then(|text| {
            parse_duration(&text)
                .map_err(|e| p.push("thread.time_to_close_thread", e.to_string()))
                .ok()
        });
        let mut parse_or = |key: &str, text: &str, default| {
            text.parse().unwrap_or_else(|message: String| {
                p.push(key, message);
                default
            })
        };
        let user_colour = parse_or(
            "thread.user_colour",
            &self.user_colour,
            defaults.user_colour,
        );
        let staff_colour = parse_or(
            "thread.staff_colour",
            &self.staff_colour,
            defaults.staff_colour,
        );
        let transcript_format = self.transcript_format.parse().unwrap_or_else(|m: String| {
            p.push("thread.transcript_format", m);
            defaults.transcript_format
        });
        let mention_on_new_ticket = match self.mention_on_new_ticket {
            None => NewTicketMention::None,
            Some(toml::Value::String(text)) => text.parse().unwrap_or_else(|m: String| {
                p.push("thread.mention_on_new_ticket", m);
                NewTicketMention::None
            }),
            Some(toml::Value::Integer(id)) if id > 0 => NewTicketMention::Role(RoleId(id as u64)),
            Some(other) => {
                p.push(
                    "thread.mention_on_new_ticket",
                    format!("`{other}` is not \"here\", \"none\" or a role id like \"222222222222222222\""),
                );
                NewTicketMention::None
            }
        };

        ThreadConfig {
            welcome_message: self.welcome_message,
            close_message: self.close_message,
            new_thread_notify_user: self.new_thread_notify_user,
            new_thread_message: self.new_thread_message,
            time_to_close_thread,
            close_on_leave: self.close_on_leave,
            embedded_message: self.embedded_message,
            block_quote: self.block_quote,
            show_log_on_edit: self.show_log_on_edit,
            show_log_on_delete: self.show_log_on_delete,
            create_ticket_by_create_channel: self.create_ticket_by_create_channel,
            anonymous_label: self.anonymous_label,
            user_colour,
            staff_colour,
            relay_typing: self.relay_typing,
            blocked_message: self.blocked_message,
            not_in_guild_message: self.not_in_guild_message,
            transcript_format,
            mention_on_new_ticket,
        }
    }
}
