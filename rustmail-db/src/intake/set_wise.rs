//! The intake of many users' DMs at once, in the writer's batch (see [`crate::store::writer`]):
//! a handful of statements for the whole batch instead of four per DM.
//!
//! On Postgres every statement is a round trip and an executor start-up, and under load they
//! were most of the server's work per relayed DM (BENCHMARKS.md, session 6). Here the common
//! case, a new DM without attachments from an unblocked user to their open ticket with nothing
//! else going on, is taken in set-wise: one read for every user's ticket and flags, one upsert of
//! the DM channels, one multi-row insert of the messages, one update of the tickets' activity.
//! Every other DM (no open ticket, seen before, blocked, a category selection, a backlog, jobs or
//! alerts to follow up, attachments, too long, a second DM of one user) is left to the caller,
//! which takes it in alone ([`super::intake_dm_within`]) in the same transaction. The outcome of
//! a DM taken in here is exactly what the one-at-a-time path would have returned.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel::upsert::excluded;

use super::{IncomingDm, Intake, IntakeRecord};
use crate::connection::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::messages::{Direction, MessageRecord, MessageRow, Recorded, RelayState};
use crate::schema::{blocked_users, dm_channels, messages, tickets};
use crate::tickets::{Ticket, TicketRow};
use crate::time::now;

/// A new DM's row: only the columns an inbound DM sets (no `Option`, which diesel would write as
/// `DEFAULT`, a keyword SQLite's multi-row insert does not take).
#[derive(Insertable)]
#[diesel(table_name = messages)]
struct InboundRow<'a> {
    ticket_id: i64,
    direction: &'a str,
    author_id: i64,
    author_name: &'a str,
    anonymous: bool,
    content: &'a str,
    source_message_id: i64,
    dm_message_id: i64,
    relay_state: &'a str,
    created_at: NaiveDateTime,
}

/// Takes in the DMs of `dms` that are on the common path (see the module docs), inside the
/// caller's transaction: the outcome of each, in order, or `None` for a DM left to the caller.
pub fn intake_many(
    conn: &mut DbConnection,
    dms: &[&IncomingDm],
) -> DomainResult<Vec<Option<Intake>>> {
    let mut outcomes: Vec<Option<Intake>> = dms.iter().map(|_| None).collect();
    let tickets = open_tickets_without_followups(conn, dms)?;
    let mut taken: Vec<(usize, Ticket)> = Vec::new();
    let mut users = std::collections::HashSet::new();
    for (i, dm) in dms.iter().enumerate() {
        let simple = dm.attachments.is_empty()
            && dm.content.chars().count() <= crate::messages::MAX_CONTENT_CHARS;
        // A second DM of one user is left to the caller: it comes after the first.
        if !users.insert(dm.user_id) || !simple {
            continue;
        }
        if let Some(ticket) = tickets.get(&dm.user_id.to_db()) {
            taken.push((i, ticket.clone()));
        }
    }
    if taken.is_empty() {
        return Ok(outcomes);
    }
    let at = now();
    remember_dm_channels(conn, dms, &taken, at)?;
    let mut recorded = insert_messages(conn, dms, &taken, at)?;
    let ticket_ids: Vec<i64> = taken.iter().map(|(_, t)| t.id.0).collect();
    diesel::update(tickets::table.filter(tickets::id.eq_any(ticket_ids)))
        .set(tickets::last_activity_at.eq(at))
        .execute(conn)?;
    for (i, ticket) in taken {
        let message = recorded
            .remove(&dms[i].message_id.to_db())
            .ok_or_else(|| DomainError::not_found("message", dms[i].message_id))?;
        outcomes[i] = Some(Intake::Recorded(Box::new(IntakeRecord {
            ticket,
            ticket_created: false,
            recorded: Recorded {
                message,
                created: true,
                cancelled_close: None,
                alerts: Vec::new(),
            },
            backlog: Vec::new(),
            selection_pending: false,
        })));
    }
    Ok(outcomes)
}

