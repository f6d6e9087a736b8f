//! The bot's shared state ([`Data`], poise's user data): configuration, database, Discord HTTP
//! client and cache, the inbound queues, and small in-memory caches. No lock in here is ever held
//! across an `.await`.

use std::collections::{HashMap, HashSet};
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use rustmail_db::config::Config;
use rustmail_db::dm_channels::DmChannel;
use rustmail_db::Db;
use serenity::all::{Cache, ChannelId, Http, MessageId, UserId};
use tokio::sync::{watch, Notify};

use crate::inbound::Queues;

/// poise's user data: a cheap handle on the shared [`State`].
#[derive(Clone)]
pub struct Data(pub Arc<State>);

impl Deref for Data {
    type Target = State;

    fn deref(&self) -> &State {
        &self.0
    }
}

/// Everything the bot's tasks share.
pub struct State {
    pub config: Arc<Config>,
    pub db: Db,
    pub http: Arc<Http>,
    pub cache: Arc<Cache>,
    /// This process's id in `bot_instances`, jobs and actions claims.
    pub worker_id: String,
    /// Prometheus metrics (lock-free counters).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Per-user ordered queues of inbound work.
    pub inbound: Queues,
    /// Per-channel ordered queues of prefix commands (shared with the framework).
    pub commands: Arc<crate::sequencer::Commands>,
    /// Known DM channels (user → channel), learnt from events and the database.
    dm_channels: Mutex<HashMap<UserId, ChannelId>>,
    /// The reverse: DM channel → user.
    dm_users: Mutex<HashMap<ChannelId, UserId>>,
    /// Relays being delivered right now (record ids), so a retry never races a live delivery.
    in_flight: Mutex<HashSet<i64>>,
    /// Staff messages the bot deleted itself (prefix commands, acknowledged by deletion), so
    /// their deletion events need no lookup (see [`State::deleted_own`]).
    deleted_own: Mutex<HashSet<MessageId>>,
    /// Tickets whose channel this process has the turn to create, taken by the intake that
    /// opened them: when, and whether the user is known to have no history (see
    /// [`State::turn_held`]).
    channel_turns: Mutex<HashMap<i64, (Instant, bool)>>,
    /// Tickets whose "inbox full" alert was posted (one alert per ticket and process).
    inbox_full_alerted: Mutex<HashSet<i64>>,
    /// When typing was last relayed into a channel (Discord shows it for ~10 s).
    typing: Mutex<HashMap<ChannelId, Instant>>,
    /// Wakes the scheduler (a close was just queued).
    pub wake_scheduler: Notify,
    /// The bot user, once READY arrived.
    pub bot_user: OnceLock<UserId>,
    /// Whether a recovery pass is running (passes run one at a time).
    pub recovering: AtomicBool,
    /// Becomes true when the cache is ready (background tasks wait for it).
    pub ready: watch::Sender<bool>,
    /// Becomes true when the bot is shutting down.
    pub stopping: watch::Sender<bool>,
    /// Whether the start-up recovery has been launched.
    started: AtomicBool,
    /// READY events seen (a READY after the first means a new gateway session: events were
    /// missed).
    readies: std::sync::atomic::AtomicUsize,
    /// The DM channels as known before the gateway connected (for the start-up recovery).
    startup_snapshot: Mutex<Option<Vec<DmChannel>>>,
}

/// How often typing is relayed at most per channel.
const TYPING_EVERY: Duration = Duration::from_secs(8);

