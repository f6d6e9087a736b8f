//! A local Discord simulator: REST API v10 and gateway, good enough for unmodified serenity 0.12
//! and poise 0.7 to run against, with a scenario API for end-to-end tests.
//!
//! ```no_run
//! # async fn demo() {
//! use rustmail_tests::sim::{self, SimConfig};
//! let sim = sim::start(SimConfig::default()).await;
//! // Bot side: HttpBuilder::new(sim.token()).proxy(sim.api_base()).ratelimiter_disabled(true)
//! let alice = sim.user("alice");
//! alice.dm("hello").await;
//! # }
//! ```

mod config;
mod core;
mod error;
mod faults;
pub mod gateway;
mod ids;
mod limits;
mod mentions;
pub mod model;
mod payload;
pub mod rest;
mod scenario;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use self::config::{SeededIds, SimConfig};
pub use self::error::ApiError;
pub use self::faults::{Fault, Faults};
pub use self::gateway::{dispatch_frame, intents, GatewayStats, GwEvent, Hub};
pub use self::ids::{iso, snowflake_at, snowflake_time, IdGen, DISCORD_EPOCH_MS};
pub use self::model::{Channel, Command, Interaction, InteractionResponse, Message};
pub use self::rest::RequestRecord;
pub use self::scenario::{Actor, InteractionHandle};
pub use self::state::{OptionArg, PostOptions, Upload, World, MAX_CHANNELS_PER_CATEGORY};

use self::core::{lock, Sim};

/// A wait ran out of time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("timed out waiting for the simulator")]
pub struct Timeout;

/// A running simulator. Dropping it stops the server.
#[derive(Debug)]
pub struct SimHandle {
    sim: Arc<Sim>,
    addr: SocketAddr,
    ids: SeededIds,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Starts a simulator on `127.0.0.1:0`.
///
/// # Panics
/// If the loopback port cannot be bound.
pub async fn start(config: SimConfig) -> SimHandle {
    start_on(config, 0).await.expect("bind 127.0.0.1")
}

/// The segment size of an Ethernet path, which every connection to Discord crosses.
const ETHERNET_MSS: u32 = 1460;

/// The simulator's listening socket on `127.0.0.1:port`, with Ethernet's segment size.
///
/// Loopback's own segments are 64 KiB, and the bot's gateway socket starts with a 128 KiB
/// receive buffer: when a burst of events (1,000 DMs dispatched in 20 ms) filled it, the kernel
/// could not take the next 64 KiB segment in, dropped it, and the simulator's TCP stack resent
/// it only on its 200 ms retransmission timer. Every back-to-back benchmark run stalled that way
/// once or twice (no relay at all for 140–200 ms; `nstat`: zero-window advertisements and a loss
/// probe; gone with a larger default receive buffer), which is loopback's doing, not Discord's
/// nor the bot's. With Ethernet-sized segments the receive buffer fills and drains smoothly.
fn bind(port: u16) -> std::io::Result<tokio::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};

    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    socket.set_tcp_mss(ETHERNET_MSS)?;
    socket.set_nonblocking(true)?;
    socket.bind(&SocketAddr::from(([127, 0, 0, 1], port)).into())?;
    socket.listen(1024)?;
    tokio::net::TcpListener::from_std(socket.into())
}

