//! The benchmark workloads of issue #7, each against a fresh simulator, database and bot process.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rustmail_db::testing::TestDatabase;
use serde_json::{json, Value};

use super::process::BotProcess;
use super::stats::percentiles;
use super::Measurement;
use crate::sim::{self, SimConfig, SimHandle};

/// How long any single wait may take before the workload is reported as failed.
const WAIT: Duration = Duration::from_secs(120);

/// Which database the bot runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// A simulator, a database and the bot binary running against them.
pub struct Rig {
    pub sim: SimHandle,
    pub db: TestDatabase,
    pub bot: Option<BotProcess>,
    pub backend: Backend,
    binary: PathBuf,
    config: PathBuf,
    workdir: PathBuf,
    /// Spawn to READY (gateway session identified and commands registered).
    pub startup: Duration,
}

impl Rig {
    /// Starts everything; `sim_config` may raise limits for the larger workloads.
    pub async fn start(
        backend: Backend,
        binary: &Path,
        workdir: &Path,
        sim_config: SimConfig,
    ) -> Self {
        let sim = sim::start(sim_config).await;
        let db = match backend {
            Backend::Sqlite => TestDatabase::sqlite(),
            Backend::Postgres => TestDatabase::postgres(
                &TestDatabase::postgres_url()
                    .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned()),
            ),
        };
        let config = workdir.join(format!("bench-{}.toml", backend.name()));
        std::fs::write(&config, crate::harness::config_toml(&sim, &db.url, false))
            .expect("write bot config");
        let mut rig = Self {
            sim,
            db,
            bot: None,
            backend,
            binary: binary.to_owned(),
            config,
            workdir: workdir.to_owned(),
            startup: Duration::ZERO,
        };
        rig.start_bot().await;
        rig
    }

    /// Starts the bot process and waits until it is ready.
    pub async fn start_bot(&mut self) {
        let log = self
            .workdir
            .join(format!("bot-{}.log", self.backend.name()));
        let started = Instant::now();
        let bot = BotProcess::spawn(&self.binary, &self.config, &log).expect("spawn rustmail-bot");
        self.sim
            .wait_for_bot(WAIT)
            .await
            .expect("bot connected to the gateway");
        self.sim
            .wait_until(|w| !w.registered_commands().is_empty(), WAIT)
            .await
            .expect("bot registered its commands");
        self.startup = started.elapsed();
        self.bot = Some(bot);
    }

    /// Kills the bot (SIGKILL) and waits for the simulator to see the session drop.
    pub async fn kill_bot(&mut self) {
        if let Some(bot) = self.bot.take() {
            bot.kill();
        }
        let _ = self
            .sim
            .wait_for(|| self.sim.gateway().stats().connected_sessions == 0, WAIT)
            .await;
    }

    pub fn bot(&self) -> &BotProcess {
        self.bot.as_ref().expect("bot running")
    }

    pub async fn shutdown(mut self) {
        if let Some(bot) = self.bot.take() {
            bot.terminate(Duration::from_secs(5));
        }
        self.sim.shutdown().await;
    }
}

/// A token we put in a DM or reply to find it again in the bot's requests: `bench-<tag>-<u>-<m>`.
fn token(tag: &str, user: usize, seq: usize) -> String {
    format!("bench-{tag}-{user}-{seq}")
}

/// Finds every `bench-<tag>-<u>-<m>` token in a request body (content and embed descriptions).
fn tokens_in(body: &Value, tag: &str) -> Vec<(usize, usize)> {
    let mut texts = Vec::new();
    if let Some(c) = body.get("content").and_then(Value::as_str) {
        texts.push(c.to_owned());
    }
    if let Some(embeds) = body.get("embeds").and_then(Value::as_array) {
        for e in embeds {
            if let Some(d) = e.get("description").and_then(Value::as_str) {
                texts.push(d.to_owned());
            }
        }
    }
    let prefix = format!("bench-{tag}-");
    let mut found = Vec::new();
    for text in texts {
        let mut rest = text.as_str();
        while let Some(i) = rest.find(&prefix) {
            rest = &rest[i + prefix.len()..];
            let mut parts = rest.splitn(3, |c: char| !c.is_ascii_digit());
            let u = parts.next().and_then(|s| s.parse().ok());
            let m = rest
                .split_once('-')
                .and_then(|(_, tail)| tail.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|s| s.parse().ok());
            if let (Some(u), Some(m)) = (u, m) {
                found.push((u, m));
            }
        }
    }
    found
}

