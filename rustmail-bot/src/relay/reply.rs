//! Staff → user: a recorded reply goes to the user's DMs first, then its copy (with the reply's
//! number) into the ticket channel. A DM Discord refuses (the user closed their DMs, left every
//! shared server) is reported in the channel copy and the reply recorded as failed, not sent.
//!
//! A ticket's replies reach the user in the order staff sent them: a reply goes out only after
//! the ticket's earlier replies still pending ([`deliver_in_order`]), and waits behind one that
//! cannot go out yet (it waits for a retry, or a restart left it pending).

use rustmail_db::dm_channels;
use rustmail_db::ids::UserId as DbUserId;
use rustmail_db::messages::relay::{self, Side};
use rustmail_db::messages::{MessageRecord, RelayState};
use rustmail_db::tickets::Ticket;
use serenity::all::{ChannelId, CreateAttachment, UserId};

use crate::discord::{nonce, NonceKind};
use crate::error::RelayError;
use crate::metrics::{since, Direction};
use crate::render::{self, Part, StaffMessage};
use crate::state::State;
use crate::strings;

/// How long a reply waiting behind an earlier one is put off before the retry loop looks again.
const WAIT_BEHIND: std::time::Duration = std::time::Duration::from_secs(1);

/// Whether a reply is being sent for the first time, just recorded by its command, or again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    First,
    Again,
}

/// How a reply's relay ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyOutcome {
    Delivered,
    /// The user cannot receive it; the reason is shown in the channel.
    NotDelivered(String),
}

/// The user's DM channel: from memory, the database, or opened through Discord (and remembered).
pub async fn dm_channel(state: &State, user: UserId) -> Result<ChannelId, RelayError> {
    if let Some(c) = state.dm_channel_of(user) {
        return Ok(c);
    }
    let db_user = DbUserId(user.get());
    if let Some(known) = state.db.run(move |c| dm_channels::get(c, db_user)).await? {
        let channel = ChannelId::new(known.channel_id.get());
        state.remember_dm(user, channel);
        return Ok(channel);
    }
    let private = user.create_dm_channel(&*state.http).await?;
    let channel = private.id;
    state.remember_dm(user, channel);
    let db_channel = rustmail_db::ids::ChannelId(channel.get());
    state
        .write_for(user, move |c| dm_channels::remember(c, db_user, db_channel))
        .await?;
    Ok(channel)
}

fn view<'a>(record: &'a MessageRecord, has_files: bool, links: &[String]) -> StaffMessage<'a> {
    StaffMessage {
        author_name: &record.author_name,
        role: record.author_role.as_deref(),
        anonymous: record.anonymous,
        text: &record.content,
        number: record.number,
        timestamp: render::timestamp(record.created_at),
        has_files,
        file_links: links.to_vec(),
    }
}

