//! The category prompt: a new user's first DM is answered with one button per enabled category
//! (at most 24) plus "Default"; their DMs are recorded meanwhile but not relayed. A click, or the
//! timeout job, resolves the selection in the database (only one of them wins), the ticket's
//! channel is created in the chosen category, and the queued DMs are relayed in order through
//! the user's queue. Everything is in the database (selection, timeout job, queued DMs, the
//! button ids carry the ticket), so a restart during the selection loses nothing.

use rustmail_db::categories::{self, selection, Category};
use rustmail_db::ids::{CategoryId, MessageId as DbMessageId, TicketId};
use rustmail_db::intake::IntakeRecord;
use rustmail_db::messages::{relay, Direction};
use rustmail_db::tickets;
use serenity::all::{
    ButtonStyle, ChannelId, ComponentInteraction, CreateActionRow, CreateAllowedMentions,
    CreateButton, CreateInteractionResponse, CreateInteractionResponseMessage, CreateMessage,
    EditMessage, Message, MessageId, Nonce, ReactionType, UserId,
};

use crate::error::RelayError;
use crate::inbound::Work;
use crate::state::Data;
use crate::strings::workflow as text;

/// Button id prefix: `rm:cat:<ticket>:<category id | default>`.
pub const PREFIX: &str = "rm:cat:";
/// Buttons per action row (Discord's limit).
const PER_ROW: usize = 5;

/// What a prompt button picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pick {
    pub ticket: TicketId,
    /// `None`: the default inbox.
    pub category: Option<CategoryId>,
}

/// Reads a button id (after [`PREFIX`]).
pub fn parse(rest: &str) -> Option<Pick> {
    let (ticket, category) = rest.split_once(':')?;
    let ticket = TicketId(ticket.parse().ok()?);
    let category = match category {
        "default" => None,
        id => Some(CategoryId(id.parse().ok()?)),
    };
    Some(Pick { ticket, category })
}

/// The emoji of a category's button, when Discord will take it: a custom emoji tag, or a short
/// text with no letters or digits (a Unicode emoji). Anything else stays in the text only.
pub fn button_emoji(emoji: Option<&str>) -> Option<ReactionType> {
    let e = emoji?.trim();
    let custom = e.starts_with('<') && e.ends_with('>');
    let unicode = !e.is_empty()
        && e.chars().count() <= 8
        && !e
            .chars()
            .any(|c| c.is_ascii_alphanumeric() || c.is_whitespace());
    if custom || unicode {
        ReactionType::try_from(e).ok()
    } else {
        None
    }
}

/// The prompt's buttons: one per category, then "Default".
pub fn buttons(ticket: TicketId, list: &[Category]) -> Vec<CreateActionRow> {
    let mut all: Vec<CreateButton> = list
        .iter()
        .take(categories::MAX_ENABLED_CATEGORIES)
        .map(|c| {
            let mut b = CreateButton::new(format!("{PREFIX}{ticket}:{}", c.id))
                .label(c.name.clone())
                .style(ButtonStyle::Primary);
            if let Some(e) = button_emoji(c.emoji.as_deref()) {
                b = b.emoji(e);
            }
            b
        })
        .collect();
    all.push(
        CreateButton::new(format!("{PREFIX}{ticket}:default"))
            .label(text::PROMPT_DEFAULT)
            .style(ButtonStyle::Secondary),
    );
    all.chunks(PER_ROW)
        .map(|row| CreateActionRow::Buttons(row.to_vec()))
        .collect()
}

/// A DM recorded in a ticket waiting for its category: the DM that opened the ticket gets the
/// prompt; later ones are only queued.
pub async fn on_pending_dm(data: &Data, message: &Message, record: &IntakeRecord) {
    if !record.ticket_created {
        return;
    }
    if let Err(e) = send(data, message.channel_id, record.ticket.id).await {
        tracing::warn!(ticket = record.ticket.id.0, error = %e, "cannot send the category prompt; the timeout will open the ticket in the inbox");
    }
}

/// Sends the prompt in the user's DM channel and remembers it.
async fn send(data: &Data, dm: ChannelId, ticket: TicketId) -> Result<(), RelayError> {
    let (list, settings) = data
        .db
        .run(|c| Ok((categories::enabled(c)?, categories::prompt(c)?)))
        .await?;
    let lines: Vec<String> = list
        .iter()
        .map(|c| text::prompt_line(c.emoji.as_deref(), &c.name, &c.description))
        .collect();
    let message = CreateMessage::new()
        .content(text::prompt(&lines, settings.timeout_seconds))
        .components(buttons(ticket, &list))
        .allowed_mentions(CreateAllowedMentions::new())
        .nonce(Nonce::String(format!("rmp{ticket}")))
        .enforce_nonce(true);
    let sent = dm.send_message(&*data.http, message).await?;
    let id = DbMessageId(sent.id.get());
    data.db
        .run(move |c| selection::set_prompt_message(c, ticket, id))
        .await?;
    Ok(())
}

