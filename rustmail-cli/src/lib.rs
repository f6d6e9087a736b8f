//! `rustmail`: the operator CLI and terminal UI over `rustmail-db`.
//!
//! [`args`] is the command line (clap), [`commands`] runs each command against the domain in
//! `rustmail-db` and renders text or JSON, [`tui`] is the terminal UI. Whatever must happen on
//! Discord is queued as an operator action for the running bot. All wording is in [`strings`].

pub mod args;
pub mod commands;
pub mod context;
pub mod error;
pub mod output;
pub mod strings;
pub mod tui;
