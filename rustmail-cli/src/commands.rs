//! The commands: each parses nothing (clap did), calls the domain in `rustmail-db`, and renders
//! the result as text or JSON on `out`.

mod actions;
mod categories;
mod logs;
mod schedules;
mod setup;
mod stats;
mod tickets;

use std::io::Write;

use crate::args::{Cli, Command};
use crate::context::Context;
use crate::error::CliResult;

/// Runs a parsed command line, writing its output to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> CliResult {
    let ctx = Context::new(cli.global);
    match cli.command {
        Command::Tickets { command } => tickets::run(&ctx, command, out),
        Command::Logs(args) => logs::run(&ctx, &args, out),
        Command::Categories { command } => categories::run(&ctx, command, out),
        Command::Schedules { command } => schedules::run(&ctx, command, out),
        Command::Stats(args) => stats::run(&ctx, &args, out),
        Command::Db { command } => setup::db(&ctx, command, out),
        Command::Config { command } => setup::config(&ctx, command, out),
        Command::Completions { shell } => {
            setup::completions(shell, out);
            Ok(())
        }
        Command::Tui(args) => crate::tui::run_in_terminal(&ctx, &args),
    }
}
