//! Runs one [`Plan`]: opens a ticket per user, then lets the users send their DMs (in parallel,
//! each in order, paced to last the storm) and staff reply into some tickets while the
//! controller kills and restarts the bot or disturbs the gateway on a seeded schedule; then
//! waits for quiescence and checks what the simulator holds.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rustmail_db::messages::relay;

use super::rig::ChaosRig;
use super::tally::{count, finish, late_dms, lost_reply_context};
use super::verify::{self, dm_token, reply_token, Observation};
use super::{Kill, Plan, Report};
use crate::bench::workloads::Backend;
use crate::sim::{Actor, Fault, SimConfig};

/// How long the tickets may take to open before the storm.
const OPEN_WAIT: Duration = Duration::from_secs(120);
/// How often the world is re-read while waiting for quiescence.
const POLL: Duration = Duration::from_millis(250);

/// A staff reply the simulator accepted.
#[derive(Debug, Clone)]
pub(super) struct Issued {
    pub(super) ticket: usize,
    pub(super) seq: usize,
    pub(super) at: Instant,
    /// The bot was up from before the command until after it was accepted.
    pub(super) required: bool,
}

/// What the controller does at a moment of the storm.
#[derive(Debug, Clone, Copy)]
enum Action {
    Kill { down: Duration },
    Disconnect { close: Option<u16> },
    InvalidSession,
}

/// State shared by the senders and the controller.
#[derive(Default)]
pub(super) struct Shared {
    /// Staff only issue replies while this is set (the bot has a live session).
    pub(super) up: AtomicBool,
    /// The storm is over: staff stop replying.
    stop: AtomicBool,
    dms_sent: AtomicUsize,
    /// When each DM (user, seq) was sent.
    pub(super) sent_at: Mutex<HashMap<(usize, usize), Instant>>,
    /// Spans without a live session: from a kill (or an invalid session) to the new session.
    pub(super) down: Mutex<Vec<(Instant, Instant)>>,
    replies: Mutex<Vec<Issued>>,
}

/// Runs `plan` on `backend` with the bot `binary`, writing its config and logs in `workdir`.
pub async fn run(plan: &Plan, backend: Backend, binary: &Path, workdir: &Path) -> Report {
    let label = format!("{}-{}", plan.name, backend.name());
    let sim_config = SimConfig {
        max_channels_per_category: 2_000,
        record_events: false,
        seed: plan.seed,
        ..SimConfig::default()
    };
    let mut rig = ChaosRig::new(backend, binary, workdir, &label, sim_config).await;
    let mut report = Report {
        run: plan.name.clone(),
        backend: backend.name().to_owned(),
        seed: plan.seed,
        users: plan.users,
        dms_per_user: plan.dms_per_user,
        ..Report::default()
    };
    if let Err(e) = drive(plan, &mut rig, &mut report).await {
        report.problems.push(e);
    }
    finish(&mut rig, &mut report);
    rig.shutdown().await;
    report
}

