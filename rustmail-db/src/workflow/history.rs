//! What `/logs` shows about a ticket: the ticket, its category's name, message counts by kind,
//! and its activity log (opened how and by whom, assignments, staff access, moves, scheduled and
//! cancelled closes, edits, deletions, closing).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::categories;
use crate::connection::DbConnection;
use crate::error::DomainResult;
use crate::events::{self, EventKind, TicketEvent};
use crate::ids::{TicketId, UserId};
use crate::messages::Direction;
use crate::schema::messages;
use crate::tickets::{self, Ticket};

/// How many messages of each kind a ticket has (deleted ones included in their kind).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MessageCounts {
    pub from_user: usize,
    pub from_staff: usize,
    pub internal: usize,
    pub edited: usize,
    pub deleted: usize,
}

/// One ticket as `/logs` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketSummary {
    pub ticket: Ticket,
    /// The ticket category's name (`None`: the default inbox, or a deleted category).
    pub category: Option<String>,
    pub counts: MessageCounts,
    pub events: Vec<TicketEvent>,
}

/// The message counts of a ticket.
pub fn counts(conn: &mut DbConnection, id: TicketId) -> DomainResult<MessageCounts> {
    let rows: Vec<(String, Option<NaiveDateTime>, Option<NaiveDateTime>)> = messages::table
        .filter(messages::ticket_id.eq(id.0))
        .select((
            messages::direction,
            messages::edited_at,
            messages::deleted_at,
        ))
        .load(conn)?;
    let mut out = MessageCounts::default();
    for (direction, edited, deleted) in rows {
        match Direction::from_db(&direction)? {
            Direction::UserToStaff => out.from_user += 1,
            Direction::StaffToUser => out.from_staff += 1,
            Direction::Internal => out.internal += 1,
            Direction::System => {}
        }
        out.edited += usize::from(edited.is_some());
        out.deleted += usize::from(deleted.is_some());
    }
    Ok(out)
}

/// The ticket as `/logs` shows it.
pub fn summary(conn: &mut DbConnection, id: TicketId) -> DomainResult<TicketSummary> {
    let ticket = tickets::get(conn, id)?;
    let category = match ticket.category_id {
        Some(c) => categories::get(conn, c).ok().map(|c| c.name),
        None => None,
    };
    let names: Vec<(i64, String)> = categories::list(conn)?
        .into_iter()
        .map(|c| (c.id.0, c.name))
        .collect();
    let mut events = events::list(conn, id)?;
    for e in &mut events {
        if matches!(e.kind, EventKind::Moved | EventKind::CategoryChosen) {
            e.detail = category_detail(&e.detail, &names);
        }
    }
    Ok(TicketSummary {
        counts: counts(conn, id)?,
        events,
        category,
        ticket,
    })
}

/// A move's or a choice's detail (a category id, or `default`) as the category's name.
fn category_detail(detail: &str, names: &[(i64, String)]) -> String {
    match detail.parse::<i64>() {
        Ok(id) => names
            .iter()
            .find(|(c, _)| *c == id)
            .map_or_else(|| format!("deleted category #{id}"), |(_, n)| n.clone()),
        Err(_) => detail.to_owned(),
    }
}

/// The ids of the user's tickets, newest first (the pages of `/logs`).
pub fn ticket_ids(conn: &mut DbConnection, user: UserId) -> DomainResult<Vec<TicketId>> {
    Ok(tickets::history(conn, user)?
        .into_iter()
        .map(|t| t.id)
        .collect())
}
