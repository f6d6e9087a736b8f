//! Recording staff replies with the claim of their command in the same write, one at a time or
//! many at once in the writer's batch (see [`crate::store::writer`]).
//!
//! A reply command used to cost the writer two trips before its reply could go out (the claim of
//! the invocation, then the record), and its record ran alone: six statements per reply, each a
//! round trip on Postgres, all of them through the one writer thread. Here the claim is taken in
//! the record's transaction ([`record_claimed`]), so a command whose claim another bot process
//! won records nothing, and one that records has claimed; and a batch takes its replies
//! set-wise ([`record_many`]): one statement each for all of them to claim, to take their numbers,
//! to insert them, and to list their tickets' earlier pending replies.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{record_reply, relay, Direction, MessageRecord, MessageRow, Recorded, RelayState};
use super::{StaffReply, MAX_CONTENT_CHARS};
use crate::connection::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::instances;
pub use crate::instances::EventClaim;
use crate::schema::{messages, tickets};
use crate::time::now;

/// A staff reply to record, after claiming its command when `claim` is given.
#[derive(Debug, Clone)]
pub struct ClaimedReply {
    pub reply: StaffReply,
    pub claim: Option<EventClaim>,
}

/// What recording a [`ClaimedReply`] did.
#[derive(Debug, Clone)]
pub enum ReplyRecorded {
    /// Another bot process claimed the command first: nothing was written.
    ClaimedElsewhere,
    /// The reply's record (new, or the one recorded before for the same command), and the
    /// ticket's earlier replies still pending (they go out first), oldest first.
    Recorded {
        recorded: Box<Recorded>,
        earlier: Vec<MessageRecord>,
    },
}

/// Claims the reply's command (if asked) and records the reply, in the caller's transaction.
pub fn record_claimed(
    conn: &mut DbConnection,
    write: &ClaimedReply,
) -> DomainResult<ReplyRecorded> {
    if let Some(claim) = &write.claim {
        if !instances::claim_once(conn, &claim.key, &claim.worker)? {
            return Ok(ReplyRecorded::ClaimedElsewhere);
        }
    }
    let recorded = record_reply(conn, &write.reply)?;
    let earlier = relay::pending_replies_before(conn, write.reply.ticket_id, recorded.message.id)?;
    Ok(ReplyRecorded::Recorded {
        recorded: Box::new(recorded),
        earlier,
    })
}

/// A reply's new row: every column given (none left to `DEFAULT`, which SQLite's multi-row
/// insert does not take).
#[derive(Insertable)]
#[diesel(table_name = messages, treat_none_as_null = true)]
struct ReplyRow<'a> {
    ticket_id: i64,
    direction: &'a str,
    author_id: i64,
    author_name: &'a str,
    author_role: Option<&'a str>,
    anonymous: bool,
    content: &'a str,
    number: Option<i32>,
    source_message_id: Option<i64>,
    relay_state: &'a str,
    created_at: NaiveDateTime,
}

/// Whether a reply can be taken set-wise: the common case, text within bounds, no file, no
/// inactivity close to arm. Anything else is left to [`record_claimed`], alone.
fn is_plain(write: &ClaimedReply) -> bool {
    let reply = &write.reply;
    reply.attachments.is_empty()
        && reply.inactivity_close_after.is_none()
        && !crate::text::is_blank(&reply.content)
        && reply.content.chars().count() <= MAX_CONTENT_CHARS
}

/// Records the plain replies of `writes` (see `is_plain`; the first of each ticket, with one
/// worker's claims) set-wise, inside the caller's transaction: the outcome of each, in order, or
/// `None` for a write left to the caller, which records it alone afterwards. The outcomes are the
/// ones [`record_claimed`] would have given one after the other. A ticket closed meanwhile, or
/// a command recorded before (the unique index on its id), fails the set: the caller's batch is
/// rolled back and every write runs alone, which decides them right.
pub fn record_many(
    conn: &mut DbConnection,
    writes: &[&ClaimedReply],
) -> DomainResult<Vec<Option<ReplyRecorded>>> {
    let mut outcomes: Vec<Option<ReplyRecorded>> = writes.iter().map(|_| None).collect();
    let worker = writes
        .iter()
        .find_map(|w| w.claim.as_ref().map(|c| c.worker.as_str()));
    let mut tickets_seen = std::collections::HashSet::new();
    let candidates: Vec<usize> = writes
        .iter()
        .enumerate()
        .filter(|(_, w)| {
            is_plain(w)
                && w.claim.as_ref().map(|c| c.worker.as_str()) == worker
                && tickets_seen.insert(w.reply.ticket_id)
        })
        .map(|(i, _)| i)
        .collect();
    if candidates.len() < 2 {
        return Ok(outcomes);
    }
    let taken = claim_all(conn, writes, &candidates, worker, &mut outcomes)?;
    if taken.is_empty() {
        return Ok(outcomes);
    }
    let at = now();
    let numbers = allocate_numbers(conn, writes, &taken, at)?;
    let mut inserted = insert_replies(conn, writes, &taken, &numbers, at)?;
    let mut earlier = pending_staff_replies(conn, writes, &taken)?;
    for i in taken {
        let reply = &writes[i].reply;
        let message = inserted
            .remove(&reply.source_message_id.to_db())
            .ok_or_else(|| DomainError::not_found("reply", reply.source_message_id))?;
        let before: Vec<MessageRecord> = earlier
            .remove(&reply.ticket_id.0)
            .unwrap_or_default()
            .into_iter()
            .filter(|m| m.id < message.id)
            .collect();
        outcomes[i] = Some(ReplyRecorded::Recorded {
            recorded: Box::new(Recorded {
                message,
                created: true,
                cancelled_close: None,
                alerts: Vec::new(),
            }),
            earlier: before,
        });
    }
    Ok(outcomes)
}

