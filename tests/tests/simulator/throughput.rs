//! Throughput sanity check: the simulator must not be the bottleneck of benchmarks.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;
use rustmail_tests::sim::{self, SimConfig};
use serenity::all::{ChannelId, Context, EventHandler, Message};
use serenity::client::ClientBuilder;

use super::serenity_smoke::intents;
use super::support::{http, WAIT};

const DMS: u32 = 2000;
const POSTS: u32 = 500;

struct Counter(Arc<AtomicUsize>);

#[serenity::async_trait]
impl EventHandler for Counter {
    async fn message(&self, _: Context, _: Message) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_messages_flow_through_gateway_and_rest() {
    let config = SimConfig {
        record_events: false,
        record_requests: false,
        ..SimConfig::default()
    };
    let sim = sim::start(config).await;
    let seen = Arc::new(AtomicUsize::new(0));
    let mut client = ClientBuilder::new_with_http(http(&sim), intents())
        .event_handler(Counter(Arc::clone(&seen)))
        .await
        .expect("client");
    let shards = client.shard_manager.clone();
    tokio::spawn(async move { client.start().await });
    sim.wait_for_bot(WAIT).await.expect("bot connected");

    let alice = sim.user("alice");
    let start = Instant::now();
    for i in 0..DMS {
        alice.dm(&format!("message {i}")).await;
    }
    sim.wait_for(|| seen.load(Ordering::Relaxed) >= DMS as usize, WAIT)
        .await
        .expect("all DMs dispatched");
    let dm_rate = f64::from(DMS) / start.elapsed().as_secs_f64();

    let http = Arc::new(http(&sim));
    let log = ChannelId::new(sim.ids().log_channel_id);
    let start = Instant::now();
    futures::stream::iter(0..POSTS)
        .map(|i| {
            let http = Arc::clone(&http);
            async move { log.say(&http, format!("post {i}")).await.expect("post") }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
    let post_rate = f64::from(POSTS) / start.elapsed().as_secs_f64();
    // The bot also receives its own posts as MESSAGE_CREATE.
    sim.wait_for(
        || seen.load(Ordering::Relaxed) >= (DMS + POSTS) as usize,
        WAIT,
    )
    .await
    .expect("own posts dispatched");
    println!("gateway: {dm_rate:.0} DMs/s dispatched; REST: {post_rate:.0} posts/s");
    assert_eq!(sim.channel_messages(log.get()).len(), POSTS as usize);
    shards.shutdown_all().await;
    sim.shutdown().await;
}
