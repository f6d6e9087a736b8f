//! Starting and stopping the bot: the HTTP client (through `bot.api_base_url` when set), the
//! poise framework, the serenity client, and the background tasks. [`Bot::start`] returns a
//! [`BotHandle`] whose [`BotHandle::shutdown`] stops everything, so tests can start, stop and
//! restart the bot in-process; [`run`] is what the binary calls.

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustmail_db::config::Config;
use rustmail_db::{dm_channels, instances, Db};
use serenity::all::{
    ActivityData, ClientBuilder, CreateAllowedMentions, GatewayIntents, GuildId, HttpBuilder,
    ShardManager,
};
use tokio::task::JoinHandle;

use crate::error::BotError;
use crate::state::{Data, State};

/// Messages kept per channel in serenity's cache (the DM ordering relies on it).
const CACHED_MESSAGES_PER_CHANNEL: usize = 32;
/// How long shutdown waits for each part to finish.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// The gateway intents the bot needs.
pub fn intents() -> GatewayIntents {
    GatewayIntents::GUILDS
        | GatewayIntents::GUILD_MEMBERS
        | GatewayIntents::GUILD_MESSAGES
        | GatewayIntents::DIRECT_MESSAGES
        | GatewayIntents::MESSAGE_CONTENT
        | GatewayIntents::GUILD_MESSAGE_TYPING
        | GatewayIntents::DIRECT_MESSAGE_TYPING
}

/// Entry point for starting the bot.
pub struct Bot;

/// A running bot.
pub struct BotHandle {
    data: Data,
    shard_manager: Arc<ShardManager>,
    client: Option<JoinHandle<Result<(), serenity::Error>>>,
    tasks: Vec<JoinHandle<()>>,
}

fn worker_id() -> String {
    let host = crate::recovery::commands::hostname();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{host}-{}-{:x}", std::process::id(), nanos & 0xff_ffff_ffff)
}

impl Bot {
    /// Validates the configuration, connects to Discord (checking the token), and starts the
    /// gateway and the background tasks. `db` must be open and migrated.
    pub async fn start(config: Config, db: Db) -> Result<BotHandle, BotError> {
        config
            .validate()
            .map_err(|e| BotError::Config(one_line(&e.to_string())))?;
        let config = Arc::new(config);
        let metrics_listener = match config.metrics.socket_addr() {
            Some(addr) => Some(crate::metrics::bind(addr).await?),
            None => None,
        };
        let mut http = HttpBuilder::new(config.bot.token.expose())
            .default_allowed_mentions(CreateAllowedMentions::new());
        if let Some(base) = &config.bot.api_base_url {
            // With the rate limiter on, serenity ignores the proxy: it must be off.
            http = http
                .proxy(crate::discord::proxy_base(base))
                .ratelimiter_disabled(true);
        }
        let http = http.build();
        let me = http.get_current_user().await.map_err(|e| {
            BotError::Discord(match crate::discord::status(&e) {
                Some(401) => "the bot token was rejected (401 Unauthorized)".to_owned(),
                _ => crate::discord::describe(&e),
            })
        })?;
        tracing::info!(bot = %me.name, id = %me.id, "logged in");

        let cell: Arc<OnceLock<Data>> = Arc::new(OnceLock::new());
        let setup_cell = Arc::clone(&cell);
        let staff_guild = GuildId::new(config.servers.staff_guild().get());
        let options = poise::FrameworkOptions {
            commands: crate::commands::all(),
            on_error: |error| Box::pin(crate::commands::on_error(error)),
            command_check: Some(|ctx| {
                Box::pin(async move { Ok(crate::commands::command_check(ctx)) })
            }),
            event_handler: |ctx, event| Box::pin(crate::handler::handle(ctx, event)),
            prefix_options: poise::PrefixFrameworkOptions {
                prefix: Some(config.bot.prefix.clone().into()),
                mention_as_prefix: false,
                ..Default::default()
            },
            allowed_mentions: Some(CreateAllowedMentions::new()),
            initialize_owners: false,
            ..Default::default()
        };
        let framework = poise::Framework::builder()
            .options(options)
            .setup(move |ctx, ready, framework| {
                Box::pin(async move {
                    let data = setup_cell
                        .get()
                        .cloned()
                        .ok_or_else(|| crate::CommandError::user("the bot state is not ready"))?;
                    let _ = data.bot_user.set(ready.user.id);
                    crate::registration::register_commands(
                        &ctx.http,
                        &framework.options().commands,
                        staff_guild,
                    )
                    .await;
                    Ok(data)
                })
            })
            .build();
        let commands = Arc::new(crate::sequencer::Commands::new(
            config.bot.prefix.clone(),
            staff_guild,
        ));
        // Until the start-up recovery has looked for commands a crash left unanswered, live
        // commands wait (so they run after those).
        commands.hold();
        let mut cache = serenity::cache::Settings::default();
        cache.max_messages = CACHED_MESSAGES_PER_CHANNEL;
        let mut builder = ClientBuilder::new_with_http(http, intents())
            .framework(crate::sequencer::Ordered::new(
                framework,
                Arc::clone(&commands),
            ))
            .cache_settings(cache);
        if let Some(status) = &config.bot.status {
            builder = builder.activity(ActivityData::custom(status.clone()));
        }
        let mut client = builder
            .await
            .map_err(|e| BotError::Discord(crate::discord::describe(&e)))?;

        let state = State::new(
            Arc::clone(&config),
            db.clone(),
            Arc::clone(&client.http),
            Arc::clone(&client.cache),
            worker_id(),
            commands,
        );
        let data = Data(Arc::new(state));
        let _ = cell.set(data.clone());

        let id = data.worker_id.clone();
        let version = env!("CARGO_PKG_VERSION");
        let host = crate::recovery::commands::hostname();
        let pid = i32::try_from(std::process::id()).unwrap_or(i32::MAX);
        db.run(move |c| instances::register(c, &id, &host, pid, version))
            .await?;
        let snapshot = db.run(dm_channels::all).await?;
        // Until the start-up recovery has queued what known users sent while the bot was away,
        // their live DMs wait (so a user's DMs stay in order across a restart).
        data.inbound.hold(
            snapshot
                .iter()
                .map(|c| serenity::all::UserId::new(c.user_id.get())),
        );
        data.set_startup_snapshot(snapshot);

        let shard_manager = Arc::clone(&client.shard_manager);
        // This process's part of the gateway (`bot.shards`); serenity's range end is inclusive.
        let shards = config.bot.shard_plan();
        let client_task = tokio::spawn(async move {
            client
                .start_shard_range(shards.first..shards.last, shards.count)
                .await
        });
        let mut tasks = vec![
            tokio::spawn(crate::scheduler::jobs_loop(data.clone())),
            tokio::spawn(crate::scheduler::actions_loop(data.clone())),
            tokio::spawn(crate::scheduler::heartbeat_loop(data.clone())),
            tokio::spawn(crate::relay::retry::run(data.clone())),
        ];
        if let Some(listener) = metrics_listener {
            tasks.push(tokio::spawn(crate::metrics::serve(data.clone(), listener)));
        }
        Ok(BotHandle {
            data,
            shard_manager,
            client: Some(client_task),
            tasks,
        })
    }
}

