//! The marks a user's DM leaves on its conversation: the ticket's last activity, and the DM
//! channel's last-seen DM (after which a start-up recovery fetches what it missed).
//!
//! The set-wise intake of a DM to an open ticket whose DM channel is known leaves both to the
//! write that settles the DM's relay, right after the POST ([`crate::messages::relay::Copies`],
//! or the retry or failure mark when the relay failed): two statements fewer between a DM and
//! its relay, which on Postgres are two round trips of the DM's latency (BENCHMARKS.md, session
//! 8). Until then the ticket shows its previous activity and the channel its previous DM; if the
//! process dies in between, the relay is re-driven and its settle writes them. A recovery that
//! fetches a recorded DM again finds it recorded. Both marks only move forwards, so writing them
//! again (every re-drive does) changes nothing.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Timestamp;

use super::{Direction, MessageRecord};
use crate::connection::per_row::per_row;
use crate::connection::{cached, DbConnection};
use crate::error::DomainResult;
use crate::ids::{MessageId, TicketId, UserId};
use crate::schema::{dm_channels, tickets};

/// A DM's marks: its ticket's activity at `at`, its user's last-seen DM `dm_message`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DmMarks {
    pub ticket: TicketId,
    pub user: UserId,
    pub dm_message: MessageId,
    pub at: NaiveDateTime,
}

impl DmMarks {
    /// The marks of a user's DM (`None` for any other record): the ticket's activity at the
    /// DM's recording, as the intake would have written it.
    pub fn of(record: &MessageRecord) -> Option<Self> {
        if record.direction != Direction::UserToStaff {
            return None;
        }
        Some(Self {
            ticket: record.ticket_id,
            user: record.author_id,
            dm_message: record.source_message_id.or(record.dm_message_id)?,
            at: record.created_at,
        })
    }
}

/// Writes `marks` inside the caller's transaction, never backwards: two statements whatever
/// their number (one-mark statements prepared once).
pub fn write(conn: &mut DbConnection, marks: &[DmMarks]) -> DomainResult<()> {
    match marks {
        [] => {}
        [one] => {
            let (ticket, user, dm) = (one.ticket.0, one.user.to_db(), one.dm_message.to_db());
            cached::update(
                &tickets::table,
                tickets::id
                    .eq(ticket)
                    .and(tickets::last_activity_at.lt(one.at)),
                tickets::last_activity_at.eq(one.at),
            )
            .execute(conn)?;
            let last_seen = dm_channels::last_seen_message_id;
            cached::update(
                &dm_channels::table,
                dm_channels::user_id
                    .eq(user)
                    .and(last_seen.is_null().or(last_seen.lt(dm))),
                (last_seen.eq(Some(dm)), dm_channels::updated_at.eq(one.at)),
            )
            .execute(conn)?;
        }
        many => write_many(conn, many)?,
    }
    Ok(())
}

fn write_many(conn: &mut DbConnection, marks: &[DmMarks]) -> DomainResult<()> {
    // One arm per ticket and per user: the latest mark wins.
    let mut activity: HashMap<i64, NaiveDateTime> = HashMap::new();
    let mut seen: HashMap<i64, (i64, NaiveDateTime)> = HashMap::new();
    for mark in marks {
        let at = activity.entry(mark.ticket.0).or_insert(mark.at);
        *at = (*at).max(mark.at);
        let dm = seen
            .entry(mark.user.to_db())
            .or_insert((mark.dm_message.to_db(), mark.at));
        *dm = (*dm).max((mark.dm_message.to_db(), mark.at));
    }
    let arms: Vec<(i64, NaiveDateTime)> = activity.into_iter().collect();
    let ids: Vec<i64> = arms.iter().map(|(id, _)| *id).collect();
    let value = || per_row::<_, _, Timestamp>(tickets::id, arms.clone());
    diesel::update(
        tickets::table
            .filter(tickets::id.eq_any(ids))
            .filter(tickets::last_activity_at.nullable().lt(value())),
    )
    .set(tickets::last_activity_at.eq(value().assume_not_null()))
    .execute(conn)?;
    let users: Vec<i64> = seen.keys().copied().collect();
    let dms: Vec<(i64, i64)> = seen.iter().map(|(u, (dm, _))| (*u, *dm)).collect();
    let times: Vec<(i64, NaiveDateTime)> = seen.iter().map(|(u, (_, at))| (*u, *at)).collect();
    let last_seen = dm_channels::last_seen_message_id;
    let dm = || per_row(dm_channels::user_id, dms.clone());
    diesel::update(
        dm_channels::table
            .filter(dm_channels::user_id.eq_any(users))
            .filter(last_seen.is_null().or(last_seen.lt(dm()))),
    )
    .set((
        last_seen.eq(dm()),
        dm_channels::updated_at
            .eq(per_row::<_, _, Timestamp>(dm_channels::user_id, times).assume_not_null()),
    ))
    .execute(conn)?;
    Ok(())
}
