//! `rustmail-bench`: the benchmarks of issue #7 (`just bench`). Runs the release `rustmail-bot`
//! binary against the simulator on SQLite and PostgreSQL, prints a summary and writes the raw
//! results as JSON (`bench/results-<backend>.json`).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use rustmail_tests::bench::workloads::{self, Backend, Rig};
use rustmail_tests::bench::Measurement;
use rustmail_tests::sim::SimConfig;

#[derive(Parser)]
#[command(about = "Rustmail benchmarks against the local Discord simulator")]
struct Args {
    /// sqlite, postgres or both.
    #[arg(long, default_value = "both")]
    backend: String,
    /// The bot binary (build it with `cargo build --release -p rustmail-bot`).
    #[arg(long, default_value = "target/release/rustmail-bot")]
    bot: PathBuf,
    /// The CLI binary (for the data-at-scale workload).
    #[arg(long, default_value = "target/release/rustmail")]
    cli: PathBuf,
    /// Tickets and messages for the data-at-scale workload.
    #[arg(long, default_value_t = 100_000)]
    seed_tickets: u32,
    #[arg(long, default_value_t = 5_000_000)]
    seed_messages: u64,
    /// Where to write the JSON results.
    #[arg(long, default_value = "bench")]
    out: PathBuf,
    /// Run only workloads whose name contains this.
    #[arg(long)]
    only: Option<String>,
    /// Copy the bot's log into `out` (`bot-<backend>.log`; each workload group starts a bot of
    /// its own, so it is the last group's), for a look at its warnings after a run.
    #[arg(long)]
    keep_bot_logs: bool,
}

fn wanted(only: Option<&String>, name: &str) -> bool {
    only.is_none_or(|o| name.contains(o.as_str()))
}

async fn run_backend(args: &Args, backend: Backend) -> anyhow::Result<Vec<Measurement>> {
    let work = tempfile::tempdir()?;
    let mut results = Vec::new();
    let only = args.only.as_ref();
    let fresh = || SimConfig {
        record_events: false,
        ..SimConfig::default()
    };

    // Footprint at rest and relays (a), (c).
    let rig = Rig::start(backend, &args.bot, work.path(), fresh()).await;
    let idle_rss = rig.bot().rss_mib();
    let (idle_anon, idle_file) = rig.bot().rss_parts_mib();
    let startup = rig.startup;
    if wanted(only, "relay-50x20") {
        results.push(workloads::relay_burst(&rig, "relay-50x20", 50, 20).await);
    }
    let after_rss = rig.bot().rss_mib();
    results.push(Measurement {
        name: "footprint".into(),
        backend: backend.name().into(),
        rss_mib_after: after_rss,
        peak_rss_mib: rig.bot().peak_rss_mib(),
        extra: serde_json::json!({
            "rss_after_ready_mib": idle_rss,
            "rss_after_ready_anon_mib": idle_anon,
            "rss_after_ready_file_mib": idle_file,
            "startup_to_ready_ms": startup.as_secs_f64() * 1000.0,
        }),
        ..Measurement::default()
    });
    rig.shutdown().await;

    if wanted(only, "relay-paced") {
        let rig = Rig::start(backend, &args.bot, work.path(), fresh()).await;
        results.push(workloads::relay_paced(&rig, "relay-paced-200", 50, 1000, 200).await);
        rig.shutdown().await;
    }
    if wanted(only, "replies") {
        let rig = Rig::start(backend, &args.bot, work.path(), fresh()).await;
        results.push(workloads::staff_replies(&rig, "replies-20x5", 20, 5).await);
        rig.shutdown().await;
    }
    if wanted(only, "burst-50") {
        let rig = Rig::start(backend, &args.bot, work.path(), fresh()).await;
        results.push(workloads::new_user_burst(&rig, "burst-50", 50, Duration::ZERO).await);
        rig.shutdown().await;
    }
    if wanted(only, "burst-1000") {
        let rig = Rig::start(
            backend,
            &args.bot,
            work.path(),
            SimConfig {
                max_channels_per_category: 2_000,
                ..fresh()
            },
        )
        .await;
        results.push(
            workloads::new_user_burst(&rig, "burst-1000", 1000, Duration::from_secs(1)).await,
        );
        rig.shutdown().await;
    }
    if wanted(only, "relay-200x10") {
        let rig = Rig::start(
            backend,
            &args.bot,
            work.path(),
            SimConfig {
                max_channels_per_category: 2_000,
                ..fresh()
            },
        )
        .await;
        results.push(workloads::relay_burst(&rig, "relay-200x10", 200, 10).await);
        rig.shutdown().await;
    }
    if wanted(only, "recovery") {
        let mut rig = Rig::start(
            backend,
            &args.bot,
            work.path(),
            SimConfig {
                max_channels_per_category: 2_000,
                ..fresh()
            },
        )
        .await;
        results.push(workloads::recovery(&mut rig, "recovery-100x10", 100, 10).await);
        rig.shutdown().await;
    }
    if wanted(only, "data") {
        let cli = args.cli.clone();
        let spec = rustmail_tests::seed::SeedSpec {
            tickets: args.seed_tickets,
            messages: args.seed_messages,
            ..rustmail_tests::seed::SeedSpec::default()
        };
        let data = tokio::task::spawn_blocking(move || {
            rustmail_tests::bench::data::run(backend, &cli, spec)
        })
        .await?;
        results.extend(data);
    }
    if args.keep_bot_logs {
        let name = format!("bot-{}.log", backend.name());
        std::fs::create_dir_all(&args.out)?;
        std::fs::copy(work.path().join(&name), args.out.join(&name))?;
    }
    Ok(results)
}

fn print(results: &[Measurement]) {
    println!(
        "{:<18} {:<9} {:>6} {:>9} {:>8} {:>8} {:>8} {:>8} {:>5} {:>4} {:>5} {:>7} {:>8} {:>8}",
        "workload",
        "backend",
        "ops",
        "ops/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "lost",
        "dup",
        "unord",
        "req/op",
        "cpu ms/op",
        "peak MiB"
    );
    for m in results {
        println!(
            "{:<18} {:<9} {:>6} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>5} {:>4} {:>5} {:>7.2} {:>8.3} {:>8.1}",
            m.name,
            m.backend,
            m.operations,
            m.throughput_per_s,
            m.latency_ms.p50,
            m.latency_ms.p95,
            m.latency_ms.p99,
            m.latency_ms.max,
            m.lost,
            m.duplicated,
            m.out_of_order_users,
            m.rest_per_operation,
            m.cpu_ms_per_operation,
            m.peak_rss_mib
        );
        if !m.extra.is_null() {
            println!("    {}", m.extra);
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
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
    std::fs::create_dir_all(&args.out).context("create output directory")?;
    let mut all = Vec::new();
    for backend in backends {
        let results = run_backend(&args, backend).await?;
        let path = args.out.join(format!("results-{}.json", backend.name()));
        std::fs::write(&path, serde_json::to_string_pretty(&results)?)?;
        print(&results);
        all.extend(results);
    }
    // The binaries measured, wherever they are (a copy of the bot under another name included).
    let sizes: Vec<_> = [("rustmail-bot", &args.bot), ("rustmail", &args.cli)]
        .iter()
        .filter_map(|(name, path)| {
            std::fs::metadata(path)
                .ok()
                .map(|m| ((*name).to_owned(), m.len()))
        })
        .collect();
    println!("release binary sizes (bytes): {sizes:?}");
    std::fs::write(
        args.out.join("binary-sizes.json"),
        serde_json::to_string_pretty(&sizes)?,
    )?;
    Ok(())
}
