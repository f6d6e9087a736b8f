//! Recovery, at every start and on `/recover`: relay DMs sent while the bot was away (for every
//! known DM channel, fetch what came after the last DM recorded, page by page, and take each in
//! through the user's ordered queue: exactly once, thanks to the DM id), re-drive relays a crash
//! left pending, and reconcile open tickets with Discord (channel gone → closed; no channel →
//! created), and replay staff reply commands a crash or a lost gateway session left unanswered
//! ([`commands`]). A summary goes to the log channel.

pub mod commands;

use std::fmt;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures::StreamExt;
use rustmail_db::dm_channels::{self, DmChannel};
use rustmail_db::messages::relay;
use rustmail_db::tickets::{self, CloseKind};
use serenity::all::{ChannelId, GuildId, Message, MessageId, MessagePagination, UserId};
use tokio::sync::oneshot;

use crate::inbound::Work;
use crate::lifecycle::close::{close, CloseOrder};
use crate::state::Data;

/// DM channels fetched at once.
const FETCH_CONCURRENCY: usize = 4;
/// Messages per page (Discord's maximum).
const PAGE: u8 = 100;
/// Attempts at fetching one page of a DM channel's history. A page that cannot be fetched loses
/// the DMs on it for good (the next live DM moves the channel's "last seen" past them), so
/// transient failures (500s, 429s) are retried.
const FETCH_ATTEMPTS: u32 = 8;
/// How long recovery waits for the queues to take in what it found.
const INTAKE_TIMEOUT: Duration = Duration::from_secs(120);

/// What a recovery pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub channels: usize,
    pub missed: usize,
    pub redriven: usize,
    pub reconciled: usize,
    pub commands: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::strings::recovery_summary(
            self.missed,
            self.redriven,
            self.reconciled,
            self.channels,
            self.commands,
        ))
    }
}

/// Runs a recovery pass. `snapshot` is the DM channels as known before the gateway connected
/// (at start-up, so DMs arriving meanwhile cannot move the "last seen" past missed ones);
/// `None` reads them now.
pub async fn run(data: &Data, snapshot: Option<Vec<DmChannel>>) -> Summary {
    // One pass at a time; a flag rather than a lock held across the pass's awaits.
    while data.recovering.swap(true, Ordering::AcqRel) {
        if !data.sleep(Duration::from_millis(200)).await {
            return Summary::default();
        }
    }
    let _running = Running(data);
    let startup = snapshot.is_some();
    let channels = match snapshot {
        Some(s) => s,
        None => match data.db.run(dm_channels::all).await {
            Ok(all) => all,
            Err(e) => {
                tracing::error!(error = %e, "recovery: cannot list DM channels");
                Vec::new()
            }
        },
    };
    let mut summary = Summary {
        channels: channels.len(),
        ..Summary::default()
    };

    let since = commands::unanswered_since(data, startup).await;
    let (fetched, replayed): (Vec<Vec<Message>>, usize) = tokio::join!(
        futures::stream::iter(channels)
            .map(|c| missed_in(data, c))
            .buffer_unordered(FETCH_CONCURRENCY)
            .collect(),
        async {
            let replayed = match since {
                Some(since) => commands::replay_unanswered(data, since).await,
                None => 0,
            };
            // The unanswered commands are queued: the live ones held meanwhile follow them.
            data.commands.release();
            replayed
        }
    );
    summary.commands = replayed;
    let mut acks = Vec::new();
    for messages in fetched {
        for message in messages {
            let (tx, rx) = oneshot::channel();
            data.inbound.push_recovered(data, message, tx);
            acks.push(rx);
        }
    }
    // The missed DMs are queued: the live ones held meanwhile follow them.
    data.inbound.release_all(data);
    for ack in acks {
        if let Ok(Ok(true)) = tokio::time::timeout(INTAKE_TIMEOUT, ack).await {
            summary.missed += 1;
        }
    }

    summary.redriven = crate::relay::retry::redrive_all(data).await;
    summary.reconciled = reconcile(data).await;

    tracing::info!(%summary, "recovery done");
    let log = ChannelId::new(data.config.channels.log_channel_id.get());
    crate::lifecycle::post_notice(data, log, &summary.to_string()).await;
    summary
}

/// Clears the "recovering" flag when a pass ends (or is cancelled).
struct Running<'a>(&'a Data);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        // Whatever happened, live DMs held for this pass go on (after what it queued).
        self.0.inbound.release_all(self.0);
        self.0.commands.release();
        self.0.recovering.store(false, Ordering::Release);
    }
}