/// Everything up to the final count; an `Err` is a problem that ended the run early.
async fn drive(plan: &Plan, rig: &mut ChaosRig, report: &mut Report) -> Result<(), String> {
    let mut rng = StdRng::seed_from_u64(plan.seed);
    rig.start_bot().await.map_err(|e| e.to_string())?;
    let shared = Arc::new(Shared::default());
    shared.up.store(true, Ordering::SeqCst);
    if let Some(f) = &plan.faults {
        // Switched on once the bot is up: a start-up that fails is a different test.
        let faults = rig.sim.faults();
        faults.random(None, f.server_errors, Fault::ServerError);
        // The rules are tried in turn, so the second one sees only what the first let through.
        faults.random(
            None,
            f.rate_limits / (1.0 - f.server_errors),
            Fault::RateLimited {
                retry_after: f.retry_after,
                global: false,
            },
        );
    }

    let people: Vec<Actor> = (0..plan.users)
        .map(|u| rig.sim.user(&format!("chaos{u}")))
        .collect();
    let dm_channels: Vec<u64> = people.iter().map(Actor::dm_channel).collect();
    let tickets = open_tickets(rig, &people, &dm_channels, &shared).await?;

    let schedule = schedule(plan, &mut rng);
    let storm_start = Instant::now();
    let senders = spawn_senders(plan, &people, &shared, rng.random());
    let staff = spawn_staff(plan, rig, &tickets, &shared, rng.random());
    for (at, action) in schedule {
        tokio::time::sleep_until((storm_start + at).into()).await;
        act(rig, &shared, action, storm_start, report).await?;
    }
    for s in senders {
        s.await.map_err(|e| format!("a DM sender failed: {e}"))?;
    }
    let storm_end = Instant::now();
    report.storm_seconds = (storm_end - storm_start).as_secs_f64();
    shared.stop.store(true, Ordering::SeqCst);
    for s in staff {
        s.await.map_err(|e| format!("a staff sender failed: {e}"))?;
    }
    report.dms_sent = shared.dms_sent.load(Ordering::SeqCst);

    let issued = shared.replies.lock().expect("replies").clone();
    report.replies_issued = issued.len();
    let required: BTreeSet<(usize, usize)> = issued
        .iter()
        .filter(|r| r.required)
        .map(|r| (r.ticket, r.seq))
        .collect();
    report.replies_required = required.len();
    let expected_dms: BTreeSet<(usize, usize)> = (0..plan.users)
        .flat_map(|u| (0..=plan.dms_per_user).map(move |m| (u, m)))
        .collect();

    let observation = quiesce(
        plan,
        rig,
        &dm_channels,
        &expected_dms,
        &required,
        storm_end,
        report,
    )
    .await;
    count(&observation, &expected_dms, &required, report);
    lost_reply_context(&issued, &observation, report, storm_start);
    late_dms(rig, &observation, &shared, report);
    Ok(())
}