/// At most this many of the bot's own deletions are remembered at once.
const MAX_OWN_DELETIONS: usize = 10_000;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl State {
    pub fn new(
        config: Arc<Config>,
        db: Db,
        http: Arc<Http>,
        cache: Arc<Cache>,
        worker_id: String,
        commands: Arc<crate::sequencer::Commands>,
    ) -> Self {
        Self {
            config,
            http,
            cache,
            worker_id,
            metrics: Arc::default(),
            inbound: Queues::default(),
            commands,
            dm_channels: Mutex::new(HashMap::new()),
            dm_users: Mutex::new(HashMap::new()),
            in_flight: Mutex::new(HashSet::new()),
            deleted_own: Mutex::new(HashSet::new()),
            channel_turns: Mutex::new(HashMap::new()),
            inbox_full_alerted: Mutex::new(HashSet::new()),
            typing: Mutex::new(HashMap::new()),
            wake_scheduler: Notify::new(),
            bot_user: OnceLock::new(),
            recovering: AtomicBool::new(false),
            ready: watch::channel(false).0,
            stopping: watch::channel(false).0,
            db,
            started: AtomicBool::new(false),
            readies: std::sync::atomic::AtomicUsize::new(0),
            startup_snapshot: Mutex::new(None),
        }
    }

    /// Runs a write of the relay's hot path, batched with the other queued writes into one
    /// transaction (group commit: see `rustmail_db::store::writer`).
    pub async fn write<T, F>(&self, f: F) -> Result<T, rustmail_db::DomainError>
    where
        T: Send + 'static,
        F: Fn(&mut rustmail_db::DbConnection) -> Result<T, rustmail_db::DomainError>
            + Send
            + 'static,
    {
        self.db.write(f).await
    }

    /// [`State::write`] for a write that locks `user`'s conversation (their ticket, its jobs,
    /// their DM channel): one writer thread takes all of them, so writers never deadlock over
    /// one conversation (see `rustmail_db::store::writer`).
    pub async fn write_for<T, F>(&self, user: UserId, f: F) -> Result<T, rustmail_db::DomainError>
    where
        T: Send + 'static,
        F: Fn(&mut rustmail_db::DbConnection) -> Result<T, rustmail_db::DomainError>
            + Send
            + 'static,
    {
        self.db.write_keyed(user.get(), f).await
    }

    /// True the first time it is called: the start-up recovery runs once per process.
    pub fn first_start(&self) -> bool {
        !self.started.swap(true, Ordering::SeqCst)
    }

    /// Counts a READY; true when it is not the first (a new session after a lost one).
    pub fn ready_again(&self) -> bool {
        self.readies.fetch_add(1, Ordering::SeqCst) > 0
    }

    /// Stores the DM channels known at start-up.
    pub fn set_startup_snapshot(&self, channels: Vec<DmChannel>) {
        *lock(&self.startup_snapshot) = Some(channels);
    }

    /// Takes the DM channels known at start-up (once).
    pub fn take_startup_snapshot(&self) -> Option<Vec<DmChannel>> {
        lock(&self.startup_snapshot).take()
    }

    /// The bot's own user id (zero before READY, which no real user has).
    pub fn bot_id(&self) -> UserId {
        self.bot_user
            .get()
            .copied()
            .unwrap_or_else(|| UserId::new(1))
    }

    /// Remembers a user's DM channel (in memory only; the database is told with the DM).
    pub fn remember_dm(&self, user: UserId, channel: ChannelId) {
        lock(&self.dm_channels).insert(user, channel);
        lock(&self.dm_users).insert(channel, user);
    }

    /// The users whose DM channel is known in memory.
    pub fn known_dm_users(&self) -> Vec<UserId> {
        lock(&self.dm_channels).keys().copied().collect()
    }

    /// The user's DM channel, if known in memory.
    pub fn dm_channel_of(&self, user: UserId) -> Option<ChannelId> {
        lock(&self.dm_channels).get(&user).copied()
    }

    /// The user of a DM channel, if known in memory.
    pub fn dm_user_of(&self, channel: ChannelId) -> Option<UserId> {
        lock(&self.dm_users).get(&channel).copied()
    }

    /// Claims the relay of record `id` for this task; `false` when another task has it.
    pub fn begin_relay(&self, id: i64) -> bool {
        lock(&self.in_flight).insert(id)
    }

    /// Remembers that the bot deleted `message` itself (a prefix command it acknowledged).
    pub fn deleting_own(&self, message: MessageId) {
        let mut own = lock(&self.deleted_own);
        // Each entry leaves with its deletion event; a bound for events that never come.
        if own.len() >= MAX_OWN_DELETIONS {
            own.clear();
        }
        own.insert(message);
    }

    /// Whether `message` is one the bot deleted itself (forgetting it: one event per message).
    pub fn deleted_own(&self, message: MessageId) -> bool {
        lock(&self.deleted_own).remove(&message)
    }

    /// Releases a claim taken with [`State::begin_relay`].
    pub fn end_relay(&self, id: i64) {
        lock(&self.in_flight).remove(&id);
    }

    /// Remembers that the intake that opened `ticket` took the turn to create its channel, and
    /// whether it found the user to have no history (no earlier ticket, no note).
    pub fn hold_turn(&self, ticket: i64, no_history: bool) {
        lock(&self.channel_turns).insert(ticket, (Instant::now(), no_history));
    }

    /// Whether this process holds the turn to create `ticket`'s channel, taken less than `fresh`
    /// ago (well within its lease): `Some(no_history)`. Forgets it either way: a turn serves one
    /// creation.
    pub fn turn_held(&self, ticket: i64, fresh: Duration) -> Option<bool> {
        lock(&self.channel_turns)
            .remove(&ticket)
            .filter(|(at, _)| at.elapsed() < fresh)
            .map(|(_, no_history)| no_history)
    }

    /// Whether the "inbox full" alert for this ticket is still to be posted (marks it posted).
    pub fn first_inbox_full_alert(&self, ticket: i64) -> bool {
        lock(&self.inbox_full_alerted).insert(ticket)
    }

    /// Whether typing should be relayed into `channel` now (at most every few seconds).
    pub fn should_relay_typing(&self, channel: ChannelId) -> bool {
        let mut map = lock(&self.typing);
        let now = Instant::now();
        match map.get(&channel) {
            Some(last) if now.duration_since(*last) < TYPING_EVERY => false,
            _ => {
                if map.len() > 10_000 {
                    map.retain(|_, t| now.duration_since(*t) < TYPING_EVERY);
                }
                map.insert(channel, now);
                true
            }
        }
    }

    /// Whether shutdown has begun.
    pub fn is_stopping(&self) -> bool {
        *self.stopping.borrow()
    }

    /// Waits until the cache is ready (or shutdown begins).
    pub async fn wait_ready(&self) {
        let mut ready = self.ready.subscribe();
        let mut stopping = self.stopping.subscribe();
        tokio::select! {
            _ = ready.wait_for(|r| *r) => {}
            _ = stopping.wait_for(|s| *s) => {}
        }
    }

    /// Sleeps for `d`, returning early (with `false`) when shutdown begins.
    pub async fn sleep(&self, d: Duration) -> bool {
        let mut stopping = self.stopping.subscribe();
        if *stopping.borrow() {
            return false;
        }
        tokio::select! {
            () = tokio::time::sleep(d) => true,
            _ = stopping.wait_for(|s| *s) => false,
        }
    }
}
