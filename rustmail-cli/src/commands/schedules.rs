//! `rustmail schedules list|cancel`: live scheduled jobs (closes, inactivity closes, reminders,
//! category timeouts, retried side effects) with their due times.

use std::io::Write;

use rustmail_db::ids::ReminderId;
use rustmail_db::jobs::{self, Job, JobKind};
use rustmail_db::{reminders, DbConnection};

use crate::args::SchedulesCommand;
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::output::{self, Cell, Colour, Table};
use crate::strings;

pub fn run(ctx: &Context, command: SchedulesCommand, out: &mut dyn Write) -> CliResult {
    let db = ctx.open()?;
    match command {
        SchedulesCommand::List => {
            let rows = db.with_conn(|conn| -> CliResult<Vec<(Job, String)>> {
                let jobs = jobs::list_live(conn)?;
                Ok(jobs
                    .into_iter()
                    .map(|job| {
                        let detail = detail(conn, &job);
                        (job, detail)
                    })
                    .collect())
            })?;
            if ctx.json() {
                let jobs: Vec<&Job> = rows.iter().map(|(j, _)| j).collect();
                return output::json(out, &jobs);
            }
            if rows.is_empty() {
                return output::line(out, strings::NO_SCHEDULES);
            }
            let mut table = Table::new(&strings::SCHEDULE_COLUMNS);
            for (job, detail) in &rows {
                table.row(vec![
                    job.id.to_string().into(),
                    strings::job_kind(job.kind).into(),
                    job.ticket_id
                        .map_or_else(|| "-".to_owned(), |t| format!("#{t}"))
                        .into(),
                    Cell::new(output::time(job.due_at)).colour(Colour::Yellow),
                    job.created_by
                        .map_or_else(|| "-".to_owned(), |u| u.to_string())
                        .into(),
                    detail.clone().into(),
                ]);
            }
            out.write_all(table.render(&ctx.style).as_bytes())
                .map_err(CliError::stdout)
        }
        SchedulesCommand::Cancel { id } => {
            let job = db.with_conn(|conn| jobs::cancel(conn, id, None))?;
            if ctx.json() {
                return output::json(out, &job);
            }
            output::line(out, &strings::schedule_cancelled(&job))
        }
    }
}

/// What a job will do, in a few words.
fn detail(conn: &mut DbConnection, job: &Job) -> String {
    let payload = job.payload_json();
    let mut detail = match job.kind {
        JobKind::Close | JobKind::InactivityClose => {
            if payload["silent"].as_bool().unwrap_or(false) {
                strings::SILENT.to_owned()
            } else {
                String::new()
            }
        }
        JobKind::Reminder => payload["reminder_id"]
            .as_i64()
            .and_then(|id| reminders::get(conn, ReminderId(id)).ok())
            .map(|r| format!("<@{}> {}", r.staff_id, r.content))
            .unwrap_or_default(),
        JobKind::CategoryTimeout => String::new(),
        JobKind::SideEffect => job.payload.clone(),
    };
    if let Some(error) = &job.last_error {
        if !detail.is_empty() {
            detail.push_str("; ");
        }
        detail.push_str(&strings::retrying(job.attempts, error));
    }
    if detail.is_empty() {
        "-".to_owned()
    } else {
        detail
    }
}
