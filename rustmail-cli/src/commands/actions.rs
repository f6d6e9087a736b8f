//! Queueing operator actions for the bot, telling whether a bot is online (heartbeat), and with
//! `--wait`, polling until the bot completes the action and printing its result.

use std::io::Write;
use std::time::{Duration, Instant};

use rustmail_db::actions::{self, Action, NewAction, Outcome};
use rustmail_db::ids::ActionId;
use rustmail_db::instances::{self, Instance};
use rustmail_db::{operator, Db};
use serde::Serialize;

use crate::args::WaitArgs;
use crate::context::{requested_by, Context};
use crate::error::{CliError, CliResult};
use crate::output;
use crate::strings;

/// How often `--wait` re-reads the action.
const POLL: Duration = Duration::from_millis(200);

#[derive(Serialize)]
struct Report<'a> {
    actions: &'a [Action],
    bot_online: bool,
    bots: &'a [Instance],
    waited: bool,
}

/// Queues one action and reports it (and its result with `--wait`).
pub fn queue(
    ctx: &Context,
    db: &Db,
    request: &NewAction,
    wait: WaitArgs,
    out: &mut dyn Write,
) -> CliResult {
    let (action, bots) = db.with_conn(|conn| -> CliResult<_> {
        let action = actions::enqueue(conn, request)?;
        Ok((action, instances::online(conn)?))
    })?;
    finish(ctx, db, vec![action], &bots, wait, out)
}

/// `force-close --orphans`: force-closes of open tickets without a channel, plus a recovery pass.
pub fn queue_orphans(ctx: &Context, db: &Db, wait: WaitArgs, out: &mut dyn Write) -> CliResult {
    let (queued, bots) = db.with_conn(|conn| -> CliResult<_> {
        let queued = operator::queue_orphans(conn, &requested_by())?;
        Ok((queued, instances::online(conn)?))
    })?;
    if !ctx.json() {
        output::line(out, &strings::orphans_found(queued.force_closes.len()))?;
    }
    let mut all = queued.force_closes;
    all.push(queued.recover);
    finish(ctx, db, all, &bots, wait, out)
}

fn finish(
    ctx: &Context,
    db: &Db,
    mut queued: Vec<Action>,
    bots: &[Instance],
    wait: WaitArgs,
    out: &mut dyn Write,
) -> CliResult {
    if !ctx.json() {
        for action in &queued {
            output::line(out, &strings::queued(action))?;
        }
        let online = match bots.first() {
            Some(bot) => strings::bot_online(bot),
            None => strings::BOT_OFFLINE.to_owned(),
        };
        output::line(out, &online)?;
    }
    let mut failure = None;
    if wait.wait {
        if !ctx.json() {
            output::line(out, &strings::waiting(wait.timeout))?;
        }
        let deadline = Instant::now() + Duration::from_secs(wait.timeout);
        for action in &mut queued {
            let Some(done) = wait_for(db, action.id, deadline)? else {
                failure.get_or_insert(CliError::Flag {
                    flag: "--timeout".to_owned(),
                    message: strings::timed_out(action, wait.timeout),
                });
                continue;
            };
            *action = done;
            if !ctx.json() {
                output::line(out, &strings::finished(action))?;
            }
            if action.outcome == Some(Outcome::Error) {
                failure.get_or_insert(CliError::Message(strings::bot_failed(action)));
            }
        }
    }
    if ctx.json() {
        output::json(
            out,
            &Report {
                actions: &queued,
                bot_online: !bots.is_empty(),
                bots,
                waited: wait.wait,
            },
        )?;
    }
    failure.map_or(Ok(()), Err)
}

/// Polls the action until the bot completes it or `deadline` passes (`None`).
pub fn wait_for(db: &Db, id: ActionId, deadline: Instant) -> CliResult<Option<Action>> {
    loop {
        let action = db.with_conn(|conn| actions::get(conn, id))?;
        if action.completed_at.is_some() {
            return Ok(Some(action));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        std::thread::sleep(POLL.min(deadline.saturating_duration_since(Instant::now())));
    }
}
