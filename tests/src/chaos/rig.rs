//! The chaos rig: a simulator, a database and the bot binary as a separate process that can be
//! killed (SIGKILL) and started again any number of times, each life logging to its own file.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rustmail_db::testing::TestDatabase;

use crate::bench::process::BotProcess;
use crate::bench::workloads::Backend;
use crate::sim::{self, SimConfig, SimHandle};

/// How long a bot start (spawn to a connected gateway session) may take.
const START_WAIT: Duration = Duration::from_secs(60);

/// The rig could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum RigError {
    #[error("cannot start the bot process: {0}")]
    Spawn(#[from] std::io::Error),
    #[error("the bot did not connect to the gateway within {0:?} (see {1})")]
    NoSession(Duration, PathBuf),
    #[error("the bot process exited on its own ({0}, see {1})")]
    Exited(String, PathBuf),
}

/// A simulator, a database, and the bot process running against them.
pub struct ChaosRig {
    pub sim: SimHandle,
    pub db: TestDatabase,
    pub backend: Backend,
    bot: Option<BotProcess>,
    binary: PathBuf,
    config: PathBuf,
    workdir: PathBuf,
    label: String,
    /// Lives started so far (the first start included).
    pub lives: usize,
    /// Log files, one per life, oldest first.
    pub logs: Vec<PathBuf>,
}

impl ChaosRig {
    /// Creates the database and the simulator and writes the bot's configuration; the bot is
    /// not started yet. `label` names the files in `workdir`.
    pub async fn new(
        backend: Backend,
        binary: &Path,
        workdir: &Path,
        label: &str,
        sim_config: SimConfig,
    ) -> Self {
        let db = tokio::task::spawn_blocking(move || match backend {
            Backend::Sqlite => TestDatabase::sqlite(),
            Backend::Postgres => TestDatabase::postgres(
                &TestDatabase::postgres_url()
                    .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned()),
            ),
        })
        .await
        .expect("create the test database");
        let sim = sim::start(sim_config).await;
        let config = workdir.join(format!("{label}.toml"));
        std::fs::write(&config, crate::harness::config_toml(&sim, &db.url, false))
            .expect("write the bot's config");
        Self {
            sim,
            db,
            backend,
            bot: None,
            binary: binary.to_owned(),
            config,
            workdir: workdir.to_owned(),
            label: label.to_owned(),
            lives: 0,
            logs: Vec::new(),
        }
    }

    /// Starts a new bot process and waits for its new gateway session (a fresh Identify, since
    /// a new process has no session to resume). Returns the time from spawn to that session.
    ///
    /// # Errors
    /// If the process cannot be spawned, exits, or never connects.
    pub async fn start_bot(&mut self) -> Result<Duration, RigError> {
        self.lives += 1;
        let log = self
            .workdir
            .join(format!("{}-life{}.log", self.label, self.lives));
        let identifies = self.sim.gateway().stats().identifies;
        let started = Instant::now();
        let bot = BotProcess::spawn(&self.binary, &self.config, &log)?;
        self.logs.push(log.clone());
        self.bot = Some(bot);
        let gateway = self.sim.gateway();
        let connected = self
            .sim
            .wait_for(
                || {
                    let s = gateway.stats();
                    s.identifies > identifies && s.connected_sessions > 0
                },
                START_WAIT,
            )
            .await;
        if let Some(status) = self.exit_status() {
            return Err(RigError::Exited(status, log));
        }
        connected.map_err(|_| RigError::NoSession(START_WAIT, log))?;
        Ok(started.elapsed())
    }

    /// Kills the bot with SIGKILL (a crash: no shutdown code runs) and waits until the
    /// simulator has seen its connection drop.
    pub async fn kill_bot(&mut self) {
        if let Some(bot) = self.bot.take() {
            bot.kill();
        }
        let gateway = self.sim.gateway();
        let _ = self
            .sim
            .wait_for(|| gateway.stats().connected_sessions == 0, START_WAIT)
            .await;
    }

    /// `Some(status)` when the current bot process has exited on its own.
    pub fn exit_status(&mut self) -> Option<String> {
        self.bot
            .as_mut()
            .and_then(BotProcess::exit_status)
            .map(|s| s.to_string())
    }

    /// Peak RSS of the current process, MiB.
    pub fn peak_rss_mib(&self) -> f64 {
        self.bot.as_ref().map_or(0.0, BotProcess::peak_rss_mib)
    }

    /// Lines of the bot's logs (all lives) that contain `needle`.
    pub fn log_lines(&self, needle: &str) -> Vec<String> {
        self.logs
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .flat_map(|text| {
                text.lines()
                    .filter(|l| l.contains(needle))
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Stops the bot (SIGTERM) and the simulator; the database goes with `self`.
    pub async fn shutdown(mut self) {
        if let Some(bot) = self.bot.take() {
            bot.terminate(Duration::from_secs(5));
        }
        self.sim.shutdown().await;
    }
}
