//! End-to-end tests of the bot (issue #4: the ticket lifecycle, relay both ways, the close
//! family, recovery), through the Discord simulator with the real bot started in-process.
//! Every test ends by checking that the bot used only known routes and sent only bodies that
//! Discord's OpenAPI spec accepts.

mod bot_e2e {
    pub mod cli_actions;
    pub mod closing;
    pub mod edits;
    pub mod metrics;
    pub mod opening;
    pub mod permissions;
    pub mod recovery;
    pub mod relay;
    pub mod scheduled;
    pub mod spans;
    pub mod unanswered;
}
