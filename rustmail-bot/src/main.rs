//! `rustmail-bot --config FILE`: loads and validates the configuration (with `RUSTMAIL_*`
//! environment overrides), sets up logging (to `logging.file` or stderr; the token is never
//! logged), opens and migrates the database, and runs the bot until Ctrl-C or SIGTERM. Start-up
//! errors are printed as one line, with exit status 1.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use rustmail_db::config::Config;
use rustmail_db::Db;

/// Rustmail's Discord bot.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The configuration file (see config.example.toml).
    #[arg(long, short, env = "RUSTMAIL_CONFIG", default_value = "config.toml")]
    config: PathBuf,
}

/// The entry point (also the tests crate's `rustmail-bot-under-test`, which includes this file).
pub(crate) fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "rustmail-bot: {}",
                rustmail_bot::start::one_line(&format!("{e:#}"))
            );
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> anyhow::Result<()> {
    let config = Config::load(&args.config)
        .map_err(|e| anyhow::anyhow!(rustmail_bot::start::one_line(&e.to_string())))?;
    init_logging(&config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let url = config.database.url.clone();
        let pool = config.database.pool_size;
        let db = tokio::task::spawn_blocking(move || Db::open(&url, pool))
            .await
            .context("cannot open the database")??;
        tracing::info!(database = %db.redacted_url(), "database ready");
        rustmail_bot::run(config, db, shutdown_signal()).await?;
        Ok(())
    })
}

/// The configured level, minus serenity's spans. serenity opens an INFO span around every
/// gateway event and HTTP request, with the whole event or request (body bytes included) as a
/// `Debug` field: formatting them was 7% of the bot's CPU per relay, and a log line inside one
/// would carry it. Its events still log.
fn log_filter<S>(level: &str) -> anyhow::Result<impl tracing_subscriber::layer::Filter<S>>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    use tracing_subscriber::filter::FilterExt as _;

    let filter = tracing_subscriber::EnvFilter::try_new(level.trim())
        .map_err(|e| anyhow::anyhow!("logging.level `{level}` is not valid: {e}"))?;
    Ok(filter.and(tracing_subscriber::filter::filter_fn(|meta| {
        !(meta.is_span() && meta.target().starts_with("serenity"))
    })))
}

fn init_logging(config: &Config) -> anyhow::Result<()> {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    use tracing_subscriber::Layer as _;

    let filter = log_filter(&config.logging.level)?;
    let init = |layer: Box<dyn tracing_subscriber::Layer<_> + Send + Sync>| {
        tracing_subscriber::registry()
            .with(layer.with_filter(filter))
            .try_init()
            .map_err(|e| anyhow::anyhow!("cannot set up logging: {e}"))
    };
    match &config.logging.file {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("cannot open logging.file {}", path.display()))?;
            init(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_writer(std::sync::Mutex::new(file))
                    .boxed(),
            )
        }
        None => init(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .boxed(),
        ),
    }
}

/// Completes on Ctrl-C or (on Unix) SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::Layer as _;

    #[test]
    fn serenity_spans_are_left_out_and_everything_else_follows_the_level() {
        let filter = super::log_filter("info").expect("filter");
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::sink)
                .with_filter(filter),
        );
        tracing::subscriber::with_default(subscriber, || {
            let serenity = tracing::info_span!(target: "serenity::gateway::shard", "handle_event");
            assert!(serenity.is_disabled());
            let ours = tracing::info_span!(target: "rustmail_bot::inbound::dm", "dm");
            assert!(!ours.is_disabled());
            assert!(tracing::enabled!(
                target: "serenity::gateway::shard",
                tracing::Level::WARN
            ));
            assert!(!tracing::enabled!(
                target: "rustmail_bot::inbound",
                tracing::Level::DEBUG
            ));
        });
    }
}
