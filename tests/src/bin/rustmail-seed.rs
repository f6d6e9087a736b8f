//! `rustmail-seed`: fills a fresh database with benchmark data (see `rustmail_tests::seed`).
//!
//! `rustmail-seed --database-url sqlite://big.db [--tickets N] [--messages N]` prints a JSON report.

use anyhow::Context;
use clap::Parser;
use rustmail_tests::seed::{seed, SeedSpec};

#[derive(Parser)]
#[command(about = "Fill a fresh Rustmail database with realistic benchmark data")]
struct Args {
    /// Database URL (`sqlite://path` or `postgres://...`). Must be empty (fresh).
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = 100_000)]
    tickets: u32,
    #[arg(long, default_value_t = 5_000_000)]
    messages: u64,
    #[arg(long, default_value_t = 10_000)]
    big_ticket_messages: u32,
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let db = rustmail_db::Db::open(&args.database_url, 4).context("open database")?;
    let report = seed(
        &db,
        SeedSpec {
            tickets: args.tickets,
            messages: args.messages,
            big_ticket_messages: args.big_ticket_messages,
            seed: args.seed,
            ..SeedSpec::default()
        },
    )
    .context("seed")?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
