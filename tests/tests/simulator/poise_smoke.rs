//! A poise 0.7 framework with one command usable as slash and prefix command, against the
//! simulator: `!ping` in a DM and in a guild channel, and `/ping`.

use rustmail_tests::sim::{self, SimConfig};
use serenity::client::ClientBuilder;

use super::serenity_smoke::intents;
use super::support::{assert_clean, http, WAIT};

type Error = Box<dyn std::error::Error + Send + Sync>;
type Ctx<'a> = poise::Context<'a, (), Error>;

/// Replies pong.
#[poise::command(slash_command, prefix_command)]
async fn ping(ctx: Ctx<'_>) -> Result<(), Error> {
    ctx.say("pong").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poise_prefix_and_slash_from_one_definition() {
    let sim = sim::start(SimConfig::default()).await;
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: vec![ping()],
            prefix_options: poise::PrefixFrameworkOptions {
                prefix: Some("!".into()),
                ..Default::default()
            },
            ..Default::default()
        })
        .setup(|ctx, _ready, framework| {
            Box::pin(async move {
                poise::builtins::register_globally(ctx, &framework.options().commands).await?;
                Ok(())
            })
        })
        .build();
    let mut client = ClientBuilder::new_with_http(http(&sim), intents())
        .framework(framework)
        .await
        .expect("client");
    let shards = client.shard_manager.clone();
    let run = tokio::spawn(async move { client.start().await });
    sim.wait_until(
        |w| w.registered_commands().iter().any(|c| c.name == "ping"),
        WAIT,
    )
    .await
    .expect("registered");

    let bot = sim.ids().bot_user_id;
    let alice = sim.user("alice");
    alice.dm("!ping").await;
    sim.wait_until(
        |w| {
            w.dm_messages(alice.id())
                .iter()
                .any(|m| m.author_id == bot && m.content == "pong")
        },
        WAIT,
    )
    .await
    .expect("pong in DM");

    let staff_channel = sim.ids().staff_channel_id;
    let bob = sim.staff("bob");
    bob.say(staff_channel, "!ping").await;
    sim.wait_until(
        |w| {
            w.channel_messages(staff_channel)
                .iter()
                .any(|m| m.author_id == bot && m.content == "pong")
        },
        WAIT,
    )
    .await
    .expect("pong in guild channel");

    let slash = bob.slash(staff_channel, "ping", &[]).await;
    assert_eq!(
        slash.wait_content(WAIT).await.expect("slash answered"),
        "pong"
    );
    assert!(!slash.is_ephemeral());

    assert_clean(&sim);
    shards.shutdown_all().await;
    let _ = run.await;
    sim.shutdown().await;
}
