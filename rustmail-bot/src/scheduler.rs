//! Background tasks driven by the database: the job scheduler (scheduled and inactivity closes,
//! reminders, category-prompt timeouts, close follow-ups), the operator-action executor (what
//! the CLI queues), and the instance heartbeat. Nothing relies on in-memory timers alone: a job
//! is a row, claimed with a lease, so with two bot processes each job runs once, and overdue jobs
//! run at start-up.

use std::time::Duration;

use rustmail_db::actions::{self, Action, ActionKind, Outcome};
use rustmail_db::categories;
use rustmail_db::ids::{CategoryId, ReminderId};
use rustmail_db::jobs::{self, Job, JobKind};
use rustmail_db::tickets::{self, CloseKind};
use rustmail_db::{instances, reminders};
use serenity::all::{ChannelId, EditChannel, UserId};

use crate::error::RelayError;
use crate::lifecycle::close::{close, CloseOrder, FOLLOWUP_EFFECT};
use crate::state::Data;
use crate::strings;

/// How often the scheduler looks for due jobs (it is also woken when a close is queued).
const JOB_TICK: Duration = Duration::from_millis(300);
/// How long a claimed job is ours.
const JOB_LEASE: Duration = Duration::from_secs(120);
/// Jobs claimed per pass.
const JOB_BATCH: i64 = 16;
/// A failing job is given up after this many attempts.
const JOB_MAX_ATTEMPTS: i32 = 10;
/// How often the action executor looks for queued operator actions.
const ACTION_TICK: Duration = Duration::from_millis(400);
/// How long a claimed action is ours.
const ACTION_LEASE: Duration = Duration::from_secs(120);

/// The job scheduler; ends when the bot stops.
pub async fn jobs_loop(data: Data) {
    data.wait_ready().await;
    let mut stopping = data.stopping.subscribe();
    while !data.is_stopping() {
        let worker = data.worker_id.clone();
        let claimed = data
            .db
            .run(move |c| jobs::claim_due(c, &worker, JOB_LEASE, JOB_BATCH))
            .await;
        let full = match claimed {
            Ok(batch) => {
                let full = i64::try_from(batch.len()).unwrap_or(0) >= JOB_BATCH;
                for job in batch {
                    run_job(&data, job).await;
                }
                full
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot claim due jobs");
                false
            }
        };
        if full {
            continue;
        }
        tokio::select! {
            () = tokio::time::sleep(JOB_TICK) => {}
            () = data.wake_scheduler.notified() => {}
            _ = stopping.wait_for(|s| *s) => {}
        }
    }
}

async fn run_job(state: &Data, job: Job) {
    let result = execute_job(state, &job).await;
    let (id, worker) = (job.id, state.worker_id.clone());
    let outcome = match result {
        Ok(()) => {
            state
                .db
                .run(move |c| jobs::complete(c, id, &worker).map(|_| ()))
                .await
        }
        Err(e) => {
            let retry = e.is_transient() && job.attempts < JOB_MAX_ATTEMPTS;
            tracing::warn!(job = id.0, kind = %job.kind, attempts = job.attempts, retry, error = %e, "job failed");
            let text = e.to_string();
            let at =
                retry.then(|| rustmail_db::time::after(crate::relay::retry_delay(job.attempts)));
            state
                .db
                .run(move |c| jobs::fail(c, id, &worker, &text, at))
                .await
        }
    };
    if let Err(e) = outcome {
        tracing::error!(job = id.0, error = %e, "cannot record a job's outcome");
    }
}

/// Runs one job.
#[tracing::instrument(name = "job", skip_all, fields(job = job.id.0, kind = job.kind.as_str(), ticket = job.ticket_id.map(|t| t.0)))]
pub async fn execute_job(state: &Data, job: &Job) -> Result<(), RelayError> {
    let payload = job.payload_json();
    match job.kind {
        JobKind::Close | JobKind::InactivityClose => {
            let Some(ticket) = job.ticket_id else {
                return Ok(());
            };
            let silent = payload.get("silent").and_then(serde_json::Value::as_bool) == Some(true);
            let kind = if job.kind == JobKind::Close {
                CloseKind::Scheduled
            } else {
                CloseKind::Inactivity
            };
            let mut order = CloseOrder::new(kind, job.created_by.map(|u| UserId::new(u.get())));
            order.notify = !silent;
            match close(state, ticket, order).await {
                Ok(_) => Ok(()),
                Err(e) if e.is_user_error() => Ok(()),
                Err(e) => Err(e.into()),
            }
        }
        JobKind::Reminder => {
            let Some(id) = payload
                .get("reminder_id")
                .and_then(serde_json::Value::as_i64)
            else {
                return Ok(());
            };
            let id = ReminderId(id);
            let reminder = state.db.run(move |c| reminders::get(c, id)).await?;
            if reminder.fired_at.is_some() || reminder.cancelled_at.is_some() {
                return Ok(());
            }
            crate::workflow::reminders::post(state, &reminder).await;
            state.db.run(move |c| reminders::mark_fired(c, id)).await?;
            Ok(())
        }
        JobKind::CategoryTimeout => match job.ticket_id {
            Some(ticket) => crate::workflow::prompt::expire(state, ticket).await,
            None => Ok(()),
        },
        JobKind::SideEffect => {
            if payload.get("effect").and_then(serde_json::Value::as_str) == Some(FOLLOWUP_EFFECT) {
                crate::lifecycle::close::run_followup(state, job).await
            } else {
                tracing::warn!(job = job.id.0, payload = %job.payload, "unknown side effect; skipped");
                Ok(())
            }
        }
    }
}

