//! The inbound pipeline's ordering: one lane per user ([`crate::lanes`]), so users run in
//! parallel and each user's work in order.
//!
//! serenity hands each gateway event to a task of its own, so two DMs sent in quick succession
//! may reach the handler out of order. serenity's cache, though, stores each message when the
//! event is read, in gateway order; so when a DM's handler runs, every earlier DM of the user is
//! already in the cache. [`Queues::push_dm`] enqueues the user's cached DMs up to the one at
//! hand, in id order, and skips what was already enqueued ([`crate::arrival`]: a DM the cache
//! dropped before its turn is enqueued late, never skipped). (The database's idempotency on the
//! DM id is the last line of defence.)

pub mod dm;
pub mod mirror;

use std::collections::{HashMap, HashSet};

use rustmail_db::ids::{MessageRecordId, TicketId};
use serenity::all::{Message, MessageId, UserId};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::arrival::{Admission, Arrivals};
use crate::lanes::{Lane, Lanes};
use crate::state::Data;

/// Whether the handler takes `message` in: a regular message (or a reply) from a person, not a
/// bot (the others never reach a lane).
pub fn is_person_message(message: &Message) -> bool {
    !message.author.bot
        && matches!(
            message.kind,
            serenity::all::MessageType::Regular | serenity::all::MessageType::InlineReply
        )
}

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

/// What the inbound lanes keep beside the queues, under their lock.
#[derive(Default)]
struct Marks {
    /// The DMs enqueued per user.
    arrivals: HashMap<UserId, Arrivals>,
    /// Records with a re-drive queued (not pushed twice).
    redrives: HashSet<i64>,
    /// Users whose live DMs wait for recovery: DMs sent while the bot was away must be taken in
    /// before newer live ones, and recovery only finds them after fetching the channel's history.
    held: HashMap<UserId, Vec<Message>>,
}

type Inner = crate::lanes::Inner<UserId, Work, Marks>;

/// The per-user queues.
#[derive(Default)]
pub struct Queues {
    lanes: Lanes<UserId, Work, Marks>,
}

impl Queues {
    /// Sends `work` to the user's worker, starting one if needed. Call with the lock held.
    fn send_locked(inner: &mut Inner, data: &Data, user: UserId, work: Work) {
        inner.send(&user, work, |lane, rx| {
            tokio::spawn(worker(data.clone(), lane, rx))
        });
    }

    /// Enqueues a live DM (and any earlier DM of the user not yet enqueued), in order; while
    /// recovery holds the user ([`Queues::hold`]), keeps it until [`Queues::release_all`].
    pub fn push_dm(&self, data: &Data, message: Message) {
        let mut inner = self.lanes.lock();
        if let Some(held) = inner.extra.held.get_mut(&message.author.id) {
            held.push(message);
            return;
        }
        Self::push_dm_locked(&mut inner, data, message);
    }

    /// Holds the live DMs of `users` until recovery has taken in what they sent while the bot was
    /// away (it calls [`Queues::release_all`], also when it fails).
    pub fn hold(&self, users: impl IntoIterator<Item = UserId>) {
        let mut inner = self.lanes.lock();
        for user in users {
            inner.extra.held.entry(user).or_default();
        }
    }

    /// Enqueues the DMs held for recovery, in order (skipping those recovery already queued).
    pub fn release_all(&self, data: &Data) {
        let mut inner = self.lanes.lock();
        let held = std::mem::take(&mut inner.extra.held);
        for (_, mut messages) in held {
            messages.sort_by_key(|m| m.id);
            for message in messages {
                Self::push_dm_locked(&mut inner, data, message);
            }
        }
    }

    fn push_dm_locked(inner: &mut Inner, data: &Data, message: Message) {
        let user = message.author.id;
        let (id, channel) = (message.id, message.channel_id);
        let admission = inner
            .extra
            .arrivals
            .entry(user)
            .or_default()
            .admit(id, message, |after| {
                // Earlier DMs of the user that the cache holds but no handler enqueued yet.
                data.cache
                    .channel_messages(channel)
                    .map(|cached| {
                        cached
                            .values()
                            .filter(|m| {
                                m.author.id == user
                                    && is_person_message(m)
                                    && m.id < id
                                    && after.is_none_or(|after| m.id > after)
                            })
                            .map(|m| (m.id, m.clone()))
                            .collect()
                    })
                    .unwrap_or_default()
            });
        let batch = match admission {
            Admission::InOrder(batch) => batch,
            Admission::Late(message) => {
                tracing::warn!(%user, message = %id, "a DM is taken in after later ones: the message cache dropped it before its turn");
                vec![message]
            }
            Admission::Already => Vec::new(),
        };
        for m in batch {
            let work = Work::Dm {
                message: Box::new(m),
                ack: None,
            };
            Self::send_locked(inner, data, user, work);
        }
    }

    /// Enqueues `message` unless it (or a later DM of the user) was enqueued already: an edit's
    /// original must be taken in before the edit.
    pub fn push_dm_if_unseen(&self, data: &Data, message: Message) {
        let unseen = self
            .lanes
            .lock()
            .extra
            .arrivals
            .get(&message.author.id)
            .is_none_or(|a| a.is_unseen(message.id));
        if unseen {
            self.push_dm(data, message);
        }
    }

    /// Enqueues a DM found by recovery; `ack` learns whether it was new.
    pub fn push_recovered(&self, data: &Data, message: Message, ack: oneshot::Sender<bool>) {
        let user = message.author.id;
        let mut inner = self.lanes.lock();
        inner
            .extra
            .arrivals
            .entry(user)
            .or_default()
            .note_enqueued(message.id);
        let work = Work::Dm {
            message: Box::new(message),
            ack: Some(ack),
        };
        Self::send_locked(&mut inner, data, user, work);
    }

    /// Enqueues other work for the user (edits, deletions).
    pub fn push(&self, data: &Data, user: UserId, work: Work) {
        Self::send_locked(&mut self.lanes.lock(), data, user, work);
    }

    /// Enqueues a re-drive of a pending DM relay, unless one is already queued.
    pub fn push_redrive(&self, data: &Data, user: UserId, record: MessageRecordId) {
        let mut inner = self.lanes.lock();
        if inner.extra.redrives.insert(record.0) {
            Self::send_locked(&mut inner, data, user, Work::Redrive(record));
        }
    }

    fn redrive_taken(&self, record: MessageRecordId) {
        self.lanes.lock().extra.redrives.remove(&record.0);
    }

    /// Number of live workers (metrics, tests).
    pub fn workers(&self) -> usize {
        self.lanes.workers()
    }

    /// Stops accepting work and returns the workers, which finish what they have queued.
    pub fn close(&self) -> Vec<JoinHandle<()>> {
        self.lanes.close()
    }
}

async fn worker(data: Data, lane: Lane<UserId>, rx: mpsc::UnboundedReceiver<Work>) {
    let user = lane.key;
    data.inbound
        .lanes
        .drain(lane, rx, |work| handle(&data, user, work))
        .await;
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
