//! Closing a ticket. The close itself is one database transaction that also queues its Discord
//! follow-up as a job (tell the user, post the transcript, archive or delete the channel), which
//! the scheduler runs at once, and again after a crash until it is done; each step is
//! idempotent (nonces; a channel already gone counts as done).

use rustmail_db::ids::{TicketId, UserId as DbUserId};
use rustmail_db::jobs::Job;
use rustmail_db::tickets::{self, CloseKind, CloseRequest, Ticket};
use rustmail_db::DomainError;
use serenity::all::{ChannelId, CreateAttachment, EditChannel, UserId};

use crate::discord::{self, nonce, NonceKind};
use crate::error::RelayError;
use crate::render::Part;
use crate::state::State;
use crate::strings;

/// How a ticket is to be closed.
#[derive(Debug, Clone)]
pub struct CloseOrder {
    pub kind: CloseKind,
    pub by: Option<UserId>,
    /// Tell the user (with `close_message`); only for kinds that notify at all.
    pub notify: bool,
    pub reason: Option<String>,
}

impl CloseOrder {
    pub fn new(kind: CloseKind, by: Option<UserId>) -> Self {
        Self {
            kind,
            by,
            notify: kind.notifies_user(),
            reason: None,
        }
    }
}

/// The follow-up job's marker in its payload.
pub const FOLLOWUP_EFFECT: &str = "close";

/// Closes the ticket now and queues its follow-up. `NotOpen` when it was already closed.
pub async fn close(state: &State, id: TicketId, order: CloseOrder) -> Result<Ticket, DomainError> {
    let notify = order.notify && order.kind.notifies_user();
    let request = CloseRequest {
        kind: order.kind,
        by: order.by.map(|u| DbUserId(u.get())),
        reason: order.reason,
    };
    let payload = serde_json::json!({ "effect": FOLLOWUP_EFFECT, "notify": notify });
    let (ticket, _job) = state
        .db
        .run(move |c| tickets::close_with_followup(c, id, &request, payload))
        .await?;
    tracing::info!(ticket = id.0, kind = %ticket.close_kind.map_or("", CloseKind::as_str), "ticket closed");
    state.wake_scheduler.notify_one();
    Ok(ticket)
}

/// Runs a close follow-up job: tell the user, post the transcript, archive or delete.
pub async fn run_followup(state: &State, job: &Job) -> Result<(), RelayError> {
    let Some(id) = job.ticket_id else {
        return Ok(());
    };
    let notify = job
        .payload_json()
        .get("notify")
        .and_then(serde_json::Value::as_bool)
        == Some(true);
    let log = state
        .db
        .run(move |c| rustmail_db::log::ticket_log(c, id))
        .await?;
    let ticket = &log.ticket;

    // Each step is idempotent; a transient failure retries the job, a permanent one is logged
    // and does not stop the next steps (the channel is retired even if the log channel is gone).
    if notify {
        tell_user(state, ticket).await?;
    }

    let (filename, bytes) = crate::transcript::render(
        &log,
        state.config.thread.transcript_format,
        &state.config.thread.anonymous_label,
    );
    let kind = ticket.close_kind.unwrap_or(CloseKind::Staff);
    let text = strings::closed_log(
        ticket.id.0,
        ticket.user_id.get(),
        &ticket.user_name,
        kind,
        ticket.closed_by.map(DbUserId::get),
    );
    let log_channel = ChannelId::new(state.config.channels.log_channel_id.get());
    let part = Part {
        content: Some(text),
        embed: None,
    };
    let posted = crate::relay::post(
        state,
        log_channel,
        &part,
        &[CreateAttachment::bytes(bytes, filename)],
        &nonce(NonceKind::Transcript, ticket.id.0, 0),
    )
    .await;
    match posted {
        Ok(_) => {}
        Err(e) if e.is_transient() => return Err(e),
        Err(e) => tracing::error!(ticket = ticket.id.0, error = %e, "cannot post the transcript"),
    }

    if let Some(channel) = ticket.channel_id.map(|c| ChannelId::new(c.get())) {
        retire_channel(state, channel).await?;
    }
    Ok(())
}

/// Sends `close_message` to the user; a user who cannot be reached is not an error.
async fn tell_user(state: &State, ticket: &Ticket) -> Result<(), RelayError> {
    let user = UserId::new(ticket.user_id.get());
    let channel = match crate::relay::reply::dm_channel(state, user).await {
        Ok(c) => c,
        Err(e) if !e.is_transient() => return Ok(()),
        Err(e) => return Err(e),
    };
    let part = Part {
        content: Some(state.config.thread.close_message.clone()),
        embed: None,
    };
    match crate::relay::post(
        state,
        channel,
        &part,
        &[],
        &nonce(NonceKind::Close, ticket.id.0, 0),
    )
    .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.is_transient() => Err(e),
        Err(e) => {
            tracing::info!(ticket = ticket.id.0, error = %e, "cannot send the close message");
            Ok(())
        }
    }
}

/// Moves a closed ticket's channel to the archive category, read-only, or deletes it when no
/// archive is configured (or it has no room).
pub async fn retire_channel(state: &State, channel: ChannelId) -> Result<(), RelayError> {
    if let Some(archive) = state.config.channels.archive_category_id {
        let edit = EditChannel::new()
            .category(Some(ChannelId::new(archive.get())))
            .permissions(crate::lifecycle::open::overwrites(state, true));
        match channel.edit(&*state.http, edit).await {
            Ok(_) => return Ok(()),
            Err(e) if discord::is_gone(&e) => return Ok(()),
            Err(e) if discord::is_category_full(&e) => {
                tracing::warn!(%channel, "the archive category is full; deleting the channel instead");
            }
            Err(e) => return Err(e.into()),
        }
    }
    match channel.delete(&*state.http).await {
        Ok(_) => Ok(()),
        Err(e) if discord::is_gone(&e) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