/// Claims the candidates' commands in one statement (those without a claim need none): the
/// candidates to record; a lost claim's outcome is set here.
fn claim_all(
    conn: &mut DbConnection,
    writes: &[&ClaimedReply],
    candidates: &[usize],
    worker: Option<&str>,
    outcomes: &mut [Option<ReplyRecorded>],
) -> DomainResult<Vec<usize>> {
    let Some(worker) = worker else {
        return Ok(candidates.to_vec());
    };
    let keys: Vec<&str> = candidates
        .iter()
        .filter_map(|i| writes[*i].claim.as_ref().map(|c| c.key.as_str()))
        .collect();
    let won = instances::claim_many_once(conn, &keys, worker)?;
    let mut taken = Vec::new();
    for (i, won) in candidates.iter().zip(won) {
        if won {
            taken.push(*i);
        } else {
            outcomes[*i] = Some(ReplyRecorded::ClaimedElsewhere);
        }
    }
    Ok(taken)
}

/// Takes each ticket's next reply number, in one statement that also records the reply as the
/// ticket's latest activity and (the first time) its first staff reply; as the one-reply path
/// does, under the ticket row's lock until the commit. Every ticket must be open.
fn allocate_numbers(
    conn: &mut DbConnection,
    writes: &[&ClaimedReply],
    taken: &[usize],
    at: NaiveDateTime,
) -> DomainResult<HashMap<i64, i32>> {
    let ids: Vec<i64> = taken.iter().map(|i| writes[*i].reply.ticket_id.0).collect();
    let rows: Vec<(i64, i32)> = crate::on_backend!(conn, |c| diesel::update(
        tickets::table
            .filter(tickets::id.eq_any(&ids))
            .filter(crate::literals::ticket_is_open())
    )
    .set((
        tickets::next_message_number.eq(tickets::next_message_number + 1),
        tickets::last_activity_at.eq(at),
        tickets::first_staff_reply_at.eq(super::coalesce(tickets::first_staff_reply_at, Some(at))),
    ))
    .returning((tickets::id, tickets::next_message_number))
    .get_results(c))?;
    if rows.len() != ids.len() {
        return Err(DomainError::invalid(
            "ticket",
            "a ticket of the batch is no longer open",
        ));
    }
    Ok(rows.into_iter().map(|(id, next)| (id, next - 1)).collect())
}

/// Inserts the replies as pending relays in one statement; their rows by command id.
fn insert_replies(
    conn: &mut DbConnection,
    writes: &[&ClaimedReply],
    taken: &[usize],
    numbers: &HashMap<i64, i32>,
    at: NaiveDateTime,
) -> DomainResult<HashMap<i64, MessageRecord>> {
    let rows: Vec<ReplyRow<'_>> = taken
        .iter()
        .map(|i| {
            let reply = &writes[*i].reply;
            ReplyRow {
                ticket_id: reply.ticket_id.0,
                direction: Direction::StaffToUser.as_str(),
                author_id: reply.author.id.to_db(),
                author_name: &reply.author.name,
                author_role: reply.author.role.as_deref(),
                anonymous: reply.anonymous,
                content: &reply.content,
                number: numbers.get(&reply.ticket_id.0).copied(),
                source_message_id: Some(reply.source_message_id.to_db()),
                relay_state: RelayState::Pending.as_str(),
                created_at: at,
            }
        })
        .collect();
    let inserted: Vec<MessageRow> =
        crate::on_backend!(conn, |c| diesel::insert_into(messages::table)
            .values(&rows)
            .returning(MessageRow::as_returning())
            .get_results(c))?;
    crate::messages::records_by_source(inserted)
}

/// The pending staff replies of the replies' tickets, by ticket, oldest first (the new ones
/// among them; the caller keeps those older than each reply): [`relay::pending_replies_before`]
/// for all of them in one statement.
fn pending_staff_replies(
    conn: &mut DbConnection,
    writes: &[&ClaimedReply],
    taken: &[usize],
) -> DomainResult<HashMap<i64, Vec<MessageRecord>>> {
    let ids: Vec<i64> = taken.iter().map(|i| writes[*i].reply.ticket_id.0).collect();
    let rows = super::all_messages!(
        messages::table
            .filter(messages::ticket_id.eq_any(ids))
            .filter(crate::literals::relay_is_pending())
            .filter(messages::direction.eq(Direction::StaffToUser.as_str()))
            .order(messages::id.asc()),
        conn
    );
    let mut by_ticket: HashMap<i64, Vec<MessageRecord>> = HashMap::new();
    for record in rows {
        by_ticket
            .entry(record.ticket_id.0)
            .or_default()
            .push(record);
    }
    Ok(by_ticket)
}
