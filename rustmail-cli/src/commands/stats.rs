//! `rustmail stats [--since 7d]`: counts, median first-response and close times, busiest
//! categories and replies per staff member, computed by `rustmail_db::stats`.

use std::io::Write;
use std::time::Duration;

use rustmail_db::duration::format_duration_humane;
use rustmail_db::stats;

use crate::args::StatsArgs;
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::output::{self, Table};
use crate::strings;

pub fn run(ctx: &Context, args: &StatsArgs, out: &mut dyn Write) -> CliResult {
    let db = ctx.open()?;
    let window = chrono::Duration::from_std(args.since).unwrap_or(chrono::Duration::MAX);
    let since = rustmail_db::time::now() - window;
    let stats = db.with_conn(|conn| stats::compute(conn, since))?;
    if ctx.json() {
        return output::json(out, &stats);
    }
    let humane = |s: Option<i64>| {
        s.map_or_else(
            || strings::NONE_YET.to_owned(),
            |s| format_duration_humane(Duration::from_secs(u64::try_from(s).unwrap_or(0))),
        )
    };
    let mut text = strings::stats_header(since, args.since);
    text.push('\n');
    let mut summary = Table::new(&strings::STATS_SUMMARY_COLUMNS);
    for (label, value) in [
        (strings::STATS_OPEN_NOW, stats.open_now.to_string()),
        (strings::STATS_OPENED, stats.opened.to_string()),
        (strings::STATS_CLOSED, stats.closed.to_string()),
        (
            strings::STATS_FIRST_RESPONSE,
            humane(stats.median_first_response_seconds),
        ),
        (
            strings::STATS_CLOSE_TIME,
            humane(stats.median_close_seconds),
        ),
    ] {
        summary.row(vec![label.into(), value.into()]);
    }
    text.push_str(&summary.render(&ctx.style));
    text.push('\n');
    if stats.busiest_categories.is_empty() {
        text.push_str(strings::STATS_NO_CATEGORIES);
        text.push('\n');
    } else {
        let mut table = Table::new(&strings::STATS_CATEGORY_COLUMNS);
        for c in &stats.busiest_categories {
            let name = match (&c.name, c.category_id) {
                (Some(name), _) => name.clone(),
                (None, None) => strings::DEFAULT_CATEGORY.to_owned(),
                (None, Some(id)) => strings::deleted_category(id),
            };
            table.row(vec![name.into(), c.tickets.to_string().into()]);
        }
        text.push_str(&table.render(&ctx.style));
    }
    text.push('\n');
    if stats.staff_replies.is_empty() {
        text.push_str(strings::STATS_NO_REPLIES);
        text.push('\n');
    } else {
        let mut table = Table::new(&strings::STATS_STAFF_COLUMNS);
        for s in &stats.staff_replies {
            table.row(vec![
                format!("{} ({})", s.name, s.staff_id).into(),
                s.replies.to_string().into(),
                s.anonymous.to_string().into(),
            ]);
        }
        text.push_str(&table.render(&ctx.style));
    }
    out.write_all(text.as_bytes()).map_err(CliError::stdout)
}
