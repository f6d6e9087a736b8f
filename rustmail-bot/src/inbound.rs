//! The inbound pipeline's ordering: one queue per user, drained by one worker task per user
//! (users in parallel, each user's work in order). A worker exits after a while idle; the
//! hand-over is race-free because senders only send, and a worker only retires, under the
//! queues' lock.
//!
//! serenity hands each gateway event to a task of its own, so two DMs sent in quick succession
//! may reach the handler out of order. serenity's cache, though, stores each message when the
//! event is read, in gateway order; so when a DM's handler runs, every earlier DM of the user is
//! already in the cache. [`Queues::push_dm`] enqueues the user's cached DMs up to the one at
//! hand, in id order, and a watermark skips what was already enqueued. (The database's
//! idempotency on the DM id is the last line of defence.)

pub mod dm;
pub mod mirror;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rustmail_db::ids::{MessageRecordId, TicketId};
use serenity::all::{Message, MessageId, UserId};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::state::Data;

/// A worker with nothing to do for this long exits.
const IDLE: Duration = Duration::from_secs(30);

/// One unit of work for a user's worker.
#[derive(Debug)]
pub enum Work {
    /// A DM from the user (live, or fetched by recovery). `ack` learns whether it was newly
    /// recorded.
    Dm {
        message: Box<Message>,
        ack: Option<oneshot::Sender<bool>>,
    },
    /// The user edited a DM.
    Edit {
        message_id: MessageId,
        content: String,
    },
    /// The user deleted a DM.
    Delete { message_id: MessageId },
    /// Deliver a recorded DM still pending.
    Redrive(MessageRecordId),
    /// Create the ticket's channel if it has none (recovery).
    EnsureChannel(TicketId),
}

struct Slot {
    tx: mpsc::UnboundedSender<Work>,
    generation: u64,
    handle: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Inner {
    slots: HashMap<UserId, Slot>,
    /// The newest DM enqueued per user.
    watermarks: HashMap<UserId, MessageId>,
    /// Records with a re-drive queued (not pushed twice).
    redrives: HashSet<i64>,
    closed: bool,
}

/// The per-user queues.
#[derive(Default)]
pub struct Queues {
    inner: Mutex<Inner>,
    generation: AtomicU64,
}

impl Queues {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sends `work` to the user's worker, starting one if needed. Call with the lock held.
    fn send_locked(&self, inner: &mut Inner, data: &Data, user: UserId, work: Work) {
        if inner.closed {
            return;
        }
        let work = match inner.slots.get(&user) {
            Some(slot) => match slot.tx.send(work) {
                Ok(()) => return,
                // The worker died (a panic): start a new one.
                Err(mpsc::error::SendError(work)) => work,
            },
            None => work,
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let generation = self.generation.fetch_add(1, Ordering::Relaxed);
        let _ = tx.send(work);
        let handle = tokio::spawn(worker(data.clone(), user, generation, rx));
        inner.slots.insert(
            user,
            Slot {
                tx,
                generation,
                handle: Some(handle),
            },
        );
    }

    /// Enqueues a live DM (and any earlier DM of the user not yet enqueued), in order.
    pub fn push_dm(&self, data: &Data, message: Message) {
        let user = message.author.id;
        let mut inner = self.lock();
        let mark = inner.watermarks.get(&user).copied();
        if mark.is_some_and(|m| message.id <= m) {
            return;
        }
        // Earlier DMs of the user that the cache holds but no handler enqueued yet.
        let mut batch: Vec<Message> = data
            .cache
            .channel_messages(message.channel_id)
            .map(|cached| {
                cached
                    .values()
                    .filter(|m| {
                        m.author.id == user
                            && m.id < message.id
                            && mark.is_none_or(|mark| m.id > mark)
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        batch.sort_by_key(|m| m.id);
        batch.push(message);
        let newest = batch.last().map(|m| m.id);
        if let Some(newest) = newest {
            inner.watermarks.insert(user, newest);
        }
        for m in batch {
            let work = Work::Dm {
                message: Box::new(m),
                ack: None,
            };
            self.send_locked(&mut inner, data, user, work);
        }
    }

    /// Enqueues a DM found by recovery; `ack` learns whether it was new.
    pub fn push_recovered(&self, data: &Data, message: Message, ack: oneshot::Sender<bool>) {
        let user = message.author.id;
        let mut inner = self.lock();
        let mark = inner.watermarks.entry(user).or_insert(message.id);
        if *mark < message.id {
            *mark = message.id;
        }
        let work = Work::Dm {
            message: Box::new(message),
            ack: Some(ack),
        };
        self.send_locked(&mut inner, data, user, work);
    }

    /// Enqueues other work for the user (edits, deletions).
    pub fn push(&self, data: &Data, user: UserId, work: Work) {
        let mut inner = self.lock();
        self.send_locked(&mut inner, data, user, work);
    }

    /// Enqueues a re-drive of a pending DM relay, unless one is already queued.
    pub fn push_redrive(&self, data: &Data, user: UserId, record: MessageRecordId) {
        let mut inner = self.lock();
        if inner.redrives.insert(record.0) {
            self.send_locked(&mut inner, data, user, Work::Redrive(record));
        }
    }

    fn redrive_taken(&self, record: MessageRecordId) {
        self.lock().redrives.remove(&record.0);
    }

    /// Called by an idle worker: hands it queued work if any arrived, else retires it.
    fn retire(
        &self,
        user: UserId,
        generation: u64,
        rx: &mut mpsc::UnboundedReceiver<Work>,
    ) -> Option<Work> {
        let mut inner = self.lock();
        if let Ok(work) = rx.try_recv() {
            return Some(work);
        }
        if inner
            .slots
            .get(&user)
            .is_some_and(|s| s.generation == generation)
        {
            inner.slots.remove(&user);
        }
        rx.close();
        None
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

async fn worker(data: Data, user: UserId, generation: u64, mut rx: mpsc::UnboundedReceiver<Work>) {
    loop {
        let work = match tokio::time::timeout(IDLE, rx.recv()).await {
            Ok(Some(work)) => work,
            Ok(None) => return,
            Err(_) => match data.inbound.retire(user, generation, &mut rx) {
                Some(work) => work,
                None => return,
            },
        };
        handle(&data, user, work).await;
    }
}

async fn handle(data: &Data, user: UserId, work: Work) {
    match work {
        Work::Dm { message, ack } => dm::handle(data, *message, ack).await,
        Work::Edit {
            message_id,
            content,
        } => mirror::user_edited(data, user, message_id, content).await,
        Work::Delete { message_id } => mirror::user_deleted(data, user, message_id).await,
        Work::Redrive(record) => {
            data.inbound.redrive_taken(record);
            crate::relay::retry::redrive_inbound(data, record).await;
        }
        Work::EnsureChannel(ticket) => {
            match data
                .db
                .run(move |c| rustmail_db::tickets::get(c, ticket))
                .await
            {
                Ok(t) if t.is_open() => {
                    if let Err(e) = crate::lifecycle::open::ensure_channel(data, &t).await {
                        tracing::warn!(ticket = ticket.0, error = %e, "cannot create a ticket channel");
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(ticket = ticket.0, error = %e, "cannot load a ticket"),
            }
        }
    }
}
