//! Opening a ticket for a user from the staff side (`new_thread`, or a channel created in the
//! inbox and named after the user's id): refused for bots, blocked users, and users who already
//! have an open ticket (the error carries it, so the caller can link to it).

use crate::blocks;
use crate::connection::{write_tx, DbConnection};
use crate::error::{DomainError, DomainResult};
use crate::ids::{GuildId, UserId};
use crate::tickets::{self, NewTicket, OpenedVia, Ticket};

/// Longest user name stored on a ticket.
const MAX_USER_NAME_CHARS: usize = 100;

/// A staff request to open a ticket with a user.
#[derive(Debug, Clone)]
pub struct StaffOpen {
    pub user_id: UserId,
    /// The user's name (shown on the ticket; cut to 100 characters).
    pub user_name: String,
    /// Whether Discord says the user is a bot.
    pub is_bot: bool,
    /// The staff guild, where the ticket channel lives.
    pub guild_id: GuildId,
    /// `StaffCommand` or `ChannelCreated`.
    pub via: OpenedVia,
    /// Who asked (the staff member; the bot itself when Discord does not say who).
    pub by: UserId,
}

/// Opens a ticket for the user; see the module docs for the refusals.
pub fn open_for_user(conn: &mut DbConnection, req: &StaffOpen) -> DomainResult<Ticket> {
    if req.via == OpenedVia::UserDm {
        return Err(DomainError::invalid(
            "via",
            "a staff-opened ticket comes from a command or a channel",
        ));
    }
    if req.is_bot {
        return Err(DomainError::invalid(
            "user",
            format!("<@{}> is a bot; tickets are for people", req.user_id),
        ));
    }
    write_tx(conn, |conn| {
        if let Some(block) = blocks::active(conn, req.user_id)? {
            let until = block
                .expires_at
                .map(|e| format!(" until {}", e.format("%Y-%m-%d %H:%M UTC")))
                .unwrap_or_default();
            return Err(DomainError::InvalidTransition(format!(
                "<@{}> is blocked{until}; unblock them first",
                req.user_id
            )));
        }
        if let Some(open) = tickets::find_open_by_user(conn, req.user_id)? {
            return Err(DomainError::AlreadyOpen(open.id));
        }
        let opened = tickets::open(
            conn,
            &NewTicket {
                user_id: req.user_id,
                user_name: req.user_name.chars().take(MAX_USER_NAME_CHARS).collect(),
                guild_id: req.guild_id,
                opened_via: req.via,
                opened_by: req.by,
                category_id: None,
            },
        )?;
        if opened.created {
            Ok(opened.ticket)
        } else {
            Err(DomainError::AlreadyOpen(opened.ticket.id))
        }
    })
}
