//! A user's DM, in their worker: refuse (blocked, not a member), or record it with its ticket in
//! one transaction before any Discord call, then welcome a new user, deliver any earlier DM still
//! pending, and relay this one (or, while the ticket waits for its category, only queue it).

use std::sync::Arc;

use rustmail_db::intake::{ChannelTurn, IncomingDm, Intake, IntakeRecord};
use rustmail_db::messages::RelayState;
use serenity::all::{CreateAllowedMentions, CreateMessage, GuildId, Message, UserId};
use tokio::sync::oneshot;
use tracing::Instrument as _;

use crate::discord::{nonce, NonceKind};
use crate::error::RelayError;
use crate::relay::inbox::LiveDm;
use crate::state::{Data, State};
use crate::strings;

/// Handles one DM; tells `ack` whether it was newly recorded.
pub async fn handle(data: &Data, message: Message, ack: Option<oneshot::Sender<bool>>) {
    let span = tracing::info_span!(
        "dm",
        user = %message.author.id,
        message = %message.id,
        ticket = tracing::field::Empty
    );
    let recorded = take_in(data, &message).instrument(span).await;
    if let Some(ack) = ack {
        let _ = ack.send(recorded);
    }
}

/// Attempts before a DM that cannot be recorded is left to the next start-up's recovery.
const INTAKE_ATTEMPTS: u32 = 6;

/// [`process`], retried while the failure is transient (the database busy or briefly away,
/// Discord failing the membership lookup): the DM is only in memory until it is recorded, and
/// the intake is idempotent on the DM's id, so retrying is safe and giving up loses it until the
/// next recovery.
async fn take_in(data: &Data, message: &Message) -> bool {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match process(data, message).await {
            Ok(new) => return new,
            Err(e) if e.is_transient() && attempt < INTAKE_ATTEMPTS => {
                tracing::warn!(attempt, error = %e, "cannot take in a DM yet; retrying");
                let backoff = std::time::Duration::from_millis(50 << attempt);
                if !data.sleep(backoff).await {
                    return false;
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot take in a DM");
                return false;
            }
        }
    }
}

/// Whether the user is a member of the community guild, as far as the cache can tell.
pub fn cached_membership(state: &State, user: UserId) -> Option<bool> {
    let guild = GuildId::new(state.config.servers.community_guild().get());
    let guild = state.cache.guild(guild)?;
    if guild.members.contains_key(&user) {
        return Some(true);
    }
    let complete = u64::try_from(guild.members.len()).unwrap_or(u64::MAX) >= guild.member_count;
    complete.then_some(false)
}

