//! Relay throughput of the bot against the simulator (a sanity check, not the graded
//! benchmark): many users with open tickets DM at once; measures relays per second and REST
//! requests per relay. Run with `--ignored --nocapture` (release builds give real numbers).

use std::time::Instant;

use rustmail_tests::harness::{Harness, WAIT};

const USERS: usize = 45;
const PER_USER: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "throughput measurement; run explicitly"]
async fn relay_throughput() {
    let h = Harness::builder()
        .sim(|c| c.record_events = false)
        .start()
        .await;
    let users: Vec<_> = (0..USERS)
        .map(|i| h.sim.user(&format!("user{i}")))
        .collect();
    for u in &users {
        u.dm("open").await;
    }
    for u in &users {
        h.ticket_channel(u.id()).await;
    }
    let bot = h.sim.ids().bot_user_id;
    let channels: Vec<u64> = users
        .iter()
        .map(|u| h.open_ticket(u.id()).unwrap().channel_id.unwrap().get())
        .collect();
    let count = |h: &Harness| -> usize {
        h.sim.world(|w| {
            channels
                .iter()
                .map(|c| {
                    w.channel_messages(*c)
                        .iter()
                        .filter(|m| m.author_id == bot)
                        .count()
                })
                .sum()
        })
    };
    // Header + "open" per channel.
    h.sim
        .wait_for(|| count(&h) >= USERS * 2, WAIT)
        .await
        .expect("opened");
    h.sim.clear_requests();
    let start = Instant::now();
    for i in 0..PER_USER {
        for u in &users {
            u.dm(&format!("message {i}")).await;
        }
    }
    let total = USERS * PER_USER;
    let sent = start.elapsed().as_secs_f64();
    h.sim
        .wait_for(
            || count(&h) >= USERS * 2 + total,
            std::time::Duration::from_secs(120),
        )
        .await
        .expect("all relayed");
    let secs = start.elapsed().as_secs_f64();
    let requests = h.sim.requests().len();
    #[allow(clippy::cast_precision_loss)]
    let rate = total as f64 / secs;
    #[allow(clippy::cast_precision_loss)]
    let per_relay = requests as f64 / total as f64;
    println!(
        "{total} relays in {secs:.2}s (DMs sent in {sent:.2}s): {rate:.0} relays/s, {per_relay:.2} REST requests per relay"
    );
    assert!(
        per_relay <= 1.0 + f64::EPSILON,
        "{per_relay} requests per relay"
    );
    h.shutdown().await;
}
