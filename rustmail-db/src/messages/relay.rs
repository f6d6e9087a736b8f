//! Relay bookkeeping: which Discord copies of a record exist, and what is still to be delivered.
//!
//! A relay may need several side effects (a staff reply goes to the DM and to the channel; long
//! text is split into parts). Each copy is recorded as soon as it exists, so a re-drive after a
//! crash or an error posts only what is missing.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{all_messages, get, Direction, MessageRecord, MessageRow, RelayState};
use crate::connection::per_row::per_row;
use crate::connection::{cached, within_tx, write_tx, DbConnection};
use crate::error::{is_unique_violation, DomainError, DomainResult};
use crate::ids::{MessageId, MessageRecordId, TicketId};
use crate::messages::marks::DmMarks;
use crate::schema::{category_selections, message_parts, messages};
use crate::text_enum;
use crate::time::now;

text_enum! {
    /// Where a copy of a message lives.
    pub enum Side {
        /// The user's DM channel with the bot.
        Dm => "dm",
        /// The ticket channel in the staff guild.
        Inbox => "inbox",
    }
}

/// Records that part `part` (0 = first) of the message now exists on `side` as `discord_id`.
/// Recording the same copy again is harmless.
pub fn record_copy(
    conn: &mut DbConnection,
    id: MessageRecordId,
    side: Side,
    part: i32,
    discord_id: MessageId,
) -> DomainResult<()> {
    match write_copy(conn, id, side, part, discord_id) {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The statement behind [`record_copy`]. Recording a copy again changes nothing and fails not:
/// part 0 sets the same id again, a later part inserts nothing on conflict. A unique violation
/// (another message holds that Discord id) is returned as an error.
fn write_copy(
    conn: &mut DbConnection,
    id: MessageRecordId,
    side: Side,
    part: i32,
    discord_id: MessageId,
) -> Result<usize, diesel::result::Error> {
    if part == 0 {
        let target = messages::id.eq(id.0);
        match side {
            Side::Dm => cached::update(
                &messages::table,
                target,
                messages::dm_message_id.eq(Some(discord_id.to_db())),
            )
            .execute(conn),
            Side::Inbox => cached::update(
                &messages::table,
                target,
                messages::inbox_message_id.eq(Some(discord_id.to_db())),
            )
            .execute(conn),
        }
    } else {
        // A part recorded before inserts nothing (`ON CONFLICT DO NOTHING`, on the connection
        // inside: the `MultiConnection` has no upserts) instead of failing.
        let row = (
            message_parts::message_id.eq(id.0),
            message_parts::side.eq(side.as_str()),
            message_parts::part.eq(part),
            message_parts::discord_message_id.eq(discord_id.to_db()),
        );
        crate::on_backend!(conn, |c| diesel::insert_into(message_parts::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c))
    }
}

/// Records the only copy of a one-part relay and marks it delivered, in one statement.
fn settle_single(
    conn: &mut DbConnection,
    id: MessageRecordId,
    side: Side,
    discord_id: MessageId,
) -> DomainResult<()> {
    let target = messages::id.eq(id.0);
    let delivered = (
        messages::relay_state.eq(RelayState::Delivered.as_str()),
        messages::relay_error.eq(None::<String>),
        messages::next_attempt_at.eq(None::<NaiveDateTime>),
        messages::relay_attempts.eq(messages::relay_attempts + 1),
    );
    let updated = match side {
        Side::Dm => cached::update(
            &messages::table,
            target,
            (
                messages::dm_message_id.eq(Some(discord_id.to_db())),
                delivered,
            ),
        )
        .execute(conn)?,
        Side::Inbox => cached::update(
            &messages::table,
            target,
            (
                messages::inbox_message_id.eq(Some(discord_id.to_db())),
                delivered,
            ),
        )
        .execute(conn)?,
    };
    if updated == 0 {
        return Err(DomainError::not_found("message", id));
    }
    Ok(())
}

/// The Discord copies of a relay to record ([`record_copies`]'s arguments, for the writer's
/// typed write: `crate::Db::record_copies`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copies {
    pub id: MessageRecordId,
    pub side: Side,
    /// The part the first id is (0 = first).
    pub first_part: i32,
    pub discord_ids: Vec<MessageId>,
    /// Every part now exists: mark the relay delivered.
    pub complete: bool,
    /// A user's DM's marks to write with them (see [`crate::messages::marks`]).
    pub marks: Option<DmMarks>,
}

impl Copies {
    /// Records them, and the marks, inside the caller's transaction ([`record_copies`]).
    pub fn record(&self, conn: &mut DbConnection) -> DomainResult<()> {
        record_copies(
            conn,
            self.id,
            self.side,
            self.first_part,
            &self.discord_ids,
            self.complete,
        )?;
        if let Some(marks) = self.marks {
            crate::messages::marks::write(conn, &[marks])?;
        }
        Ok(())
    }

    /// The common case, the first (and usually only) part of a relay, which [`settle_many`]
    /// takes.
    pub fn single(&self) -> Option<SingleCopy> {
        match (self.discord_ids.as_slice(), self.first_part) {
            ([only], 0) => Some(SingleCopy {
                id: self.id,
                side: self.side,
                discord_id: *only,
                complete: self.complete,
                marks: self.marks,
            }),
            _ => None,
        }
    }
}

/// The first part of a relay: the record, the side, the Discord copy, and whether the relay is
/// now delivered (a staff reply's DM copy is not: its channel copy follows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SingleCopy {
    pub id: MessageRecordId,
    pub side: Side,
    pub discord_id: MessageId,
    pub complete: bool,
    pub marks: Option<DmMarks>,
}