/// Starts a simulator on `127.0.0.1:port` (0 = any free port).
// Async although nothing in it awaits: the listener and the server task need the caller's
// runtime, which only an async caller is guaranteed to be inside of.
#[allow(clippy::unused_async)]
pub async fn start_on(config: SimConfig, port: u16) -> std::io::Result<SimHandle> {
    let listener = bind(port)?;
    let addr = listener.local_addr()?;
    // Small gateway frames and REST answers must leave at once: with Nagle's algorithm on, a
    // frame waits for the ACK of the previous one (up to the peer's 40 ms delayed ACK), which
    // the benchmarks measured as tens of milliseconds of latency that Discord does not add.
    let listener =
        axum::serve::ListenerExt::tap_io(listener, |stream: &mut tokio::net::TcpStream| {
            if let Err(e) = stream.set_nodelay(true) {
                tracing::debug!(error = %e, "cannot set TCP_NODELAY");
            }
        });
    let sim = Arc::new(Sim::new(config, format!("http://{addr}")));
    let ids = sim.world().seeded().clone();
    let app = rest::router(Arc::clone(&sim));
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    Ok(SimHandle {
        sim,
        addr,
        ids,
        stop: Some(stop),
        task: Some(task),
    })
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`: give it to `HttpBuilder::proxy`.
    pub fn api_base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/api/v10`: the REST API root (what `config.example.toml` calls
    /// `api_base_url`). Note serenity's `HttpBuilder::proxy` wants [`Self::api_base`] instead.
    pub fn api_url(&self) -> String {
        format!("http://{}/api/v10", self.addr)
    }

    /// The gateway URL `GET /gateway` returns (`ws://127.0.0.1:PORT/gateway`).
    pub fn gateway_url(&self) -> String {
        self.sim.ws_url.clone()
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bot token the simulator accepts (without `Bot `).
    pub fn token(&self) -> &str {
        &self.sim.config.token
    }

    /// Ids of everything seeded.
    pub fn ids(&self) -> &SeededIds {
        &self.ids
    }

    /// Stops the server and closes gateway connections.
    pub async fn shutdown(mut self) {
        self.stop_now();
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }

    fn stop_now(&mut self) {
        self.sim.hub.disconnect_all(Some(1001));
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Reads the world under its lock. Do not block inside `f`, and do not call other
    /// `SimHandle`/`Actor` methods from it (the lock is not re-entrant).
    pub fn world<R>(&self, f: impl FnOnce(&World) -> R) -> R {
        f(&self.sim.world())
    }

    /// Changes the world directly (events are dispatched like for REST mutations).
    pub fn mutate<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        self.sim.mutate(f)
    }

    /// Waits until `f(world)` holds, re-checking after every state change.
    pub async fn wait_until(
        &self,
        f: impl Fn(&World) -> bool,
        timeout: Duration,
    ) -> Result<(), Timeout> {
        self.wait_for(|| f(&self.sim.world()), timeout).await
    }

    /// Waits until `f()` holds, re-checking after every state or gateway change, and also every
    /// few milliseconds (so `f` may depend on things outside the simulator, like a bot's own
    /// bookkeeping).
    pub async fn wait_for(
        &self,
        mut f: impl FnMut() -> bool,
        timeout: Duration,
    ) -> Result<(), Timeout> {
        let mut rx = self.sim.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        let mut poll = Duration::from_millis(2);
        loop {
            rx.borrow_and_update();
            if f() {
                return Ok(());
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(Timeout);
            }
            let nap = poll.min(deadline - now);
            tokio::select! {
                changed = rx.changed() => {
                    if changed.is_err() {
                        tokio::time::sleep(nap).await;
                    }
                }
                () = tokio::time::sleep(nap) => poll = (poll * 2).min(Duration::from_millis(25)),
            }
        }
    }

    /// Requests to routes the simulator does not implement (`"GET /api/v10/..."`).
    pub fn unknown_routes(&self) -> Vec<String> {
        lock(&self.sim.unknown).clone()
    }

    /// Every REST request so far.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.sim.log).clone()
    }

    /// How many requests the log holds (without copying it, unlike [`SimHandle::requests`]).
    pub fn request_count(&self) -> usize {
        lock(&self.sim.log).len()
    }

    /// Forgets the request log and unknown routes.
    pub fn clear_requests(&self) {
        lock(&self.sim.log).clear();
        lock(&self.sim.unknown).clear();
    }

    /// Every gateway event the world produced (READY/`GUILD_CREATE` excluded), in order.
    pub fn events(&self) -> Vec<GwEvent> {
        lock(&self.sim.events).clone()
    }

    /// Request bodies that violate Discord's OpenAPI spec (see [`crate::spec`]), one line each.
    ///
    /// # Panics
    /// If the spec file cannot be found or parsed.
    pub fn spec_violations(&self) -> Vec<String> {
        let validator = crate::spec::SpecValidator::shared().expect("load Discord OpenAPI spec");
        let mut out = Vec::new();
        for r in self.requests() {
            let Some(body) = &r.body else { continue };
            for v in validator.validate(&r.method, &r.path, body) {
                out.push(format!("{} {}: {v}", r.method, r.path));
            }
        }
        out
    }

    /// Fault injection (latency, 500s, 429s, channel rate limits).
    pub fn faults(&self) -> &Faults {
        &self.sim.faults
    }

    /// Gateway controls: stats, disconnects, invalid sessions, offline periods.
    pub fn gateway(&self) -> &Hub {
        &self.sim.hub
    }

    /// Waits until a bot session has identified (or resumed) and is connected.
    pub async fn wait_for_bot(&self, timeout: Duration) -> Result<(), Timeout> {
        self.wait_for(|| self.sim.hub.stats().connected_sessions > 0, timeout)
            .await
    }

    /// A community member called `name`; created (and joined to the community guild) on first use.
    pub fn user(&self, name: &str) -> Actor {
        Actor::community(Arc::clone(&self.sim), name)
    }

    /// A staff member called `name` (bob is seeded); created on first use with the Staff role.
    pub fn staff(&self, name: &str) -> Actor {
        Actor::staff(Arc::clone(&self.sim), name)
    }

    /// An existing interaction.
    pub fn interaction(&self, id: u64) -> InteractionHandle {
        InteractionHandle::new(Arc::clone(&self.sim), id)
    }

    /// Messages of a channel, oldest first.
    pub fn channel_messages(&self, channel: u64) -> Vec<Message> {
        self.world(|w| w.channel_messages(channel).into_iter().cloned().collect())
    }

    /// Messages between the bot and `user` in their DM channel, oldest first.
    pub fn dm_messages(&self, user: u64) -> Vec<Message> {
        self.world(|w| w.dm_messages(user).into_iter().cloned().collect())
    }

    /// Channels under a category, by position.
    pub fn channels_in_category(&self, category: u64) -> Vec<Channel> {
        self.world(|w| {
            w.channels_in_category(category)
                .into_iter()
                .cloned()
                .collect()
        })
    }

    /// A channel.
    pub fn channel(&self, id: u64) -> Option<Channel> {
        self.world(|w| w.channel(id).cloned())
    }

    /// A message (channel or ephemeral).
    pub fn message(&self, id: u64) -> Option<Message> {
        self.world(|w| w.message(id).cloned())
    }

    /// Registered application commands.
    pub fn registered_commands(&self) -> Vec<Command> {
        self.world(|w| w.registered_commands().into_iter().cloned().collect())
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.stop_now();
    }
}
