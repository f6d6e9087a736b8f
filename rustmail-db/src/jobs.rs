//! Scheduled jobs: closes, inactivity closes, reminders, category-selection timeouts and retried
//! side effects. Jobs live in the database, so they survive restarts; a worker claims a due job
//! with a lease (compare-and-set on the row), so with two bot processes on one database each job
//! is claimed by one of them, and a crashed worker's job is picked up after its lease expires.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::connection::{write_tx, DbConnection};
use crate::error::{is_unique_violation, DomainError, DomainResult};
use crate::events::{self, EventKind};
use crate::ids::{JobId, TicketId, UserId};
use crate::schema::scheduled_jobs;
use crate::text_enum;
use crate::time::now;

text_enum! {
    /// What a job does when due.
    pub enum JobKind {
        /// `/close 2h`.
        Close => "close",
        /// `time_to_close_thread` after a staff reply.
        InactivityClose => "inactivity_close",
        /// `/add_reminder`.
        Reminder => "reminder",
        /// The category prompt timed out: open in the default inbox.
        CategoryTimeout => "category_timeout",
        /// A Discord side effect to (re)try, described by the payload.
        SideEffect => "side_effect",
    }
}

/// A scheduled job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Job {
    pub id: JobId,
    pub kind: JobKind,
    pub ticket_id: Option<TicketId>,
    pub payload: String,
    pub due_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub created_by: Option<UserId>,
    pub cancelled_at: Option<NaiveDateTime>,
    pub done_at: Option<NaiveDateTime>,
    pub claimed_by: Option<String>,
    pub lease_expires_at: Option<NaiveDateTime>,
    pub attempts: i32,
    pub last_error: Option<String>,
}

impl Job {
    /// Whether the job will still run.
    pub fn is_live(&self) -> bool {
        self.done_at.is_none() && self.cancelled_at.is_none()
    }

    /// The payload as JSON (empty object when unparsable).
    pub fn payload_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.payload).unwrap_or_else(|_| serde_json::json!({}))
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = scheduled_jobs)]
struct JobRow {
    id: i64,
    kind: String,
    ticket_id: Option<i64>,
    payload: String,
    due_at: NaiveDateTime,
    created_at: NaiveDateTime,
    created_by: Option<i64>,
    cancelled_at: Option<NaiveDateTime>,
    done_at: Option<NaiveDateTime>,
    claimed_by: Option<String>,
    lease_expires_at: Option<NaiveDateTime>,
    attempts: i32,
    last_error: Option<String>,
}

impl TryFrom<JobRow> for Job {
    type Error = diesel::result::Error;

    fn try_from(r: JobRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: JobId(r.id),
            kind: JobKind::from_db(&r.kind)?,
            ticket_id: r.ticket_id.map(TicketId),
            payload: r.payload,
            due_at: r.due_at,
            created_at: r.created_at,
            created_by: r.created_by.map(UserId::from_db),
            cancelled_at: r.cancelled_at,
            done_at: r.done_at,
            claimed_by: r.claimed_by,
            lease_expires_at: r.lease_expires_at,
            attempts: r.attempts,
            last_error: r.last_error,
        })
    }
}

/// Runs an unboxed job query (cached prepared statement; see `messages::all_messages`).
macro_rules! all_jobs {
    ($query:expr, $conn:expr) => {
        $query
            .select(JobRow::as_select())
            .load::<JobRow>($conn)?
            .into_iter()
            .map(Job::try_from)
            .collect::<Result<Vec<_>, _>>()?
    };
}

fn load(
    query: scheduled_jobs::BoxedQuery<'_, crate::connection::MultiBackend>,
    conn: &mut DbConnection,
) -> DomainResult<Vec<Job>> {
    let rows = query.select(JobRow::as_select()).load::<JobRow>(conn)?;
    Ok(rows
        .into_iter()
        .map(Job::try_from)
        .collect::<Result<_, _>>()?)
}

/// The job with this id.
pub fn get(conn: &mut DbConnection, id: JobId) -> DomainResult<Job> {
    all_jobs!(
        scheduled_jobs::table.filter(scheduled_jobs::id.eq(id.0)),
        conn
    )
    .into_iter()
    .next()
    .ok_or_else(|| DomainError::not_found("scheduled job", id))
}