/// [`record_copies`] of many relays' first parts, in one statement per side and kind (and their
/// marks in two, [`crate::messages::marks::write`]), inside the caller's transaction (the
/// writer's set-wise batch: on Postgres each statement is a round trip). Fails, changing nothing the caller keeps, unless every record was updated (one
/// missing, or listed twice): the caller then records each alone, so the failing one fails by
/// itself.
pub fn settle_many(conn: &mut DbConnection, copies: &[SingleCopy]) -> DomainResult<()> {
    for side in [Side::Inbox, Side::Dm] {
        for complete in [true, false] {
            let arms: Vec<(i64, i64)> = copies
                .iter()
                .filter(|c| c.side == side && c.complete == complete)
                .map(|c| (c.id.0, c.discord_id.to_db()))
                .collect();
            if !arms.is_empty() {
                settle_set(conn, side, complete, arms)?;
            }
        }
    }
    let marks: Vec<DmMarks> = copies.iter().filter_map(|c| c.marks).collect();
    crate::messages::marks::write(conn, &marks)
}

/// One `UPDATE` of [`settle_many`]: each record's copy on `side` (and, when `complete`, its
/// relay delivered).
fn settle_set(
    conn: &mut DbConnection,
    side: Side,
    complete: bool,
    arms: Vec<(i64, i64)>,
) -> DomainResult<()> {
    let ids: Vec<i64> = arms.iter().map(|(id, _)| *id).collect();
    let wanted = ids.len();
    let delivered = (
        messages::relay_state.eq(RelayState::Delivered.as_str()),
        messages::relay_error.eq(None::<String>),
        messages::next_attempt_at.eq(None::<NaiveDateTime>),
        messages::relay_attempts.eq(messages::relay_attempts + 1),
    );
    let target = messages::table.filter(messages::id.eq_any(ids));
    let copy = per_row(messages::id, arms);
    let updated = match (side, complete) {
        (Side::Dm, true) => diesel::update(target)
            .set((messages::dm_message_id.eq(copy), delivered))
            .execute(conn)?,
        (Side::Inbox, true) => diesel::update(target)
            .set((messages::inbox_message_id.eq(copy), delivered))
            .execute(conn)?,
        (Side::Dm, false) => diesel::update(target)
            .set(messages::dm_message_id.eq(copy))
            .execute(conn)?,
        (Side::Inbox, false) => diesel::update(target)
            .set(messages::inbox_message_id.eq(copy))
            .execute(conn)?,
    };
    if updated != wanted {
        return Err(DomainError::invalid(
            "copies",
            format!("{updated} of {wanted} relays settled at once"),
        ));
    }
    Ok(())
}

