//! The intake of many users' DMs at once, in the writer's batch (see [`crate::store::writer`]):
//! a handful of statements for the whole batch instead of four per DM.
//!
//! On Postgres every statement is a round trip and an executor start-up, and under load they
//! were most of the server's work per relayed DM (BENCHMARKS.md, session 6). Here the common
//! case, a new DM without attachments from an unblocked user to their open ticket with nothing
//! else going on, is taken in set-wise: one read for every user's ticket, flags and known DM
//! channel, and one multi-row insert of the messages. The DM's marks (the ticket's activity, the
//! channel's last-seen DM) are left to its relay's settle ([`crate::messages::marks`]), except
//! for a DM channel not known yet, which is remembered here (one upsert) with the activity (one
//! update).
//! So is a new user's first DM, which opens their ticket (`opening`: a few statements more for
//! all of them). Every other DM (seen before, blocked, a category selection or the category
//! prompt, a backlog, jobs or alerts to follow up, attachments, too long, a second DM of one
//! user, no right to open a ticket) is left to the caller, which takes it in alone
//! ([`super::intake_dm_within`]) in the same transaction. The outcome of a DM taken in here is
//! exactly what the one-at-a-time path would have returned.
//!
//! A batch of one DM comes here too: a new user's first DM costs nine statements here and twenty
//! alone (with savepoints). Its statements are then of one shape, prepared once
//! ([`crate::connection::cached`]), as the one-DM path's are; a batch's multi-row statements,
//! whose text varies with its size, are prepared each time.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel::upsert::excluded;

mod opening;

use super::{IncomingDm, Intake, IntakeRecord, Opening};
use crate::connection::{cached, CachedDsl as _, DbConnection};
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
    let open = open_tickets(conn, dms)?;
    let mut taken: Vec<(usize, Ticket)> = Vec::new();
    // DMs to an open ticket whose DM channel is known: their marks are left to their relay's
    // settle (see `crate::messages::marks`).
    let mut deferred = std::collections::HashSet::new();
    let mut opening: Vec<usize> = Vec::new();
    let mut users = std::collections::HashSet::new();
    for (i, dm) in dms.iter().enumerate() {
        let simple = dm.attachments.is_empty()
            && dm.content.chars().count() <= crate::messages::MAX_CONTENT_CHARS;
        // A second DM of one user is left to the caller: it comes after the first.
        if !users.insert(dm.user_id) || !simple {
            continue;
        }
        // An open ticket with something to follow up, or none and no right to open one: left
        // to the caller.
        match open.get(&dm.user_id.to_db()) {
            Some(Some((ticket, dm_channel))) => {
                if *dm_channel == Some(dm.dm_channel.to_db()) {
                    deferred.insert(i);
                }
                taken.push((i, ticket.clone()));
            }
            None if dm.may_open => opening.push(i),
            Some(None) | None => {}
        }
    }
    let at = now();
    let opened = opening::open_tickets(conn, dms, &opening, at)?;
    let existing: Vec<i64> = taken
        .iter()
        .filter(|(i, _)| !deferred.contains(i))
        .map(|(_, t)| t.id.0)
        .collect();
    let mut created = HashMap::new();
    for new in opened {
        created.insert(
            new.at,
            Opening {
                channel_turn_taken: new.turn_taken,
                no_history: new.no_history,
            },
        );
        taken.push((new.at, new.ticket));
    }
    if taken.is_empty() {
        return Ok(outcomes);
    }
    let unknown_channels: Vec<usize> = taken
        .iter()
        .map(|(i, _)| *i)
        .filter(|i| !deferred.contains(i))
        .collect();
    remember_dm_channels(conn, dms, &unknown_channels, at)?;
    let mut recorded = insert_messages(conn, dms, &taken, at)?;
    // A new ticket's activity is its opening, at the same instant.
    match existing.as_slice() {
        [] => {}
        [one] => {
            cached::update(
                &tickets::table,
                tickets::id.eq(one),
                tickets::last_activity_at.eq(at),
            )
            .execute(conn)?;
        }
        _ => {
            diesel::update(tickets::table.filter(tickets::id.eq_any(existing)))
                .set(tickets::last_activity_at.eq(at))
                .execute(conn)?;
        }
    }
    for (i, ticket) in taken {
        let message = recorded
            .remove(&dms[i].message_id.to_db())
            .ok_or_else(|| DomainError::not_found("message", dms[i].message_id))?;
        let opening = created.get(&i).copied().unwrap_or_default();
        outcomes[i] = Some(Intake::Recorded(Box::new(IntakeRecord {
            ticket,
            ticket_created: created.contains_key(&i),
            recorded: Recorded {
                message,
                created: true,
                cancelled_close: None,
                alerts: Vec::new(),
            },
            backlog: Vec::new(),
            selection_pending: false,
            opening,
            marks_deferred: deferred.contains(&i),
        })));
    }
    Ok(outcomes)
}