/// The POSTs of messages carrying tokens of `tag`, in arrival order: (user, seq, channel, at).
fn posted_tokens(sim: &SimHandle, tag: &str) -> Vec<(usize, usize, u64, DateTime<Utc>)> {
    let mut out = Vec::new();
    for r in sim.requests() {
        if r.method != "POST"
            || r.route != Some("/channels/{channel_id}/messages")
            || r.status >= 300
        {
            continue;
        }
        let channel = r
            .path
            .split('/')
            .nth(2)
            .and_then(|c| c.parse::<u64>().ok())
            .unwrap_or(0);
        if let Some(body) = &r.body {
            for (u, m) in tokens_in(body, tag) {
                out.push((u, m, channel, r.at));
            }
        }
    }
    out
}

/// How many of `sent` were first relayed in each `bucket_ms` after the first was sent: where
/// a run's time went (a stall shows as a run of zeros).
fn timeline(
    sim: &SimHandle,
    tag: &str,
    sent: &HashMap<(usize, usize), DateTime<Utc>>,
    bucket_ms: u32,
) -> Vec<u64> {
    let Some(start) = sent.values().min().copied() else {
        return Vec::new();
    };
    let mut first: HashMap<(usize, usize), DateTime<Utc>> = HashMap::new();
    for (u, m, _, at) in posted_tokens(sim, tag) {
        if sent.contains_key(&(u, m)) {
            first.entry((u, m)).or_insert(at);
        }
    }
    let mut buckets: Vec<u64> = Vec::new();
    for at in first.values() {
        let i = usize::try_from((*at - start).num_milliseconds().max(0) / i64::from(bucket_ms))
            .unwrap_or(0);
        if buckets.len() <= i {
            buckets.resize(i + 1, 0);
        }
        buckets[i] += 1;
    }
    buckets
}

/// How long the load generator took to send everything (from the first DM to the last).
fn sending_ms(sent: &HashMap<(usize, usize), DateTime<Utc>>) -> f64 {
    match (sent.values().min(), sent.values().max()) {
        (Some(first), Some(last)) => ms(*last - *first),
        _ => 0.0,
    }
}

fn ms(d: chrono::TimeDelta) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let micros = d.num_microseconds().unwrap_or(i64::MAX) as f64;
    micros / 1000.0
}

/// Sends one DM per user to open their tickets and waits until each was relayed.
async fn open_tickets(rig: &Rig, actors: &[sim::Actor], tag: &str) {
    let handles: Vec<_> = actors
        .iter()
        .enumerate()
        .map(|(u, a)| {
            let a = a.clone();
            let text = format!("hello {}", token(tag, u, 0));
            tokio::spawn(async move { a.dm(&text).await })
        })
        .collect();
    for h in handles {
        h.await.expect("warm-up DM");
    }
    let n = actors.len();
    assert!(
        wait_posted(rig, n, || distinct(&posted_tokens(&rig.sim, tag)) >= n).await,
        "warm-up relays"
    );
}

/// How often [`wait_posted`] looks at the request log.
const CHECK_EVERY: Duration = Duration::from_millis(5);