impl BotHandle {
    /// The bot's shared state.
    pub fn data(&self) -> &Data {
        &self.data
    }

    /// Waits until the gateway client stops by itself (an error, or a shutdown).
    pub async fn wait(&mut self) -> Result<(), BotError> {
        let Some(client) = self.client.as_mut() else {
            return Ok(());
        };
        let result = client.await;
        self.client = None;
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(BotError::Discord(crate::discord::describe(&e))),
            Err(e) => Err(BotError::Discord(format!("the gateway task failed: {e}"))),
        }
    }

    /// Stops the gateway and every task (queued DMs still being handled get a few seconds),
    /// and records the clean stop.
    pub async fn shutdown(mut self) {
        self.data.stopping.send_replace(true);
        self.shard_manager.shutdown_all().await;
        self.data.metrics.set_gateway_connected(false);
        if let Some(client) = self.client.take() {
            let abort = client.abort_handle();
            if tokio::time::timeout(STOP_TIMEOUT, client).await.is_err() {
                abort.abort();
            }
        }
        for handle in self
            .data
            .inbound
            .close()
            .into_iter()
            .chain(self.tasks.drain(..))
        {
            let abort = handle.abort_handle();
            if tokio::time::timeout(STOP_TIMEOUT, handle).await.is_err() {
                abort.abort();
            }
        }
        // Writes queued without a waiter (relays' copies) are committed before the stop.
        self.data.db.flush().await;
        let id = self.data.worker_id.clone();
        let stopped = self.data.db.run(move |c| {
            rustmail_db::jobs::release_claims(c, &id)?;
            rustmail_db::actions::release_claims(c, &id)?;
            instances::stopped(c, &id)
        });
        if let Err(e) = stopped.await {
            tracing::warn!(error = %e, "cannot record the clean stop");
        }
        tracing::info!("stopped");
    }
}

/// Runs the bot until `shutdown` completes or the gateway fails, then stops it cleanly.
pub async fn run(
    config: Config,
    db: Db,
    shutdown: impl Future<Output = ()>,
) -> Result<(), BotError> {
    let mut handle = Bot::start(config, db).await?;
    let result = tokio::select! {
        () = shutdown => Ok(()),
        r = handle.wait() => r,
    };
    handle.shutdown().await;
    result
}

/// Joins a multi-line message into one line.
pub fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}