/// Each user's first DM opens their ticket; returns each user's ticket channel.
async fn open_tickets(
    rig: &ChaosRig,
    people: &[Actor],
    dm_channels: &[u64],
    shared: &Shared,
) -> Result<Vec<u64>, String> {
    for (u, a) in people.iter().enumerate() {
        a.dm(&format!("hello {}", dm_token(u, 0))).await;
        shared.dms_sent.fetch_add(1, Ordering::SeqCst);
    }
    let deadline = Instant::now() + OPEN_WAIT;
    loop {
        let o = verify::observe(&rig.sim, dm_channels);
        let channels: Vec<Option<u64>> = (0..people.len())
            .map(|u| o.relays.get(&u).and_then(|l| l.first()).map(|(c, _)| *c))
            .collect();
        if channels.iter().all(Option::is_some) {
            return Ok(channels.into_iter().flatten().collect());
        }
        if Instant::now() > deadline {
            let missing = channels.iter().filter(|c| c.is_none()).count();
            return Err(format!(
                "{missing} tickets did not open within {OPEN_WAIT:?}"
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The controller's seeded schedule, in storm time.
fn schedule(plan: &Plan, rng: &mut StdRng) -> Vec<(Duration, Action)> {
    let span = plan.storm.as_secs_f64();
    let mut out = Vec::new();
    for _ in 0..plan.kills {
        let at = Duration::from_secs_f64(rng.random_range(0.05..0.9) * span);
        let down = Duration::from_millis(rng.random_range(100..2_000));
        out.push((at, Action::Kill { down }));
    }
    if let Some(f) = &plan.faults {
        let mut at = f.disconnect_every;
        let mut close = true;
        while at < plan.storm {
            out.push((
                at,
                Action::Disconnect {
                    close: close.then_some(4000),
                },
            ));
            close = !close;
            at += f.disconnect_every;
        }
        for _ in 0..f.invalid_sessions {
            let at = Duration::from_secs_f64(rng.random_range(0.2..0.8) * span);
            out.push((at, Action::InvalidSession));
        }
    }
    out.sort_by_key(|(at, _)| *at);
    out
}

/// Every user sends their DMs in order, pausing a random 0.5–1.5 × (storm / DMs) between two.
fn spawn_senders(
    plan: &Plan,
    people: &[Actor],
    shared: &Arc<Shared>,
    seed: u64,
) -> Vec<tokio::task::JoinHandle<()>> {
    #[allow(clippy::cast_precision_loss)]
    let gap = plan.storm.as_secs_f64() / plan.dms_per_user.max(1) as f64;
    people
        .iter()
        .enumerate()
        .map(|(u, a)| {
            let a = a.clone();
            let shared = Arc::clone(shared);
            let n = plan.dms_per_user;
            let mut rng = StdRng::seed_from_u64(seed ^ (u as u64));
            tokio::spawn(async move {
                for m in 1..=n {
                    let pause = gap * rng.random_range(0.5..1.5);
                    tokio::time::sleep(Duration::from_secs_f64(pause)).await;
                    a.dm(&format!(
                        "{} some words of a realistic length",
                        dm_token(u, m)
                    ))
                    .await;
                    shared.dms_sent.fetch_add(1, Ordering::SeqCst);
                    shared
                        .sent_at
                        .lock()
                        .expect("sent_at")
                        .insert((u, m), Instant::now());
                }
            })
        })
        .collect()
}

/// Staff reply into the first `reply_tickets` tickets, in order, only while the bot is up.
fn spawn_staff(
    plan: &Plan,
    rig: &ChaosRig,
    tickets: &[u64],
    shared: &Arc<Shared>,
    seed: u64,
) -> Vec<tokio::task::JoinHandle<()>> {
    let staff = rig.sim.staff("bob");
    let mean = plan.reply_interval.as_secs_f64();
    tickets
        .iter()
        .take(plan.reply_tickets)
        .enumerate()
        .map(|(t, channel)| {
            let staff = staff.clone();
            let shared = Arc::clone(shared);
            let channel = *channel;
            let mut rng = StdRng::seed_from_u64(seed ^ (t as u64));
            tokio::spawn(async move {
                let mut seq = 0;
                loop {
                    let pause = mean * rng.random_range(0.5..1.5);
                    tokio::time::sleep(Duration::from_secs_f64(pause)).await;
                    if shared.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if !shared.up.load(Ordering::SeqCst) {
                        continue;
                    }
                    seq += 1;
                    staff
                        .say(channel, &format!("!reply {}", reply_token(t, seq)))
                        .await;
                    // Still up after the command was accepted: it reached a live bot (the
                    // controller clears `up` before it kills or invalidates the session).
                    let required = shared.up.load(Ordering::SeqCst);
                    shared.replies.lock().expect("replies").push(Issued {
                        ticket: t,
                        seq,
                        at: Instant::now(),
                        required,
                    });
                }
            })
        })
        .collect()
}

/// Performs one scheduled action.
async fn act(
    rig: &mut ChaosRig,
    shared: &Shared,
    action: Action,
    storm_start: Instant,
    report: &mut Report,
) -> Result<(), String> {
    match action {
        Action::Kill { down } => {
            shared.up.store(false, Ordering::SeqCst);
            let at = storm_start.elapsed();
            let sent_before = shared.dms_sent.load(Ordering::SeqCst);
            let killed = Instant::now();
            rig.kill_bot().await;
            tokio::time::sleep_until((killed + down).into()).await;
            let down_ms = killed.elapsed().as_secs_f64() * 1000.0;
            let restart = rig.start_bot().await.map_err(|e| e.to_string())?;
            shared
                .down
                .lock()
                .expect("down")
                .push((killed, Instant::now()));
            report.kills.push(Kill {
                at_s: at.as_secs_f64(),
                down_ms,
                restart_to_session_ms: restart.as_secs_f64() * 1000.0,
                dms_sent_while_down: shared.dms_sent.load(Ordering::SeqCst) - sent_before,
            });
            shared.up.store(true, Ordering::SeqCst);
        }
        Action::Disconnect { close } => {
            // Sessions stay resumable: what was dispatched meanwhile is replayed on Resume.
            rig.sim.gateway().disconnect_all(close);
            report.disconnects += 1;
        }
        Action::InvalidSession => {
            shared.up.store(false, Ordering::SeqCst);
            let gateway = rig.sim.gateway();
            let identifies = gateway.stats().identifies;
            let invalidated = Instant::now();
            gateway.invalidate_sessions(false);
            report.invalid_sessions += 1;
            rig.sim
                .wait_for(
                    || {
                        let s = gateway.stats();
                        s.identifies > identifies && s.connected_sessions > 0
                    },
                    Duration::from_secs(60),
                )
                .await
                .map_err(|_| {
                    "the bot did not identify again after an invalid session".to_owned()
                })?;
            shared
                .down
                .lock()
                .expect("down")
                .push((invalidated, Instant::now()));
            shared.up.store(true, Ordering::SeqCst);
        }
    }
    Ok(())
}

/// Waits until every required DM and reply has arrived, or (when some never will) until every
/// DM has arrived and the bot has no relay left pending; then until the bot has posted nothing
/// for `plan.quiet`. Gives up at `plan.deadline`. Returns the last observation.
async fn quiesce(
    plan: &Plan,
    rig: &mut ChaosRig,
    dm_channels: &[u64],
    expected_dms: &BTreeSet<(usize, usize)>,
    required: &BTreeSet<(usize, usize)>,
    storm_end: Instant,
    report: &mut Report,
) -> Observation {
    let deadline = storm_end + plan.deadline;
    let mut quiet_since: Option<(Instant, usize)> = None;
    loop {
        let o = verify::observe(&rig.sim, dm_channels);
        let (dms_done, replies_done) = complete(&o, expected_dms, required);
        if report.quiescence_seconds.is_none() && dms_done && replies_done {
            report.quiescence_seconds = Some(storm_end.elapsed().as_secs_f64());
        }
        if let Some(status) = rig.exit_status() {
            report
                .problems
                .push(format!("the bot exited on its own: {status}"));
            return o;
        }
        // A reply whose command the bot never recorded will never come: once nothing is
        // pending, waiting longer cannot change the count.
        let settled =
            dms_done && (replies_done || rig.db.db.with_conn(relay::count_pending).ok() == Some(0));
        let now = Instant::now();
        if settled {
            match quiet_since {
                Some((since, n)) if n == o.bot_messages => {
                    if now - since >= plan.quiet {
                        return o;
                    }
                }
                _ => quiet_since = Some((now, o.bot_messages)),
            }
        } else {
            quiet_since = None;
        }
        if now > deadline {
            report.problems.push(format!(
                "the bot had not finished {:?} after the storm's end",
                plan.deadline
            ));
            return o;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Whether (every DM, every required reply on both sides) has arrived.
fn complete(
    o: &Observation,
    expected_dms: &BTreeSet<(usize, usize)>,
    required: &BTreeSet<(usize, usize)>,
) -> (bool, bool) {
    let relayed: BTreeSet<(usize, usize)> = o
        .relays
        .iter()
        .flat_map(|(u, l)| l.iter().map(move |(_, m)| (*u, *m)))
        .collect();
    let delivered =
        |map: &std::collections::BTreeMap<usize, Vec<usize>>| -> BTreeSet<(usize, usize)> {
            map.iter()
                .flat_map(|(t, l)| l.iter().map(move |k| (*t, *k)))
                .collect()
        };
    (
        expected_dms.is_subset(&relayed),
        required.is_subset(&delivered(&o.reply_dms))
            && required.is_subset(&delivered(&o.reply_copies)),
    )
}
