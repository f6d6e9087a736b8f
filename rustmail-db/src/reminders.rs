//! Reminders (`/add_reminder 2h text`): a row for the staff-facing id and text, and a
//! [`JobKind::Reminder`] job that fires it exactly once, across restarts.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::connection::{write_tx, DbConnection};
use crate::error::{DomainError, DomainResult};
use crate::events::{self, EventKind};
use crate::ids::{ChannelId, JobId, ReminderId, TicketId, UserId};
use crate::jobs::{self, JobKind, NewJob};
use crate::schema::reminders;
use crate::time::now;

/// Longest reminder text.
pub const MAX_REMINDER_CHARS: usize = 1000;

/// A reminder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reminder {
    pub id: ReminderId,
    pub ticket_id: TicketId,
    pub staff_id: UserId,
    pub channel_id: ChannelId,
    pub content: String,
    pub due_at: NaiveDateTime,
    pub job_id: Option<JobId>,
    pub created_at: NaiveDateTime,
    pub fired_at: Option<NaiveDateTime>,
    pub cancelled_at: Option<NaiveDateTime>,
}

type Row = (
    i64,
    i64,
    i64,
    i64,
    String,
    NaiveDateTime,
    Option<i64>,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

fn from_row(r: Row) -> Reminder {
    Reminder {
        id: ReminderId(r.0),
        ticket_id: TicketId(r.1),
        staff_id: UserId::from_db(r.2),
        channel_id: ChannelId::from_db(r.3),
        content: r.4,
        due_at: r.5,
        job_id: r.6.map(JobId),
        created_at: r.7,
        fired_at: r.8,
        cancelled_at: r.9,
    }
}

/// The reminder with this id.
pub fn get(conn: &mut DbConnection, id: ReminderId) -> DomainResult<Reminder> {
    reminders::table
        .filter(reminders::id.eq(id.0))
        .first::<Row>(conn)
        .optional()?
        .map(from_row)
        .ok_or_else(|| DomainError::not_found("reminder", id))
}

/// Adds a reminder for `staff` in the ticket channel, due at `due_at`.
pub fn add(
    conn: &mut DbConnection,
    ticket: TicketId,
    staff: UserId,
    channel: ChannelId,
    content: &str,
    due_at: NaiveDateTime,
) -> DomainResult<Reminder> {
    let content = content.trim();
    if crate::text::is_blank(content) {
        return Err(DomainError::invalid("content", "must not be empty"));
    }
    if content.chars().count() > MAX_REMINDER_CHARS {
        return Err(DomainError::invalid(
            "content",
            format!("must be at most {MAX_REMINDER_CHARS} characters"),
        ));
    }
    write_tx(conn, |conn| {
        if !crate::tickets::get(conn, ticket)?.is_open() {
            return Err(DomainError::NotOpen(ticket));
        }
        let id: i64 = crate::on_backend!(conn, |c| diesel::insert_into(reminders::table)
            .values((
                reminders::ticket_id.eq(ticket.0),
                reminders::staff_id.eq(staff.to_db()),
                reminders::channel_id.eq(channel.to_db()),
                reminders::content.eq(content),
                reminders::due_at.eq(due_at),
                reminders::created_at.eq(now()),
            ))
            .returning(reminders::id)
            .get_result(c))?;
        let job = jobs::schedule(
            conn,
            &NewJob {
                kind: JobKind::Reminder,
                ticket_id: Some(ticket),
                payload: serde_json::json!({ "reminder_id": id }),
                due_at,
                created_by: Some(staff),
                idempotency_key: Some(format!("reminder:{id}")),
            },
        )?;
        diesel::update(reminders::table.filter(reminders::id.eq(id)))
            .set(reminders::job_id.eq(Some(job.id.0)))
            .execute(conn)?;
        events::add(
            conn,
            ticket,
            EventKind::ReminderSet,
            Some(staff),
            &format!("reminder {id}"),
        )?;
        get(conn, ReminderId(id))
    })
}

/// Removes a live reminder: only its owner, or an admin.
pub fn remove(
    conn: &mut DbConnection,
    id: ReminderId,
    by: UserId,
    is_admin: bool,
) -> DomainResult<Reminder> {
    write_tx(conn, |conn| {
        let reminder = get(conn, id)?;
        if reminder.staff_id != by && !is_admin {
            return Err(DomainError::Forbidden(format!(
                "reminder {id} belongs to someone else; only its owner or an admin may remove it"
            )));
        }
        if reminder.fired_at.is_some() || reminder.cancelled_at.is_some() {
            return Err(DomainError::InvalidTransition(format!(
                "reminder {id} has already {}",
                if reminder.fired_at.is_some() {
                    "fired"
                } else {
                    "been removed"
                }
            )));
        }
        if let Some(job) = reminder.job_id {
            jobs::cancel(conn, job, Some(by))?;
        } else {
            on_job_cancelled_row(conn, id)?;
        }
        get(conn, id)
    })
}

/// Marks the reminder behind a cancelled job as cancelled.
pub(crate) fn on_job_cancelled(conn: &mut DbConnection, job: JobId) -> DomainResult<()> {
    diesel::update(
        reminders::table
            .filter(reminders::job_id.eq(job.0))
            .filter(reminders::cancelled_at.is_null()),
    )
    .set(reminders::cancelled_at.eq(Some(now())))
    .execute(conn)?;
    Ok(())
}

fn on_job_cancelled_row(conn: &mut DbConnection, id: ReminderId) -> DomainResult<()> {
    diesel::update(reminders::table.filter(reminders::id.eq(id.0)))
        .set(reminders::cancelled_at.eq(Some(now())))
        .execute(conn)?;
    Ok(())
}

/// Marks a reminder fired (by the job runner, in the same transaction as completing the job).
/// Returns `false` when it had already fired or was cancelled, so it is never sent twice.
pub fn mark_fired(conn: &mut DbConnection, id: ReminderId) -> DomainResult<bool> {
    let updated = diesel::update(
        reminders::table
            .filter(reminders::id.eq(id.0))
            .filter(reminders::fired_at.is_null())
            .filter(reminders::cancelled_at.is_null()),
    )
    .set(reminders::fired_at.eq(Some(now())))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Live reminders of a ticket, soonest first.
pub fn live_for_ticket(conn: &mut DbConnection, ticket: TicketId) -> DomainResult<Vec<Reminder>> {
    Ok(reminders::table
        .filter(reminders::ticket_id.eq(ticket.0))
        .filter(reminders::fired_at.is_null())
        .filter(reminders::cancelled_at.is_null())
        .order(reminders::due_at.asc())
        .load::<Row>(conn)?
        .into_iter()
        .map(from_row)
        .collect())
}
