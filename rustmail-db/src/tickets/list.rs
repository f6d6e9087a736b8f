//! Listing tickets with filters and pages (CLI `tickets list`, the TUI, `/logs user`).
//!
//! One query for the page, one for the total, one for scheduled closes of the page's tickets:
//! bounded work whatever the table size, with indexes on (status, `last_activity_at`) and user.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::{Ticket, TicketRow, TicketStatus};
use crate::connection::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::ids::{CategoryId, TicketId, UserId};
use crate::jobs::JobKind;
use crate::schema::{messages, scheduled_jobs, ticket_categories, tickets};

/// Which tickets by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum StatusFilter {
    #[default]
    Open,
    Closed,
    All,
}

/// What to list. Empty filters match everything.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub status: StatusFilter,
    pub user: Option<UserId>,
    pub category: Option<CategoryId>,
    pub assigned: Option<UserId>,
    /// Matched case-insensitively against the user name and the label: cheap, for typing.
    pub search: Option<String>,
    /// Matched case-insensitively against message text: a scan of the tickets' messages, so
    /// only when asked for (`--text`, or `text:` in the TUI's search), never per keystroke of a
    /// name search. (Measured: 4–6 s per query on PostgreSQL at 5,000,000 messages when the
    /// name search also looked in messages.)
    pub text: Option<String>,
    /// Page size (1..=500).
    pub limit: i64,
    /// Page number, from 1.
    pub page: i64,
}

/// Longest page.
pub const MAX_PAGE_SIZE: i64 = 500;

/// One row of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketSummary {
    #[serde(flatten)]
    pub ticket: Ticket,
    pub category_name: Option<String>,
    pub scheduled_close_at: Option<NaiveDateTime>,
}

/// A page of tickets and the total matching.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketPage {
    pub tickets: Vec<TicketSummary>,
    pub total: i64,
    pub page: i64,
    pub limit: i64,
}

type Boxed<'a> = tickets::BoxedQuery<'a, crate::connection::MultiBackend>;

