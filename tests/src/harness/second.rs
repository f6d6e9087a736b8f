//! A second bot process for a [`Harness`](super::Harness): the real bot started again in-process
//! on the same simulator and database, with its own connection pool and worker id, as a second
//! process would be (two instances with the same token by mistake, or a second shard process).
//!
//! ```no_run
//! # async fn demo() {
//! use rustmail_tests::harness::Harness;
//! let h = Harness::builder().start().await;
//! let second = h.start_second(|_| {}).await;
//! // ... both bots receive every event ...
//! second.shutdown().await;
//! h.shutdown().await;
//! # }
//! ```

use std::time::{Duration, Instant};

use rustmail_bot::{Bot, BotHandle, Data};
use rustmail_db::config::Config;
use rustmail_db::Db;

use super::{Harness, WAIT};

/// Another bot process on the harness's simulator and database.
pub struct SecondBot {
    /// Its configuration (the harness's, changed by the tweak given to
    /// [`Harness::start_second`]).
    pub config: Config,
    bot: BotHandle,
    db: Db,
}

impl SecondBot {
    /// Its state (worker id, readiness, metrics).
    pub fn data(&self) -> &Data {
        self.bot.data()
    }

    /// Its own database handle.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Stops it (the first bot and the simulator keep running).
    pub async fn shutdown(self) {
        self.bot.shutdown().await;
        let db = self.db;
        tokio::task::spawn_blocking(move || drop(db)).await.ok();
    }
}

impl Harness {
    /// Starts a second bot on the same simulator (same token) and database, with the harness's
    /// configuration changed by `tweak` (e.g. `bot.shards`), and waits until it is ready and
    /// both gateway sessions are connected.
    ///
    /// # Panics
    /// If it cannot open the database or does not become ready in time.
    pub async fn start_second(&self, tweak: impl FnOnce(&mut Config)) -> SecondBot {
        let mut config = self.config.clone();
        tweak(&mut config);
        config
            .validate()
            .expect("the second bot's configuration is valid");
        let (url, pool) = (self.db.url.clone(), config.database.pool_size);
        let db = tokio::task::spawn_blocking(move || Db::open(&url, pool))
            .await
            .expect("open task")
            .expect("the second bot opens the database");
        let sessions = self.sim.gateway().stats().connected_sessions;
        let bot = Bot::start(config.clone(), db.clone())
            .await
            .expect("the second bot starts");
        let data = bot.data().clone();
        let deadline = Instant::now() + WAIT;
        while !*data.ready.borrow() {
            assert!(
                Instant::now() < deadline,
                "the second bot did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.sim
            .wait_for(
                || self.sim.gateway().stats().connected_sessions > sessions,
                WAIT,
            )
            .await
            .expect("the second bot's gateway session is connected");
        SecondBot { config, bot, db }
    }
}