/// A job to schedule.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: JobKind,
    pub ticket_id: Option<TicketId>,
    pub payload: serde_json::Value,
    pub due_at: NaiveDateTime,
    pub created_by: Option<UserId>,
    /// When set, scheduling the same key again returns the existing job.
    pub idempotency_key: Option<String>,
}

/// Schedules a job (idempotent on `idempotency_key`).
pub fn schedule(conn: &mut DbConnection, job: &NewJob) -> DomainResult<Job> {
    write_tx(conn, |conn| {
        if let Some(key) = &job.idempotency_key {
            if let Some(existing) = find_by_key(conn, key)? {
                return Ok(existing);
            }
        }
        let payload = job.payload.to_string();
        let id: i64 = crate::on_backend!(conn, |c| diesel::insert_into(scheduled_jobs::table)
            .values((
                scheduled_jobs::kind.eq(job.kind.as_str()),
                scheduled_jobs::ticket_id.eq(job.ticket_id.map(|t| t.0)),
                scheduled_jobs::payload.eq(&payload),
                scheduled_jobs::due_at.eq(job.due_at),
                scheduled_jobs::created_at.eq(now()),
                scheduled_jobs::created_by.eq(job.created_by.map(UserId::to_db)),
                scheduled_jobs::idempotency_key.eq(job.idempotency_key.as_deref()),
            ))
            .returning(scheduled_jobs::id)
            .get_result(c))
        .map_err(|e| {
            if is_unique_violation(&e) {
                DomainError::Conflict(format!(
                    "a {} job is already scheduled for this ticket",
                    job.kind
                ))
            } else {
                e.into()
            }
        })?;
        get(conn, JobId(id))
    })
}

fn find_by_key(conn: &mut DbConnection, key: &str) -> DomainResult<Option<Job>> {
    Ok(load(
        scheduled_jobs::table
            .filter(scheduled_jobs::idempotency_key.eq(key))
            .into_boxed(),
        conn,
    )?
    .into_iter()
    .next())
}

/// A close to schedule for a ticket.
#[derive(Debug, Clone)]
pub struct CloseSchedule {
    /// `Close` or `InactivityClose`.
    pub kind: JobKind,
    pub due_at: NaiveDateTime,
    pub by: Option<UserId>,
    pub silent: bool,
}

/// Schedules a close of the ticket, replacing a live one of the same kind.
pub fn schedule_close(
    conn: &mut DbConnection,
    ticket: TicketId,
    close: &CloseSchedule,
) -> DomainResult<Job> {
    if !matches!(close.kind, JobKind::Close | JobKind::InactivityClose) {
        return Err(DomainError::invalid(
            "kind",
            "a close is `close` or `inactivity_close`",
        ));
    }
    write_tx(conn, |conn| {
        let t = crate::tickets::get(conn, ticket)?;
        if !t.is_open() {
            return Err(DomainError::NotOpen(ticket));
        }
        cancel_ticket_jobs(conn, ticket, &[close.kind], close.by)?;
        let job = schedule(
            conn,
            &NewJob {
                kind: close.kind,
                ticket_id: Some(ticket),
                payload: serde_json::json!({ "silent": close.silent }),
                due_at: close.due_at,
                created_by: close.by,
                idempotency_key: None,
            },
        )?;
        if close.kind == JobKind::Close {
            let detail = format!("due {}", close.due_at.format("%Y-%m-%d %H:%M UTC"));
            events::add(conn, ticket, EventKind::CloseScheduled, close.by, &detail)?;
        }
        Ok(job)
    })
}

/// Cancels the ticket's scheduled close (`/close cancel`); `None` when there was none.
pub fn cancel_close(
    conn: &mut DbConnection,
    ticket: TicketId,
    by: Option<UserId>,
) -> DomainResult<Option<Job>> {
    write_tx(conn, |conn| {
        let cancelled = cancel_ticket_jobs(
            conn,
            ticket,
            &[JobKind::Close, JobKind::InactivityClose],
            by,
        )?;
        let close = cancelled.into_iter().find(|j| j.kind == JobKind::Close);
        if close.is_some() {
            events::add(conn, ticket, EventKind::CloseCancelled, by, "")?;
        }
        Ok(close)
    })
}

