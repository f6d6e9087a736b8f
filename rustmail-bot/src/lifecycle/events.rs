//! Gateway events that change a ticket's life: a member leaving the community guild
//! (`close_on_leave`), a ticket channel deleted by hand, and typing (relayed both ways when
//! `relay_typing` is on).

use rustmail_db::ids::{ChannelId as DbChannelId, UserId as DbUserId};
use rustmail_db::tickets::{self, CloseKind};
use serenity::all::{ChannelId, GuildId, TypingStartEvent, UserId};

use super::close::{close, CloseOrder};
use crate::state::State;
use crate::strings;

/// Bot processes sharing a database post one "user left" notice per ticket within this window.
const LEFT_NOTICE_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

/// A member left a guild: close their ticket (`close_on_leave`) or tell staff.
pub async fn member_left(state: &State, guild: GuildId, user: UserId) {
    if guild.get() != state.config.servers.community_guild().get() {
        return;
    }
    let db_user = DbUserId(user.get());
    let ticket = match state
        .db
        .run(move |c| tickets::find_open_by_user(c, db_user))
        .await
    {
        Ok(Some(t)) => t,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(%user, error = %e, "cannot look up the ticket of a member who left");
            return;
        }
    };
    if state.config.thread.close_on_leave {
        if let Err(e) = close(state, ticket.id, CloseOrder::new(CloseKind::UserLeft, None)).await {
            if e.is_user_error() {
                tracing::debug!(ticket = ticket.id.0, error = %e, "ticket already closed");
            } else {
                tracing::warn!(ticket = ticket.id.0, error = %e, "cannot close the ticket of a member who left");
            }
        }
    } else if super::claims::lease(
        state,
        format!("member-left:{}", ticket.id.0),
        LEFT_NOTICE_WINDOW,
    )
    .await
    .unwrap_or(true)
    {
        // The event has no id: every bot process on this database gets it at about the same
        // time, so one notice per ticket per window.
        super::notify_ticket(state, &ticket, strings::USER_LEFT_NOTICE, &[]).await;
    }
}

/// A channel was deleted: if it was an open ticket's, the ticket closes ("channel deleted").
pub async fn channel_deleted(state: &State, channel: ChannelId) {
    let db_channel = DbChannelId(channel.get());
    let ticket = match state
        .db
        .run(move |c| tickets::find_by_channel(c, db_channel))
        .await
    {
        Ok(Some(t)) if t.is_open() => t,
        Ok(_) => return,
        Err(e) => {
            tracing::warn!(%channel, error = %e, "cannot look up a deleted channel's ticket");
            return;
        }
    };
    if let Err(e) = close(
        state,
        ticket.id,
        CloseOrder::new(CloseKind::ChannelDeleted, None),
    )
    .await
    {
        if !e.is_user_error() {
            tracing::warn!(ticket = ticket.id.0, error = %e, "cannot close the ticket of a deleted channel");
        }
    }
}

/// Relays typing: the user's in their DM into the ticket channel, staff's in the ticket channel
/// into the user's DM.
pub async fn typing(state: &State, event: &TypingStartEvent) {
    if !state.config.thread.relay_typing || event.user_id == state.bot_id() {
        return;
    }
    let target = match event.guild_id {
        None => {
            let user = DbUserId(event.user_id.get());
            match state
                .db
                .run(move |c| tickets::find_open_by_user(c, user))
                .await
            {
                Ok(Some(t)) => t.channel_id.map(|c| ChannelId::new(c.get())),
                _ => None,
            }
        }
        Some(guild) if guild.get() == state.config.servers.staff_guild().get() => {
            let channel = DbChannelId(event.channel_id.get());
            match state
                .db
                .run(move |c| tickets::find_by_channel(c, channel))
                .await
            {
                Ok(Some(t)) if t.is_open() => {
                    let user = UserId::new(t.user_id.get());
                    crate::relay::reply::dm_channel(state, user).await.ok()
                }
                _ => None,
            }
        }
        Some(_) => None,
    };
    if let Some(channel) = target {
        if state.should_relay_typing(channel) {
            if let Err(e) = state.http.broadcast_typing(channel).await {
                tracing::debug!(%channel, error = %crate::discord::describe(&e), "cannot relay typing");
            }
        }
    }
}