/// Every Discord copy of a message on one side, in part order (part 0 first).
pub fn copies(
    conn: &mut DbConnection,
    id: MessageRecordId,
    side: Side,
) -> DomainResult<Vec<MessageId>> {
    let message = get(conn, id)?;
    let first = match side {
        Side::Dm => message.dm_message_id,
        Side::Inbox => message.inbox_message_id,
    };
    let rest: Vec<i64> = message_parts::table
        .filter(message_parts::message_id.eq(id.0))
        .filter(message_parts::side.eq(side.as_str()))
        .order(message_parts::part.asc())
        .select(message_parts::discord_message_id)
        .load(conn)?;
    Ok(first
        .into_iter()
        .chain(rest.into_iter().map(MessageId::from_db))
        .collect())
}

/// How many parts exist on one side (so a re-drive continues after the last one).
pub fn parts_done(conn: &mut DbConnection, id: MessageRecordId, side: Side) -> DomainResult<i32> {
    Ok(i32::try_from(copies(conn, id, side)?.len()).unwrap_or(i32::MAX))
}

pub(crate) fn find_part(
    conn: &mut DbConnection,
    discord_id: MessageId,
) -> DomainResult<Option<MessageRecordId>> {
    let found: Option<i64> = message_parts::table
        .filter(message_parts::discord_message_id.eq(discord_id.to_db()))
        .select(message_parts::message_id)
        .first(conn)
        .optional()?;
    Ok(found.map(MessageRecordId))
}

/// The relay is complete.
pub fn mark_delivered(conn: &mut DbConnection, id: MessageRecordId) -> DomainResult<MessageRecord> {
    set_state(conn, id, RelayState::Delivered, None, None)
}

/// The relay failed for now; try again at `retry_at`.
pub fn mark_retry(
    conn: &mut DbConnection,
    id: MessageRecordId,
    error: &str,
    retry_at: NaiveDateTime,
) -> DomainResult<MessageRecord> {
    set_state(conn, id, RelayState::Pending, Some(error), Some(retry_at))
}

/// The relay failed for good (e.g. the user blocks DMs): recorded as failed, not as sent.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: MessageRecordId,
    error: &str,
) -> DomainResult<MessageRecord> {
    set_state(conn, id, RelayState::Failed, Some(error), None)
}

/// Puts a failed relay back in the queue (e.g. `/recover` after the user unblocked DMs).
pub fn requeue(conn: &mut DbConnection, id: MessageRecordId) -> DomainResult<MessageRecord> {
    write_tx(conn, |conn| {
        let message = get(conn, id)?;
        if message.relay_state != RelayState::Failed {
            return Err(DomainError::InvalidTransition(format!(
                "message {id} is {} and cannot be re-queued",
                message.relay_state
            )));
        }
        set_state(
            conn,
            id,
            RelayState::Pending,
            message.relay_error.as_deref(),
            None,
        )
    })
}

fn set_state(
    conn: &mut DbConnection,
    id: MessageRecordId,
    state: RelayState,
    error: Option<&str>,
    retry_at: Option<NaiveDateTime>,
) -> DomainResult<MessageRecord> {
    let counts_attempt = state != RelayState::Pending || error.is_some();
    let updated = cached::update(
        &messages::table,
        messages::id.eq(id.0),
        (
            messages::relay_state.eq(state.as_str()),
            messages::relay_error.eq(error),
            messages::next_attempt_at.eq(retry_at),
            messages::relay_attempts.eq(messages::relay_attempts + i32::from(counts_attempt)),
        ),
    )
    .execute(conn)?;
    if updated == 0 {
        return Err(DomainError::not_found("message", id));
    }
    get(conn, id)
}

/// Relays still to do whose retry time has come, oldest first (per ticket order is by id).
pub fn due(conn: &mut DbConnection, limit: i64) -> DomainResult<Vec<MessageRecord>> {
    let at = now();
    Ok(all_messages!(
        messages::table
            .filter(crate::literals::relay_is_pending())
            .filter(
                messages::next_attempt_at
                    .is_null()
                    .or(messages::next_attempt_at.le(at)),
            )
            .order(messages::id.asc())
            .limit(limit),
        conn
    ))
}

/// The ticket's relays still to do, in order (delivered after a category is chosen, or after the
/// channel is created).
pub fn pending_for_ticket(
    conn: &mut DbConnection,
    ticket: TicketId,
) -> DomainResult<Vec<MessageRecord>> {
    Ok(all_messages!(
        messages::table
            .filter(messages::ticket_id.eq(ticket.0))
            .filter(crate::literals::relay_is_pending())
            .order(messages::id.asc()),
        conn
    ))
}

