//! Gateway behaviour with a real serenity client: intents and message content, resume after a
//! dropped connection, invalid sessions, and "bot offline" periods.

use std::sync::{Arc, Mutex};

use rustmail_tests::sim::{self, SimConfig, SimHandle};
use serenity::all::{
    ChannelId, Context, EventHandler, GatewayIntents, GuildId, Message, Ready, ResumedEvent,
    ShardManager, TypingStartEvent, User,
};
use serenity::client::ClientBuilder;

use super::serenity_smoke::intents;
use super::support::{http, WAIT};

/// Records what the bot saw, as `"KIND:detail"` strings.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

impl Recorder {
    fn push(&self, s: String) {
        self.0.lock().unwrap().push(s);
    }

    fn has(&self, s: &str) -> bool {
        self.0.lock().unwrap().iter().any(|x| x == s)
    }

    fn count_prefix(&self, p: &str) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|x| x.starts_with(p))
            .count()
    }
}

#[serenity::async_trait]
impl EventHandler for Recorder {
    async fn ready(&self, _: Context, _: Ready) {
        self.push("READY".into());
    }

    async fn resume(&self, _: Context, _: ResumedEvent) {
        self.push("RESUMED".into());
    }

    async fn message(&self, _: Context, msg: Message) {
        self.push(format!("MESSAGE:{}", msg.content));
    }

    async fn guild_member_removal(
        &self,
        _: Context,
        _: GuildId,
        user: User,
        _: Option<serenity::all::Member>,
    ) {
        self.push(format!("MEMBER_REMOVE:{}", user.name));
    }

    async fn typing_start(&self, _: Context, e: TypingStartEvent) {
        self.push(format!("TYPING:{}", e.user_id));
    }
}

async fn start_bot(sim: &SimHandle, intents: GatewayIntents) -> (Recorder, Arc<ShardManager>) {
    let rec = Recorder::default();
    let mut client = ClientBuilder::new_with_http(http(sim), intents)
        .event_handler(rec.clone())
        .await
        .expect("client");
    let shards = client.shard_manager.clone();
    tokio::spawn(async move { client.start().await });
    sim.wait_for(|| rec.has("READY"), WAIT)
        .await
        .expect("READY");
    (rec, shards)
}

async fn sees(sim: &SimHandle, rec: &Recorder, what: &str) {
    sim.wait_for(|| rec.has(what), WAIT)
        .await
        .unwrap_or_else(|_| panic!("bot never saw {what}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intents_and_message_content() {
    let sim = sim::start(SimConfig::default()).await;
    let (rec, shards) = start_bot(
        &sim,
        GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::DIRECT_MESSAGES,
    )
    .await;
    let alice = sim.user("alice");
    let bob = sim.staff("bob");
    let staff = sim.ids().staff_channel_id;
    alice.typing().await; // no DIRECT_MESSAGE_TYPING: not delivered
    alice.dm("dm text").await; // DMs always carry content
    sees(&sim, &rec, "MESSAGE:dm text").await;
    bob.say(staff, "guild text").await; // no MESSAGE_CONTENT: emptied
    bob.say(staff, &format!("<@{}> mention", sim.ids().bot_user_id))
        .await; // mentions keep content
    sees(
        &sim,
        &rec,
        &format!("MESSAGE:<@{}> mention", sim.ids().bot_user_id),
    )
    .await;
    assert!(
        rec.has("MESSAGE:"),
        "guild message without MESSAGE_CONTENT arrives with empty content"
    );
    assert!(!rec.has("MESSAGE:guild text"));
    alice.leave_guild().await; // no GUILD_MEMBERS: not delivered
    alice.join_guild().await;
    alice.dm("sentinel").await;
    sees(&sim, &rec, "MESSAGE:sentinel").await;
    assert_eq!(rec.count_prefix("TYPING:"), 0);
    assert_eq!(rec.count_prefix("MEMBER_REMOVE:"), 0);
    shards.shutdown_all().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connection_resumes_and_replays_missed_events() {
    let sim = sim::start(SimConfig::default()).await;
    let (rec, shards) = start_bot(&sim, intents() | GatewayIntents::DIRECT_MESSAGE_TYPING).await;
    let alice = sim.user("alice");
    sim.gateway().disconnect_all(None);
    alice.dm("while away").await;
    alice.typing().await;
    sees(&sim, &rec, "RESUMED").await;
    sees(&sim, &rec, "MESSAGE:while away").await;
    sees(&sim, &rec, &format!("TYPING:{}", alice.id())).await;
    // A close frame with a resumable code works the same way.
    sim.gateway().disconnect_all(Some(4000));
    alice.dm("again").await;
    sees(&sim, &rec, "MESSAGE:again").await;
    let stats = sim.gateway().stats();
    assert_eq!(stats.identifies, 1, "{stats:?}");
    assert!(stats.resumes >= 2, "{stats:?}");
    assert_eq!(
        rec.count_prefix("MESSAGE:while away"),
        1,
        "replayed exactly once"
    );
    shards.shutdown_all().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_session_forces_a_new_identify() {
    let sim = sim::start(SimConfig::default()).await;
    let (rec, shards) = start_bot(&sim, intents()).await;
    sim.gateway().invalidate_sessions(false);
    sim.wait_for(|| rec.count_prefix("READY") == 2, WAIT)
        .await
        .expect("second READY");
    assert_eq!(sim.gateway().stats().identifies, 2);
    let alice = sim.user("alice");
    alice.dm("after reidentify").await;
    sees(&sim, &rec, "MESSAGE:after reidentify").await;
    shards.shutdown_all().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_period_events_are_lost_but_history_remains() {
    let sim = sim::start(SimConfig::default()).await;
    let (rec, shards) = start_bot(&sim, intents()).await;
    let alice = sim.user("alice");
    sim.gateway().set_offline(true);
    alice.dm("missed 1").await;
    alice.dm("missed 2").await;
    sim.gateway().set_offline(false);
    alice.dm("back").await;
    sees(&sim, &rec, "MESSAGE:back").await;
    assert!(!rec.has("MESSAGE:missed 1") && !rec.has("MESSAGE:missed 2"));
    // Recovery path: the bot reads the DM history over REST.
    let http = http(&sim);
    let dm = ChannelId::new(
        sim.world(|w| w.dm_channel_of(alice.id()))
            .expect("DM channel"),
    );
    let history: Vec<String> = http
        .get_messages(dm, None, None)
        .await
        .expect("history")
        .into_iter()
        .map(|m| m.content)
        .collect();
    assert_eq!(history, vec!["back", "missed 2", "missed 1"]);
    shards.shutdown_all().await;
    sim.shutdown().await;
}
