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
//! the ones already queued (when their own, later, task arrives).

use std::collections::HashMap;
use std::sync::Arc;

use serenity::all::{ChannelId, Context, FullEvent, GuildId, Message, MessageId};
use serenity::framework::Framework as _;
use tokio::sync::mpsc;
use tracing::Instrument as _;

use crate::error::CommandError;
use crate::lanes::{Lane, Lanes};
use crate::state::Data;

type Poise = poise::Framework<Data, CommandError>;

/// poise's framework with per-channel ordered prefix commands.
pub struct Ordered {
    inner: Arc<Poise>,
    queues: Arc<Queues>,
    prefix: String,
    staff_guild: GuildId,
}

impl Ordered {
    /// Wraps `inner`; prefix commands in `staff_guild` are run in order per channel.
    pub fn new(inner: Poise, prefix: String, staff_guild: GuildId) -> Self {
        Self {
            inner: Arc::new(inner),
            queues: Arc::new(Queues::default()),
            prefix,
            staff_guild,
        }
    }

    fn is_ordered(&self, message: &Message) -> bool {
        message.guild_id == Some(self.staff_guild)
            && !message.author.bot
            && message.content.starts_with(&self.prefix)
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
    }

    async fn dispatch(&self, ctx: Context, event: FullEvent) {
        match event {
            FullEvent::Message { new_message } if self.is_ordered(&new_message) => {
                let (channel, id) = (new_message.channel_id, new_message.id);
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
                                .cloned()
                                .collect::<Vec<_>>()
                        })
                        .unwrap_or_default()
                };
                self.queues.push(&self.inner, &ctx, new_message, earlier);
            }
            FullEvent::InteractionCreate { interaction } => {
                let span = match &interaction {
                    serenity::all::Interaction::Command(c) => {
                        command_span(c.channel_id, c.id.get())
                    }
                    _ => tracing::Span::none(),
                };
                let event = FullEvent::InteractionCreate { interaction };
                self.inner.dispatch(ctx, event).instrument(span).await;
            }
            event => self.inner.dispatch(ctx, event).await,
        }
    }
}

/// The per-channel lanes; beside them, the newest command message queued per channel.
#[derive(Default)]
struct Queues {
    lanes: Lanes<ChannelId, Message, HashMap<ChannelId, MessageId>>,
}

impl Queues {
    /// Queues `message`, after the channel's earlier command messages not queued yet
    /// (`earlier(watermark)` lists them from the cache).
    fn push(
        self: &Arc<Self>,
        framework: &Arc<Poise>,
        ctx: &Context,
        message: Message,
        earlier: impl FnOnce(Option<MessageId>) -> Vec<Message>,
    ) {
        let channel = message.channel_id;
        let mut inner = self.lanes.lock();
        let mark = inner.extra.get(&channel).copied();
        if mark.is_some_and(|m| message.id <= m) {
            return;
        }
        let mut batch = earlier(mark);
        batch.sort_by_key(|m| m.id);
        batch.push(message);
        if let Some(newest) = batch.last() {
            inner.extra.insert(channel, newest.id);
        }
        for message in batch {
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
