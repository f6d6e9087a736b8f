//! Rustmail's Discord adapter: a serenity + poise bot that turns users' DMs into ticket channels
//! in the staff guild and relays both ways, with the ticket lifecycle (close, scheduled close,
//! recovery) driven by the shared `rustmail-db` domain.
//!
//! The library is the whole bot; the binary only parses arguments, loads the configuration, sets
//! up logging and calls [`run`]. Tests start it in-process with [`Bot::start`] and stop it with
//! [`BotHandle::shutdown`].

pub mod arrival;
pub mod checks;
pub mod commands;
pub mod discord;
pub mod error;
pub mod handler;
pub mod inbound;
pub mod lanes;
pub mod lifecycle;
pub mod metrics;
pub mod naming;
pub mod recovery;
pub mod registration;
pub mod relay;
pub mod render;
pub mod scheduler;
pub mod sequencer;
pub mod split;
pub mod start;
pub mod state;
pub mod strings;
pub mod transcript;
pub mod workflow;

pub use error::{BotError, CommandError};
pub use start::{run, Bot, BotHandle};
pub use state::Data;
