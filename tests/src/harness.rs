//! End-to-end harness for the bot: a simulator, a throw-away database (SQLite, or Postgres when
//! asked and `RUSTMAIL_TEST_POSTGRES_URL` is set), a configuration built from the simulator's
//! seeded ids, and the real bot started in-process (and stopped, and restarted).
//!
//! ```no_run
//! # async fn demo() {
//! use rustmail_tests::harness::Harness;
//! let h = Harness::builder().start().await;
//! let alice = h.sim.user("alice");
//! alice.dm("hello").await;
//! let channel = h.ticket_channel(alice.id()).await;
//! # let _ = channel;
//! h.shutdown().await;
//! # }
//! ```

pub mod logs;
pub mod second;
pub mod text;

use std::time::{Duration, Instant};

use rustmail_bot::{Bot, BotHandle};
use rustmail_db::config::Config;
use rustmail_db::testing::TestDatabase;
use rustmail_db::tickets::{self, Ticket};
use rustmail_db::{Db, DbConnection, DomainResult};

use crate::sim::{self, Message, SimConfig, SimHandle};

pub use text::text_of;

/// Generous timeout for waits (debug builds on 2 cores, sometimes under load).
pub const WAIT: Duration = Duration::from_secs(20);

type Tweak = Box<dyn FnOnce(&mut Config) + Send>;

/// How to set up a [`Harness`].
#[must_use]
pub struct Builder {
    sim: SimConfig,
    postgres: bool,
    archive: bool,
    tweaks: Vec<Tweak>,
}

impl Builder {
    /// Separate community and staff guilds.
    pub fn dual_server(mut self) -> Self {
        self.sim.dual_server = true;
        self
    }

    /// Run on Postgres (`RUSTMAIL_TEST_POSTGRES_URL`); [`Builder::start`] returns `None`
    /// without it (outside CI).
    pub fn postgres(mut self) -> Self {
        self.postgres = true;
        self
    }

    /// Configure `channels.archive_category_id` (closed tickets are archived, not deleted).
    pub fn archive(mut self) -> Self {
        self.archive = true;
        self
    }

    /// Changes the configuration before the bot starts.
    pub fn configure(mut self, f: impl FnOnce(&mut Config) + Send + 'static) -> Self {
        self.tweaks.push(Box::new(f));
        self
    }

    /// Changes the simulator's configuration.
    pub fn sim(mut self, f: impl FnOnce(&mut SimConfig)) -> Self {
        f(&mut self.sim);
        self
    }

    /// Starts the simulator, the database and the bot, and waits until the bot is ready.
    ///
    /// # Panics
    /// If Postgres was asked for but is not configured, or the bot does not start.
    pub async fn start(self) -> Harness {
        self.try_start()
            .await
            .expect("RUSTMAIL_TEST_POSTGRES_URL is not set")
    }

    /// Like [`Builder::start`], but `None` when Postgres was asked for and is not configured.
    ///
    /// # Panics
    /// If the bot does not start.
    pub async fn try_start(self) -> Option<Harness> {
        init_logging();
        let db = if self.postgres {
            let url = TestDatabase::postgres_url()?;
            tokio::task::spawn_blocking(move || TestDatabase::postgres(&url))
                .await
                .expect("create the Postgres test database")
        } else {
            tokio::task::spawn_blocking(TestDatabase::sqlite)
                .await
                .expect("create the SQLite test database")
        };
        let sim = sim::start(self.sim).await;
        let mut config = config_for(&sim, &db.url, self.archive);
        for tweak in self.tweaks {
            tweak(&mut config);
        }
        config.validate().expect("the test configuration is valid");
        for secret in logs::token_secrets(config.bot.token.expose()) {
            logs::watch_secret(&secret);
        }
        let mut h = Harness {
            sim,
            db,
            config,
            bot: None,
        };
        h.start_bot().await;
        Some(h)
    }
}

/// The configuration for a bot against `sim` on the database at `url`.
///
/// # Panics
/// If the generated TOML does not load (a bug in [`config_toml`]).
pub fn config_for(sim: &SimHandle, url: &str, archive: bool) -> Config {
    Config::from_toml_str(&config_toml(sim, url, archive), &|_| None).expect("test configuration")
}

