//! A ticket channel's header (the bot's first message, an embed titled "New ticket from …") and
//! topic, updated when the ticket is taken or released, and the channel's name when staff label
//! it. Failures are logged: the database already holds the truth.

use rustmail_db::tickets::Ticket;
use serenity::all::{
    ChannelId, EditChannel, EditMessage, EmbedField, GetMessages, Message, MessageId,
};

use crate::state::State;
use crate::strings::{self, workflow as text};

/// Messages looked at to find the header.
const HEADER_SEARCH: u8 = 10;

/// The ticket channel's header message, if it can be found.
pub async fn find(state: &State, channel: ChannelId) -> Option<Message> {
    let first = GetMessages::new()
        .after(MessageId::new(channel.get()))
        .limit(HEADER_SEARCH);
    let messages = match channel.messages(&*state.http, first).await {
        Ok(m) => m,
        Err(e) => {
            tracing::info!(%channel, error = %crate::discord::describe(&e), "cannot read a ticket channel's first messages");
            return None;
        }
    };
    let title = strings::header_title("");
    let bot = state.bot_id();
    messages
        .into_iter()
        .filter(|m| m.author.id == bot)
        .filter(|m| {
            m.embeds
                .first()
                .and_then(|e| e.title.as_deref())
                .is_some_and(|t| t.starts_with(title.trim_end()))
        })
        .min_by_key(|m| m.id)
}

/// Shows the ticket's assignee (or none) in the channel topic and the header.
pub async fn show_assignee(state: &State, ticket: &Ticket, assignee: Option<(u64, &str)>) {
    let Some(channel) = ticket.channel_id.map(|c| ChannelId::new(c.get())) else {
        return;
    };
    let topic = text::topic(ticket.id.0, ticket.user_id.get(), assignee.map(|a| a.1));
    if let Err(e) = channel
        .edit(&*state.http, EditChannel::new().topic(topic))
        .await
    {
        tracing::info!(%channel, error = %crate::discord::describe(&e), "cannot update a ticket topic");
    }
    let Some(header) = find(state, channel).await else {
        return;
    };
    let Some(mut embed) = header.embeds.first().cloned() else {
        return;
    };
    embed.fields.retain(|f| f.name != text::HEADER_ASSIGNED);
    if let Some((id, _)) = assignee {
        embed.fields.insert(
            1.min(embed.fields.len()),
            EmbedField::new(text::HEADER_ASSIGNED, format!("<@{id}>"), false),
        );
    }
    let edit = EditMessage::new()
        .embed(embed.into())
        .allowed_mentions(serenity::all::CreateAllowedMentions::new());
    if let Err(e) = channel.edit_message(&*state.http, header.id, edit).await {
        tracing::info!(%channel, error = %crate::discord::describe(&e), "cannot update a ticket header");
    }
}

/// A free channel name for a ticket labelled `label` (or not), other than `channel` itself.
pub fn channel_name(
    state: &State,
    channel: ChannelId,
    user_name: &str,
    label: Option<&str>,
) -> String {
    let base = match label {
        Some(l) => crate::naming::sanitise(&format!("{l} {user_name}")),
        None => crate::naming::sanitise(user_name),
    };
    let guild = serenity::all::GuildId::new(state.config.servers.staff_guild().get());
    let taken: Vec<String> = state
        .cache
        .guild(guild)
        .map(|g| {
            g.channels
                .values()
                .filter(|c| c.id != channel)
                .map(|c| c.name.clone())
                .collect()
        })
        .unwrap_or_default();
    crate::naming::unique(&base, |candidate| taken.iter().any(|t| t == candidate))
}

/// The header's "Opened by" value for a ticket staff opened (`None` for the user's own DM).
pub fn opened_by(ticket: &Ticket) -> Option<String> {
    match ticket.opened_via {
        rustmail_db::tickets::OpenedVia::UserDm => None,
        rustmail_db::tickets::OpenedVia::StaffCommand => {
            Some(text::header_opened_by(ticket.opened_by.get(), "new_thread"))
        }
        rustmail_db::tickets::OpenedVia::ChannelCreated => {
            Some(text::HEADER_OPENED_BY_CHANNEL.to_owned())
        }
    }
}

/// The Discord category of the ticket's category (picked in the prompt, or moved to), if any.
pub async fn discord_category(
    state: &State,
    ticket: &Ticket,
) -> Option<rustmail_db::ids::ChannelId> {
    let id = ticket.category_id?;
    match state
        .db
        .run(move |c| rustmail_db::categories::get(c, id))
        .await
    {
        Ok(category) => Some(category.discord_category()),
        Err(e) => {
            tracing::info!(ticket = ticket.id.0, error = %e, "the ticket's category is gone; using the inbox");
            None
        }
    }
}
