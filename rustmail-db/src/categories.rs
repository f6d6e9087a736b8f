//! Ticket categories (name unique case-insensitively, description, emoji, Discord category,
//! position, enabled) and the category prompt settings. The same rules serve the bot's
//! `/category` and `rustmail categories`. Pending selections are in [`selection`].

pub mod selection;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::connection::{write_tx, DbConnection};
use crate::error::{is_unique_violation, DomainError, DomainResult};
use crate::ids::{CategoryId, ChannelId};
use crate::schema::{category_prompt, ticket_categories, tickets};
use crate::time::now;

/// Discord allows 25 buttons on a message; one is "Default".
pub const MAX_ENABLED_CATEGORIES: usize = 24;
/// Longest category name (a button label allows 80; we keep it shorter for channel names).
pub const MAX_NAME_CHARS: usize = 50;
/// Longest description.
pub const MAX_DESCRIPTION_CHARS: usize = 100;

/// A ticket category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable)]
#[diesel(table_name = ticket_categories)]
pub struct Category {
    #[diesel(deserialize_as = i64)]
    pub id: CategoryId,
    pub name: String,
    pub name_key: String,
    pub description: String,
    pub emoji: Option<String>,
    pub discord_category_id: i64,
    pub position: i32,
    pub enabled: bool,
    pub created_at: NaiveDateTime,
}

impl From<i64> for CategoryId {
    fn from(value: i64) -> Self {
        CategoryId(value)
    }
}

impl Category {
    /// The Discord category channel that holds this category's tickets.
    pub fn discord_category(&self) -> ChannelId {
        ChannelId::from_db(self.discord_category_id)
    }
}

/// The case-insensitive key of a name.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Checks a category name: 1 to 50 characters, no `|` (the prefix syntax's separator), not
/// "default" (the button for the inbox).
pub fn validate_name(name: &str) -> DomainResult<String> {
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
    if name.contains('|') {
        return Err(DomainError::invalid("name", "must not contain `|`"));
    }
    if name_key(name) == "default" {
        return Err(DomainError::invalid(
            "name",
            "`default` is reserved for the inbox",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            "name",
            "must not contain control characters",
        ));
    }
    Ok(name.to_owned())
}

/// A category to create.
#[derive(Debug, Clone)]
pub struct NewCategory {
    pub name: String,
    pub description: String,
    pub emoji: Option<String>,
    pub discord_category_id: ChannelId,
}

