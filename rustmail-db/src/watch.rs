//! Cheap change detection for live views (the TUI): a few aggregate reads tell whether a ticket's
//! log changed, so a 10,000-message conversation is reloaded only when something happened.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::DbConnection;
use crate::error::DomainResult;
use crate::ids::TicketId;
use crate::messages::RelayState;
use crate::schema::{messages, ticket_events, tickets};

/// Status, category, assignee, last activity and channel.
type TicketState = (String, Option<i64>, Option<i64>, NaiveDateTime, Option<i64>);
/// Count, newest id, latest edit and latest deletion of the messages.
type MessageState = (
    i64,
    Option<i64>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

/// A summary of a ticket's log that changes whenever the log does (new, edited, deleted or
/// failed messages, new events, status, category or assignment changes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fingerprint {
    ticket: Option<TicketState>,
    messages: MessageState,
    failed: i64,
    last_event: Option<i64>,
}

/// The ticket's current fingerprint (all indexed reads).
pub fn ticket_fingerprint(conn: &mut DbConnection, id: TicketId) -> DomainResult<Fingerprint> {
    let ticket = tickets::table
        .filter(tickets::id.eq(id.0))
        .select((
            tickets::status,
            tickets::category_id,
            tickets::assigned_to,
            tickets::last_activity_at,
            tickets::channel_id,
        ))
        .first(conn)
        .optional()?;
    let of_ticket = || messages::table.filter(messages::ticket_id.eq(id.0));
    let messages = of_ticket()
        .select((
            diesel::dsl::count(messages::id),
            diesel::dsl::max(messages::id),
            diesel::dsl::max(messages::edited_at),
            diesel::dsl::max(messages::deleted_at),
        ))
        .first(conn)?;
    let failed = of_ticket()
        .filter(messages::relay_state.eq(RelayState::Failed.as_str()))
        .count()
        .get_result(conn)?;
    let last_event = ticket_events::table
        .filter(ticket_events::ticket_id.eq(id.0))
        .select(diesel::dsl::max(ticket_events::id))
        .first(conn)?;
    Ok(Fingerprint {
        ticket,
        messages,
        failed,
        last_event,
    })
}
