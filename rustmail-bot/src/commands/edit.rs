//! `/edit message_id new_content`, `!edit 42 TEXT`: staff edit their own numbered reply (admins
//! any); both copies are edited, a revision is stored, and with `show_log_on_edit` a
//! before/after log is posted.

use rustmail_db::ids::UserId as DbUserId;
use rustmail_db::messages::relay::{self, Side};
use rustmail_db::messages::{self, MessageRecord};
use serenity::all::{ChannelId, UserId};

use super::{done, staff, ticket_here, Context};
use crate::error::CommandError;
use crate::render::{self, StaffMessage};
use crate::state::State;
use crate::strings;

/// Edit one of your numbered replies (both the user's copy and the channel's).
#[poise::command(slash_command, prefix_command, guild_only, category = "Tickets")]
pub async fn edit(
    ctx: Context<'_>,
    #[description = "The reply's number (#N in its footer)"]
    #[min = 1]
    message_id: i32,
    #[description = "The new text"]
    #[rest]
    new_content: String,
) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    // An edit cannot add an upload, so an empty text would leave the user an empty message.
    if rustmail_db::text::is_blank(&new_content) {
        return Err(CommandError::user(crate::strings::REPLY_EMPTY));
    }
    let ticket = ticket_here(ctx).await?;
    let data = ctx.data();
    let (id, by, admin) = (ticket.id, DbUserId(invoker.id.get()), invoker.admin);
    let edited = data
        .db
        .run(move |c| {
            let record = messages::reply_for_staff_change(c, id, message_id, by, admin)?;
            messages::record_edit(c, record.id, &new_content, by)
        })
        .await?;
    if edited.previous_content != edited.message.content {
        refresh_reply(
            data,
            &edited.message,
            UserId::new(ticket.user_id.get()),
            ticket.channel_id.map(|c| ChannelId::new(c.get())),
        )
        .await;
        if data.config.thread.show_log_on_edit {
            if let Some(channel) = ticket.channel_id {
                let log = strings::edit_log(
                    &strings::staff_label(&invoker.name),
                    &strings::message_label(Some(message_id)),
                    &edited.previous_content,
                    &edited.message.content,
                );
                crate::lifecycle::post_notice(data, ChannelId::new(channel.get()), &log).await;
            }
        }
    }
    done(ctx, strings::reply_edited(message_id)).await
}

/// Re-renders a staff reply's copies (the user's DM and the channel's) after an edit.
pub async fn refresh_reply(
    state: &State,
    record: &MessageRecord,
    user: UserId,
    channel: Option<ChannelId>,
) {
    let id = record.id;
    let loaded = state
        .db
        .run(move |c| {
            Ok((
                relay::copies(c, id, Side::Dm)?,
                relay::copies(c, id, Side::Inbox)?,
                rustmail_db::attachments::for_message(c, id)?,
            ))
        })
        .await;
    let (dm_copies, inbox_copies, files) = match loaded {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(record = id.0, error = %e, "cannot load a reply's copies");
            return;
        }
    };
    let links: Vec<String> = files
        .iter()
        .filter(|f| !f.stored)
        .map(|f| strings::attachment_link(&f.filename, f.size_bytes, &f.url))
        .collect();
    let view = StaffMessage {
        author_name: &record.author_name,
        role: record.author_role.as_deref(),
        anonymous: record.anonymous,
        text: &record.content,
        number: record.number,
        timestamp: render::timestamp(record.created_at),
        has_files: files.iter().any(|f| f.stored),
        file_links: links,
    };
    let thread = &state.config.thread;
    if !dm_copies.is_empty() {
        if let Ok(dm) = crate::relay::reply::dm_channel(state, user).await {
            let parts = render::staff_for_user(thread, &view);
            crate::relay::sync_copies(state, dm, Side::Dm, id, &dm_copies, &parts).await;
        }
    }
    if let (Some(channel), false) = (channel, inbox_copies.is_empty()) {
        let parts = render::staff_for_channel(thread, &view);
        crate::relay::sync_copies(state, channel, Side::Inbox, id, &inbox_copies, &parts).await;
    }
}
