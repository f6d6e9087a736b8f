//! `/logs` pages: one per ticket of the user, newest first (so in a ticket channel the first page
//! is this ticket). Each page shows how and by whom the ticket was opened and closed, its
//! category and assignee, message counts and its activity log, with buttons to turn pages and to
//! get the transcript as a file (rendered from the database, so every ticket has one). Pages are
//! stateless: the button's id carries the user and the page, so they work across restarts.

use poise::CreateReply;
use rustmail_db::ids::{TicketId, UserId as DbUserId};
use rustmail_db::workflow::history::{self, TicketSummary};
use serenity::all::{
    ButtonStyle, Colour, CreateActionRow, CreateAllowedMentions, CreateAttachment, CreateButton,
    CreateEmbed, CreateEmbedFooter, CreateInteractionResponseMessage,
};

use crate::error::CommandError;
use crate::state::State;
use crate::strings::workflow as text;

/// Longest activity log on a page (Discord allows 4096 in a description).
const ACTIVITY_LIMIT: usize = 3200;
/// Button id prefix for turning pages: `rm:logs:<user>:<page>`.
pub const PAGE_PREFIX: &str = "rm:logs:";
/// Button id prefix for a transcript: `rm:logt:<ticket>`.
pub const TRANSCRIPT_PREFIX: &str = "rm:logt:";

/// A rendered page.
pub struct LogPage {
    pub embed: CreateEmbed,
    pub buttons: CreateActionRow,
}

impl LogPage {
    /// As a command's answer (ephemeral for slash commands).
    pub fn into_reply(self) -> CreateReply {
        CreateReply::default()
            .embed(self.embed)
            .components(vec![self.buttons])
            .ephemeral(true)
            .allowed_mentions(CreateAllowedMentions::new())
    }

    /// As the update of the message whose button was pressed.
    pub fn into_update(self) -> CreateInteractionResponseMessage {
        CreateInteractionResponseMessage::new()
            .embed(self.embed)
            .components(vec![self.buttons])
            .allowed_mentions(CreateAllowedMentions::new())
    }
}

/// Page `index` (0 = newest ticket) of the user's tickets.
pub async fn page(state: &State, user: DbUserId, index: usize) -> Result<LogPage, CommandError> {
    let loaded = state
        .db
        .run(move |c| {
            let ids = history::ticket_ids(c, user)?;
            let index = index.min(ids.len().saturating_sub(1));
            match ids.get(index) {
                Some(id) => Ok(Some((ids.len(), index, history::summary(c, *id)?))),
                None => Ok(None),
            }
        })
        .await?;
    let Some((pages, index, summary)) = loaded else {
        return Err(CommandError::user(text::no_tickets(user.get())));
    };
    Ok(render(state, user, index, pages, &summary))
}

fn unix(t: chrono::NaiveDateTime) -> i64 {
    t.and_utc().timestamp()
}

fn render(state: &State, user: DbUserId, index: usize, pages: usize, s: &TicketSummary) -> LogPage {
    let t = &s.ticket;
    let mut lines = vec![text::logs_opened(
        unix(t.opened_at),
        t.opened_by.get(),
        t.opened_via.as_str(),
    )];
    if let Some(closed) = t.closed_at {
        lines.push(text::logs_closed(
            unix(closed),
            t.closed_by.map(DbUserId::get),
            t.close_kind.map_or("", |k| k.as_str()),
        ));
    }
    lines.push(text::logs_placement(
        s.category.as_deref(),
        t.assigned_to.map(DbUserId::get),
    ));
    let c = &s.counts;
    lines.push(text::logs_counts(
        c.from_user,
        c.from_staff,
        c.internal,
        c.edited,
        c.deleted,
    ));
    lines.push(text::LOGS_ACTIVITY.to_owned());
    let events: Vec<String> = s
        .events
        .iter()
        .map(|e| {
            text::event_line(
                e.kind,
                e.actor_id.map(DbUserId::get),
                &e.detail,
                unix(e.created_at),
            )
        })
        .collect();
    // Keep the newest events that fit.
    let mut kept = Vec::new();
    let mut length = 0;
    for line in events.iter().rev() {
        length += crate::split::discord_len(line) + 1;
        if length > ACTIVITY_LIMIT {
            break;
        }
        kept.push(line.clone());
    }
    if kept.len() < events.len() {
        lines.push(text::logs_earlier(events.len() - kept.len()));
    }
    lines.extend(kept.into_iter().rev());
    let embed = CreateEmbed::new()
        .title(text::logs_title(t.id.0, &t.user_name, t.is_open()))
        .description(lines.join("\n"))
        .colour(Colour::new(state.config.thread.staff_colour.get()))
        .footer(CreateEmbedFooter::new(text::logs_footer(
            index + 1,
            pages,
            user.get(),
        )));
    let nav = |label: &str, target: usize, enabled: bool| {
        CreateButton::new(format!("{PAGE_PREFIX}{user}:{target}"))
            .label(label)
            .style(ButtonStyle::Secondary)
            .disabled(!enabled)
    };
    let buttons = CreateActionRow::Buttons(vec![
        nav(text::LOGS_PREVIOUS, index.saturating_sub(1), index > 0),
        nav(text::LOGS_NEXT, index + 1, index + 1 < pages),
        CreateButton::new(format!("{TRANSCRIPT_PREFIX}{}", t.id))
            .label(text::LOGS_TRANSCRIPT)
            .style(ButtonStyle::Primary),
    ]);
    LogPage { embed, buttons }
}

/// Reads a page button's id (`<user>:<page>` after the prefix).
pub fn parse_page(rest: &str) -> Option<(DbUserId, usize)> {
    let (user, page) = rest.split_once(':')?;
    Some((user.parse().ok()?, page.parse().ok()?))
}

/// The transcript of a ticket, as an ephemeral answer with the file.
pub async fn transcript(
    state: &State,
    ticket: TicketId,
) -> Result<CreateInteractionResponseMessage, CommandError> {
    let log = state
        .db
        .run(move |c| rustmail_db::log::ticket_log(c, ticket))
        .await?;
    let (filename, bytes) = crate::transcript::render(
        &log,
        state.config.thread.transcript_format,
        &state.config.thread.anonymous_label,
    );
    Ok(CreateInteractionResponseMessage::new()
        .content(text::transcript_for(ticket.0))
        .add_file(CreateAttachment::bytes(bytes, filename))
        .ephemeral(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_page_buttons() {
        assert_eq!(parse_page("123:4"), Some((DbUserId(123), 4)));
        assert_eq!(parse_page("123"), None);
        assert_eq!(parse_page("x:1"), None);
    }
}
