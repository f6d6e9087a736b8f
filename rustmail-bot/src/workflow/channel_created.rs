//! `thread.create_ticket_by_create_channel`: a channel created (by staff) in the inbox category
//! and named after a user's id becomes that user's ticket: header posted, ticket overwrites
//! applied, the user notified per `thread.new_thread_notify_user`. Any other name, an unknown
//! id, a bot, a blocked user or a user with an open ticket gets a clear message in the channel
//! and nothing else happens. Channels the bot creates itself (their topic names the ticket) are
//! left alone.

use rustmail_db::ids::{ChannelId as DbChannelId, UserId as DbUserId};
use rustmail_db::tickets::{self, OpenedVia};
use rustmail_db::workflow::open::{open_for_user, StaffOpen};
use rustmail_db::DomainError;
use serenity::all::{ChannelType, EditChannel, GuildChannel, UserId};

use crate::state::Data;
use crate::strings::workflow as text;

/// Handles `CHANNEL_CREATE`.
pub async fn handle(data: &Data, channel: &GuildChannel) {
    let config = &data.config;
    if !config.thread.create_ticket_by_create_channel
        || channel.kind != ChannelType::Text
        || channel.guild_id.get() != config.servers.staff_guild().get()
        || channel.parent_id.map(serenity::all::ChannelId::get)
            != Some(config.channels.inbox_category_id.get())
        || channel
            .topic
            .as_deref()
            .is_some_and(|t| t.starts_with(text::TOPIC_PREFIX))
    {
        return;
    }
    // Every bot process on this database sees the channel: one of them handles it.
    if !crate::lifecycle::claims::once(data, format!("channel-created:{}", channel.id)).await {
        return;
    }
    let db_channel = DbChannelId(channel.id.get());
    match data
        .db
        .run(move |c| tickets::find_by_channel(c, db_channel))
        .await
    {
        Ok(None) => {}
        Ok(Some(_)) => return,
        Err(e) => {
            tracing::warn!(channel = %channel.id, error = %e, "cannot look up a new channel");
            return;
        }
    }
    if let Err(message) = open(data, channel).await {
        crate::lifecycle::post_notice(data, channel.id, &message).await;
    }
}

/// Opens the ticket; `Err` is the message to post in the channel.
async fn open(data: &Data, channel: &GuildChannel) -> Result<(), String> {
    let Ok(id) = rustmail_db::ids::parse_snowflake(&channel.name) else {
        return Err(text::channel_name_not_an_id(&channel.name));
    };
    let user = crate::commands::args::lookup_user_with(&data.cache, &data.http, UserId::new(id))
        .await
        .map_err(|e| text::channel_not_a_ticket(&e.0))?;
    let request = StaffOpen {
        user_id: DbUserId(user.id.get()),
        user_name: user.name.clone(),
        is_bot: user.bot,
        guild_id: data.config.servers.staff_guild(),
        via: OpenedVia::ChannelCreated,
        by: DbUserId(data.bot_id().get()),
    };
    let ticket = match data.db.run(move |c| open_for_user(c, &request)).await {
        Ok(t) => t,
        Err(DomainError::AlreadyOpen(open)) => {
            let link = data
                .db
                .run(move |c| tickets::get(c, open))
                .await
                .ok()
                .and_then(|t| t.channel_id)
                .map(DbChannelId::get);
            return Err(text::already_open(open.0, link));
        }
        Err(e) if e.is_user_error() => {
            return Err(text::channel_not_a_ticket(&crate::strings::domain_error(
                &e,
            )))
        }
        Err(e) => {
            tracing::error!(channel = %channel.id, error = %e, "cannot open a ticket for a new channel");
            return Err(crate::strings::INTERNAL_ERROR.to_owned());
        }
    };
    let (tid, db_channel) = (ticket.id, DbChannelId(channel.id.get()));
    let ticket = data
        .db
        .run(move |c| tickets::claim_channel(c, tid, db_channel))
        .await
        .map_err(|e| crate::strings::domain_error(&e))?;
    let edit = EditChannel::new()
        .topic(text::topic(ticket.id.0, ticket.user_id.get(), None))
        .permissions(crate::lifecycle::open::overwrites(data, false));
    if let Err(e) = channel.id.edit(&*data.http, edit).await {
        tracing::warn!(channel = %channel.id, error = %crate::discord::describe(&e), "cannot set up a channel-created ticket");
    }
    crate::lifecycle::open::post_header(data, &ticket, channel.id).await;
    let notified = crate::commands::new_thread::notify_user(data, &ticket, channel.id).await;
    crate::lifecycle::post_notice(
        data,
        channel.id,
        &text::channel_ticket_opened(user.id.get(), notified),
    )
    .await;
    Ok(())
}