/// The user's DMs after the last one recorded, oldest first.
async fn missed_in(data: &Data, known: DmChannel) -> Vec<Message> {
    let Some(after) = known.last_seen_message_id.map(|m| MessageId::new(m.get())) else {
        return Vec::new();
    };
    let channel = ChannelId::new(known.channel_id.get());
    let user = UserId::new(known.user_id.get());
    data.remember_dm(user, channel);
    let mut out = fetch_after(data, channel, after, None).await;
    out.retain(|m| m.author.id == user && !m.author.bot);
    out
}

/// A channel's messages after `after`, oldest first: every page, or the first `max_pages`.
/// Transient failures are retried; what cannot be fetched is logged and left out.
pub(crate) async fn fetch_after(
    data: &Data,
    channel: ChannelId,
    mut after: MessageId,
    max_pages: Option<usize>,
) -> Vec<Message> {
    let mut out = Vec::new();
    let mut failures = 0;
    let mut pages = 0;
    while max_pages.is_none_or(|max| pages < max) {
        let page = match data
            .http
            .get_messages(channel, Some(MessagePagination::After(after)), Some(PAGE))
            .await
        {
            Ok(page) => page,
            Err(e) => {
                failures += 1;
                let transient = crate::discord::classify(&e).is_transient();
                if transient
                    && failures < FETCH_ATTEMPTS
                    && data
                        .sleep(Duration::from_millis(250 * u64::from(failures)))
                        .await
                {
                    continue;
                }
                tracing::warn!(%channel, error = %crate::discord::describe(&e), "recovery: cannot fetch messages");
                break;
            }
        };
        failures = 0;
        pages += 1;
        let full = page.len() >= usize::from(PAGE);
        let Some(newest) = page.iter().map(|m| m.id).max() else {
            break;
        };
        after = newest;
        out.extend(page);
        if !full {
            break;
        }
    }
    out.sort_by_key(|m| m.id);
    out
}

/// Whether Discord says `channel` no longer exists. The cache alone cannot say so: a ticket
/// opened while this pass runs has its channel in the database before the cache has seen it
/// (a new user's first DM at start-up got their brand-new ticket closed that way, in the
/// benchmarks). Any other answer (an error, a timeout) keeps the ticket.
async fn channel_is_gone(data: &Data, channel: ChannelId) -> bool {
    match data.http.get_channel(channel).await {
        Ok(_) => false,
        Err(e) => crate::discord::is_gone(&e),
    }
}

/// Open tickets whose channel vanished are closed; tickets without a channel get one; with
/// `close_on_leave`, tickets of users no longer in the community guild are closed.
async fn reconcile(data: &Data) -> usize {
    let open = match data.db.run(tickets::all_open).await {
        Ok(open) => open,
        Err(e) => {
            tracing::error!(error = %e, "recovery: cannot list open tickets");
            return 0;
        }
    };
    let staff_guild = GuildId::new(data.config.servers.staff_guild().get());
    let existing: Option<Vec<ChannelId>> = data
        .cache
        .guild(staff_guild)
        .map(|g| g.channels.keys().copied().collect());
    let mut reconciled = 0;
    for ticket in open {
        let user = UserId::new(ticket.user_id.get());
        if let Some(channel) = ticket.channel_id.map(|c| ChannelId::new(c.get())) {
            if existing
                .as_ref()
                .is_some_and(|list| !list.contains(&channel))
                && channel_is_gone(data, channel).await
            {
                let order = CloseOrder::new(CloseKind::ChannelDeleted, None);
                if close(data, ticket.id, order).await.is_ok() {
                    reconciled += 1;
                }
                continue;
            }
        } else {
            {
                let id = ticket.id;
                let pending = data
                    .db
                    .run(move |c| {
                        if rustmail_db::categories::selection::is_pending(c, id)? {
                            return Ok(None);
                        }
                        relay::pending_for_ticket(c, id).map(Some)
                    })
                    .await;
                match pending {
                    Ok(Some(records)) if records.is_empty() => {
                        data.inbound.push(data, user, Work::EnsureChannel(id));
                        reconciled += 1;
                    }
                    Ok(Some(records)) => {
                        for r in records {
                            data.inbound.push_redrive(data, user, r.id);
                        }
                        reconciled += 1;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(ticket = id.0, error = %e, "recovery: cannot check a ticket");
                    }
                }
            }
        }
        if data.config.thread.close_on_leave
            && crate::inbound::dm::cached_membership(data, user) == Some(false)
        {
            let order = CloseOrder::new(CloseKind::UserLeft, None);
            if close(data, ticket.id, order).await.is_ok() {
                reconciled += 1;
            }
        }
    }
    reconciled
}
