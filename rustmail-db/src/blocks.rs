//! The block list: blocked users' DMs open no ticket (they get `thread.blocked_message`, or
//! nothing). Timed blocks expire by themselves: an expired block simply stops matching.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::connection::{write_tx, DbConnection};
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use crate::schema::blocked_users;
use crate::time::now;

/// Longest block reason.
pub const MAX_REASON_CHARS: usize = 500;

/// A block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Block {
    pub id: i64,
    pub user_id: UserId,
    pub reason: String,
    pub blocked_by: UserId,
    pub blocked_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
}

type Row = (i64, i64, String, i64, NaiveDateTime, Option<NaiveDateTime>);

fn from_row(r: Row) -> Block {
    Block {
        id: r.0,
        user_id: UserId::from_db(r.1),
        reason: r.2,
        blocked_by: UserId::from_db(r.3),
        blocked_at: r.4,
        expires_at: r.5,
    }
}

fn columns() -> (
    blocked_users::id,
    blocked_users::user_id,
    blocked_users::reason,
    blocked_users::blocked_by,
    blocked_users::blocked_at,
    blocked_users::expires_at,
) {
    (
        blocked_users::id,
        blocked_users::user_id,
        blocked_users::reason,
        blocked_users::blocked_by,
        blocked_users::blocked_at,
        blocked_users::expires_at,
    )
}

/// The user's blocks in force at `at` (one at most): shared by [`active`] and the DM intake's
/// combined check.
#[diesel::dsl::auto_type]
pub(crate) fn in_force(user: i64, at: NaiveDateTime) -> _ {
    blocked_users::table
        .filter(blocked_users::user_id.eq(user))
        .filter(blocked_users::unblocked_at.is_null())
        .filter(
            blocked_users::expires_at
                .is_null()
                .or(blocked_users::expires_at.gt(at)),
        )
}

/// The user's block in force now, if any.
pub fn active(conn: &mut DbConnection, user: UserId) -> DomainResult<Option<Block>> {
    // No `LIMIT` (see `crate::connection::only_row`): one active block per user.
    let rows = in_force(user.to_db(), now())
        .select(columns())
        .load::<Row>(conn)?;
    Ok(crate::connection::only_row(rows).map(from_row))
}

/// Blocks a user (replacing an expired block; an active one is a conflict).
pub fn block(
    conn: &mut DbConnection,
    user: UserId,
    by: UserId,
    reason: &str,
    expires_at: Option<NaiveDateTime>,
) -> DomainResult<Block> {
    let reason = reason.trim();
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(DomainError::invalid(
            "reason",
            format!("must be at most {MAX_REASON_CHARS} characters"),
        ));
    }
    write_tx(conn, |conn| {
        if let Some(existing) = active(conn, user)? {
            return Err(DomainError::Conflict(format!(
                "<@{user}> is already blocked{}",
                existing
                    .expires_at
                    .map(|e| format!(" until {}", e.format("%Y-%m-%d %H:%M UTC")))
                    .unwrap_or_default()
            )));
        }
        let at = now();
        // An expired block still holds the "one live block per user" index: end it first.
        diesel::update(
            blocked_users::table
                .filter(blocked_users::user_id.eq(user.to_db()))
                .filter(blocked_users::unblocked_at.is_null()),
        )
        .set(blocked_users::unblocked_at.eq(Some(at)))
        .execute(conn)?;
        diesel::insert_into(blocked_users::table)
            .values((
                blocked_users::user_id.eq(user.to_db()),
                blocked_users::reason.eq(reason),
                blocked_users::blocked_by.eq(by.to_db()),
                blocked_users::blocked_at.eq(at),
                blocked_users::expires_at.eq(expires_at),
            ))
            .execute(conn)?;
        active(conn, user)?.ok_or_else(|| DomainError::not_found("block for", user))
    })
}

/// Lifts the user's block; `NotFound` when they were not blocked.
pub fn unblock(conn: &mut DbConnection, user: UserId, by: UserId) -> DomainResult<()> {
    write_tx(conn, |conn| {
        if active(conn, user)?.is_none() {
            return Err(DomainError::not_found("block for", format!("<@{user}>")));
        }
        diesel::update(
            blocked_users::table
                .filter(blocked_users::user_id.eq(user.to_db()))
                .filter(blocked_users::unblocked_at.is_null()),
        )
        .set((
            blocked_users::unblocked_at.eq(Some(now())),
            blocked_users::unblocked_by.eq(Some(by.to_db())),
        ))
        .execute(conn)?;
        Ok(())
    })
}

/// Blocks in force now, oldest first.
pub fn list_active(conn: &mut DbConnection) -> DomainResult<Vec<Block>> {
    let at = now();
    Ok(blocked_users::table
        .filter(blocked_users::unblocked_at.is_null())
        .filter(
            blocked_users::expires_at
                .is_null()
                .or(blocked_users::expires_at.gt(at)),
        )
        .order(blocked_users::id.asc())
        .select(columns())
        .load::<Row>(conn)?
        .into_iter()
        .map(from_row)
        .collect())
}
