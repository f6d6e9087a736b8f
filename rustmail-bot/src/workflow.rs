//! The Discord side of the staff workflow (issue #5) that is not a command: the ticket header and
//! topic as assignment changes them ([`header`]), per-ticket staff overwrites ([`access`]),
//! reminders firing ([`reminders`]), the category prompt a new user answers with buttons
//! ([`prompt`]), tickets opened by creating a channel ([`channel_created`]), `/logs` pages
//! ([`logs`]), and the dispatch of the bot's buttons ([`components`]).

pub mod access;
pub mod channel_created;
pub mod components;
pub mod header;
pub mod logs;
pub mod prompt;
pub mod reminders;
