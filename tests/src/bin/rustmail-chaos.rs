//! `rustmail-chaos`: the reliability suite of issue #7 (`just chaos`). Runs the release
//! `rustmail-bot` binary against the simulator through a crash storm (100 users × 100 DMs, staff
//! replies, 5 SIGKILLs and restarts) and a faults run (10 % REST 500s, 5 % 429s, a gateway
//! disconnect every 20 s, one invalid session), on SQLite and/or PostgreSQL. Prints a summary,
//! writes `<out>/chaos-<backend>.json`, and exits non-zero on any loss, duplicate or reordering.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use rustmail_tests::bench::workloads::Backend;
use rustmail_tests::chaos::{self, FaultPlan, Plan};

#[derive(Parser)]
#[command(
    about = "Rustmail's crash and fault reliability suite against the local Discord simulator"
)]
struct Args {
    /// sqlite, postgres or both.
    #[arg(long, default_value = "both")]
    backend: String,
    /// The bot binary (build it with `cargo build --release -p rustmail-bot`).
    #[arg(long, default_value = "target/release/rustmail-bot")]
    bot: PathBuf,
    /// Where to write the JSON results.
    #[arg(long, default_value = "bench")]
    out: PathBuf,
    /// Seeds kill times, pacing and faults; random when absent (printed, to replay a run).
    #[arg(long)]
    seed: Option<u64>,
    /// Run only `crash` or `faults`.
    #[arg(long)]
    only: Option<String>,
    #[arg(long, default_value_t = 100)]
    users: usize,
    #[arg(long, default_value_t = 100)]
    dms_per_user: usize,
    /// How long the crash storm's users take to send their DMs, seconds.
    #[arg(long, default_value_t = 60)]
    crash_storm_secs: u64,
    #[arg(long, default_value_t = 5)]
    kills: usize,
    /// How long the faults run's users take to send their DMs, seconds.
    #[arg(long, default_value_t = 120)]
    faults_storm_secs: u64,
    /// Keep the bots' logs and configs here (a temporary directory otherwise).
    #[arg(long)]
    keep_logs: Option<PathBuf>,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    anyhow::ensure!(
        args.bot.exists(),
        "--bot {}: not found (run `cargo build --release -p rustmail-bot` first)",
        args.bot.display()
    );
    let backends = match args.backend.as_str() {
        "sqlite" => vec![Backend::Sqlite],
        "postgres" => vec![Backend::Postgres],
        "both" => vec![Backend::Sqlite, Backend::Postgres],
        other => anyhow::bail!("--backend {other}: use sqlite, postgres or both"),
    };
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    println!("seed {seed} (replay with --seed {seed})");
    let mut plans = Vec::new();
    if args.only.as_deref().is_none_or(|o| o == "crash") {
        plans.push(Plan::crash(
            args.users,
            args.dms_per_user,
            Duration::from_secs(args.crash_storm_secs),
            args.kills,
            seed,
        ));
    }
    if args.only.as_deref().is_none_or(|o| o == "faults") {
        plans.push(Plan::faults(
            args.users,
            args.dms_per_user,
            Duration::from_secs(args.faults_storm_secs),
            FaultPlan::issue(),
            seed,
        ));
    }
    anyhow::ensure!(!plans.is_empty(), "--only: use crash or faults");
    std::fs::create_dir_all(&args.out).context("create the output directory")?;
    let temp = tempfile::tempdir()?;
    let workdir = match &args.keep_logs {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            dir.clone()
        }
        None => temp.path().to_owned(),
    };
    let mut all_passed = true;
    for backend in backends {
        let mut reports = Vec::new();
        for plan in &plans {
            println!("running {} on {} ...", plan.name, backend.name());
            let report = chaos::run(plan, backend, &args.bot, &workdir).await;
            print!("{}", report.summary());
            all_passed &= report.passed();
            reports.push(report);
        }
        let path = args.out.join(format!("chaos-{}.json", backend.name()));
        std::fs::write(&path, serde_json::to_string_pretty(&reports)?)?;
        println!("wrote {}", path.display());
    }
    Ok(if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
