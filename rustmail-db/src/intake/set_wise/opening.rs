//! New users' tickets opened set-wise, for the batch's DMs from users with no open ticket: one
//! statement each for all of them to check blocks, find who has a history (an earlier ticket, a
//! note), insert the tickets, log their opening and take the turn to create their channels. Fifty users writing at the same instant used to cost fifty
//! one-at-a-time intakes of a dozen statements each, in one batch of the one writer, before any
//! of them could be relayed (BENCHMARKS.md, session 7).
//!
//! What [`crate::intake::intake_dm_within`] does for such a DM, exactly: open the ticket as
//! [`crate::tickets::open`] does, log [`EventKind::Opened`], take the channel turn when asked.
//! Left to that path: every new ticket while the category prompt applies (the ticket starts a
//! selection), and a DM whose channel turn differs from the batch's first (another worker).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::categories;
use crate::connection::DbConnection;
use crate::error::DomainResult;
use crate::events::EventKind;
use crate::intake::{ChannelTurn, IncomingDm};
use crate::schema::{blocked_users, event_claims, ticket_events, tickets, user_notes};
use crate::tickets::{OpenedVia, Ticket, TicketInsert, TicketRow, TicketStatus};

/// A ticket opened for a DM of the batch.
pub(super) struct Opened {
    /// The DM's index in the batch.
    pub at: usize,
    pub ticket: Ticket,
    /// The turn to create its channel was taken.
    pub turn_taken: bool,
    /// The user has no earlier ticket and no note.
    pub no_history: bool,
}

/// Opens a ticket for each DM of `opening` (indexes into `dms`, users with no open ticket who
/// may open one), inside the caller's transaction: the DMs taken, with their new tickets. A user who is blocked is left to the caller (which
/// refuses the DM), as is every DM while the category prompt applies.
pub(super) fn open_tickets(
    conn: &mut DbConnection,
    dms: &[&IncomingDm],
    opening: &[usize],
    at: NaiveDateTime,
) -> DomainResult<Vec<Opened>> {
    let Some(first) = opening.first() else {
        return Ok(Vec::new());
    };
    let turn: Option<&ChannelTurn> = dms[*first].channel_turn.as_ref();
    let mut opening: Vec<usize> = opening
        .iter()
        .copied()
        .filter(|i| dms[*i].channel_turn.as_ref() == turn)
        .collect();
    if categories::prompt_applies(conn)? {
        return Ok(Vec::new());
    }
    let users: Vec<i64> = opening.iter().map(|i| dms[*i].user_id.to_db()).collect();
    let blocked: Vec<i64> = blocked_users::table
        .filter(blocked_users::user_id.eq_any(users))
        .filter(blocked_users::unblocked_at.is_null())
        .filter(
            blocked_users::expires_at
                .is_null()
                .or(blocked_users::expires_at.gt(at)),
        )
        .select(blocked_users::user_id)
        .load(conn)?;
    opening.retain(|i| !blocked.contains(&dms[*i].user_id.to_db()));
    if opening.is_empty() {
        return Ok(Vec::new());
    }
    // Users with an earlier ticket or a note (the header of their new ticket lists them; for
    // the others there is nothing to read).
    let users: Vec<i64> = opening.iter().map(|i| dms[*i].user_id.to_db()).collect();
    let known: Vec<i64> = crate::on_backend!(conn, |c| tickets::table
        .filter(tickets::user_id.eq_any(&users))
        .select(tickets::user_id)
        .union(
            user_notes::table
                .filter(user_notes::user_id.eq_any(&users))
                .filter(user_notes::deleted_at.is_null())
                .select(user_notes::user_id),
        )
        .load(c))?;
    // As the one-DM path: a name is cut to what a ticket holds.
    let names: Vec<String> = opening
        .iter()
        .map(|i| dms[*i].user_name.chars().take(100).collect())
        .collect();
    let rows: Vec<TicketInsert<'_>> = opening
        .iter()
        .zip(&names)
        .map(|(i, name)| {
            let dm = dms[*i];
            TicketInsert {
                user_id: dm.user_id.to_db(),
                user_name: name,
                guild_id: dm.staff_guild.to_db(),
                category_id: None,
                status: TicketStatus::Open.as_str(),
                opened_at: at,
                opened_via: OpenedVia::UserDm.as_str(),
                opened_by: dm.user_id.to_db(),
                next_message_number: 1,
                last_activity_at: at,
            }
        })
        .collect();
    // A user who opened a ticket meanwhile (another bot process) fails the unique index on open
    // tickets: the batch is rolled back and each DM taken alone, which finds that ticket.
    let inserted: Vec<TicketRow> =
        crate::on_backend!(conn, |c| diesel::insert_into(tickets::table)
            .values(&rows)
            .returning(TicketRow::as_returning())
            .get_results(c))?;
    let mut by_user = std::collections::HashMap::new();
    for row in inserted {
        let ticket = Ticket::try_from(row)?;
        by_user.insert(ticket.user_id.to_db(), ticket);
    }
    let events: Vec<_> = by_user
        .values()
        .map(|ticket| {
            (
                ticket_events::ticket_id.eq(ticket.id.0),
                ticket_events::kind.eq(EventKind::Opened.as_str()),
                ticket_events::actor_id.eq(Some(ticket.user_id.to_db())),
                ticket_events::detail.eq(OpenedVia::UserDm.as_str()),
                ticket_events::created_at.eq(at),
            )
        })
        .collect();
    crate::on_backend!(conn, |c| diesel::insert_into(ticket_events::table)
        .values(&events)
        .execute(c))?;
    if let Some(turn) = turn {
        let expires = crate::time::after(turn.lease);
        let claims: Vec<_> = by_user
            .values()
            .map(|ticket| {
                (
                    event_claims::key.eq(ChannelTurn::key(ticket.id)),
                    event_claims::claimed_by.eq(turn.worker.as_str()),
                    event_claims::claimed_at.eq(at),
                    event_claims::expires_at.eq(expires),
                )
            })
            .collect();
        crate::on_backend!(conn, |c| diesel::insert_into(event_claims::table)
            .values(&claims)
            .execute(c))?;
    }
    let mut opened = Vec::new();
    for i in opening {
        let user = dms[i].user_id.to_db();
        if let Some(ticket) = by_user.remove(&user) {
            opened.push(Opened {
                at: i,
                ticket,
                turn_taken: turn.is_some(),
                no_history: !known.contains(&user),
            });
        }
    }
    Ok(opened)
}
