//! Snippets: named canned replies (`!s NAME`, `/reply snippet:NAME`), names unique
//! case-insensitively.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::connection::{write_tx, DbConnection};
use crate::error::{is_unique_violation, DomainError, DomainResult};
use crate::ids::{SnippetId, UserId};
use crate::schema::snippets;
use crate::time::now;

/// Longest snippet name.
pub const MAX_NAME_CHARS: usize = 50;
/// Longest snippet text (a Discord message is 2000; the DM embed allows more, but keep one message).
pub const MAX_CONTENT_CHARS: usize = 2000;

/// A snippet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub id: SnippetId,
    pub name: String,
    pub content: String,
    pub created_by: UserId,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

type Row = (i64, String, String, i64, NaiveDateTime, NaiveDateTime);

fn from_row(r: Row) -> Snippet {
    Snippet {
        id: SnippetId(r.0),
        name: r.1,
        content: r.2,
        created_by: UserId::from_db(r.3),
        created_at: r.4,
        updated_at: r.5,
    }
}

fn columns() -> (
    snippets::id,
    snippets::name,
    snippets::content,
    snippets::created_by,
    snippets::created_at,
    snippets::updated_at,
) {
    (
        snippets::id,
        snippets::name,
        snippets::content,
        snippets::created_by,
        snippets::created_at,
        snippets::updated_at,
    )
}

fn validate_name(name: &str) -> DomainResult<String> {
    let name = name.trim();
    if crate::text::is_blank(name) {
        return Err(DomainError::invalid("name", "must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(DomainError::invalid(
            "name",
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_whitespace) {
        return Err(DomainError::invalid("name", "must be one word (no spaces)"));
    }
    Ok(name.to_owned())
}

fn validate_content(content: &str) -> DomainResult<&str> {
    let content = content.trim();
    if crate::text::is_blank(content) {
        return Err(DomainError::invalid("content", "must not be empty"));
    }
    if content.chars().count() > MAX_CONTENT_CHARS {
        return Err(DomainError::invalid(
            "content",
            format!("must be at most {MAX_CONTENT_CHARS} characters"),
        ));
    }
    Ok(content)
}

/// The snippet with this name (case-insensitive).
pub fn get(conn: &mut DbConnection, name: &str) -> DomainResult<Snippet> {
    snippets::table
        .filter(snippets::name_key.eq(name.trim().to_lowercase()))
        .select(columns())
        .first::<Row>(conn)
        .optional()?
        .map(from_row)
        .ok_or_else(|| DomainError::not_found("snippet", format!("`{}`", name.trim())))
}

/// Adds a snippet.
pub fn add(
    conn: &mut DbConnection,
    name: &str,
    content: &str,
    by: UserId,
) -> DomainResult<Snippet> {
    let name = validate_name(name)?;
    let content = validate_content(content)?;
    write_tx(conn, |conn| {
        let at = now();
        diesel::insert_into(snippets::table)
            .values((
                snippets::name.eq(&name),
                snippets::name_key.eq(name.to_lowercase()),
                snippets::content.eq(content),
                snippets::created_by.eq(by.to_db()),
                snippets::created_at.eq(at),
                snippets::updated_at.eq(at),
            ))
            .execute(conn)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    DomainError::Conflict(format!("a snippet named `{name}` already exists"))
                } else {
                    e.into()
                }
            })?;
        get(conn, &name)
    })
}

/// Replaces a snippet's text.
pub fn edit(conn: &mut DbConnection, name: &str, content: &str) -> DomainResult<Snippet> {
    let content = validate_content(content)?;
    write_tx(conn, |conn| {
        let snippet = get(conn, name)?;
        diesel::update(snippets::table.filter(snippets::id.eq(snippet.id.0)))
            .set((
                snippets::content.eq(content),
                snippets::updated_at.eq(now()),
            ))
            .execute(conn)?;
        get(conn, name)
    })
}

/// Removes a snippet.
pub fn remove(conn: &mut DbConnection, name: &str) -> DomainResult<Snippet> {
    write_tx(conn, |conn| {
        let snippet = get(conn, name)?;
        diesel::delete(snippets::table.filter(snippets::id.eq(snippet.id.0))).execute(conn)?;
        Ok(snippet)
    })
}

/// Every snippet, by name.
pub fn list(conn: &mut DbConnection) -> DomainResult<Vec<Snippet>> {
    Ok(snippets::table
        .order(snippets::name_key.asc())
        .select(columns())
        .load::<Row>(conn)?
        .into_iter()
        .map(from_row)
        .collect())
}