/// The configuration file text for a bot against `sim` on the database at `url` (the benchmark
/// writes it to a file for the real `rustmail-bot` binary).
pub fn config_toml(sim: &SimHandle, url: &str, archive: bool) -> String {
    let ids = sim.ids();
    let servers = if ids.community_guild_id == ids.staff_guild_id {
        format!("guild_id = {}", ids.staff_guild_id)
    } else {
        format!(
            "community_guild_id = {}\nstaff_guild_id = {}",
            ids.community_guild_id, ids.staff_guild_id
        )
    };
    let archive = if archive {
        format!("archive_category_id = {}", ids.archive_category_id)
    } else {
        String::new()
    };
    format!(
        r#"
[bot]
token = "{token}"
api_base_url = "{api}/api/v10"

[database]
url = "{url}"
pool_size = 8

[servers]
{servers}
staff_roles = [{staff}]
admin_roles = [{admin}]

[channels]
inbox_category_id = {inbox}
log_channel_id = {log}
{archive}

[logging]
level = "info"
"#,
        token = sim.token(),
        api = sim.api_base(),
        staff = ids.staff_role_id,
        admin = ids.admin_role_id,
        inbox = ids.inbox_category_id,
        log = ids.log_channel_id,
    )
}

/// Every log line of the process is captured (and searched for the token at shutdown).
fn init_logging() {
    logs::install();
}

/// A simulator, a database and the bot.
pub struct Harness {
    pub sim: SimHandle,
    pub db: TestDatabase,
    pub config: Config,
    bot: Option<BotHandle>,
}

impl Harness {
    /// A builder with the defaults: single server, SQLite, no archive category.
    pub fn builder() -> Builder {
        Builder {
            // A token shaped like Discord's, so the log search looks for something realistic.
            sim: SimConfig {
                token: logs::TEST_TOKEN.to_owned(),
                ..SimConfig::default()
            },
            postgres: false,
            archive: false,
            tweaks: Vec::new(),
        }
    }

    /// The database handle.
    pub fn db(&self) -> &Db {
        &self.db.db
    }

    /// The running bot.
    ///
    /// # Panics
    /// If the bot is stopped.
    pub fn bot(&self) -> &BotHandle {
        self.bot.as_ref().expect("the bot is running")
    }

