//! Ordered lanes: one queue per key, drained by one worker task per key, so the work of a key
//! runs in order and different keys run in parallel. The inbound pipeline has a lane per user
//! ([`crate::inbound`]), prefix commands a lane per channel ([`crate::sequencer`]).
//!
//! A worker exits after [`IDLE`] with nothing to do. The hand-over is race-free: senders only
//! send, and a worker only retires, under the lanes' lock, so work is never sent to a worker
//! that is gone. State a user of the lanes must update atomically with sending (watermarks)
//! lives in `extra`, under the same lock.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A worker with nothing to do for this long exits.
pub const IDLE: Duration = Duration::from_secs(30);

struct Slot<W> {
    tx: mpsc::UnboundedSender<W>,
    generation: u64,
    handle: Option<JoinHandle<()>>,
}

/// The lanes' state, behind their lock.
pub struct Inner<K, W, E> {
    slots: HashMap<K, Slot<W>>,
    generation: u64,
    closed: bool,
    /// The user's own state, updated atomically with sending.
    pub extra: E,
}

/// A worker's identity: its key and generation (a newer worker of the same key has another).
#[derive(Debug, Clone)]
pub struct Lane<K> {
    pub key: K,
    generation: u64,
}

impl<K: Hash + Eq + Clone, W, E> Inner<K, W, E> {
    /// Sends `work` to the key's worker; if it has none (or it died), `start` spawns one with the
    /// receiving end. Does nothing once the lanes are closed.
    pub fn send(
        &mut self,
        key: &K,
        work: W,
        start: impl FnOnce(Lane<K>, mpsc::UnboundedReceiver<W>) -> JoinHandle<()>,
    ) {
        if self.closed {
            return;
        }
        let work = match self.slots.get(key) {
            Some(slot) => match slot.tx.send(work) {
                Ok(()) => return,
                // The worker died (a panic): start a new one.
                Err(mpsc::error::SendError(work)) => work,
            },
            None => work,
        };
        let (tx, rx) = mpsc::unbounded_channel();
        self.generation += 1;
        let generation = self.generation;
        let _ = tx.send(work);
        let lane = Lane {
            key: key.clone(),
            generation,
        };
        let handle = start(lane, rx);
        self.slots.insert(
            key.clone(),
            Slot {
                tx,
                generation,
                handle: Some(handle),
            },
        );
    }
}

/// The lanes.
pub struct Lanes<K, W, E = ()> {
    inner: Mutex<Inner<K, W, E>>,
}

impl<K, W, E: Default> Default for Lanes<K, W, E> {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Inner {
                slots: HashMap::new(),
                generation: 0,
                closed: false,
                extra: E::default(),
            }),
        }
    }
}

impl<K: Hash + Eq + Clone, W, E> Lanes<K, W, E> {
    /// The lanes' lock (never held across an `.await`).
    pub fn lock(&self) -> MutexGuard<'_, Inner<K, W, E>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Called by an idle worker: hands it work that arrived meanwhile, else retires it.
    fn retire(&self, lane: &Lane<K>, rx: &mut mpsc::UnboundedReceiver<W>) -> Option<W> {
        let mut inner = self.lock();
        if let Ok(work) = rx.try_recv() {
            return Some(work);
        }
        if inner
            .slots
            .get(&lane.key)
            .is_some_and(|s| s.generation == lane.generation)
        {
            inner.slots.remove(&lane.key);
        }
        rx.close();
        None
    }

    /// A worker's loop: runs `handle` on each piece of work in order, until idle or closed.
    pub async fn drain<F, Fut>(
        &self,
        lane: Lane<K>,
        mut rx: mpsc::UnboundedReceiver<W>,
        mut handle: F,
    ) where
        F: FnMut(W) -> Fut,
        Fut: Future<Output = ()>,
    {
        loop {
            let work = match tokio::time::timeout(IDLE, rx.recv()).await {
                Ok(Some(work)) => work,
                Ok(None) => return,
                Err(_) => match self.retire(&lane, &mut rx) {
                    Some(work) => work,
                    None => return,
                },
            };
            handle(work).await;
        }
    }

    /// Number of live workers (metrics, tests).
    pub fn workers(&self) -> usize {
        self.lock().slots.len()
    }

    /// Stops accepting work and returns the workers, which finish what they have queued.
    pub fn close(&self) -> Vec<JoinHandle<()>> {
        let mut inner = self.lock();
        inner.closed = true;
        inner
            .slots
            .drain()
            .filter_map(|(_, mut slot)| slot.handle.take())
            .collect()
    }
}
