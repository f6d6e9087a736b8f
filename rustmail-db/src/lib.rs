//! Rustmail's shared data layer: one schema on SQLite or PostgreSQL, the configuration, and the
//! domain operations that the bot and the `rustmail` CLI both go through.
//!
//! Invariants live here and in the database (CHECK constraints, unique and partial unique
//! indexes, transactions), not in callers: at most one open ticket per user, one record per
//! Discord message, numbered replies unique per ticket, each scheduled job claimed once.
//!
//! Domain functions take `&mut DbConnection`; [`Db::with_conn`] runs them synchronously (CLI),
//! [`Db::run`] on tokio's blocking pool (bot).

pub mod access;
pub mod actions;
pub mod attachments;
pub mod blocks;
pub mod categories;
pub mod config;
pub mod connection;
pub mod dm_channels;
pub mod duration;
pub mod error;
pub mod events;
pub mod ids;
pub mod instances;
pub mod intake;
pub mod jobs;
mod literals;
pub mod log;
pub mod messages;
pub mod migrate;
pub mod notes;
pub mod operator;
pub mod reminders;
pub mod schema;
pub mod snippets;
pub mod stats;
pub mod store;
pub mod testing;
pub mod text;
pub mod text_enum;
pub mod tickets;
pub mod time;
pub mod transcript;
pub mod watch;
pub mod workflow;

pub use connection::{Backend, DbConnection};
pub use error::{DbError, DomainError, DomainResult};
pub use store::Db;