/// The open tickets of the DMs' users, by user, for those whose DM is new, who are not blocked,
/// and whose ticket has no open category selection, no pending user relay, no live scheduled job
/// and no live alert: one statement, the same predicates as [`super::open_conversation`]'s.
/// "New" asks whether any of the batch's DM ids was recorded as this user's: Discord ids are
/// unique, so a DM id recorded for someone else cannot happen; if it did, the insert would fail
/// on the unique index and the writer would take each DM alone, which decides it right.
fn open_tickets_without_followups(
    conn: &mut DbConnection,
    dms: &[&IncomingDm],
) -> DomainResult<HashMap<i64, Ticket>> {
    use crate::schema::tickets as t;
    let users: Vec<i64> = dms.iter().map(|dm| dm.user_id.to_db()).collect();
    let sources: Vec<i64> = dms.iter().map(|dm| dm.message_id.to_db()).collect();
    let at = now();
    let rows: Vec<(TicketRow, bool, bool, super::FollowupFlags)> = t::table
        .filter(t::user_id.eq_any(users))
        .filter(crate::literals::ticket_is_open())
        .select((
            TicketRow::as_select(),
            exists(
                messages::table
                    .filter(
                        messages::source_message_id
                            .assume_not_null()
                            .eq_any(sources),
                    )
                    .filter(messages::author_id.eq(t::user_id)),
            ),
            exists(
                blocked_users::table
                    .filter(blocked_users::user_id.eq(t::user_id))
                    .filter(blocked_users::unblocked_at.is_null())
                    .filter(
                        blocked_users::expires_at
                            .is_null()
                            .or(blocked_users::expires_at.gt(at)),
                    ),
            ),
            super::followup_flags(),
        ))
        .load(conn)?;
    let mut found = HashMap::new();
    for (row, seen, blocked, (selection, backlog, jobs, alerts)) in rows {
        if !(seen || blocked || selection || backlog || jobs || alerts) {
            let ticket = Ticket::try_from(row)?;
            found.insert(ticket.user_id.to_db(), ticket);
        }
    }
    Ok(found)
}

/// Remembers each user's DM channel and advances their last-seen DM (never backwards), in one
/// statement on Postgres (`ON CONFLICT`, on the connection inside: the `MultiConnection` has no
/// upserts).
fn remember_dm_channels(
    conn: &mut DbConnection,
    dms: &[&IncomingDm],
    taken: &[(usize, Ticket)],
    at: NaiveDateTime,
) -> DomainResult<()> {
    let pg = match conn {
        DbConnection::Postgresql(pg) => pg,
        DbConnection::Sqlite(_) => {
            // diesel has no multi-row upsert for SQLite; in-process, a statement costs little.
            for (i, _) in taken {
                let dm = dms[*i];
                crate::dm_channels::record_seen(conn, dm.user_id, dm.dm_channel, dm.message_id)?;
            }
            return Ok(());
        }
    };
    let rows: Vec<_> = taken
        .iter()
        .map(|(i, _)| {
            let dm = dms[*i];
            (
                dm_channels::user_id.eq(dm.user_id.to_db()),
                dm_channels::channel_id.eq(dm.dm_channel.to_db()),
                dm_channels::last_seen_message_id.eq(Some(dm.message_id.to_db())),
                dm_channels::updated_at.eq(at),
            )
        })
        .collect();
    let last_seen = dm_channels::last_seen_message_id;
    let upsert = diesel::insert_into(dm_channels::table)
        .values(&rows)
        .on_conflict(dm_channels::user_id)
        .do_update()
        .set((
            dm_channels::channel_id.eq(excluded(dm_channels::channel_id)),
            last_seen.eq(excluded(last_seen)),
            dm_channels::updated_at.eq(excluded(dm_channels::updated_at)),
        ));
    // `ON CONFLICT ... DO UPDATE ... WHERE`: the filter of the upsert, not of a query.
    diesel::query_dsl::methods::FilterDsl::filter(
        upsert,
        last_seen.is_null().or(last_seen.lt(excluded(last_seen))),
    )
    .execute(pg)?;
    Ok(())
}

/// Inserts the DMs as pending relays in one statement; their rows by source message id.
fn insert_messages(
    conn: &mut DbConnection,
    dms: &[&IncomingDm],
    taken: &[(usize, Ticket)],
    at: NaiveDateTime,
) -> DomainResult<HashMap<i64, MessageRecord>> {
    let rows: Vec<InboundRow<'_>> = taken
        .iter()
        .map(|(i, ticket)| {
            let dm = dms[*i];
            InboundRow {
                ticket_id: ticket.id.0,
                direction: Direction::UserToStaff.as_str(),
                author_id: dm.user_id.to_db(),
                author_name: &dm.user_name,
                anonymous: false,
                content: &dm.content,
                source_message_id: dm.message_id.to_db(),
                dm_message_id: dm.message_id.to_db(),
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
    let mut by_source = HashMap::new();
    for row in inserted {
        let record = MessageRecord::try_from(row)?;
        if let Some(source) = record.source_message_id {
            by_source.insert(source.to_db(), record);
        }
    }
    Ok(by_source)
}
