//! Recording the channels created for new tickets, giving up the turn to create each in the same
//! write; one at a time, or many at once in the writer's batch (see [`crate::store::writer`]).
//!
//! Fifty users writing at the same instant get fifty channels within a few milliseconds, and each
//! must be recorded before the ticket's header and first relay go into it. One at a time that
//! was four statements per ticket in one batch of the one writer (30 ms for fifty on Postgres,
//! BENCHMARKS.md session 7); here a batch records them all in one `UPDATE` and gives up their
//! turns in one `DELETE`.

use diesel::prelude::*;

use super::{claim_channel, Ticket, TicketRow};
use crate::connection::per_row::per_row;
use crate::connection::DbConnection;
use crate::error::DomainResult;
use crate::ids::{ChannelId, TicketId};
use crate::instances::{self, EventClaim};
use crate::schema::{event_claims, tickets};

/// A channel created for a ticket, to record; `turn` is the lease on creating it, given up in
/// the same write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelClaim {
    pub ticket: TicketId,
    pub channel: ChannelId,
    pub turn: Option<EventClaim>,
}

/// Records the channel ([`claim_channel`]: the ticket returned carries the channel recorded,
/// another process's if it recorded one first) and gives up the turn, in the caller's
/// transaction.
pub fn record_channel(conn: &mut DbConnection, claim: &ChannelClaim) -> DomainResult<Ticket> {
    let ticket = claim_channel(conn, claim.ticket, claim.channel)?;
    if let Some(turn) = &claim.turn {
        instances::release_claim(conn, &turn.key, &turn.worker)?;
    }
    Ok(ticket)
}

/// Records the channels of `claims` set-wise (the first claim of each ticket, with one worker's
/// turns), inside the caller's transaction: the ticket of each, or `None` for a claim left to
/// the caller, which records it alone afterwards ([`record_channel`]). A claim is taken when its
/// ticket is open and has no channel yet, exactly the case in which [`record_channel`] records
/// it; any other (closed meanwhile, a channel recorded by another process) is left alone, which
/// decides it the same way as before. A channel recorded for another ticket fails the set (the
/// unique index): the batch is rolled back and every write runs alone.
pub fn record_many(
    conn: &mut DbConnection,
    claims: &[&ChannelClaim],
) -> DomainResult<Vec<Option<Ticket>>> {
    let mut outcomes: Vec<Option<Ticket>> = claims.iter().map(|_| None).collect();
    let worker = claims
        .iter()
        .find_map(|c| c.turn.as_ref().map(|t| t.worker.as_str()));
    let mut seen = std::collections::HashSet::new();
    let taken: Vec<usize> = claims
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.turn.as_ref().map(|t| t.worker.as_str()) == worker && seen.insert(c.ticket)
        })
        .map(|(i, _)| i)
        .collect();
    if taken.len() < 2 {
        return Ok(outcomes);
    }
    let ids: Vec<i64> = taken.iter().map(|i| claims[*i].ticket.0).collect();
    let arms: Vec<(i64, i64)> = taken
        .iter()
        .map(|i| (claims[*i].ticket.0, claims[*i].channel.to_db()))
        .collect();
    let updated: Vec<TicketRow> = crate::on_backend!(conn, |c| diesel::update(
        tickets::table
            .filter(tickets::id.eq_any(&ids))
            .filter(tickets::channel_id.is_null())
            .filter(crate::literals::ticket_is_open())
    )
    .set(tickets::channel_id.eq(per_row(tickets::id, arms)))
    .returning(TicketRow::as_returning())
    .get_results(c))?;
    let mut by_id = std::collections::HashMap::new();
    for row in updated {
        let ticket = Ticket::try_from(row)?;
        by_id.insert(ticket.id, ticket);
    }
    let mut released = Vec::new();
    for i in taken {
        if let Some(ticket) = by_id.remove(&claims[i].ticket) {
            if let Some(turn) = &claims[i].turn {
                released.push(turn.key.as_str());
            }
            outcomes[i] = Some(ticket);
        }
    }
    if let (Some(worker), false) = (worker, released.is_empty()) {
        diesel::delete(
            event_claims::table
                .filter(event_claims::key.eq_any(released))
                .filter(event_claims::claimed_by.eq(worker)),
        )
        .execute(conn)?;
    }
    Ok(outcomes)
}
