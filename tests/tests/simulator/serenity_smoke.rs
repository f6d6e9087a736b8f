//! A real serenity client (gateway + HTTP) against the simulator: DM prefix command and a slash
//! command registered on READY.

use std::sync::{Arc, Mutex};

use rustmail_tests::sim::{self, SimConfig};
use serenity::all::{
    Command, Context, CreateCommand, CreateInteractionResponse, CreateInteractionResponseMessage,
    EventHandler, GatewayIntents, Interaction, Message, Ready,
};
use serenity::client::ClientBuilder;

use super::support::{assert_clean, http, WAIT};

#[derive(Default)]
struct Handler {
    errors: Arc<Mutex<Vec<String>>>,
}

impl Handler {
    fn fail(&self, e: impl std::fmt::Display) {
        self.errors.lock().unwrap().push(e.to_string());
    }
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, _ready: Ready) {
        let cmd = CreateCommand::new("ping").description("Replies pong");
        if let Err(e) = Command::create_global_command(&ctx.http, cmd).await {
            self.fail(e);
        }
    }

    async fn message(&self, ctx: Context, msg: Message) {
        if msg.content == "!ping" {
            if let Err(e) = msg.channel_id.say(&ctx.http, "pong").await {
                self.fail(e);
            }
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        if let Interaction::Command(cmd) = interaction {
            if cmd.data.name == "ping" {
                let msg = CreateInteractionResponseMessage::new()
                    .content("pong")
                    .ephemeral(true);
                if let Err(e) = cmd
                    .create_response(&ctx.http, CreateInteractionResponse::Message(msg))
                    .await
                {
                    self.fail(e);
                }
            }
        }
    }
}

pub fn intents() -> GatewayIntents {
    GatewayIntents::GUILDS
        | GatewayIntents::GUILD_MEMBERS
        | GatewayIntents::GUILD_MESSAGES
        | GatewayIntents::DIRECT_MESSAGES
        | GatewayIntents::MESSAGE_CONTENT
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serenity_client_dm_ping_and_slash_ping() {
    let sim = sim::start(SimConfig::default()).await;
    let handler = Handler::default();
    let errors = Arc::clone(&handler.errors);
    let mut client = ClientBuilder::new_with_http(http(&sim), intents())
        .event_handler(handler)
        .await
        .expect("client");
    let shards = client.shard_manager.clone();
    let run = tokio::spawn(async move { client.start().await });

    sim.wait_until(
        |w| w.registered_commands().iter().any(|c| c.name == "ping"),
        WAIT,
    )
    .await
    .expect("ping registered on READY");

    let alice = sim.user("alice");
    alice.dm("!ping").await;
    let bot = sim.ids().bot_user_id;
    sim.wait_until(
        |w| {
            w.dm_messages(alice.id())
                .iter()
                .any(|m| m.author_id == bot && m.content == "pong")
        },
        WAIT,
    )
    .await
    .expect("pong DM");

    let bob = sim.staff("bob");
    let slash = bob.slash(sim.ids().staff_channel_id, "ping", &[]).await;
    let content = slash
        .wait_content(WAIT)
        .await
        .expect("interaction answered");
    assert_eq!(content, "pong");
    assert!(slash.is_ephemeral());
    // Ephemeral responses are not visible in the channel.
    assert!(sim.channel_messages(sim.ids().staff_channel_id).is_empty());

    assert_eq!(errors.lock().unwrap().clone(), Vec::<String>::new());
    assert_clean(&sim);
    assert_eq!(sim.gateway().stats().identifies, 1);
    shards.shutdown_all().await;
    let _ = run.await;
    sim.shutdown().await;
}
