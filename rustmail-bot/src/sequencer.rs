//! Prefix commands run in the order staff sent them, per channel.
//!
//! serenity hands every gateway event to a task of its own, and poise runs each command inside
//! that task; so `!reply one` and `!reply two` sent back to back used to run concurrently, and
//! the user could receive them swapped (and the ticket number them swapped). [`Ordered`] wraps
//! the poise framework: a staff-guild message that starts with the prefix goes to its channel's
//! queue, drained by one worker per channel, so commands in one channel run one after another
//! and channels run in parallel.
//!
//! As in [`crate::inbound`], the gateway order comes from serenity's cache: the shard runner
//! stores each message in the cache before it spawns the event's task, so when a command's task
//! runs, every earlier message of the channel is in the cache. The queue takes the channel's
//! cached prefix messages up to the one at hand, in id order, and a per-channel watermark skips
//! the ones already queued (when their own, later, task arrives); one the cache dropped before
//! its turn runs late rather than never ([`crate::arrival`]).
//!
//! The queues are shared with recovery ([`Commands`]): a reply command that a crash or a lost
//! gateway session left unanswered is found in its channel's history and replayed through its
//! channel's queue; while recovery looks for such commands, live ones wait ([`Commands::hold`]),
//! so they run after the older ones it finds.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use serenity::all::{ChannelId, Context, FullEvent, GuildId, Message, MessageId};
use serenity::framework::Framework as _;
use tokio::sync::mpsc;
use tracing::Instrument as _;

use crate::arrival::{Admission, Arrivals};
use crate::error::CommandError;
use crate::lanes::{Lane, Lanes};
use crate::state::Data;

type Poise = poise::Framework<Data, CommandError>;

/// poise's framework with per-channel ordered prefix commands.
pub struct Ordered {
    inner: Arc<Poise>,
    commands: Arc<Commands>,
    /// Whether poise has run its setup (on the first READY) and so has its user data.
    set_up: tokio::sync::watch::Sender<bool>,
}

impl Ordered {
    /// Wraps `inner`; prefix commands (as `commands` defines them) run in order per channel.
    pub fn new(inner: Poise, commands: Arc<Commands>) -> Self {
        Self {
            inner: Arc::new(inner),
            commands,
            set_up: tokio::sync::watch::channel(false).0,
        }
    }

    /// Waits until poise is set up. poise makes an event that arrives during its setup (the
    /// `GUILD_CREATE`s right after READY) poll for the user data every 100 ms: every start-up
    /// lost 100 ms that way before the cache was ready, and with it the start-up recovery and
    /// every command and DM held behind it (the first replies of the reply benchmark took
    /// 90 ms instead of 25, session 4). Here such an event waits for the end of the READY
    /// event's own dispatch, which runs the setup.
    async fn until_set_up(&self) {
        if *self.set_up.borrow() {
            return;
        }
        let _ = self.set_up.subscribe().wait_for(|done| *done).await;
    }
}