/// The operator-action executor; ends when the bot stops.
pub async fn actions_loop(data: Data) {
    data.wait_ready().await;
    while !data.is_stopping() {
        let worker = data.worker_id.clone();
        match data
            .db
            .run(move |c| actions::claim_next(c, &worker, ACTION_LEASE))
            .await
        {
            Ok(Some(action)) => {
                let id = action.id;
                let (outcome, text) = match execute_action(&data, &action).await {
                    Ok(text) => (Outcome::Ok, text),
                    Err(text) => (Outcome::Error, text),
                };
                tracing::info!(action = id.0, kind = %action.kind, outcome = %outcome, result = %text, "operator action");
                if let Err(e) = data
                    .db
                    .run(move |c| actions::complete(c, id, outcome, &text))
                    .await
                {
                    tracing::error!(action = id.0, error = %e, "cannot complete an operator action");
                }
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot claim an operator action"),
        }
        if !data.sleep(ACTION_TICK).await {
            break;
        }
    }
}

async fn execute_action(data: &Data, action: &Action) -> Result<String, String> {
    let payload = action.payload_json();
    let ticket_id = action.ticket_id;
    let need_ticket = || ticket_id.ok_or_else(|| "this action needs a ticket".to_owned());
    match action.kind {
        ActionKind::Close | ActionKind::ForceClose => {
            let id = need_ticket()?;
            let silent = payload.get("silent").and_then(serde_json::Value::as_bool) == Some(true);
            let mut order = match (action.kind, silent) {
                (ActionKind::ForceClose, _) => CloseOrder::new(CloseKind::Force, None),
                (_, true) => CloseOrder::new(CloseKind::Silent, None),
                _ => CloseOrder::new(CloseKind::Operator, None),
            };
            order.reason = payload
                .get("reason")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned);
            close(data, id, order).await.map_err(|e| e.to_string())?;
            Ok(format!("ticket #{id} closed"))
        }
        ActionKind::CancelClose => {
            let id = need_ticket()?;
            let ticket = data
                .db
                .run(move |c| {
                    let live = jobs::live_for_ticket(c, id, JobKind::Close)?;
                    if let Some(job) = live {
                        jobs::cancel(c, job.id, None)?;
                    }
                    tickets::get(c, id)
                })
                .await
                .map_err(|e| e.to_string())?;
            crate::lifecycle::notify_ticket(data, &ticket, strings::CLOSE_CANCELLED, &[]).await;
            Ok(format!("scheduled close of ticket #{id} cancelled"))
        }
        ActionKind::Move => {
            let id = need_ticket()?;
            let category = payload
                .get("category_id")
                .and_then(serde_json::Value::as_i64)
                .map(CategoryId);
            let (ticket, target) = data
                .db
                .run(move |c| {
                    let target = match category {
                        Some(cat) => Some(categories::get(c, cat)?.discord_category()),
                        None => None,
                    };
                    Ok((tickets::set_category(c, id, category, None)?, target))
                })
                .await
                .map_err(|e| e.to_string())?;
            let target = target.unwrap_or(data.config.channels.inbox_category_id);
            if let Some(channel) = ticket.channel_id {
                ChannelId::new(channel.get())
                    .edit(
                        &*data.http,
                        EditChannel::new().category(Some(ChannelId::new(target.get()))),
                    )
                    .await
                    .map_err(|e| crate::discord::describe(&e))?;
            }
            Ok(format!("ticket #{id} moved"))
        }
        ActionKind::Message => {
            let id = need_ticket()?;
            let content = payload
                .get("content")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let ticket = data
                .db
                .run(move |c| tickets::get(c, id))
                .await
                .map_err(|e| e.to_string())?;
            let channel = ticket
                .channel_id
                .ok_or_else(|| format!("ticket #{id} has no channel"))?;
            crate::lifecycle::post_notice(
                data,
                ChannelId::new(channel.get()),
                &strings::operator_message(&content),
            )
            .await;
            Ok(format!("message posted in ticket #{id}"))
        }
        ActionKind::Recover => {
            let summary = crate::recovery::run(data, None).await;
            Ok(summary.to_string())
        }
    }
}

/// Writes this process's heartbeat until the bot stops, and drops expired event claims (any
/// process may: deleting what has expired is the same whoever does it).
pub async fn heartbeat_loop(data: Data) {
    while data.sleep(instances::HEARTBEAT_INTERVAL).await {
        let id = data.worker_id.clone();
        if let Err(e) = data
            .db
            .run(move |c| {
                instances::heartbeat(c, &id)?;
                instances::prune_claims(c)
            })
            .await
        {
            tracing::warn!(error = %e, "cannot write the heartbeat");
        }
    }
}