/// Waits (up to [`WAIT`]) until `done` holds; `true` if it did. `done` copies and scans the
/// whole request log, so it runs only once the log holds at least `at_least` requests, and then
/// at most every [`CHECK_EVERY`] and only when the log grew. (The simulator's `wait_for` runs its
/// check on every change of the simulated world: with this check, the load generator took most
/// of a core from the bot in the back-to-back workloads, session 4 of BENCHMARKS.md.) The
/// figures are unaffected by the polling: latencies and throughput come from the simulator's
/// timestamps of each request.
async fn wait_posted(rig: &Rig, at_least: usize, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + WAIT;
    let mut checked_at = None;
    loop {
        let n = rig.sim.request_count();
        if n >= at_least && checked_at != Some(n) {
            checked_at = Some(n);
            if done() {
                return true;
            }
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(CHECK_EVERY).await;
    }
}

fn distinct(posts: &[(usize, usize, u64, DateTime<Utc>)]) -> usize {
    posts
        .iter()
        .map(|(u, m, _, _)| (*u, *m))
        .collect::<HashSet<_>>()
        .len()
}

/// Evaluates a run: latency per token from its dispatch time, loss, duplicates, per-user order.
fn evaluate(
    rig: &Rig,
    name: &str,
    tag: &str,
    sent: &HashMap<(usize, usize), DateTime<Utc>>,
    only_channels: Option<&HashSet<u64>>,
    cpu_before: f64,
    started: Instant,
) -> Measurement {
    let posts: Vec<_> = posted_tokens(&rig.sim, tag)
        .into_iter()
        .filter(|(_, _, ch, _)| only_channels.is_none_or(|set| set.contains(ch)))
        .collect();
    let mut first_seen: HashMap<(usize, usize), DateTime<Utc>> = HashMap::new();
    let mut counts: HashMap<(usize, usize), u64> = HashMap::new();
    let mut order: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (u, m, _, at) in &posts {
        if !sent.contains_key(&(*u, *m)) {
            continue;
        }
        *counts.entry((*u, *m)).or_default() += 1;
        first_seen.entry((*u, *m)).or_insert(*at);
        order.entry(*u).or_default().push(*m);
    }
    let latencies: Vec<f64> = sent
        .iter()
        .filter_map(|(k, at)| first_seen.get(k).map(|seen| ms(*seen - *at)))
        .collect();
    let mut lost_keys: Vec<(usize, usize)> = sent
        .keys()
        .filter(|k| !first_seen.contains_key(k))
        .copied()
        .collect();
    lost_keys.sort_unstable();
    let lost = lost_keys.len() as u64;
    let lost_samples = lost_keys
        .iter()
        .take(10)
        .map(|(u, m)| format!("{u}-{m}"))
        .collect();
    let duplicated = counts.values().map(|c| c.saturating_sub(1)).sum();
    let out_of_order_users = order
        .values()
        .filter(|seq| {
            let mut seen = HashSet::new();
            let firsts: Vec<usize> = seq.iter().copied().filter(|m| seen.insert(*m)).collect();
            firsts.windows(2).any(|w| w[0] > w[1])
        })
        .count() as u64;
    let first_sent = sent.values().min().copied();
    let last_seen = first_seen.values().max().copied();
    let seconds = match (first_sent, last_seen) {
        (Some(a), Some(b)) => ms(b - a) / 1000.0,
        _ => started.elapsed().as_secs_f64(),
    };
    let operations = sent.len() as u64;
    let rest_requests = rig.sim.requests().len() as u64;
    let cpu = rig.bot().cpu_seconds() - cpu_before;
    #[allow(clippy::cast_precision_loss)]
    let ops = operations.max(1) as f64;
    Measurement {
        name: name.to_owned(),
        backend: rig.backend.name().to_owned(),
        operations,
        seconds,
        throughput_per_s: if seconds > 0.0 { ops / seconds } else { 0.0 },
        latency_ms: percentiles(&latencies),
        lost,
        lost_samples,
        duplicated,
        out_of_order_users,
        rest_requests,
        #[allow(clippy::cast_precision_loss)]
        rest_per_operation: rest_requests as f64 / ops,
        cpu_ms_per_operation: cpu * 1000.0 / ops,
        rss_mib_after: rig.bot().rss_mib(),
        peak_rss_mib: rig.bot().peak_rss_mib(),
        extra: Value::Null,
    }
}

async fn wait_all(rig: &Rig, tag: &str, expected: usize, only_channels: Option<&HashSet<u64>>) {
    wait_posted(rig, expected, || {
        let posts: Vec<_> = posted_tokens(&rig.sim, tag)
            .into_iter()
            .filter(|(_, _, ch, _)| only_channels.is_none_or(|set| set.contains(ch)))
            .collect();
        distinct(&posts) >= expected
    })
    .await;
}

fn actors(rig: &Rig, prefix: &str, n: usize) -> Vec<sim::Actor> {
    (0..n)
        .map(|u| rig.sim.user(&format!("{prefix}{u}")))
        .collect()
}

/// Ticket channels of these users (from the simulator's inbox category).
fn inbox_channels(rig: &Rig) -> HashSet<u64> {
    let inbox = rig.sim.ids().inbox_category_id;
    rig.sim
        .channels_in_category(inbox)
        .into_iter()
        .map(|c| c.id)
        .collect()
}

/// (a) U users × M DMs sent back to back into open tickets.
pub async fn relay_burst(rig: &Rig, name: &str, users: usize, per_user: usize) -> Measurement {
    let tag = format!("{name}w");
    let people = actors(rig, &format!("{name}-u"), users);
    open_tickets(rig, &people, &tag).await;
    let channels = inbox_channels(rig);
    rig.sim.clear_requests();
    let cpu_before = rig.bot().cpu_seconds();
    let started = Instant::now();
    let sent = Arc::new(std::sync::Mutex::new(HashMap::new()));
    let tasks: Vec<_> = people
        .iter()
        .enumerate()
        .map(|(u, a)| {
            let a = a.clone();
            let sent = Arc::clone(&sent);
            let name = name.to_owned();
            tokio::spawn(async move {
                for m in 1..=per_user {
                    let at = Utc::now();
                    a.dm(&format!(
                        "{} some words of a realistic length",
                        token(&name, u, m)
                    ))
                    .await;
                    sent.lock().expect("sent").insert((u, m), at);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("sender");
    }
    wait_all(rig, name, users * per_user, Some(&channels)).await;
    let sent = sent.lock().expect("sent").clone();
    let mut m = evaluate(rig, name, name, &sent, Some(&channels), cpu_before, started);
    m.extra = json!({
        "users": users,
        "dms_per_user": per_user,
        "sending_ms": sending_ms(&sent),
        "relayed_per_20ms": timeline(&rig.sim, name, &sent, 20),
    });
    m
}

/// (b) DMs paced at `rate` per second, round-robin over users.
pub async fn relay_paced(
    rig: &Rig,
    name: &str,
    users: usize,
    total: usize,
    rate: u32,
) -> Measurement {
    let tag = format!("{name}w");
    let people = actors(rig, &format!("{name}-u"), users);
    open_tickets(rig, &people, &tag).await;
    let channels = inbox_channels(rig);
    rig.sim.clear_requests();
    let cpu_before = rig.bot().cpu_seconds();
    let started = Instant::now();
    let mut sent = HashMap::new();
    let interval = Duration::from_secs(1) / rate.max(1);
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    for i in 0..total {
        tick.tick().await;
        let u = i % users;
        let m = i / users + 1;
        let at = Utc::now();
        people[u].dm(&token(name, u, m)).await;
        sent.insert((u, m), at);
    }
    wait_all(rig, name, total, Some(&channels)).await;
    let mut m = evaluate(rig, name, name, &sent, Some(&channels), cpu_before, started);
    m.extra = json!({ "users": users, "rate_per_s": rate });
    m
}

/// Staff replies: `tickets` × `per_ticket` `!reply` commands back to back; measured to the DM POST.
pub async fn staff_replies(
    rig: &Rig,
    name: &str,
    tickets: usize,
    per_ticket: usize,
) -> Measurement {
    let tag = format!("{name}w");
    let people = actors(rig, &format!("{name}-u"), tickets);
    open_tickets(rig, &people, &tag).await;
    // Map each user to their ticket channel through the bot's database.
    let db = rig.db.db.clone();
    let mut channels = Vec::new();
    for a in &people {
        let user = rustmail_db::ids::UserId(a.id());
        let ticket = db
            .with_conn(|c| rustmail_db::tickets::find_open_by_user(c, user))
            .expect("query")
            .expect("open ticket");
        channels.push(ticket.channel_id.expect("ticket channel").get());
    }
    let dm_channels: HashSet<u64> = people.iter().map(sim::Actor::dm_channel).collect();
    rig.sim.clear_requests();
    let cpu_before = rig.bot().cpu_seconds();
    let started = Instant::now();
    let staff = rig.sim.staff("bob");
    let sent = Arc::new(std::sync::Mutex::new(HashMap::new()));
    let tasks: Vec<_> = channels
        .iter()
        .enumerate()
        .map(|(t, ch)| {
            let staff = staff.clone();
            let ch = *ch;
            let sent = Arc::clone(&sent);
            let name = name.to_owned();
            tokio::spawn(async move {
                for k in 1..=per_ticket {
                    let at = Utc::now();
                    staff
                        .say(ch, &format!("!reply {}", token(&name, t, k)))
                        .await;
                    sent.lock().expect("sent").insert((t, k), at);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("staff sender");
    }
    wait_all(rig, name, tickets * per_ticket, Some(&dm_channels)).await;
    let sent = sent.lock().expect("sent").clone();
    let mut m = evaluate(
        rig,
        name,
        name,
        &sent,
        Some(&dm_channels),
        cpu_before,
        started,
    );
    m.extra = json!({ "tickets": tickets, "replies_per_ticket": per_ticket });
    m
}

/// New users sending their first DM at (nearly) the same instant: time to their first relay, CPU per ticket.
pub async fn new_user_burst(rig: &Rig, name: &str, users: usize, spread: Duration) -> Measurement {
    let people = actors(rig, &format!("{name}-u"), users);
    rig.sim.clear_requests();
    let cpu_before = rig.bot().cpu_seconds();
    let started = Instant::now();
    let sent = Arc::new(std::sync::Mutex::new(HashMap::new()));
    #[allow(clippy::cast_possible_truncation)]
    let step = spread / (users.max(1) as u32);
    let tasks: Vec<_> = people
        .iter()
        .enumerate()
        .map(|(u, a)| {
            let a = a.clone();
            let sent = Arc::clone(&sent);
            #[allow(clippy::cast_possible_truncation)]
            let delay = step * (u as u32);
            let name = name.to_owned();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let at = Utc::now();
                a.dm(&format!("first message {}", token(&name, u, 1))).await;
                sent.lock().expect("sent").insert((u, 1), at);
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("sender");
    }
    let dm_channels: HashSet<u64> = people.iter().map(sim::Actor::dm_channel).collect();
    // The relay is the POST into a guild channel (not the user's DM).
    wait_posted(rig, users, || {
        let posts: Vec<_> = posted_tokens(&rig.sim, name)
            .into_iter()
            .filter(|(_, _, ch, _)| !dm_channels.contains(ch))
            .collect();
        distinct(&posts) >= users
    })
    .await;
    let guild_channels: HashSet<u64> = posted_tokens(&rig.sim, name)
        .into_iter()
        .map(|(_, _, ch, _)| ch)
        .filter(|ch| !dm_channels.contains(ch))
        .collect();
    let sent = sent.lock().expect("sent").clone();
    let mut m = evaluate(
        rig,
        name,
        name,
        &sent,
        Some(&guild_channels),
        cpu_before,
        started,
    );
    let db = rig.db.db.clone();
    let (open, _) = db
        .with_conn(rustmail_db::tickets::list::counts)
        .expect("counts");
    m.extra = json!({
        "users": users,
        "spread_ms": spread.as_millis(),
        "ticket_channels": guild_channels.len(),
        "open_tickets_in_db": open,
    });
    m
}

/// Recovery: the bot is killed, users with known DM channels send DMs, the bot starts again;
/// measured from the new process's start to the last missed DM relayed.
pub async fn recovery(rig: &mut Rig, name: &str, users: usize, per_user: usize) -> Measurement {
    let tag = format!("{name}w");
    let people = actors(rig, &format!("{name}-u"), users);
    open_tickets(rig, &people, &tag).await;
    let channels = inbox_channels(rig);
    rig.kill_bot().await;
    let mut sent = HashMap::new();
    for m in 1..=per_user {
        for (u, a) in people.iter().enumerate() {
            a.dm(&token(name, u, m)).await;
            sent.insert((u, m), Utc::now());
        }
    }
    rig.sim.clear_requests();
    let restart = Instant::now();
    let restart_at = Utc::now();
    rig.start_bot().await;
    let cpu_before = 0.0;
    wait_all(rig, name, users * per_user, Some(&channels)).await;
    // Latency here is from the restart, not from sending (the bot was down).
    let from_restart: HashMap<_, _> = sent.keys().map(|k| (*k, restart_at)).collect();
    let mut m = evaluate(
        rig,
        name,
        name,
        &from_restart,
        Some(&channels),
        cpu_before,
        restart,
    );
    m.extra = json!({
        "users": users,
        "dms_per_user": per_user,
        "note": "latency_ms is measured from the bot's restart; seconds = restart to last relay",
    });
    m
}