fn filtered<'a>(filter: &'a TicketFilter, patterns: &'a Patterns) -> Boxed<'a> {
    let mut query = tickets::table.into_boxed();
    match filter.status {
        StatusFilter::Open => query = query.filter(tickets::status.eq(TicketStatus::Open.as_str())),
        StatusFilter::Closed => {
            query = query.filter(tickets::status.eq(TicketStatus::Closed.as_str()));
        }
        StatusFilter::All => {}
    }
    if let Some(user) = filter.user {
        query = query.filter(tickets::user_id.eq(user.to_db()));
    }
    if let Some(category) = filter.category {
        query = query.filter(tickets::category_id.eq(category.0));
    }
    if let Some(staff) = filter.assigned {
        query = query.filter(tickets::assigned_to.eq(staff.to_db()));
    }
    if let Some(pattern) = patterns.search.as_deref() {
        query = query.filter(
            lower(tickets::user_name)
                .like(pattern)
                .escape('\\')
                .or(lower(tickets::label.assume_not_null())
                    .like(pattern)
                    .escape('\\')),
        );
    }
    if let Some(pattern) = patterns.text.as_deref() {
        let in_messages = messages::table
            .filter(messages::ticket_id.eq(tickets::id))
            .filter(lower(messages::content).like(pattern).escape('\\'));
        query = query.filter(diesel::dsl::exists(in_messages));
    }
    query
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Escapes LIKE wildcards in user input and wraps it in `%...%`.
fn like_pattern(search: &str) -> String {
    let mut out = String::from("%");
    for c in search.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The filter's search texts as LIKE patterns.
#[derive(Default)]
struct Patterns {
    search: Option<String>,
    text: Option<String>,
}

fn pattern_of(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(like_pattern)
}

fn search_patterns(filter: &TicketFilter) -> Patterns {
    Patterns {
        search: pattern_of(filter.search.as_deref()),
        text: pattern_of(filter.text.as_deref()),
    }
}

/// The 0-based position of a ticket in the order [`list`] uses for this filter, or `None` when
/// it does not match the filter (the TUI keeps its selection across refreshes with it). The
/// filter's `limit` and `page` are ignored.
pub fn position(
    conn: &mut DbConnection,
    filter: &TicketFilter,
    id: TicketId,
) -> DomainResult<Option<i64>> {
    let patterns = search_patterns(filter);
    let found: Option<NaiveDateTime> = filtered(filter, &patterns)
        .filter(tickets::id.eq(id.0))
        .select(tickets::last_activity_at)
        .first(conn)
        .optional()?;
    let Some(at) = found else {
        return Ok(None);
    };
    let before: i64 = filtered(filter, &patterns)
        .filter(
            tickets::last_activity_at
                .gt(at)
                .or(tickets::last_activity_at.eq(at).and(tickets::id.gt(id.0))),
        )
        .count()
        .get_result(conn)?;
    Ok(Some(before))
}

/// Lists one page of tickets, most recently active first.
pub fn list(conn: &mut DbConnection, filter: &TicketFilter) -> DomainResult<TicketPage> {
    if !(1..=MAX_PAGE_SIZE).contains(&filter.limit) {
        return Err(DomainError::invalid(
            "limit",
            format!("must be between 1 and {MAX_PAGE_SIZE}"),
        ));
    }
    if filter.page < 1 {
        return Err(DomainError::invalid("page", "must be 1 or more"));
    }
    let patterns = search_patterns(filter);
    let total: i64 = filtered(filter, &patterns).count().get_result(conn)?;
    let rows = filtered(filter, &patterns)
        .order((tickets::last_activity_at.desc(), tickets::id.desc()))
        .limit(filter.limit)
        .offset((filter.page - 1).saturating_mul(filter.limit))
        .select(TicketRow::as_select())
        .load::<TicketRow>(conn)?;
    let tickets: Vec<Ticket> = rows
        .into_iter()
        .map(Ticket::try_from)
        .collect::<Result<_, _>>()?;
    let ids: Vec<i64> = tickets.iter().map(|t| t.id.0).collect();
    let category_ids: Vec<i64> = tickets
        .iter()
        .filter_map(|t| t.category_id.map(|c| c.0))
        .collect();
    let names: HashMap<i64, String> = ticket_categories::table
        .filter(ticket_categories::id.eq_any(&category_ids))
        .select((ticket_categories::id, ticket_categories::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let closes: HashMap<i64, NaiveDateTime> = scheduled_jobs::table
        .filter(scheduled_jobs::ticket_id.eq_any(&ids))
        .filter(
            scheduled_jobs::kind
                .eq_any([JobKind::Close.as_str(), JobKind::InactivityClose.as_str()]),
        )
        .filter(scheduled_jobs::done_at.is_null())
        .filter(scheduled_jobs::cancelled_at.is_null())
        .select((
            scheduled_jobs::ticket_id.assume_not_null(),
            scheduled_jobs::due_at,
        ))
        .load::<(i64, NaiveDateTime)>(conn)?
        .into_iter()
        .fold(HashMap::new(), |mut acc, (t, due)| {
            acc.entry(t)
                .and_modify(|d: &mut NaiveDateTime| *d = (*d).min(due))
                .or_insert(due);
            acc
        });
    Ok(TicketPage {
        tickets: tickets
            .into_iter()
            .map(|ticket| TicketSummary {
                category_name: ticket.category_id.and_then(|c| names.get(&c.0).cloned()),
                scheduled_close_at: closes.get(&ticket.id.0).copied(),
                ticket,
            })
            .collect(),
        total,
        page: filter.page,
        limit: filter.limit,
    })
}

/// Counts of open and closed tickets.
pub fn counts(conn: &mut DbConnection) -> DomainResult<(i64, i64)> {
    let open: i64 = tickets::table
        .filter(tickets::status.eq(TicketStatus::Open.as_str()))
        .count()
        .get_result(conn)?;
    let all: i64 = tickets::table.count().get_result(conn)?;
    Ok((open, all - open))
}

/// Ids of open tickets whose channel was never created or is known gone (for `--orphans`) are
/// decided by the bot; this lists open tickets with no channel recorded.
pub fn open_without_channel(conn: &mut DbConnection) -> DomainResult<Vec<TicketId>> {
    let ids: Vec<i64> = tickets::table
        .filter(tickets::status.eq(TicketStatus::Open.as_str()))
        .filter(tickets::channel_id.is_null())
        .select(tickets::id)
        .load(conn)?;
    Ok(ids.into_iter().map(TicketId).collect())
}
