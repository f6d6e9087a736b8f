//! DM channels the bot has with users, and the last DM it recorded in each, so that on start-up
//! (and `/recover`) it can fetch what users sent while it was offline.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::connection::{cached, write_tx, DbConnection};
use crate::error::DomainResult;
use crate::ids::{ChannelId, MessageId, UserId};
use crate::schema::dm_channels;
use crate::time::now;

/// A known DM channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DmChannel {
    pub user_id: UserId,
    pub channel_id: ChannelId,
    pub last_seen_message_id: Option<MessageId>,
    pub updated_at: NaiveDateTime,
}

type Row = (i64, i64, Option<i64>, NaiveDateTime);

fn from_row(r: Row) -> DmChannel {
    DmChannel {
        user_id: UserId::from_db(r.0),
        channel_id: ChannelId::from_db(r.1),
        last_seen_message_id: r.2.map(MessageId::from_db),
        updated_at: r.3,
    }
}

/// The user's DM channel, if known.
pub fn get(conn: &mut DbConnection, user: UserId) -> DomainResult<Option<DmChannel>> {
    Ok(dm_channels::table
        .filter(dm_channels::user_id.eq(user.to_db()))
        .first::<Row>(conn)
        .optional()?
        .map(from_row))
}

/// Remembers the user's DM channel (insert or update; no upsert so it works on both backends).
pub fn remember(conn: &mut DbConnection, user: UserId, channel: ChannelId) -> DomainResult<()> {
    write_tx(conn, |conn| {
        let updated =
            diesel::update(dm_channels::table.filter(dm_channels::user_id.eq(user.to_db())))
                .set((
                    dm_channels::channel_id.eq(channel.to_db()),
                    dm_channels::updated_at.eq(now()),
                ))
                .execute(conn)?;
        if updated == 0 {
            let inserted = insert_once(conn, |conn| {
                diesel::insert_into(dm_channels::table)
                    .values((
                        dm_channels::user_id.eq(user.to_db()),
                        dm_channels::channel_id.eq(channel.to_db()),
                        dm_channels::updated_at.eq(now()),
                    ))
                    .execute(conn)
            })?;
            if !inserted {
                // A concurrent caller inserted the row first: now the update finds it.
                return remember(conn, user, channel);
            }
        }
        Ok(())
    })
}

/// Runs `insert` in a savepoint; `false` when it hit the primary key because a concurrent
/// caller (another bot process) inserted the same user's row first. (A savepoint, because on
/// Postgres a failed statement would abort the whole transaction.)
fn insert_once(
    conn: &mut DbConnection,
    insert: impl FnOnce(&mut DbConnection) -> Result<usize, diesel::result::Error>,
) -> DomainResult<bool> {
    match write_tx(conn, insert) {
        Ok(_) => Ok(true),
        Err(e) if crate::error::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Advances the user's last-seen DM (never moves it backwards: snowflakes grow with time).
pub fn mark_seen(conn: &mut DbConnection, user: UserId, message: MessageId) -> DomainResult<()> {
    diesel::update(
        dm_channels::table
            .filter(dm_channels::user_id.eq(user.to_db()))
            .filter(
                dm_channels::last_seen_message_id
                    .is_null()
                    .or(dm_channels::last_seen_message_id.lt(message.to_db())),
            ),
    )
    .set((
        dm_channels::last_seen_message_id.eq(Some(message.to_db())),
        dm_channels::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(())
}

/// Every known DM channel.
pub fn all(conn: &mut DbConnection) -> DomainResult<Vec<DmChannel>> {
    Ok(dm_channels::table
        .order(dm_channels::user_id.asc())
        .load::<Row>(conn)?
        .into_iter()
        .map(from_row)
        .collect())
}

/// Remembers the user's DM channel and advances the last-seen DM in one statement in the common
/// case (the row exists): what the bot does for every DM it records.
pub fn seen(
    conn: &mut DbConnection,
    user: UserId,
    channel: ChannelId,
    message: MessageId,
) -> DomainResult<()> {
    write_tx(conn, |conn| record_seen(conn, user, channel, message))
}

/// [`seen`] inside the caller's transaction (the DM intake).
pub(crate) fn record_seen(
    conn: &mut DbConnection,
    user: UserId,
    channel: ChannelId,
    message: MessageId,
) -> DomainResult<()> {
    let at = now();
    let advanced = cached::update(
        &dm_channels::table,
        dm_channels::user_id.eq(user.to_db()).and(
            dm_channels::last_seen_message_id
                .is_null()
                .or(dm_channels::last_seen_message_id.lt(message.to_db())),
        ),
        (
            dm_channels::channel_id.eq(channel.to_db()),
            dm_channels::last_seen_message_id.eq(Some(message.to_db())),
            dm_channels::updated_at.eq(at),
        ),
    )
    .execute(conn)?;
    if advanced == 0 && get(conn, user)?.is_none() {
        let inserted = insert_once(conn, |conn| {
            diesel::insert_into(dm_channels::table)
                .values((
                    dm_channels::user_id.eq(user.to_db()),
                    dm_channels::channel_id.eq(channel.to_db()),
                    dm_channels::last_seen_message_id.eq(Some(message.to_db())),
                    dm_channels::updated_at.eq(at),
                ))
                .execute(conn)
        })?;
        if !inserted {
            // A concurrent caller inserted the row first: advance it after all.
            return record_seen(conn, user, channel, message);
        }
    }
    Ok(())
}