/// A user's open ticket with nothing to follow up, and their known DM channel.
type OpenTicket = (Ticket, Option<i64>);

/// The open tickets of the DMs' users, by user: `Some` for those whose DM is new, who are not
/// blocked, and whose ticket has no open category selection, no pending user relay, no live
/// scheduled job and no live alert; `None` for an open ticket with any of these (one statement,
/// the same predicates as [`super::open_conversation`]'s), with the user's known DM channel. A
/// user missing has no open ticket.
/// "New" asks whether any of the batch's DM ids was recorded as this user's: Discord ids are
/// unique, so a DM id recorded for someone else cannot happen; if it did, the insert would fail
/// on the unique index and the writer would take each DM alone, which decides it right.
fn open_tickets(
    conn: &mut DbConnection,
    dms: &[&IncomingDm],
) -> DomainResult<HashMap<i64, Option<OpenTicket>>> {
    use crate::schema::tickets as t;
    let users: Vec<i64> = dms.iter().map(|dm| dm.user_id.to_db()).collect();
    let sources: Vec<i64> = dms.iter().map(|dm| dm.message_id.to_db()).collect();
    let at = now();
    macro_rules! query {
        ($users:expr, $sources:expr) => {
            t::table
                .filter($users)
                .filter(crate::literals::ticket_is_open())
                .select((
                    TicketRow::as_select(),
                    exists(
                        messages::table
                            .filter($sources)
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
                    dm_channels::table
                        .filter(dm_channels::user_id.eq(t::user_id))
                        .select(dm_channels::channel_id)
                        .single_value(),
                ))
        };
    }
    let source = messages::source_message_id.assume_not_null();
    // One DM: one shape of SQL, prepared once (SQLite writes `IN (?)`, which diesel never caches
    // by itself), with `=` rather than `= ANY($1)`: Postgres then plans it once for all DMs
    // instead of at every execution (its generic plan for an array of unknown length was
    // estimated worse, so each bind planned again; about 40 µs of every paced DM).
    let rows: Vec<(TicketRow, bool, bool, super::FollowupFlags, Option<i64>)> = if let [one] = dms {
        let (user, dm) = (one.user_id.to_db(), one.message_id.to_db());
        crate::on_backend!(conn, |c| query!(t::user_id.eq(user), source.eq(dm))
            .cached()
            .load(c))?
    } else {
        query!(t::user_id.eq_any(&users), source.eq_any(&sources)).load(conn)?
    };
    let mut found = HashMap::new();
    for (row, seen, blocked, (selection, backlog, jobs, alerts), dm_channel) in rows {
        let ticket = Ticket::try_from(row)?;
        let plain = !(seen || blocked || selection || backlog || jobs || alerts);
        found.insert(
            ticket.user_id.to_db(),
            plain.then_some((ticket, dm_channel)),
        );
    }
    Ok(found)
}

/// Remembers each user's DM channel and advances their last-seen DM (never backwards), in one
/// statement on Postgres (`ON CONFLICT`, on the connection inside: the `MultiConnection` has no
/// upserts).
fn remember_dm_channels(
    conn: &mut DbConnection,
    dms: &[&IncomingDm],
    taken: &[usize],
    at: NaiveDateTime,
) -> DomainResult<()> {
    if taken.is_empty() {
        return Ok(());
    }
    let pg = match conn {
        DbConnection::Postgresql(pg) => pg,
        DbConnection::Sqlite(_) => {
            // diesel has no multi-row upsert for SQLite; in-process, a statement costs little.
            for i in taken {
                let dm = dms[*i];
                crate::dm_channels::record_seen(conn, dm.user_id, dm.dm_channel, dm.message_id)?;
            }
            return Ok(());
        }
    };
    let rows: Vec<_> = taken
        .iter()
        .map(|i| {
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
    let statement = diesel::query_dsl::methods::FilterDsl::filter(
        upsert,
        last_seen.is_null().or(last_seen.lt(excluded(last_seen))),
    );
    if rows.len() == 1 {
        // Loaded by value, so that diesel asks the statement itself whether to cache it
        // (`execute` walks it, and an upsert says no).
        let _: Vec<i64> = statement
            .returning(dm_channels::user_id)
            .cached()
            .get_results(pg)?;
    } else {
        statement.execute(pg)?;
    }
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
    let inserted: Vec<MessageRow> = if let [row] = rows.as_slice() {
        crate::on_backend!(conn, |c| diesel::insert_into(messages::table)
            .values(row)
            .returning(MessageRow::as_returning())
            .cached()
            .get_results(c))?
    } else {
        crate::on_backend!(conn, |c| diesel::insert_into(messages::table)
            .values(&rows)
            .returning(MessageRow::as_returning())
            .get_results(c))?
    };
    crate::messages::records_by_source(inserted)
}
