//! The `rustmail` binary: parses the command line, runs the command, and turns the outcome into
//! an exit code: 0 ok, 1 error (one line `error: ...` on standard error), 2 usage.

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;
use rustmail_cli::args::{Cli, Command};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage(&err),
    };
    if !matches!(cli.command, Command::Tui(_)) {
        if let Err(e) = init_logging() {
            eprintln!("warning: {e:#}");
        }
    }
    let mut stdout = std::io::stdout().lock();
    match rustmail_cli::commands::run(cli, &mut stdout) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Help and version go to standard output as clap prints them; a usage error is shown as its
/// one line naming the bad argument, with exit code 2.
fn usage(err: &clap::Error) -> ExitCode {
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2))
        }
        _ => {
            // The first paragraph: the message and, when clap lists them below, the arguments.
            let rendered = err.render().to_string();
            let first: Vec<&str> = rendered
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            eprintln!("{}", first.join(" "));
            ExitCode::from(2)
        }
    }
}

/// Diagnostics of one-shot commands go to standard error, quiet unless `RUST_LOG` asks.
fn init_logging() -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,r2d2=off"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init()
        .map_err(|e| anyhow::anyhow!("cannot start logging: {e}"))
}
