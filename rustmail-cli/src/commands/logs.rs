//! `rustmail tickets show ID` and `rustmail logs ID|--user USER_ID`: the full log as a transcript
//! on standard output or in a file (`--output`), in any of the transcript formats.

use std::io::Write;

use rustmail_db::ids::TicketId;
use rustmail_db::log::{self, TicketLog};
use rustmail_db::tickets;
use rustmail_db::transcript::{self, Format, Options};

use crate::args::{LogsArgs, TranscriptArgs};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::output;
use crate::strings;

pub fn show(ctx: &Context, id: TicketId, args: &TranscriptArgs, out: &mut dyn Write) -> CliResult {
    let db = ctx.open()?;
    let log = db.with_conn(|conn| log::ticket_log(conn, id))?;
    write(ctx, &[log], args, out)
}

pub fn run(ctx: &Context, args: &LogsArgs, out: &mut dyn Write) -> CliResult {
    if let Some(id) = args.id {
        return show(ctx, id, &args.transcript, out);
    }
    let Some(user) = args.user else {
        return Ok(());
    };
    let db = ctx.open()?;
    let logs = db.with_conn(|conn| -> CliResult<Vec<TicketLog>> {
        let mut history = tickets::history(conn, user)?;
        history.reverse();
        history
            .iter()
            .map(|t| log::ticket_log(conn, t.id).map_err(CliError::from))
            .collect()
    })?;
    if logs.is_empty() {
        return Err(CliError::Flag {
            flag: "--user".to_owned(),
            message: strings::user_has_no_tickets(user),
        });
    }
    write(ctx, &logs, &args.transcript, out)
}

fn write(
    ctx: &Context,
    logs: &[TicketLog],
    args: &TranscriptArgs,
    out: &mut dyn Write,
) -> CliResult {
    let format = args.format.map_or(
        if ctx.json() {
            Format::Json
        } else {
            Format::Text
        },
        Format::from,
    );
    let text = transcript::render_many(logs, format, &Options::default());
    match &args.output {
        None => out.write_all(text.as_bytes()).map_err(CliError::stdout),
        Some(path) => {
            std::fs::write(path, &text).map_err(|source| CliError::Io {
                what: format!("--output {}", path.display()),
                source,
            })?;
            if ctx.json() {
                output::json(
                    out,
                    &serde_json::json!({
                        "written": path,
                        "format": format.as_str(),
                        "tickets": logs.iter().map(|l| l.ticket.id).collect::<Vec<_>>(),
                    }),
                )
            } else {
                output::line(out, &strings::wrote_transcript(logs.len(), format, path))
            }
        }
    }
}
