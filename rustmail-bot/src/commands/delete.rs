//! `/delete message_id`, `!delete 42`: removes both copies of a numbered reply (the DM copy
//! where Discord allows); the record is marked deleted, never removed, and other replies keep
//! their numbers. With `show_log_on_delete` a log line is posted.

use rustmail_db::ids::UserId as DbUserId;
use rustmail_db::messages;
use rustmail_db::messages::relay::{self, Side};
use serenity::all::{ChannelId, UserId};

use super::{done, staff, ticket_here, Context};
use crate::error::CommandError;
use crate::strings;

/// Delete one of your numbered replies (from the user's DMs and this channel).
#[poise::command(slash_command, prefix_command, guild_only, category = "Tickets")]
pub async fn delete(
    ctx: Context<'_>,
    #[description = "The reply's number (#N in its footer)"]
    #[min = 1]
    message_id: i32,
) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    let ticket = ticket_here(ctx).await?;
    let data = ctx.data();
    let (id, by, admin) = (ticket.id, DbUserId(invoker.id.get()), invoker.admin);
    let (record, dm_copies, inbox_copies) = data
        .db
        .run(move |c| {
            let record = messages::reply_for_staff_change(c, id, message_id, by, admin)?;
            let record = messages::record_delete(c, record.id, by)?.message;
            let dm = relay::copies(c, record.id, Side::Dm)?;
            let inbox = relay::copies(c, record.id, Side::Inbox)?;
            Ok((record, dm, inbox))
        })
        .await?;
    if !dm_copies.is_empty() {
        match crate::relay::reply::dm_channel(data, UserId::new(ticket.user_id.get())).await {
            Ok(dm) => crate::relay::delete_copies(data, dm, &dm_copies).await,
            Err(e) => tracing::info!(error = %e, "cannot reach the user's DMs to delete a reply"),
        }
    }
    if let Some(channel) = ticket.channel_id.map(|c| ChannelId::new(c.get())) {
        crate::relay::delete_copies(data, channel, &inbox_copies).await;
        if data.config.thread.show_log_on_delete {
            let log = strings::delete_log(
                &strings::staff_label(&invoker.name),
                &strings::message_label(record.number),
                &record.content,
            );
            crate::lifecycle::post_notice(data, channel, &log).await;
        }
    }
    done(ctx, strings::reply_deleted(message_id)).await
}