/// The ticket's live close of the given kind, if any.
pub fn live_for_ticket(
    conn: &mut DbConnection,
    ticket: TicketId,
    kind: JobKind,
) -> DomainResult<Option<Job>> {
    Ok(all_jobs!(
        scheduled_jobs::table
            .filter(scheduled_jobs::ticket_id.eq(ticket.0))
            .filter(scheduled_jobs::kind.eq(kind.as_str()))
            .filter(scheduled_jobs::done_at.is_null())
            .filter(scheduled_jobs::cancelled_at.is_null()),
        conn
    )
    .into_iter()
    .next())
}

/// Cancels the ticket's live jobs of these kinds; returns what was cancelled.
pub(crate) fn cancel_ticket_jobs(
    conn: &mut DbConnection,
    ticket: TicketId,
    kinds: &[JobKind],
    by: Option<UserId>,
) -> DomainResult<Vec<Job>> {
    // One query for the ticket's live jobs (a handful at most), filtered here: a fixed shape
    // keeps the statement cached, and the DM intake runs it for every DM.
    let live: Vec<Job> = all_jobs!(
        scheduled_jobs::table
            .filter(scheduled_jobs::ticket_id.eq(ticket.0))
            .filter(scheduled_jobs::done_at.is_null())
            .filter(scheduled_jobs::cancelled_at.is_null()),
        conn
    )
    .into_iter()
    .filter(|job| kinds.contains(&job.kind))
    .collect();
    if !live.is_empty() {
        let ids: Vec<i64> = live.iter().map(|j| j.id.0).collect();
        diesel::update(scheduled_jobs::table.filter(scheduled_jobs::id.eq_any(&ids)))
            .set((
                scheduled_jobs::cancelled_at.eq(Some(now())),
                scheduled_jobs::cancelled_by.eq(by.map(UserId::to_db)),
            ))
            .execute(conn)?;
    }
    Ok(live)
}

/// Cancels a job by id (`rustmail schedules cancel ID`).
pub fn cancel(conn: &mut DbConnection, id: JobId, by: Option<UserId>) -> DomainResult<Job> {
    write_tx(conn, |conn| {
        let job = get(conn, id)?;
        if !job.is_live() {
            return Err(DomainError::InvalidTransition(format!(
                "scheduled job {id} has already {}",
                if job.done_at.is_some() {
                    "run"
                } else {
                    "been cancelled"
                }
            )));
        }
        diesel::update(scheduled_jobs::table.filter(scheduled_jobs::id.eq(id.0)))
            .set((
                scheduled_jobs::cancelled_at.eq(Some(now())),
                scheduled_jobs::cancelled_by.eq(by.map(UserId::to_db)),
            ))
            .execute(conn)?;
        if let (Some(ticket), JobKind::Close) = (job.ticket_id, job.kind) {
            events::add(conn, ticket, EventKind::CloseCancelled, by, "by operator")?;
        }
        if job.kind == JobKind::Reminder {
            crate::reminders::on_job_cancelled(conn, id)?;
        }
        get(conn, id)
    })
}

/// Live jobs, soonest first (`rustmail schedules list`).
pub fn list_live(conn: &mut DbConnection) -> DomainResult<Vec<Job>> {
    load(
        scheduled_jobs::table
            .filter(scheduled_jobs::done_at.is_null())
            .filter(scheduled_jobs::cancelled_at.is_null())
            .order((scheduled_jobs::due_at.asc(), scheduled_jobs::id.asc()))
            .into_boxed(),
        conn,
    )
}

