//! `rustmail-demo`: Rustmail working end to end with no Discord account. Starts the local Discord
//! simulator (a guild, staff, a few members), runs the real bot against it on a SQLite database,
//! and plays a short story through the simulator's scenario API: members DM, tickets open, a staff
//! member replies (once anonymously), edits a reply, schedules a close and closes a ticket. The
//! terminal shows both sides as they happen. Afterwards, point `rustmail` at the database:
//! `rustmail --database-url sqlite://<dir>/rustmail.db tickets list --all`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use rustmail_bot::Bot;
use rustmail_db::config::Config;
use rustmail_db::Db;
use rustmail_tests::harness::{config_toml, text::text_of};
use rustmail_tests::sim::{self, Message, SimConfig, SimHandle};

#[derive(Parser)]
#[command(about = "Watch Rustmail work against a local Discord simulator")]
struct Args {
    /// Where to keep the demo's SQLite database (created if missing).
    #[arg(long, default_value = "demo-data")]
    data_dir: PathBuf,
    /// Pause between steps, in milliseconds (0 for a fast run).
    #[arg(long, default_value_t = 400)]
    pace_ms: u64,
}

const WAIT: Duration = Duration::from_secs(20);

struct Demo {
    sim: SimHandle,
    pace: Duration,
}

impl Demo {
    async fn step(&self, who: &str, what: &str) {
        println!("\x1b[1m{who:>10}\x1b[0m │ {what}");
        tokio::time::sleep(self.pace).await;
    }

    fn show(place: &str, m: &Message) {
        let text = text_of(m).replace('\n', "\n           │     ");
        println!("\x1b[36m{place:>10}\x1b[0m │ {text}");
    }

    /// Waits for the bot to post something new in `channel` (after `seen` messages) and prints it.
    async fn bot_says(&self, place: &str, channel: u64, seen: &mut usize) -> anyhow::Result<()> {
        let bot = self.sim.ids().bot_user_id;
        let count = |w: &sim::World| {
            w.channel_messages(channel)
                .iter()
                .filter(|m| m.author_id == bot)
                .count()
        };
        let start = *seen;
        self.sim
            .wait_until(|w| count(w) > start, WAIT)
            .await
            .map_err(|_| anyhow::anyhow!("the bot did not answer in {place}"))?;
        // Let a burst (header + message) land before printing.
        tokio::time::sleep(Duration::from_millis(150)).await;
        let messages: Vec<Message> = self
            .sim
            .channel_messages(channel)
            .into_iter()
            .filter(|m| m.author_id == bot)
            .collect();
        for m in &messages[start..] {
            Self::show(place, m);
        }
        *seen = messages.len();
        Ok(())
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.data_dir).context("create --data-dir")?;
    let db_path = std::fs::canonicalize(&args.data_dir)?.join("rustmail.db");
    let url = format!("sqlite://{}", db_path.display());
    let sim = sim::start(SimConfig::default()).await;
    let config: Config = Config::from_toml_str(&config_toml(&sim, &url, true), &|_| None)
        .context("demo configuration")?;
    let db = Db::open(&url, 4).context("open the demo database")?;
    println!(
        "Rustmail demo: simulator at {}, database {}",
        sim.api_base(),
        db_path.display()
    );
    let bot = Bot::start(config.clone(), db.clone())
        .await
        .context("start the bot")?;
    sim.wait_until(|w| !w.registered_commands().is_empty(), WAIT)
        .await
        .map_err(|_| anyhow::anyhow!("the bot did not register its commands"))?;
    println!("The bot is online; its commands are registered.\n");
    let demo = Demo {
        sim,
        pace: Duration::from_millis(args.pace_ms),
    };
    let ids = demo.sim.ids().clone();

    let dave = demo.sim.user("dave");
    let erin = demo.sim.user("erin");
    let bob = demo.sim.staff("bob");

    demo.step(
        "dave (DM)",
        "Hi! I was muted in #general and I don't know why.",
    )
    .await;
    dave.dm("Hi! I was muted in #general and I don't know why.")
        .await;
    let mut dave_dm_seen = 0;
    demo.bot_says("to dave", dave.dm_channel(), &mut dave_dm_seen)
        .await?;
    demo.sim
        .wait_until(
            |w| !w.channels_in_category(ids.inbox_category_id).is_empty(),
            WAIT,
        )
        .await
        .map_err(|_| anyhow::anyhow!("no ticket channel was created"))?;
    let channel = demo.sim.channels_in_category(ids.inbox_category_id)[0].id;
    let mut ticket_seen = 0;
    demo.bot_says("#ticket", channel, &mut ticket_seen).await?;

    demo.step("erin (DM)", "Hello, can someone look at my appeal?")
        .await;
    erin.dm("Hello, can someone look at my appeal?").await;
    let mut erin_dm_seen = 0;
    demo.bot_says("to erin", erin.dm_channel(), &mut erin_dm_seen)
        .await?;

    demo.step("bob", "!reply Hi Dave, let me check the logs for you.")
        .await;
    bob.say(channel, "!reply Hi Dave, let me check the logs for you.")
        .await;
    demo.bot_says("to dave", dave.dm_channel(), &mut dave_dm_seen)
        .await?;
    demo.bot_says("#ticket", channel, &mut ticket_seen).await?;

    demo.step("bob", "Internal note: he was muted by automod for links.")
        .await;
    bob.say(channel, "Internal note: he was muted by automod for links.")
        .await;

    demo.step(
        "bob",
        "!anonreply The mute was automatic; it expires in 10 minutes.",
    )
    .await;
    bob.say(
        channel,
        "!anonreply The mute was automatic; it expires in 10 minutes.",
    )
    .await;
    demo.bot_says("to dave", dave.dm_channel(), &mut dave_dm_seen)
        .await?;
    demo.bot_says("#ticket", channel, &mut ticket_seen).await?;

    demo.step(
        "bob",
        "!edit 2 The mute was automatic (link filter); it expires in 10 minutes.",
    )
    .await;
    bob.say(
        channel,
        "!edit 2 The mute was automatic (link filter); it expires in 10 minutes.",
    )
    .await;
    demo.bot_says("#ticket", channel, &mut ticket_seen).await?;

    demo.step("dave (DM)", "Thanks, that explains it!").await;
    dave.dm("Thanks, that explains it!").await;
    demo.bot_says("#ticket", channel, &mut ticket_seen).await?;

    demo.step("bob", "!close 2h").await;
    bob.say(channel, "!close 2h").await;
    demo.bot_says("#ticket", channel, &mut ticket_seen).await?;

    demo.step("bob", "!close (right now)").await;
    bob.say(channel, "!close").await;
    demo.bot_says("to dave", dave.dm_channel(), &mut dave_dm_seen)
        .await?;
    let mut log_seen = 0;
    demo.bot_says("#log", ids.log_channel_id, &mut log_seen)
        .await?;

    println!();
    println!("Done. Erin's ticket is still open. Look at everything with the operator CLI:");
    println!("  cargo run -p rustmail-cli -- --database-url {url} tickets list --all");
    println!("  cargo run -p rustmail-cli -- --database-url {url} logs 1");
    println!("  cargo run -p rustmail-cli -- --database-url {url} tui");
    bot.shutdown().await;
    demo.sim.shutdown().await;
    Ok(())
}