#[serenity::async_trait]
impl serenity::framework::Framework for Ordered {
    async fn init(&mut self, client: &serenity::Client) {
        // Nothing else holds the framework before the client starts.
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.init(client).await;
        } else {
            tracing::error!("the command framework was shared before start-up");
        }
        let _ = self.commands.framework.set(Arc::clone(&self.inner));
    }

    async fn dispatch(&self, ctx: Context, event: FullEvent) {
        let commands = &self.commands;
        let previous = commands.last_event_ms.swap(now_ms(), Ordering::AcqRel);
        match event {
            FullEvent::Message { new_message } if commands.is_ordered(&new_message) => {
                let _ = commands.ctx.get_or_init(|| ctx.clone());
                if let Some(message) = commands.hold_if_held(new_message) {
                    commands.push_live(&ctx, message);
                }
            }
            FullEvent::InteractionCreate { interaction } => {
                self.until_set_up().await;
                let span = match &interaction {
                    serenity::all::Interaction::Command(c) => {
                        command_span(c.channel_id, c.id.get())
                    }
                    _ => tracing::Span::none(),
                };
                let event = FullEvent::InteractionCreate { interaction };
                self.inner.dispatch(ctx, event).instrument(span).await;
            }
            FullEvent::Ready { data_about_bot } => {
                let _ = commands.ctx.get_or_init(|| ctx.clone());
                // Events before this READY belong to the previous session (if any).
                commands.session_gap_ms.store(previous, Ordering::Release);
                let event = FullEvent::Ready { data_about_bot };
                self.inner.dispatch(ctx, event).await;
                self.set_up.send_replace(true);
            }
            event => {
                self.until_set_up().await;
                self.inner.dispatch(ctx, event).await;
            }
        }
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The command queues, shared by the framework and recovery.
pub struct Commands {
    queues: Arc<Queues>,
    framework: OnceLock<Arc<Poise>>,
    ctx: OnceLock<Context>,
    prefix: String,
    staff_guild: GuildId,
    /// While recovery looks for unanswered commands: the live ones, in arrival order.
    held: Mutex<Option<Vec<Message>>>,
    /// When the newest gateway event arrived (ms since the Unix epoch).
    last_event_ms: AtomicU64,
    /// When the last event before the newest READY arrived (0: no READY yet, or the first).
    session_gap_ms: AtomicU64,
}

impl Commands {
    /// Commands start with `prefix` and count in `staff_guild` only.
    pub fn new(prefix: String, staff_guild: GuildId) -> Self {
        Self {
            queues: Arc::new(Queues::default()),
            framework: OnceLock::new(),
            ctx: OnceLock::new(),
            prefix,
            staff_guild,
            held: Mutex::new(None),
            last_event_ms: AtomicU64::new(0),
            session_gap_ms: AtomicU64::new(0),
        }
    }

    /// The command prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Whether `message` is a prefix command in the staff guild (from someone not a bot).
    pub fn is_ordered(&self, message: &Message) -> bool {
        message.guild_id == Some(self.staff_guild)
            && !message.author.bot
            && message.content.starts_with(&self.prefix)
    }

    /// The last gateway event of the session before the current one (ms since the Unix epoch),
    /// if the current session is not the first.
    pub fn previous_session_end_ms(&self) -> Option<u64> {
        match self.session_gap_ms.load(Ordering::Acquire) {
            0 => None,
            ms => Some(ms),
        }
    }

    /// Live commands wait until [`Commands::release`].
    pub fn hold(&self) {
        let mut held = self
            .held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if held.is_none() {
            *held = Some(Vec::new());
        }
    }

    /// Queues the commands held since [`Commands::hold`], in arrival order, and stops holding.
    pub fn release(&self) {
        let held = self
            .held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .unwrap_or_default();
        if let Some(ctx) = self.ctx.get() {
            for message in held {
                self.push_live(ctx, message);
            }
        }
    }

    /// Keeps `message` while holding; gives it back otherwise.
    fn hold_if_held(&self, message: Message) -> Option<Message> {
        let mut held = self
            .held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match held.as_mut() {
            Some(list) => {
                list.push(message);
                None
            }
            None => Some(message),
        }
    }

    /// Queues a live command after its channel's earlier ones (from serenity's cache).
    fn push_live(&self, ctx: &Context, message: Message) {
        let Some(framework) = self.framework.get() else {
            tracing::error!("a command arrived before the framework started");
            return;
        };
        let (channel, id) = (message.channel_id, message.id);
        let earlier = |after: Option<MessageId>| {
            ctx.cache
                .channel_messages(channel)
                .map(|cached| {
                    cached
                        .values()
                        .filter(|m| {
                            m.id < id
                                && after.is_none_or(|after| m.id > after)
                                && self.is_ordered(m)
                        })
                        .map(|m| (m.id, m.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        self.queues.push(framework, ctx, message, earlier);
    }

    /// Runs a command found in a channel's history (recovery) through its channel's queue.
    /// `false` when the framework has not started (nothing can run yet).
    pub fn replay(&self, message: Message) -> bool {
        let (Some(framework), Some(ctx)) = (self.framework.get(), self.ctx.get()) else {
            return false;
        };
        self.queues.push_replayed(framework, ctx, message);
        true
    }
}

/// The per-channel lanes; beside them, the command messages enqueued per channel.
#[derive(Default)]
struct Queues {
    lanes: Lanes<ChannelId, Message, HashMap<ChannelId, Arrivals>>,
}

impl Queues {
    /// Queues `message`, after the channel's earlier command messages not queued yet
    /// (`earlier(mark)` lists them from the cache; see [`crate::arrival`]).
    fn push(
        self: &Arc<Self>,
        framework: &Arc<Poise>,
        ctx: &Context,
        message: Message,
        earlier: impl FnOnce(Option<MessageId>) -> Vec<(MessageId, Message)>,
    ) {
        let (channel, id) = (message.channel_id, message.id);
        let mut inner = self.lanes.lock();
        let admission = inner
            .extra
            .entry(channel)
            .or_default()
            .admit(id, message, earlier);
        let batch = match admission {
            Admission::InOrder(batch) => batch,
            Admission::Late(message) => {
                tracing::warn!(%channel, message = %id, "a command runs after later ones: the message cache dropped it before its turn");
                vec![message]
            }
            Admission::Already => Vec::new(),
        };
        for message in batch {
            self.send_locked(&mut inner, framework, ctx, message);
        }
    }

    /// Sends `message` to its channel's worker, starting one if needed (lock held).
    fn send_locked(
        self: &Arc<Self>,
        inner: &mut crate::lanes::Inner<ChannelId, Message, HashMap<ChannelId, Arrivals>>,
        framework: &Arc<Poise>,
        ctx: &Context,
        message: Message,
    ) {
        let channel = message.channel_id;
        inner.send(&channel, message, |lane, rx| {
            tokio::spawn(worker(
                Arc::clone(self),
                Arc::clone(framework),
                ctx.clone(),
                lane,
                rx,
            ))
        });
    }

    /// Queues a replayed `message` whatever was queued before (it may be older than commands
    /// already queued; its claim keeps it from running twice); its live handler, if one comes,
    /// queues nothing.
    fn push_replayed(self: &Arc<Self>, framework: &Arc<Poise>, ctx: &Context, message: Message) {
        let channel = message.channel_id;
        let mut inner = self.lanes.lock();
        inner
            .extra
            .entry(channel)
            .or_default()
            .note_enqueued(message.id);
        self.send_locked(&mut inner, framework, ctx, message);
    }
}

async fn worker(
    queues: Arc<Queues>,
    framework: Arc<Poise>,
    ctx: Context,
    lane: Lane<ChannelId>,
    rx: mpsc::UnboundedReceiver<Message>,
) {
    queues
        .lanes
        .drain(lane, rx, |message| {
            let span = command_span(message.channel_id, message.id.get());
            let event = FullEvent::Message {
                new_message: message,
            };
            framework.dispatch(ctx.clone(), event).instrument(span)
        })
        .await;
}

/// The span a command runs in; [`crate::commands::ticket_here`] fills in the ticket.
fn command_span(channel: ChannelId, invocation: u64) -> tracing::Span {
    tracing::info_span!(
        "command",
        channel = %channel,
        invocation,
        ticket = tracing::field::Empty
    )
}
