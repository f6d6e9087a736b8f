//! Notes about a user (`/note add`), shown in the header of every future ticket of theirs.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::connection::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::ids::{NoteId, UserId};
use crate::schema::user_notes;
use crate::time::now;

/// Longest note.
pub const MAX_NOTE_CHARS: usize = 1000;

/// A note about a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub id: NoteId,
    pub user_id: UserId,
    pub content: String,
    pub author_id: UserId,
    pub author_name: String,
    pub created_at: NaiveDateTime,
}

type Row = (i64, i64, String, i64, String, NaiveDateTime);

fn from_row(r: Row) -> Note {
    Note {
        id: NoteId(r.0),
        user_id: UserId::from_db(r.1),
        content: r.2,
        author_id: UserId::from_db(r.3),
        author_name: r.4,
        created_at: r.5,
    }
}

fn columns() -> (
    user_notes::id,
    user_notes::user_id,
    user_notes::content,
    user_notes::author_id,
    user_notes::author_name,
    user_notes::created_at,
) {
    (
        user_notes::id,
        user_notes::user_id,
        user_notes::content,
        user_notes::author_id,
        user_notes::author_name,
        user_notes::created_at,
    )
}

/// Adds a note about `user`.
pub fn add(
    conn: &mut DbConnection,
    user: UserId,
    content: &str,
    author: UserId,
    author_name: &str,
) -> DomainResult<Note> {
    let content = content.trim();
    if crate::text::is_blank(content) {
        return Err(DomainError::invalid("content", "must not be empty"));
    }
    if content.chars().count() > MAX_NOTE_CHARS {
        return Err(DomainError::invalid(
            "content",
            format!("must be at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    let id: i64 = crate::on_backend!(conn, |c| diesel::insert_into(user_notes::table)
        .values((
            user_notes::user_id.eq(user.to_db()),
            user_notes::content.eq(content),
            user_notes::author_id.eq(author.to_db()),
            user_notes::author_name.eq(author_name),
            user_notes::created_at.eq(now()),
        ))
        .returning(user_notes::id)
        .get_result(c))?;
    Ok(user_notes::table
        .filter(user_notes::id.eq(id))
        .select(columns())
        .first::<Row>(conn)
        .map(from_row)?)
}

/// The user's notes, oldest first (deleted ones left out).
pub fn for_user(conn: &mut DbConnection, user: UserId) -> DomainResult<Vec<Note>> {
    Ok(user_notes::table
        .filter(user_notes::user_id.eq(user.to_db()))
        .filter(user_notes::deleted_at.is_null())
        .order(user_notes::id.asc())
        .select(columns())
        .load::<Row>(conn)?
        .into_iter()
        .map(from_row)
        .collect())
}

/// Deletes (marks) a note of this user.
pub fn remove(conn: &mut DbConnection, user: UserId, id: NoteId) -> DomainResult<()> {
    let updated = diesel::update(
        user_notes::table
            .filter(user_notes::id.eq(id.0))
            .filter(user_notes::user_id.eq(user.to_db()))
            .filter(user_notes::deleted_at.is_null()),
    )
    .set(user_notes::deleted_at.eq(Some(now())))
    .execute(conn)?;
    if updated == 0 {
        return Err(DomainError::not_found("note", id));
    }
    Ok(())
}
