//! End-to-end tests of the staff workflow (issue #5: staff-opened tickets, assignment, staff
//! access, reminders, alerts, categories and the category prompt, `/move_thread`, `/id`,
//! `/logs`, snippets, blocks, notes, `/rename`, `/help`), through the Discord simulator with the
//! real bot started in-process. Every test ends by checking that the bot used only known routes
//! and sent only bodies that Discord's OpenAPI spec accepts.

mod workflow {
    pub mod access;
    pub mod categories;
    pub mod info;
    pub mod moderation;
    pub mod opening;
    pub mod prompt;
    pub mod reminders;
    pub mod snippets;
    pub mod support;
}