/// Delivers a recorded staff reply. `files` are its attachments (from the command, or loaded
/// from the database for a re-drive). Transient failures are returned for the caller to settle;
/// a refused DM is settled here (recorded failed, reported in the channel).
pub async fn deliver(
    state: &State,
    ticket: &Ticket,
    record: &MessageRecord,
    files: &[CreateAttachment],
    links: &[String],
    attempt: Attempt,
) -> Result<ReplyOutcome, RelayError> {
    let id = record.id;
    // A re-drive always reads what exists: its copy of the record may be older than a delivery
    // made meanwhile.
    let fresh =
        attempt == Attempt::First && record.relay_attempts == 0 && record.dm_message_id.is_none();
    let (dm_done, inbox_done) = if fresh {
        (0, 0)
    } else {
        state
            .db
            .run(move |c| {
                Ok((
                    relay::parts_done(c, id, Side::Dm)?,
                    relay::parts_done(c, id, Side::Inbox)?,
                ))
            })
            .await?
    };
    let thread = &state.config.thread;
    let has_files = !files.is_empty();

    // 1. The user's DM.
    let dm_parts = render::staff_for_user(thread, &view(record, has_files, links));
    let mut refused: Option<String> = None;
    if usize::try_from(dm_done).unwrap_or(0) < dm_parts.len() {
        let user = UserId::new(ticket.user_id.get());
        let (posted, error) = match dm_channel(state, user).await {
            Ok(channel) => {
                crate::relay::post_parts(
                    state,
                    channel,
                    &dm_parts,
                    usize::try_from(dm_done).unwrap_or(0),
                    files,
                    |i| nonce(NonceKind::Dm, id.0, i32::try_from(i).unwrap_or(i32::MAX)),
                )
                .await
            }
            Err(e) => (Vec::new(), Some(e)),
        };
        if !posted.is_empty() {
            state
                .db
                .record_copies(relay::Copies {
                    id,
                    side: Side::Dm,
                    first_part: dm_done,
                    discord_ids: crate::relay::db_ids(&posted),
                    complete: false,
                    marks: None,
                })
                .await?;
        }
        match error {
            None => {}
            Some(e) if e.is_transient() => return Err(e),
            Some(RelayError::Permanent { code, message }) => {
                refused = Some(strings::dm_failure_reason(code, &message));
            }
            Some(e) => return Err(e),
        }
    }

    // 2. The ticket channel's copy.
    let Some(channel) = ticket.channel_id.map(|c| ChannelId::new(c.get())) else {
        return Err(RelayError::Permanent {
            code: None,
            message: "the ticket has no channel".to_owned(),
        });
    };
    let mut parts = render::staff_for_channel(thread, &view(record, has_files, links));
    if let (Some(reason), Some(first)) = (&refused, parts.first_mut()) {
        let notice = strings::reply_not_delivered(record.number, reason);
        *first = Part {
            content: Some(match &first.content {
                Some(c) => format!("{notice}\n{c}"),
                None => notice,
            }),
            embed: first.embed.clone(),
        };
        // The notice may push plain text over the limit: fall back to separate messages.
        if first
            .content
            .as_deref()
            .map_or(0, crate::split::discord_len)
            > crate::split::MESSAGE_LIMIT
        {
            let mut split = render::notice(first.content.as_deref().unwrap_or_default());
            split.extend(parts.drain(1..));
            parts = split;
        }
    }
    let complete_ok = refused.is_none();
    let (posted, error) = crate::relay::post_parts(
        state,
        channel,
        &parts,
        usize::try_from(inbox_done).unwrap_or(0),
        files,
        |i| nonce(NonceKind::Inbox, id.0, i32::try_from(i).unwrap_or(i32::MAX)),
    )
    .await;
    let all_posted = error.is_none();
    let ids = crate::relay::db_ids(&posted);
    let copies = relay::Copies {
        id,
        side: Side::Inbox,
        first_part: inbox_done,
        discord_ids: ids,
        complete: all_posted && complete_ok,
        marks: None,
    };
    match (all_posted, refused.clone()) {
        (true, Some(reason)) => {
            state
                .write(move |c| {
                    copies.record(c)?;
                    relay::mark_failed(c, id, &reason)
                })
                .await?;
        }
        // The common case (delivered to both sides): a batch settles such relays set-wise.
        _ => state.db.record_copies(copies).await?,
    }
    if let Some(e) = error {
        return Err(e);
    }
    Ok(match refused {
        None => ReplyOutcome::Delivered,
        Some(reason) => ReplyOutcome::NotDelivered(reason),
    })
}

/// [`deliver`] and settle a transient failure. `None` when it will be retried later.
#[tracing::instrument(name = "reply", skip_all, fields(ticket = ticket.id.0, record = record.id.0))]
pub async fn deliver_and_settle(
    state: &State,
    ticket: &Ticket,
    record: &MessageRecord,
    files: &[CreateAttachment],
    links: &[String],
    attempt: Attempt,
) -> Option<ReplyOutcome> {
    if !state.begin_relay(record.id.0) {
        return None;
    }
    let result = deliver(state, ticket, record, files, links, attempt).await;
    state.end_relay(record.id.0);
    let metrics = &state.metrics;
    match result {
        Ok(outcome) => {
            match outcome {
                ReplyOutcome::Delivered => {
                    metrics.delivered(Direction::StaffToUser, since(record.created_at));
                    tracing::debug!("delivered to the user");
                }
                ReplyOutcome::NotDelivered(_) => metrics.undelivered(Direction::StaffToUser, false),
            }
            Some(outcome)
        }
        Err(e) => {
            let permanent = !e.is_transient();
            let retry = !permanent && record.relay_attempts + 1 < crate::relay::MAX_ATTEMPTS;
            metrics.undelivered(Direction::StaffToUser, retry);
            if let Err(settle) =
                crate::relay::settle_failure(state, record.id, record.relay_attempts, &e, None)
                    .await
            {
                tracing::error!(record = record.id.0, error = %settle, "cannot record a relay failure");
            }
            permanent.then(|| ReplyOutcome::NotDelivered(e.to_string()))
        }
    }
}