/// Counts of relays by state (metrics, `/recover` summary).
pub fn count_pending(conn: &mut DbConnection) -> DomainResult<i64> {
    Ok(messages::table
        .filter(crate::literals::relay_is_pending())
        .count()
        .get_result(conn)?)
}

/// Like [`due`], but leaves alone relays recorded less than `min_age` ago that were never tried
/// (those are in the hands of the live pipeline, and a retry loop must not race it) and relays of
/// tickets still waiting for their category (they are queued until the user picks one or the
/// prompt times out).
pub fn due_for_retry(
    conn: &mut DbConnection,
    limit: i64,
    min_age: std::time::Duration,
) -> DomainResult<Vec<MessageRecord>> {
    let at = now();
    let fresh_since = at - chrono::Duration::from_std(min_age).unwrap_or(chrono::Duration::MAX);
    Ok(all_messages!(
        messages::table
            .filter(crate::literals::relay_is_pending())
            .filter(
                messages::next_attempt_at
                    .le(at)
                    .or(messages::next_attempt_at
                        .is_null()
                        .and(messages::created_at.le(fresh_since))),
            )
            .filter(diesel::dsl::not(
                messages::ticket_id.eq_any(
                    category_selections::table
                        .filter(category_selections::resolved_at.is_null())
                        .select(category_selections::ticket_id),
                ),
            ))
            .order(messages::id.asc())
            .limit(limit),
        conn
    ))
}

/// Records the Discord copies just posted (part `first_part` onwards) and, when `complete`,
/// marks the relay delivered: one transaction, so a crash never leaves a copy unrecorded while
/// the relay is marked done.
pub fn record_copies(
    conn: &mut DbConnection,
    id: MessageRecordId,
    side: Side,
    first_part: i32,
    discord_ids: &[MessageId],
    complete: bool,
) -> DomainResult<()> {
    if let ([only], 0, true) = (discord_ids, first_part, complete) {
        // The common case, a one-part relay delivered at once: one statement.
        return settle_single(conn, id, side, *only);
    }
    // No savepoints (each is two round trips on Postgres): no statement here fails on a copy
    // recorded before (see `write_copy`), so an error is a real one and undoes the caller's
    // whole transaction.
    within_tx(conn, |conn| {
        for (i, discord_id) in discord_ids.iter().enumerate() {
            let part = first_part + i32::try_from(i).unwrap_or(i32::MAX - first_part);
            write_copy(conn, id, side, part, *discord_id)?;
        }
        if complete {
            let updated = cached::update(
                &messages::table,
                messages::id.eq(id.0),
                (
                    messages::relay_state.eq(RelayState::Delivered.as_str()),
                    messages::relay_error.eq(None::<String>),
                    messages::next_attempt_at.eq(None::<NaiveDateTime>),
                    messages::relay_attempts.eq(messages::relay_attempts + 1),
                ),
            )
            .execute(conn)?;
            if updated == 0 {
                return Err(DomainError::not_found("message", id));
            }
        }
        Ok(())
    })
}

/// The ticket's staff replies still to deliver that were recorded before `before`, oldest
/// first. A reply goes out only after these, so the user reads replies in the order staff sent
/// them even when one of them had to wait for a retry or a restart.
pub fn pending_replies_before(
    conn: &mut DbConnection,
    ticket: TicketId,
    before: MessageRecordId,
) -> DomainResult<Vec<MessageRecord>> {
    Ok(all_messages!(
        messages::table
            .filter(messages::ticket_id.eq(ticket.0))
            .filter(crate::literals::relay_is_pending())
            .filter(messages::direction.eq(Direction::StaffToUser.as_str()))
            .filter(messages::id.lt(before.0))
            .order(messages::id.asc()),
        conn
    ))
}

/// Puts off a pending relay until `retry_at` without counting an attempt: it waits behind an
/// earlier relay of its ticket (`reason` says which). `false` when it is no longer pending.
pub fn wait_behind(
    conn: &mut DbConnection,
    id: MessageRecordId,
    reason: &str,
    retry_at: NaiveDateTime,
) -> DomainResult<bool> {
    let updated = diesel::update(
        messages::table
            .filter(messages::id.eq(id.0))
            .filter(crate::literals::relay_is_pending()),
    )
    .set((
        messages::relay_error.eq(Some(reason)),
        messages::next_attempt_at.eq(Some(retry_at)),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}
