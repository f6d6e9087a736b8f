//! Pending category selections: a new user's ticket exists (with no channel yet) while they pick
//! a category; their DMs are recorded as pending relays meanwhile. A click or the timeout job
//! resolves it; both paths go through [`resolve`], which only one can win.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::connection::{write_tx, DbConnection};
use crate::error::{DomainError, DomainResult};
use crate::events::{self, EventKind};
use crate::ids::{CategoryId, MessageId, TicketId, UserId};
use crate::jobs::{self, JobKind, NewJob};
use crate::schema::category_selections;
use crate::time::now;

/// A selection in progress or done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Selection {
    pub ticket_id: TicketId,
    pub prompt_message_id: Option<MessageId>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub resolved_at: Option<NaiveDateTime>,
    pub chosen_category_id: Option<CategoryId>,
}

type Row = (
    i64,
    Option<i64>,
    NaiveDateTime,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<i64>,
);

fn from_row(r: Row) -> Selection {
    Selection {
        ticket_id: TicketId(r.0),
        prompt_message_id: r.1.map(MessageId::from_db),
        created_at: r.2,
        expires_at: r.3,
        resolved_at: r.4,
        chosen_category_id: r.5.map(CategoryId),
    }
}

/// The ticket's selection, if one was started.
pub fn get(conn: &mut DbConnection, ticket: TicketId) -> DomainResult<Option<Selection>> {
    // No `LIMIT` (see `crate::connection::only_row`): one selection per ticket.
    Ok(crate::connection::only_row(
        category_selections::table
            .filter(category_selections::ticket_id.eq(ticket.0))
            .load::<Row>(conn)?,
    )
    .map(from_row))
}

/// Starts a selection for a freshly opened ticket and schedules its timeout.
pub fn start(
    conn: &mut DbConnection,
    ticket: TicketId,
    timeout: std::time::Duration,
) -> DomainResult<Selection> {
    write_tx(conn, |conn| {
        if let Some(existing) = get(conn, ticket)? {
            return Ok(existing);
        }
        // One clock reading for both, so expiry is exactly `timeout` after creation.
        let created = now();
        let expires =
            created + chrono::Duration::from_std(timeout).unwrap_or(chrono::Duration::MAX);
        diesel::insert_into(category_selections::table)
            .values((
                category_selections::ticket_id.eq(ticket.0),
                category_selections::created_at.eq(created),
                category_selections::expires_at.eq(expires),
            ))
            .execute(conn)?;
        jobs::schedule(
            conn,
            &NewJob {
                kind: JobKind::CategoryTimeout,
                ticket_id: Some(ticket),
                payload: serde_json::json!({}),
                due_at: expires,
                created_by: None,
                idempotency_key: Some(format!("category_timeout:{ticket}")),
            },
        )?;
        get(conn, ticket)?.ok_or_else(|| DomainError::not_found("category selection", ticket))
    })
}

/// Remembers the prompt message (with the buttons) sent to the user.
pub fn set_prompt_message(
    conn: &mut DbConnection,
    ticket: TicketId,
    message: MessageId,
) -> DomainResult<()> {
    diesel::update(category_selections::table.filter(category_selections::ticket_id.eq(ticket.0)))
        .set(category_selections::prompt_message_id.eq(Some(message.to_db())))
        .execute(conn)?;
    Ok(())
}

/// Whether the ticket is still waiting for its category.
pub fn is_pending(conn: &mut DbConnection, ticket: TicketId) -> DomainResult<bool> {
    Ok(get(conn, ticket)?.is_some_and(|s| s.resolved_at.is_none()))
}

/// Resolves the selection with `category` (`None` = default inbox). Returns `false` if it was
/// already resolved (a late click after the timeout, or a second click), so the ticket channel is
/// created once.
pub fn resolve(
    conn: &mut DbConnection,
    ticket: TicketId,
    category: Option<CategoryId>,
    by: Option<UserId>,
) -> DomainResult<bool> {
    write_tx(conn, |conn| {
        let updated = diesel::update(
            category_selections::table
                .filter(category_selections::ticket_id.eq(ticket.0))
                .filter(category_selections::resolved_at.is_null()),
        )
        .set((
            category_selections::resolved_at.eq(Some(now())),
            category_selections::chosen_category_id.eq(category.map(|c| c.0)),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Ok(false);
        }
        jobs::cancel_ticket_jobs(conn, ticket, &[JobKind::CategoryTimeout], by)?;
        if category.is_some() {
            crate::tickets::set_category(conn, ticket, category, by)?;
        }
        let detail = category.map_or_else(|| "default".to_owned(), |c| c.to_string());
        events::add(conn, ticket, EventKind::CategoryChosen, by, &detail)?;
        Ok(true)
    })
}
