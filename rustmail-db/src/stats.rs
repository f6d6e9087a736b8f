//! Ticket statistics over a time window (`rustmail stats --since 7d`): tickets opened and closed,
//! median first-response and close times, the busiest categories and replies per staff member.
//!
//! Counts and groupings are SQL; medians are computed here over the durations fetched for the
//! window (one small row per ticket), which is portable across both backends.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::connection::DbConnection;
use crate::error::DomainResult;
use crate::ids::{CategoryId, UserId};
use crate::messages::Direction;
use crate::schema::{messages, ticket_categories, tickets};
use crate::tickets::TicketStatus;

/// How many categories [`compute`] reports as the busiest.
pub const BUSIEST_CATEGORIES: usize = 5;

/// Tickets opened in one category within the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryCount {
    /// `None` is the default inbox.
    pub category_id: Option<CategoryId>,
    /// The category's name; `None` for the default inbox or a deleted category.
    pub name: Option<String>,
    pub tickets: i64,
}

/// Replies sent by one staff member within the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffReplies {
    pub staff_id: UserId,
    /// The name recorded with their latest reply.
    pub name: String,
    pub replies: i64,
    /// How many of those were anonymous.
    pub anonymous: i64,
}

/// Statistics of the window `[since, until]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub since: NaiveDateTime,
    pub until: NaiveDateTime,
    /// Tickets open right now (whenever opened).
    pub open_now: i64,
    /// Tickets opened within the window.
    pub opened: i64,
    /// Tickets closed within the window.
    pub closed: i64,
    /// Median time from opening to the first staff reply, over tickets opened in the window
    /// that got one; `None` when there is none.
    pub median_first_response_seconds: Option<i64>,
    /// Median time from opening to closing, over tickets closed in the window.
    pub median_close_seconds: Option<i64>,
    /// Categories by tickets opened in the window, busiest first (at most
    /// [`BUSIEST_CATEGORIES`]).
    pub busiest_categories: Vec<CategoryCount>,
    /// Staff members by replies sent in the window, most first.
    pub staff_replies: Vec<StaffReplies>,
}

/// The median of `values` (the mean of the two middle ones for an even count, rounded down).
pub fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        Some(values[mid])
    } else {
        let (a, b) = (values[mid - 1], values[mid]);
        Some(a + (b - a) / 2)
    }
}

fn seconds_between(from: NaiveDateTime, to: NaiveDateTime) -> i64 {
    (to - from).num_seconds().max(0)
}

/// Computes the statistics of the window from `since` to now.
pub fn compute(conn: &mut DbConnection, since: NaiveDateTime) -> DomainResult<Stats> {
    let until = crate::time::now();
    let open_now: i64 = tickets::table
        .filter(tickets::status.eq(TicketStatus::Open.as_str()))
        .count()
        .get_result(conn)?;
    let opened: i64 = tickets::table
        .filter(tickets::opened_at.ge(since))
        .count()
        .get_result(conn)?;

    let mut first_responses: Vec<i64> = tickets::table
        .filter(tickets::opened_at.ge(since))
        .filter(tickets::first_staff_reply_at.is_not_null())
        .select((
            tickets::opened_at,
            tickets::first_staff_reply_at.assume_not_null(),
        ))
        .load::<(NaiveDateTime, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(o, r)| seconds_between(o, r))
        .collect();
    let mut close_times: Vec<i64> = tickets::table
        .filter(tickets::closed_at.ge(since))
        .select((tickets::opened_at, tickets::closed_at.assume_not_null()))
        .load::<(NaiveDateTime, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(o, c)| seconds_between(o, c))
        .collect();

    Ok(Stats {
        since,
        until,
        open_now,
        opened,
        closed: i64::try_from(close_times.len()).unwrap_or(i64::MAX),
        median_first_response_seconds: median(&mut first_responses),
        median_close_seconds: median(&mut close_times),
        busiest_categories: busiest_categories(conn, since)?,
        staff_replies: staff_replies(conn, since)?,
    })
}

fn busiest_categories(
    conn: &mut DbConnection,
    since: NaiveDateTime,
) -> DomainResult<Vec<CategoryCount>> {
    let mut counts: Vec<(Option<i64>, i64)> = tickets::table
        .filter(tickets::opened_at.ge(since))
        .group_by(tickets::category_id)
        .select((tickets::category_id, diesel::dsl::count(tickets::id)))
        .load(conn)?;
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts.truncate(BUSIEST_CATEGORIES);
    let ids: Vec<i64> = counts.iter().filter_map(|(c, _)| *c).collect();
    let names: HashMap<i64, String> = ticket_categories::table
        .filter(ticket_categories::id.eq_any(&ids))
        .select((ticket_categories::id, ticket_categories::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(counts
        .into_iter()
        .map(|(id, tickets)| CategoryCount {
            category_id: id.map(CategoryId),
            name: id.and_then(|i| names.get(&i).cloned()),
            tickets,
        })
        .collect())
}

fn staff_replies(conn: &mut DbConnection, since: NaiveDateTime) -> DomainResult<Vec<StaffReplies>> {
    let replies = || {
        messages::table
            .filter(messages::direction.eq(Direction::StaffToUser.as_str()))
            .filter(messages::created_at.ge(since))
    };
    let totals: Vec<(i64, i64, Option<i64>)> = replies()
        .group_by(messages::author_id)
        .select((
            messages::author_id,
            diesel::dsl::count(messages::id),
            diesel::dsl::max(messages::id),
        ))
        .load(conn)?;
    let anonymous: HashMap<i64, i64> = replies()
        .filter(messages::anonymous.eq(true))
        .group_by(messages::author_id)
        .select((messages::author_id, diesel::dsl::count(messages::id)))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let latest: Vec<i64> = totals.iter().filter_map(|t| t.2).collect();
    let names: HashMap<i64, String> = messages::table
        .filter(messages::id.eq_any(&latest))
        .select((messages::author_id, messages::author_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let mut out: Vec<StaffReplies> = totals
        .into_iter()
        .map(|(author, replies, _)| StaffReplies {
            staff_id: UserId::from_db(author),
            name: names.get(&author).cloned().unwrap_or_default(),
            replies,
            anonymous: anonymous.get(&author).copied().unwrap_or(0),
        })
        .collect();
    out.sort_by(|a, b| b.replies.cmp(&a.replies).then(a.staff_id.cmp(&b.staff_id)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5]), Some(5));
        assert_eq!(median(&mut [9, 1, 5]), Some(5));
        assert_eq!(median(&mut [1, 2, 3, 10]), Some(2));
        assert_eq!(median(&mut [10, 20]), Some(15));
    }
}