/// What became of a reply sent in its ticket's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InOrder {
    /// It was sent (or not), as [`deliver_and_settle`] says; `None`: left to the retry schedule.
    Sent(Option<ReplyOutcome>),
    /// It waits behind this earlier reply (its number), which cannot go out yet.
    Waiting(Option<i32>),
}

/// Delivers `record` after `earlier` (the ticket's replies recorded before it and still
/// pending, oldest first; see [`relay::pending_replies_before`]). When one of them cannot go
/// out now (it failed again, or another task is sending it), `record` is put off behind it
/// without counting an attempt, for the retry loop, which delivers in the same order.
pub async fn deliver_in_order(
    state: &State,
    ticket: &Ticket,
    record: &MessageRecord,
    earlier: Vec<MessageRecord>,
    files: &[CreateAttachment],
    links: &[String],
) -> InOrder {
    for before in earlier {
        let number = before.number;
        if redrive(state, ticket, &before).await.is_none() {
            wait_behind(state, record.id, number).await;
            return InOrder::Waiting(number);
        }
    }
    InOrder::Sent(deliver_and_settle(state, ticket, record, files, links, Attempt::First).await)
}

/// [`deliver_in_order`] for a reply whose earlier ones are not known yet (the retry loop).
pub async fn redrive_in_order(
    state: &State,
    ticket: &Ticket,
    record: &MessageRecord,
) -> Option<ReplyOutcome> {
    let (ticket_id, id) = (ticket.id, record.id);
    let earlier = match state
        .db
        .run(move |c| relay::pending_replies_before(c, ticket_id, id))
        .await
    {
        Ok(earlier) => earlier,
        Err(e) => {
            tracing::warn!(record = id.0, error = %e, "cannot list a ticket's earlier replies");
            return None;
        }
    };
    for before in earlier {
        let number = before.number;
        if redrive(state, ticket, &before).await.is_none() {
            wait_behind(state, id, number).await;
            return None;
        }
    }
    redrive(state, ticket, record).await
}

/// Delivers a recorded reply again, with the files stored for it; one delivered or failed for
/// good meanwhile is left as it is.
async fn redrive(state: &State, ticket: &Ticket, record: &MessageRecord) -> Option<ReplyOutcome> {
    let id = record.id;
    let current = match state
        .db
        .run(move |c| rustmail_db::messages::get(c, id))
        .await
    {
        Ok(current) => current,
        Err(e) => {
            tracing::warn!(record = id.0, error = %e, "cannot load a reply to re-drive");
            return None;
        }
    };
    match current.relay_state {
        RelayState::Delivered => return Some(ReplyOutcome::Delivered),
        RelayState::Failed => {
            return Some(ReplyOutcome::NotDelivered(
                current.relay_error.unwrap_or_default(),
            ))
        }
        _ => {}
    }
    match crate::relay::stored_files(state, id).await {
        Ok((files, links)) => {
            deliver_and_settle(state, ticket, &current, &files, &links, Attempt::Again).await
        }
        Err(e) => {
            tracing::warn!(record = id.0, error = %e, "cannot load a reply's files");
            None
        }
    }
}

/// Puts `id` off behind reply `earlier` (not an attempt).
async fn wait_behind(state: &State, id: rustmail_db::ids::MessageRecordId, earlier: Option<i32>) {
    let reason = strings::waiting_behind(earlier);
    let at = rustmail_db::time::after(WAIT_BEHIND);
    tracing::debug!(record = id.0, ?earlier, "reply waits behind an earlier one");
    if let Err(e) = state
        .write(move |c| relay::wait_behind(c, id, &reason, at))
        .await
    {
        tracing::warn!(record = id.0, error = %e, "cannot put a reply off");
    }
}