/// Claims up to `limit` due jobs for `worker` until `now + lease`. A job is claimable when it is
/// live, due, and unclaimed or its lease has expired. The claim is a conditional update of each
/// row, so two workers racing for one job cannot both win.
pub fn claim_due(
    conn: &mut DbConnection,
    worker: &str,
    lease: std::time::Duration,
    limit: i64,
) -> DomainResult<Vec<Job>> {
    let at = now();
    let expires = crate::time::after(lease);
    let candidates: Vec<i64> = scheduled_jobs::table
        .filter(scheduled_jobs::done_at.is_null())
        .filter(scheduled_jobs::cancelled_at.is_null())
        .filter(scheduled_jobs::due_at.le(at))
        .filter(
            scheduled_jobs::lease_expires_at
                .is_null()
                .or(scheduled_jobs::lease_expires_at.lt(at)),
        )
        .order((scheduled_jobs::due_at.asc(), scheduled_jobs::id.asc()))
        .limit(limit)
        .select(scheduled_jobs::id)
        .load(conn)?;
    let mut claimed = Vec::new();
    for id in candidates {
        let won = diesel::update(
            scheduled_jobs::table
                .filter(scheduled_jobs::id.eq(id))
                .filter(scheduled_jobs::done_at.is_null())
                .filter(scheduled_jobs::cancelled_at.is_null())
                .filter(
                    scheduled_jobs::lease_expires_at
                        .is_null()
                        .or(scheduled_jobs::lease_expires_at.lt(at)),
                ),
        )
        .set((
            scheduled_jobs::claimed_by.eq(Some(worker)),
            scheduled_jobs::lease_expires_at.eq(Some(expires)),
            scheduled_jobs::attempts.eq(scheduled_jobs::attempts + 1),
        ))
        .execute(conn)?;
        if won == 1 {
            claimed.push(get(conn, JobId(id))?);
        }
    }
    Ok(claimed)
}

/// Marks a claimed job done. Only the worker holding the claim can complete it; a job cancelled
/// while it ran is left cancelled.
pub fn complete(conn: &mut DbConnection, id: JobId, worker: &str) -> DomainResult<bool> {
    let updated = diesel::update(
        scheduled_jobs::table
            .filter(scheduled_jobs::id.eq(id.0))
            .filter(scheduled_jobs::claimed_by.eq(worker))
            .filter(scheduled_jobs::done_at.is_null()),
    )
    .set((
        scheduled_jobs::done_at.eq(Some(now())),
        scheduled_jobs::lease_expires_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Releases a claimed job after a failure, to run again at `retry_at` (or gives up when `None`:
/// the job is marked done with its error kept).
pub fn fail(
    conn: &mut DbConnection,
    id: JobId,
    worker: &str,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> DomainResult<()> {
    let target = scheduled_jobs::table
        .filter(scheduled_jobs::id.eq(id.0))
        .filter(scheduled_jobs::claimed_by.eq(worker));
    match retry_at {
        Some(at) => diesel::update(target)
            .set((
                scheduled_jobs::due_at.eq(at),
                scheduled_jobs::lease_expires_at.eq(None::<NaiveDateTime>),
                scheduled_jobs::claimed_by.eq(None::<String>),
                scheduled_jobs::last_error.eq(Some(error)),
            ))
            .execute(conn)?,
        None => diesel::update(target)
            .set((
                scheduled_jobs::done_at.eq(Some(now())),
                scheduled_jobs::lease_expires_at.eq(None::<NaiveDateTime>),
                scheduled_jobs::last_error.eq(Some(error)),
            ))
            .execute(conn)?,
    };
    Ok(())
}

/// The oldest due, unclaimed job's lateness (metrics: job lag), if any job is overdue.
pub fn oldest_due(conn: &mut DbConnection) -> DomainResult<Option<NaiveDateTime>> {
    let at = now();
    Ok(scheduled_jobs::table
        .filter(scheduled_jobs::done_at.is_null())
        .filter(scheduled_jobs::cancelled_at.is_null())
        .filter(scheduled_jobs::due_at.le(at))
        .select(diesel::dsl::min(scheduled_jobs::due_at))
        .first::<Option<NaiveDateTime>>(conn)?)
}

/// Gives back every unfinished job `worker` holds (a clean shutdown), so another process or the
/// next start picks them up at once instead of after their lease. Returns how many.
pub fn release_claims(conn: &mut DbConnection, worker: &str) -> DomainResult<usize> {
    Ok(diesel::update(
        scheduled_jobs::table
            .filter(scheduled_jobs::claimed_by.eq(worker))
            .filter(scheduled_jobs::done_at.is_null()),
    )
    .set((
        scheduled_jobs::claimed_by.eq(None::<String>),
        scheduled_jobs::lease_expires_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?)
}
