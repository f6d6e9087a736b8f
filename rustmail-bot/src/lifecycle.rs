//! The ticket lifecycle on Discord: [`open`] (the ticket channel and its header), [`close`]
//! (closing, and the close's follow-up: telling the user, the transcript, archiving), and
//! [`events`] (members leaving, channels deleted by hand), and [`claims`] (each event handled
//! by one bot process when several share the database). Plus helpers to post bot notices.

pub mod claims;
pub mod close;
pub mod events;
pub mod open;

use rustmail_db::tickets::{self, Ticket};
use serenity::all::{ChannelId, CreateAllowedMentions, UserId};

use crate::render;
use crate::state::State;

/// Posts a bot notice (split to fit) in `channel`, mentioning no one.
pub async fn post_notice(state: &State, channel: ChannelId, text: &str) {
    post_notice_mentioning(state, channel, text, &[]).await;
}

/// Posts a bot notice that may ping exactly `users` (alerts, reminders).
pub async fn post_notice_mentioning(state: &State, channel: ChannelId, text: &str, users: &[u64]) {
    for part in render::notice(text) {
        let mentions = CreateAllowedMentions::new().users(users.iter().map(|u| UserId::new(*u)));
        let builder = part.to_create().allowed_mentions(mentions);
        if let Err(e) = channel.send_message(&*state.http, builder).await {
            tracing::info!(%channel, error = %crate::discord::describe(&e), "cannot post a notice");
            return;
        }
    }
}

/// The ticket's channel, reading the database when the ticket at hand predates it.
pub async fn channel_of(state: &State, ticket: &Ticket) -> Option<ChannelId> {
    if let Some(c) = ticket.channel_id {
        return Some(ChannelId::new(c.get()));
    }
    let id = ticket.id;
    match state.db.run(move |c| tickets::get(c, id)).await {
        Ok(t) => t.channel_id.map(|c| ChannelId::new(c.get())),
        Err(_) => None,
    }
}

/// Posts a notice in the ticket's channel (if it has one), pinging `users` only.
pub async fn notify_ticket(state: &State, ticket: &Ticket, text: &str, users: &[u64]) {
    if let Some(channel) = channel_of(state, ticket).await {
        post_notice_mentioning(state, channel, text, users).await;
    }
}
