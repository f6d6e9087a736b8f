//! The shared simulator core: state lock, gateway hub, change notifications, logs.

use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::sync::watch;

use super::config::SimConfig;
use super::faults::Faults;
use super::gateway::{GwEvent, Hub};
use super::rest::RequestRecord;
use super::state::World;

/// Shared by the HTTP server, the gateway and the test handle.
#[derive(Debug)]
pub struct Sim {
    world: Mutex<World>,
    pub(crate) hub: Hub,
    generation: watch::Sender<u64>,
    pub(crate) config: SimConfig,
    pub(crate) faults: Faults,
    pub(crate) log: Mutex<Vec<RequestRecord>>,
    pub(crate) unknown: Mutex<Vec<String>>,
    /// Every dispatched world event, when `config.record_events`.
    pub(crate) events: Mutex<Vec<GwEvent>>,
    pub(crate) ws_url: String,
}

/// Locks a mutex, ignoring poisoning (a panicking test must not wedge the simulator).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Sim {
    pub(crate) fn new(config: SimConfig, base_url: String) -> Self {
        let ws_url = format!("{}/gateway", base_url.replacen("http://", "ws://", 1));
        let world = World::seed(&config, base_url);
        let faults = Faults::new(config.seed, config.channel_rate_limit);
        for (route, fault) in &config.faults_at_start {
            faults.script(route.as_deref(), [fault.clone()]);
        }
        Self {
            world: Mutex::new(world),
            hub: Hub::new(config.resume_buffer),
            generation: watch::Sender::new(0),
            faults,
            config,
            log: Mutex::new(Vec::new()),
            unknown: Mutex::new(Vec::new()),
            events: Mutex::new(Vec::new()),
            ws_url,
        }
    }

    /// Read access to the world. Never hold across `.await`.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }

    /// Runs a mutation, dispatches the gateway events it queued (in order, under the lock) and
    /// wakes waiters.
    pub(crate) fn mutate<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        let mut world = self.world();
        let out = f(&mut world);
        let events = std::mem::take(&mut world.outbox);
        for e in &events {
            self.hub.dispatch(e);
        }
        if self.config.record_events && !events.is_empty() {
            lock(&self.events).extend(events);
        }
        drop(world);
        self.bump();
        out
    }

    /// Wakes everything waiting in `wait_until`.
    pub(crate) fn bump(&self) {
        self.generation.send_modify(|g| *g = g.wrapping_add(1));
    }

    /// A receiver that sees every state change.
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }
}