/// Creates a category (enabled, placed last).
pub fn create(conn: &mut DbConnection, new: &NewCategory) -> DomainResult<Category> {
    let name = validate_name(&new.name)?;
    let description = new.description.trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(DomainError::invalid(
            "description",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    let emoji = new
        .emoji
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if let Some(e) = emoji {
        if e.chars().count() > 64 {
            return Err(DomainError::invalid(
                "emoji",
                "must be one emoji or a custom emoji tag",
            ));
        }
    }
    write_tx(conn, |conn| {
        let position: Option<i32> = ticket_categories::table
            .select(diesel::dsl::max(ticket_categories::position))
            .first(conn)?;
        crate::on_backend!(conn, |c| diesel::insert_into(ticket_categories::table)
            .values((
                ticket_categories::name.eq(&name),
                ticket_categories::name_key.eq(name_key(&name)),
                ticket_categories::description.eq(description),
                ticket_categories::emoji.eq(emoji),
                ticket_categories::discord_category_id.eq(new.discord_category_id.to_db()),
                ticket_categories::position.eq(position.map_or(0, |p| p + 1)),
                ticket_categories::enabled.eq(true),
                ticket_categories::created_at.eq(now()),
            ))
            .execute(c))
        .map_err(|e| name_taken(e, &name))?;
        by_name(conn, &name)
    })
}

fn name_taken(e: diesel::result::Error, name: &str) -> DomainError {
    if is_unique_violation(&e) {
        DomainError::Conflict(format!("a category named `{name}` already exists"))
    } else {
        e.into()
    }
}

/// Every category in display order.
pub fn list(conn: &mut DbConnection) -> DomainResult<Vec<Category>> {
    Ok(ticket_categories::table
        .order((
            ticket_categories::position.asc(),
            ticket_categories::id.asc(),
        ))
        .select(Category::as_select())
        .load(conn)?)
}

/// Enabled categories in display order (the prompt's buttons).
pub fn enabled(conn: &mut DbConnection) -> DomainResult<Vec<Category>> {
    Ok(list(conn)?.into_iter().filter(|c| c.enabled).collect())
}

/// The category with this id.
pub fn get(conn: &mut DbConnection, id: CategoryId) -> DomainResult<Category> {
    ticket_categories::table
        .filter(ticket_categories::id.eq(id.0))
        .select(Category::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| DomainError::not_found("category", id))
}

/// The category with this name (case-insensitive). `NotFound` lists the valid names.
pub fn by_name(conn: &mut DbConnection, name: &str) -> DomainResult<Category> {
    let found = ticket_categories::table
        .filter(ticket_categories::name_key.eq(name_key(name)))
        .select(Category::as_select())
        .first(conn)
        .optional()?;
    if let Some(c) = found {
        Ok(c)
    } else {
        let names: Vec<String> = list(conn)?.into_iter().map(|c| c.name).collect();
        let valid = if names.is_empty() {
            "there are no categories".to_owned()
        } else {
            format!("valid names: {}", names.join(", "))
        };
        Err(DomainError::NotFound {
            what: "category",
            key: format!("`{}` ({valid})", name.trim()),
        })
    }
}

/// Renames a category.
pub fn rename(conn: &mut DbConnection, old: &str, new_name: &str) -> DomainResult<Category> {
    let new_name = validate_name(new_name)?;
    write_tx(conn, |conn| {
        let category = by_name(conn, old)?;
        diesel::update(ticket_categories::table.filter(ticket_categories::id.eq(category.id.0)))
            .set((
                ticket_categories::name.eq(&new_name),
                ticket_categories::name_key.eq(name_key(&new_name)),
            ))
            .execute(conn)
            .map_err(|e| name_taken(e, &new_name))?;
        get(conn, category.id)
    })
}

/// Enables or disables a category in the prompt.
pub fn set_enabled(conn: &mut DbConnection, name: &str, enabled: bool) -> DomainResult<Category> {
    write_tx(conn, |conn| {
        let category = by_name(conn, name)?;
        if enabled && !category.enabled && self::enabled(conn)?.len() >= MAX_ENABLED_CATEGORIES {
            return Err(DomainError::InvalidTransition(format!(
                "at most {MAX_ENABLED_CATEGORIES} categories can be enabled (Discord shows 25 buttons, one is Default)"
            )));
        }
        diesel::update(ticket_categories::table.filter(ticket_categories::id.eq(category.id.0)))
            .set(ticket_categories::enabled.eq(enabled))
            .execute(conn)?;
        get(conn, category.id)
    })
}

/// Deletes a category. Tickets in it keep their history; open ones fall back to the inbox.
pub fn delete(conn: &mut DbConnection, name: &str) -> DomainResult<Category> {
    write_tx(conn, |conn| {
        let category = by_name(conn, name)?;
        diesel::update(tickets::table.filter(tickets::category_id.eq(category.id.0)))
            .set(tickets::category_id.eq(None::<i64>))
            .execute(conn)?;
        diesel::update(
            crate::schema::category_selections::table
                .filter(crate::schema::category_selections::chosen_category_id.eq(category.id.0)),
        )
        .set(crate::schema::category_selections::chosen_category_id.eq(None::<i64>))
        .execute(conn)?;
        diesel::delete(ticket_categories::table.filter(ticket_categories::id.eq(category.id.0)))
            .execute(conn)?;
        Ok(category)
    })
}

/// The category prompt settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PromptSettings {
    pub enabled: bool,
    pub timeout_seconds: i32,
}

/// Shortest and longest prompt timeout.
pub const PROMPT_TIMEOUT_RANGE: std::ops::RangeInclusive<i32> = 10..=86_400;

/// The current prompt settings.
pub fn prompt(conn: &mut DbConnection) -> DomainResult<PromptSettings> {
    let (enabled, timeout_seconds): (bool, i32) = category_prompt::table
        .filter(category_prompt::id.eq(1))
        .select((category_prompt::enabled, category_prompt::timeout_seconds))
        .first(conn)?;
    Ok(PromptSettings {
        enabled,
        timeout_seconds,
    })
}

/// Turns the prompt on or off.
pub fn set_prompt_enabled(conn: &mut DbConnection, enabled: bool) -> DomainResult<PromptSettings> {
    diesel::update(category_prompt::table.filter(category_prompt::id.eq(1)))
        .set((
            category_prompt::enabled.eq(enabled),
            category_prompt::updated_at.eq(now()),
        ))
        .execute(conn)?;
    prompt(conn)
}

/// Sets how long the prompt waits before opening in the default inbox.
pub fn set_prompt_timeout(conn: &mut DbConnection, seconds: i64) -> DomainResult<PromptSettings> {
    let seconds = i32::try_from(seconds)
        .ok()
        .filter(|s| PROMPT_TIMEOUT_RANGE.contains(s))
        .ok_or_else(|| {
            DomainError::invalid(
                "timeout",
                format!(
                    "must be between {} and {} seconds",
                    PROMPT_TIMEOUT_RANGE.start(),
                    PROMPT_TIMEOUT_RANGE.end()
                ),
            )
        })?;
    diesel::update(category_prompt::table.filter(category_prompt::id.eq(1)))
        .set((
            category_prompt::timeout_seconds.eq(seconds),
            category_prompt::updated_at.eq(now()),
        ))
        .execute(conn)?;
    prompt(conn)
}

/// Whether a new user should be asked to pick a category.
pub fn prompt_applies(conn: &mut DbConnection) -> DomainResult<bool> {
    Ok(prompt(conn)?.enabled && !enabled(conn)?.is_empty())
}