/// A click on a prompt button.
pub async fn on_click(data: &Data, interaction: &ComponentInteraction, pick: Pick) {
    let outcome = resolve_click(data, interaction.user.id, pick).await;
    let content = match &outcome {
        Ok(Some(name)) => text::prompt_chosen(name.as_deref()),
        Ok(None) => text::PROMPT_ALREADY.to_owned(),
        Err(e) => {
            tracing::warn!(ticket = pick.ticket.0, error = %e, "cannot resolve a category pick");
            crate::strings::INTERNAL_ERROR.to_owned()
        }
    };
    let update = CreateInteractionResponseMessage::new()
        .content(content)
        .components(Vec::new())
        .allowed_mentions(CreateAllowedMentions::new());
    let response = if outcome.is_err() {
        CreateInteractionResponse::Message(update.ephemeral(true))
    } else {
        CreateInteractionResponse::UpdateMessage(update)
    };
    if let Err(e) = interaction.create_response(&*data.http, response).await {
        tracing::info!(error = %crate::discord::describe(&e), "cannot answer a category pick");
    }
    if matches!(outcome, Ok(Some(_))) {
        deliver_queued(data, pick.ticket).await;
    }
}

/// Resolves the selection for the click; `Some(category name)` when this click decided it,
/// `None` when it was already decided (or the clicker is not the ticket's user).
async fn resolve_click(
    data: &Data,
    user: UserId,
    pick: Pick,
) -> Result<Option<Option<String>>, rustmail_db::DomainError> {
    let by = rustmail_db::ids::UserId(user.get());
    data.db
        .run(move |c| {
            let ticket = tickets::get(c, pick.ticket)?;
            if ticket.user_id != by {
                return Ok(None);
            }
            // A category deleted or disabled since the prompt was sent: the default inbox.
            let category = match pick.category {
                Some(id) => categories::get(c, id).ok().filter(|c| c.enabled),
                None => None,
            };
            let won =
                selection::resolve(c, pick.ticket, category.as_ref().map(|c| c.id), Some(by))?;
            Ok(won.then(|| category.map(|c| c.name)))
        })
        .await
}

/// Relays the ticket's queued DMs in order (creating its channel first), through the user's
/// queue; a ticket with nothing queued just gets its channel.
pub async fn deliver_queued(data: &Data, ticket: TicketId) {
    let loaded = data
        .db
        .run(move |c| {
            Ok((
                tickets::get(c, ticket)?,
                relay::pending_for_ticket(c, ticket)?,
            ))
        })
        .await;
    let (t, pending) = match loaded {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(ticket = ticket.0, error = %e, "cannot load a ticket's queued messages");
            return;
        }
    };
    let user = UserId::new(t.user_id.get());
    let queued: Vec<_> = pending
        .into_iter()
        .filter(|r| r.direction == Direction::UserToStaff)
        .collect();
    if queued.is_empty() {
        data.inbound.push(data, user, Work::EnsureChannel(ticket));
    }
    for record in queued {
        data.inbound.push_redrive(data, user, record.id);
    }
}

/// The prompt timed out (the scheduler's job): the ticket opens in the default inbox, the prompt
/// loses its buttons, and the queued DMs are relayed.
pub async fn expire(data: &Data, ticket: TicketId) -> Result<(), RelayError> {
    let decided = data
        .db
        .run(move |c| {
            if !selection::resolve(c, ticket, None, None)? {
                return Ok(None);
            }
            Ok(Some((tickets::get(c, ticket)?, selection::get(c, ticket)?)))
        })
        .await?;
    let Some((t, sel)) = decided else {
        return Ok(());
    };
    if let Some(prompt) = sel.and_then(|s| s.prompt_message_id) {
        let user = UserId::new(t.user_id.get());
        match crate::relay::reply::dm_channel(data, user).await {
            Ok(dm) => {
                let edit = EditMessage::new()
                    .content(text::PROMPT_TIMED_OUT)
                    .components(Vec::new());
                if let Err(e) = dm
                    .edit_message(&*data.http, MessageId::new(prompt.get()), edit)
                    .await
                {
                    tracing::info!(ticket = ticket.0, error = %crate::discord::describe(&e), "cannot update an expired category prompt");
                }
            }
            Err(e) => {
                tracing::info!(ticket = ticket.0, error = %e, "cannot find the DM channel of an expired prompt");
            }
        }
    }
    deliver_queued(data, ticket).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_prompt_buttons() {
        assert_eq!(
            parse("12:3"),
            Some(Pick {
                ticket: TicketId(12),
                category: Some(CategoryId(3))
            })
        );
        assert_eq!(
            parse("12:default"),
            Some(Pick {
                ticket: TicketId(12),
                category: None
            })
        );
        assert_eq!(parse("12"), None);
        assert_eq!(parse("x:1"), None);
    }

    #[test]
    fn keeps_only_emoji_discord_takes() {
        assert!(button_emoji(Some("💳")).is_some());
        assert!(button_emoji(Some("<:pay:123456789012345678>")).is_some());
        assert!(button_emoji(Some("money")).is_none());
        assert!(button_emoji(Some("")).is_none());
        assert!(button_emoji(None).is_none());
    }
}
