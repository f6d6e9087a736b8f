//! `/reply content [attachment] [anonymous]`, `!reply TEXT`, `!anonreply TEXT`: a numbered staff
//! reply, recorded first, then sent to the user's DMs and copied into the ticket channel.

use std::sync::Arc;
use std::time::Duration;

use rustmail_db::messages::replies::{ClaimedReply, EventClaim, ReplyRecorded};
use rustmail_db::messages::{Author, RelayState, StaffReply};
use serenity::all::Attachment;

use super::text::Text;
use super::{answer, done, source_id, staff, ticket_here, Context};
use crate::error::CommandError;
use crate::relay::reply::{deliver_in_order, InOrder, ReplyOutcome};
use crate::strings;

/// Reply to the user (they see your name and top role).
#[poise::command(slash_command, prefix_command, guild_only, category = "Tickets")]
pub async fn reply(
    ctx: Context<'_>,
    #[description = "What to send to the user"] content: Option<Text>,
    #[description = "A file to send with it"] attachment: Option<Attachment>,
    #[description = "Hide your name from the user"] anonymous: Option<bool>,
    #[description = "Send this snippet's text instead"] snippet: Option<String>,
) -> Result<(), CommandError> {
    let sent = async {
        let content = super::snippet::text_or_snippet(ctx, content, snippet).await?;
        send(ctx, content, attachment, anonymous.unwrap_or(false)).await
    };
    finished(ctx, sent.await).await
}

/// Reply to the user without showing your name.
#[poise::command(slash_command, prefix_command, guild_only, category = "Tickets")]
pub async fn anonreply(
    ctx: Context<'_>,
    #[description = "What to send to the user"] content: Text,
    #[description = "A file to send with it"] attachment: Option<Attachment>,
) -> Result<(), CommandError> {
    finished(ctx, send(ctx, content.0, attachment, true).await).await
}

/// Ends a reply command. These commands claim their invocation in the write that records the
/// reply (see [`crate::commands::claims_in_record`]), so an error is shown only once this
/// process holds the claim (another bot process that took it stays silent). A prefix reply
/// command refused for the invoker's mistake is marked finished, so recovery never runs it
/// again (see [`crate::recovery::commands`]); one that succeeded is known by its record, and one
/// that failed on our side may run again after a restart.
pub(crate) async fn finished(
    ctx: Context<'_>,
    result: Result<(), CommandError>,
) -> Result<(), CommandError> {
    let result = match result {
        Err(e) if !matches!(e, CommandError::AlreadyHandled) && !super::may_answer(ctx).await => {
            Err(CommandError::AlreadyHandled)
        }
        result => result,
    };
    if let (Err(e), poise::Context::Prefix(_)) = (&result, ctx) {
        if e.user_message().is_some() {
            crate::recovery::commands::mark_finished(ctx.data(), ctx.id()).await;
        }
    }
    result
}

/// Attempts at recording a reply that the database gave up on because of other transactions.
const RECORD_ATTEMPTS: u32 = 5;

/// Claims the command and records its reply, with the ticket's earlier replies still pending
/// (they go out first), in one write. A write the database aborted for contention (a PostgreSQL
/// deadlock between batched writes) changed nothing and is made again: the reply would be lost
/// otherwise (seen in the chaos suite), and recording is idempotent on the command's message.
async fn record(
    data: &crate::state::State,
    user: serenity::all::UserId,
    reply: Arc<ClaimedReply>,
) -> Result<ReplyRecorded, rustmail_db::DomainError> {
    let mut attempt = 0;
    let user = rustmail_db::ids::UserId(user.get());
    loop {
        attempt += 1;
        let result = data.db.record_reply(user, Arc::clone(&reply)).await;
        match result {
            Err(e) if e.is_retryable() && attempt < RECORD_ATTEMPTS => {
                tracing::warn!(attempt, error = %e, "recording a reply met contention; again");
                tokio::time::sleep(Duration::from_millis(20 * u64::from(attempt))).await;
            }
            result => return result,
        }
    }
}

/// The attachments of the command: every upload on a prefix command's message, the option of a
/// slash command.
fn uploads(ctx: Context<'_>, option: Option<Attachment>) -> Vec<Attachment> {
    match ctx {
        poise::Context::Prefix(p) => p.msg.attachments.clone(),
        poise::Context::Application(_) => option.into_iter().collect(),
    }
}

/// Records and delivers a reply (also `!s` and `!as`, the snippet commands).
pub(crate) async fn send(
    ctx: Context<'_>,
    content: String,
    attachment: Option<Attachment>,
    anonymous: bool,
) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    let ticket = ticket_here(ctx).await?;
    let data = ctx.data();
    let files = crate::relay::fetch_attachments(data, &uploads(ctx, attachment)).await;
    if rustmail_db::text::is_blank(&content) && files.is_empty() {
        return Err(CommandError::user(strings::REPLY_EMPTY));
    }
    let reply = StaffReply {
        ticket_id: ticket.id,
        source_message_id: source_id(ctx),
        author: Author {
            id: rustmail_db::ids::UserId(invoker.id.get()),
            name: invoker.name.clone(),
            role: invoker.top_role.clone(),
        },
        anonymous,
        content,
        attachments: files.clone(),
        inactivity_close_after: data.config.thread.time_to_close_thread,
    };
    let user = serenity::all::UserId::new(ticket.user_id.get());
    let claim = EventClaim {
        key: crate::lifecycle::claims::command_key(ctx.id()),
        worker: data.worker_id.clone(),
    };
    let claimed = ClaimedReply {
        reply,
        claim: Some(claim),
    };
    let (recorded, earlier) = match record(data, user, Arc::new(claimed)).await? {
        ReplyRecorded::ClaimedElsewhere => return Err(CommandError::AlreadyHandled),
        ReplyRecorded::Recorded { recorded, earlier } => (*recorded, earlier),
    };
    let record = recorded.message;
    if !recorded.created && record.relay_state != RelayState::Pending {
        // The same command seen twice: already handled.
        return Ok(());
    }
    let (uploads, links) = crate::relay::live_files(&files);
    let outcome = deliver_in_order(data, &ticket, &record, earlier, &uploads, &links).await;
    let number = record.number.unwrap_or_default();
    let outcome = match outcome {
        InOrder::Sent(outcome) => outcome,
        InOrder::Waiting(earlier) => {
            return answer(ctx, strings::reply_waiting(number, earlier)).await;
        }
    };
    match outcome {
        Some(ReplyOutcome::Delivered) if links.is_empty() => {
            done(ctx, strings::reply_sent(number)).await
        }
        Some(ReplyOutcome::Delivered) => answer(ctx, strings::reply_sent(number)).await,
        // The channel copy says why; the slash invoker hears it too.
        Some(ReplyOutcome::NotDelivered(reason)) => match ctx {
            poise::Context::Application(_) => {
                answer(ctx, strings::reply_not_delivered(record.number, &reason)).await
            }
            poise::Context::Prefix(_) => done(ctx, "").await,
        },
        None => answer(ctx, strings::reply_queued(number)).await,
    }
}