/// Asks Discord whether the user is a member of the community guild.
async fn fetch_membership(state: &State, user: UserId) -> Result<bool, RelayError> {
    let guild = GuildId::new(state.config.servers.community_guild().get());
    match state.http.get_member(guild, user).await {
        Ok(_) => Ok(true),
        Err(e) if crate::discord::is_gone(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

fn message_text(message: &Message) -> String {
    let mut content = message.content.clone();
    for sticker in &message.sticker_items {
        if !content.is_empty() {
            content.push('\n');
        }
        content.push_str(&strings::sticker(&sticker.name));
    }
    content
}

async fn process(data: &Data, message: &Message) -> Result<bool, RelayError> {
    let user = message.author.id;
    data.remember_dm(user, message.channel_id);
    let files = crate::relay::fetch_attachments(data, &message.attachments).await;
    let membership = cached_membership(data, user);
    // Shared with the write rather than copied (attachments carry their bytes).
    let incoming = Arc::new(IncomingDm {
        user_id: rustmail_db::ids::UserId(user.get()),
        user_name: message.author.name.clone(),
        staff_guild: data.config.servers.staff_guild(),
        dm_channel: rustmail_db::ids::ChannelId(message.channel_id.get()),
        message_id: rustmail_db::ids::MessageId(message.id.get()),
        content: message_text(message),
        attachments: files,
        may_open: membership == Some(true),
        channel_turn: Some(ChannelTurn {
            worker: data.worker_id.clone(),
            lease: crate::lifecycle::open::CREATE_LEASE,
        }),
    });
    let mut outcome = data.db.intake(Arc::clone(&incoming)).await?;
    if matches!(outcome, Intake::NoTicket)
        && membership.is_none()
        && fetch_membership(data, user).await?
    {
        let mut again = IncomingDm::clone(&incoming);
        again.may_open = true;
        outcome = data.db.intake(Arc::new(again)).await?;
    }
    let files = &incoming.attachments;
    let record = match outcome {
        Intake::Blocked => {
            refuse(data, message, &data.config.thread.blocked_message).await;
            return Ok(false);
        }
        Intake::NoTicket => {
            refuse(data, message, &data.config.thread.not_in_guild_message).await;
            return Ok(false);
        }
        Intake::Recorded(record) => record,
    };
    let ticket = &record.ticket;
    tracing::Span::current().record("ticket", ticket.id.0);
    if record.selection_pending {
        if record.ticket_created {
            // Before the category prompt, which the user reads after it.
            welcome(data, message, ticket.id.0).await;
        }
        // Queued until the user picks a category (or the prompt times out).
        crate::workflow::prompt::on_pending_dm(data, message, &record).await;
        return Ok(record.recorded.created);
    }
    if record.opening.channel_turn_taken {
        data.hold_turn(ticket.id.0, record.opening.no_history);
    }
    // A new user's welcome goes to their DMs while their ticket's channel is created.
    let welcomed = async {
        if record.ticket_created {
            welcome(data, message, ticket.id.0).await;
        }
    };
    let ((), ()) = tokio::join!(welcomed, relay(data, message, &record, files));
    if record.recorded.cancelled_close.is_some() {
        crate::lifecycle::notify_ticket(data, ticket, strings::CLOSE_CANCELLED_BY_USER, &[]).await;
    }
    if !record.recorded.alerts.is_empty() {
        let staff: Vec<u64> = record.recorded.alerts.iter().map(|s| s.get()).collect();
        crate::lifecycle::notify_ticket(data, ticket, &strings::alert_ping(&staff), &staff).await;
    }
    Ok(record.recorded.created)
}

/// Relays a recorded DM into its ticket channel, after any earlier DM still pending.
async fn relay(
    data: &Data,
    message: &Message,
    record: &IntakeRecord,
    files: &[rustmail_db::attachments::NewAttachment],
) {
    let ticket = &record.ticket;
    let backlog_clear = crate::relay::retry::drive_backlog(data, ticket, &record.backlog).await;
    let this = &record.recorded.message;
    // Only the process that recorded the DM relays it live: a DM seen again (a second bot
    // process on the same database and token, a recovery pass) is left to whoever recorded it,
    // and to the retry loop and start-up re-drive if that one died.
    if record.recorded.created && this.relay_state == RelayState::Pending && !backlog_clear {
        // An earlier DM could not go out: this one waits behind it (order before speed).
        crate::relay::retry::hold_behind(data, this.id).await;
    } else if record.recorded.created && this.relay_state == RelayState::Pending {
        let (files, file_links) = crate::relay::live_files(files);
        let live = LiveDm {
            avatar_url: Some(message.author.face()),
            timestamp: Some(message.timestamp),
            reply_to: message
                .referenced_message
                .as_ref()
                .map(|m| m.content.clone())
                .filter(|c| !c.trim().is_empty()),
            files,
            file_links,
        };
        crate::relay::inbox::deliver_live(data, ticket, this, &live, record.marks_deferred).await;
    }
}

/// Tells a refused user why (an empty text means no reply).
async fn refuse(state: &State, message: &Message, text: &str) {
    if text.trim().is_empty() {
        return;
    }
    let reply = CreateMessage::new()
        .content(text)
        .allowed_mentions(CreateAllowedMentions::new());
    if let Err(e) = message.channel_id.send_message(&*state.http, reply).await {
        tracing::info!(user = %message.author.id, error = %crate::discord::describe(&e), "cannot tell a refused user");
    }
}

async fn welcome(state: &State, message: &Message, ticket: i64) {
    let text = &state.config.thread.welcome_message;
    let part = crate::render::Part {
        content: Some(text.clone()),
        embed: None,
    };
    if let Err(e) = crate::relay::post(
        state,
        message.channel_id,
        &part,
        &[],
        &nonce(NonceKind::Welcome, ticket, 0),
    )
    .await
    {
        tracing::info!(user = %message.author.id, error = %e, "cannot send the welcome message");
    }
}