    /// Starts the bot (again) and waits until it is ready: connected, commands registered,
    /// cache complete.
    ///
    /// # Panics
    /// If it does not start in time.
    pub async fn start_bot(&mut self) {
        assert!(self.bot.is_none(), "the bot is already running");
        let handle = Bot::start(self.config.clone(), self.db.db.clone())
            .await
            .expect("the bot starts");
        let data = handle.data().clone();
        self.bot = Some(handle);
        let deadline = Instant::now() + WAIT;
        while !*data.ready.borrow() {
            assert!(Instant::now() < deadline, "the bot did not become ready");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.sim
            .wait_until(
                |w| w.registered_commands().iter().any(|c| c.name == "close"),
                WAIT,
            )
            .await
            .expect("commands registered");
    }

    /// Stops the bot (the simulator and database stay).
    pub async fn stop_bot(&mut self) {
        if let Some(bot) = self.bot.take() {
            bot.shutdown().await;
        }
    }

    /// Stops and starts the bot.
    pub async fn restart_bot(&mut self) {
        self.stop_bot().await;
        self.start_bot().await;
    }

    /// Runs `f` on the database (blocking; fine in tests).
    pub fn query<T>(&self, f: impl FnOnce(&mut DbConnection) -> DomainResult<T>) -> T {
        self.db.db.with_conn(f).expect("database query")
    }

    /// The user's open ticket, if any.
    pub fn open_ticket(&self, user: u64) -> Option<Ticket> {
        self.query(|c| tickets::find_open_by_user(c, rustmail_db::ids::UserId(user)))
    }

    /// Every ticket of the user, newest first.
    pub fn tickets_of(&self, user: u64) -> Vec<Ticket> {
        self.query(|c| tickets::history(c, rustmail_db::ids::UserId(user)))
    }

    /// Polls `f` on the database until it holds.
    ///
    /// # Panics
    /// If it does not hold within [`WAIT`].
    pub async fn wait_db(
        &self,
        what: &str,
        mut f: impl FnMut(&mut DbConnection) -> DomainResult<bool>,
    ) {
        let deadline = Instant::now() + WAIT;
        loop {
            if self.db.db.with_conn(&mut f).expect("database query") {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for: {what}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits until `f(world)` holds.
    ///
    /// # Panics
    /// If it does not hold within [`WAIT`].
    pub async fn wait(&self, what: &str, f: impl Fn(&sim::World) -> bool) {
        assert!(
            self.sim.wait_until(f, WAIT).await.is_ok(),
            "timed out waiting for: {what}"
        );
    }

    /// Waits until the user has an open ticket with a channel, and returns the channel id.
    pub async fn ticket_channel(&self, user: u64) -> u64 {
        let mut channel = None;
        self.wait_db("a ticket channel", |c| {
            channel = tickets::find_open_by_user(c, rustmail_db::ids::UserId(user))?
                .and_then(|t| t.channel_id)
                .map(rustmail_db::ids::ChannelId::get);
            Ok(channel.is_some())
        })
        .await;
        channel.unwrap_or_default()
    }

    /// Messages the bot posted in a channel, oldest first.
    pub fn bot_messages(&self, channel: u64) -> Vec<Message> {
        let bot = self.sim.ids().bot_user_id;
        self.sim
            .channel_messages(channel)
            .into_iter()
            .filter(|m| m.author_id == bot)
            .collect()
    }

    /// Messages the bot sent the user in their DMs, oldest first.
    pub fn bot_dms(&self, user: u64) -> Vec<Message> {
        let bot = self.sim.ids().bot_user_id;
        self.sim
            .dm_messages(user)
            .into_iter()
            .filter(|m| m.author_id == bot)
            .collect()
    }

    /// Waits until a bot message in `channel` contains `needle` (in its text or embeds) and
    /// returns it.
    pub async fn wait_bot_message(&self, channel: u64, needle: &str) -> Message {
        let bot = self.sim.ids().bot_user_id;
        self.wait(
            &format!("a bot message containing {needle:?} in {channel}"),
            |w| {
                w.channel_messages(channel)
                    .iter()
                    .any(|m| m.author_id == bot && text_of(m).contains(needle))
            },
        )
        .await;
        self.bot_messages(channel)
            .into_iter()
            .find(|m| text_of(m).contains(needle))
            .expect("found above")
    }

    /// Waits until the bot sent the user a DM containing `needle`, and returns it.
    pub async fn wait_bot_dm(&self, user: u64, needle: &str) -> Message {
        let bot = self.sim.ids().bot_user_id;
        self.wait(&format!("a DM to {user} containing {needle:?}"), |w| {
            w.dm_messages(user)
                .iter()
                .any(|m| m.author_id == bot && text_of(m).contains(needle))
        })
        .await;
        self.bot_dms(user)
            .into_iter()
            .find(|m| text_of(m).contains(needle))
            .expect("found above")
    }

    /// Asserts the bot used no route the simulator lacks and sent no body Discord's spec
    /// refuses.
    ///
    /// # Panics
    /// On any such request.
    pub fn assert_clean(&self) {
        assert_eq!(
            self.sim.unknown_routes(),
            Vec::<String>::new(),
            "unknown routes"
        );
        assert_eq!(
            self.sim.spec_violations(),
            Vec::<String>::new(),
            "spec violations"
        );
    }

    /// Stops the bot and the simulator.
    ///
    /// # Panics
    /// If any log line of the process so far contained the bot token (see [`logs`]).
    pub async fn shutdown(mut self) {
        self.stop_bot().await;
        let Harness { sim, db, .. } = self;
        sim.shutdown().await;
        tokio::task::spawn_blocking(move || drop(db)).await.ok();
        logs::assert_no_secrets();
    }
}
