//! The simulator's gateway with several sessions on one token: two serenity clients, one per
//! shard of two, each get exactly the events Discord would send their shard (DMs and the
//! community guild on shard 0, the staff guild on shard 1); READY and `GUILD_CREATE` list only
//! the shard's guilds; and every frame deserializes in serenity (a dispatch it cannot parse
//! would not reach the handler at all).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustmail_tests::sim::{self, SimConfig, SimHandle};
use serenity::all::{
    Context, EventHandler, GatewayIntents, Guild, HttpBuilder, Message, Ready, ShardManager,
};
use serenity::client::ClientBuilder;

const WAIT: Duration = Duration::from_secs(20);

/// What one shard's client saw: (event, guild id or 0 for none, message content).
type Log = Arc<Mutex<Vec<(&'static str, u64, String)>>>;

#[derive(Default)]
struct Seen(Log);

#[serenity::async_trait]
impl EventHandler for Seen {
    async fn ready(&self, _ctx: Context, ready: Ready) {
        let mut seen = self.0.lock().unwrap();
        for g in &ready.guilds {
            seen.push(("ready_guild", g.id.get(), String::new()));
        }
        let shard = ready.shard.map(|s| format!("{}/{}", s.id.0, s.total));
        seen.push(("ready", 0, shard.unwrap_or_default()));
    }

    async fn guild_create(&self, _ctx: Context, guild: Guild, _is_new: Option<bool>) {
        self.0
            .lock()
            .unwrap()
            .push(("guild_create", guild.id.get(), String::new()));
    }

    async fn message(&self, _ctx: Context, msg: Message) {
        let guild = msg.guild_id.map_or(0, serenity::all::GuildId::get);
        self.0.lock().unwrap().push(("message", guild, msg.content));
    }
}

async fn shard_client(sim: &SimHandle, shard: u32) -> (Log, Arc<ShardManager>) {
    let seen = Seen::default();
    let log = Arc::clone(&seen.0);
    let http = HttpBuilder::new(sim.token())
        .proxy(sim.api_base())
        .ratelimiter_disabled(true)
        .build();
    let intents = GatewayIntents::GUILDS
        | GatewayIntents::GUILD_MEMBERS
        | GatewayIntents::GUILD_MESSAGES
        | GatewayIntents::DIRECT_MESSAGES
        | GatewayIntents::MESSAGE_CONTENT;
    let mut client = ClientBuilder::new_with_http(http, intents)
        .event_handler(seen)
        .await
        .expect("client");
    let manager = Arc::clone(&client.shard_manager);
    tokio::spawn(async move { client.start_shard(shard, 2).await });
    (log, manager)
}

fn has(log: &Log, event: &str, guild: u64, content: &str) -> bool {
    log.lock()
        .unwrap()
        .iter()
        .any(|(e, g, c)| *e == event && *g == guild && c == content)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_shard_gets_its_guilds_and_shard_zero_the_dms() {
    let sim = sim::start(SimConfig::two_shards()).await;
    let ids = sim.ids().clone();
    let (community, staff) = (ids.community_guild_id, ids.staff_guild_id);
    assert_eq!(((community >> 22) % 2, (staff >> 22) % 2), (0, 1));
    let gateway_bot: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/gateway/bot", sim.api_url()))
        .header("Authorization", format!("Bot {}", sim.token()))
        .send()
        .await
        .expect("GET /gateway/bot")
        .json()
        .await
        .expect("JSON");
    assert_eq!(gateway_bot["shards"], 2);

    let (zero, zero_manager) = shard_client(&sim, 0).await;
    let (one, one_manager) = shard_client(&sim, 1).await;
    sim.wait_for(
        || has(&zero, "guild_create", community, "") && has(&one, "guild_create", staff, ""),
        WAIT,
    )
    .await
    .expect("both shards got their guild");
    assert_eq!(sim.gateway().stats().connected_sessions, 2);

    let alice = sim.user("alice");
    alice.dm("a DM").await;
    let bob = sim.staff("bob");
    bob.say(ids.staff_channel_id, "in the staff guild").await;
    bob.say(ids.general_channel_id, "in the community guild")
        .await;
    sim.wait_for(
        || {
            has(&zero, "message", 0, "a DM")
                && has(&zero, "message", community, "in the community guild")
                && has(&one, "message", staff, "in the staff guild")
        },
        WAIT,
    )
    .await
    .expect("every message reached its shard");

    for (log, shard, own, other) in [(&zero, 0, community, staff), (&one, 1, staff, community)] {
        let seen = log.lock().unwrap().clone();
        assert!(
            seen.contains(&("ready", 0, format!("{shard}/2"))),
            "{seen:?}"
        );
        assert!(
            seen.contains(&("ready_guild", own, String::new())),
            "{seen:?}"
        );
        assert!(
            seen.iter().all(|(_, g, _)| *g != other),
            "shard {shard} heard about the other shard's guild: {seen:?}"
        );
    }
    assert!(!has(&one, "message", 0, "a DM"), "DMs go to shard 0 only");
    zero_manager.shutdown_all().await;
    one_manager.shutdown_all().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sessions_with_the_same_token_each_get_every_event() {
    let sim = sim::start(SimConfig::default()).await;
    let (a, a_manager) = unsharded_client(&sim).await;
    let (b, b_manager) = unsharded_client(&sim).await;
    let guild = sim.ids().community_guild_id;
    sim.wait_for(
        || has(&a, "guild_create", guild, "") && has(&b, "guild_create", guild, ""),
        WAIT,
    )
    .await
    .expect("both sessions ready");
    sim.user("alice").dm("to both").await;
    sim.wait_for(
        || has(&a, "message", 0, "to both") && has(&b, "message", 0, "to both"),
        WAIT,
    )
    .await
    .expect("both sessions got the DM");
    assert_eq!(sim.gateway().stats().identifies, 2);
    a_manager.shutdown_all().await;
    b_manager.shutdown_all().await;
    sim.shutdown().await;
}

/// A client identifying as shard 0 of 1 (what `Client::start` does).
async fn unsharded_client(sim: &SimHandle) -> (Log, Arc<ShardManager>) {
    let seen = Seen::default();
    let log = Arc::clone(&seen.0);
    let http = HttpBuilder::new(sim.token())
        .proxy(sim.api_base())
        .ratelimiter_disabled(true)
        .build();
    let intents =
        GatewayIntents::GUILDS | GatewayIntents::DIRECT_MESSAGES | GatewayIntents::MESSAGE_CONTENT;
    let mut client = ClientBuilder::new_with_http(http, intents)
        .event_handler(seen)
        .await
        .expect("client");
    let manager = Arc::clone(&client.shard_manager);
    tokio::spawn(async move { client.start().await });
    (log, manager)
}
