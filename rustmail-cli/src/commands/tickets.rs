//! `rustmail tickets list|show|close|force-close|cancel-close|move`.

use std::io::Write;

use rustmail_db::categories;
use rustmail_db::ids::CategoryId;
use rustmail_db::operator;
use rustmail_db::tickets::list::{self, StatusFilter, TicketFilter, TicketPage};
use rustmail_db::tickets::TicketStatus;
use rustmail_db::DomainError;

use super::{actions, logs};
use crate::args::{CloseArgs, ForceCloseArgs, ListArgs, MoveArgs, TicketsCommand};
use crate::context::{requested_by, Context};
use crate::error::{with_flags, CliError, CliResult};
use crate::output::{self, Cell, Colour, Table};
use crate::strings;

pub fn run(ctx: &Context, command: TicketsCommand, out: &mut dyn Write) -> CliResult {
    match command {
        TicketsCommand::List(args) => list(ctx, &args, out),
        TicketsCommand::Show(args) => logs::show(ctx, args.id, &args.transcript, out),
        TicketsCommand::Close(args) => close(ctx, &args, out),
        TicketsCommand::ForceClose(args) => force_close(ctx, &args, out),
        TicketsCommand::CancelClose(args) => {
            let db = ctx.open()?;
            let request = operator::cancel_close(args.id, &requested_by());
            actions::queue(ctx, &db, &request, args.wait, out)
        }
        TicketsCommand::Move(args) => move_ticket(ctx, &args, out),
    }
}

/// A domain error about an argument, prefixed with the argument's name.
pub fn about(flag: &'static str) -> impl Fn(DomainError) -> CliError {
    move |err| match err {
        DomainError::NotFound { .. } | DomainError::Invalid { .. } => CliError::Flag {
            flag: flag.to_owned(),
            message: match err {
                DomainError::Invalid { message, .. } => message,
                other => other.to_string(),
            },
        },
        other => other.into(),
    }
}

fn list(ctx: &Context, args: &ListArgs, out: &mut dyn Write) -> CliResult {
    let db = ctx.open()?;
    let status = if args.all {
        StatusFilter::All
    } else if args.closed {
        StatusFilter::Closed
    } else {
        StatusFilter::Open
    };
    let page = db.with_conn(|conn| -> CliResult<TicketPage> {
        let category = match &args.category {
            Some(name) => Some(
                categories::by_name(conn, name)
                    .map_err(about("--category"))?
                    .id,
            ),
            None => None,
        };
        let filter = TicketFilter {
            status,
            user: args.user,
            category,
            assigned: args.assigned,
            search: args.search.clone(),
            text: args.text.clone(),
            limit: args.limit,
            page: args.page,
        };
        list::list(conn, &filter).map_err(with_flags(&[("limit", "--limit"), ("page", "--page")]))
    })?;
    if ctx.json() {
        return output::json(out, &page);
    }
    if page.tickets.is_empty() {
        return output::line(out, &strings::no_tickets(page.total, page.page));
    }
    let mut table = Table::new(&strings::TICKET_COLUMNS);
    for s in &page.tickets {
        let t = &s.ticket;
        let status = match t.status {
            TicketStatus::Open => Cell::new(t.status.as_str()).colour(Colour::Green),
            TicketStatus::Closed => Cell::new(t.status.as_str()).colour(Colour::Dim),
        };
        table.row(vec![
            format!("#{}", t.id).into(),
            format!("{} ({})", t.user_name, t.user_id).into(),
            s.category_name
                .as_deref()
                .unwrap_or(strings::DEFAULT_CATEGORY)
                .into(),
            status,
            t.assigned_to
                .map_or_else(|| "-".to_owned(), |a| a.to_string())
                .into(),
            output::time(t.opened_at).into(),
            output::time(t.last_activity_at).into(),
            match s.scheduled_close_at {
                Some(at) => Cell::new(output::time(at)).colour(Colour::Yellow),
                None => Cell::new("-"),
            },
        ]);
    }
    out.write_all(table.render(&ctx.style).as_bytes())
        .map_err(CliError::stdout)?;
    output::line(
        out,
        &strings::page_footer(page.page, page.limit, page.total),
    )
}

fn close(ctx: &Context, args: &CloseArgs, out: &mut dyn Write) -> CliResult {
    let db = ctx.open()?;
    let request = operator::close(args.id, args.silent, &requested_by());
    actions::queue(ctx, &db, &request, args.wait, out)
}

fn force_close(ctx: &Context, args: &ForceCloseArgs, out: &mut dyn Write) -> CliResult {
    let db = ctx.open()?;
    match args.id {
        Some(id) => {
            let request = operator::force_close(id, strings::FORCE_CLOSE_REASON, &requested_by());
            actions::queue(ctx, &db, &request, args.wait, out)
        }
        None => actions::queue_orphans(ctx, &db, args.wait, out),
    }
}

fn move_ticket(ctx: &Context, args: &MoveArgs, out: &mut dyn Write) -> CliResult {
    let db = ctx.open()?;
    let category: Option<CategoryId> = if args.category.trim().eq_ignore_ascii_case("default") {
        None
    } else {
        Some(
            db.with_conn(|conn| categories::by_name(conn, &args.category))
                .map_err(about("CATEGORY"))?
                .id,
        )
    };
    // The bot would refuse a move to where the ticket already is: say so now rather than queue
    // an action that can only fail.
    if let Ok(ticket) = db.with_conn(|conn| rustmail_db::tickets::get(conn, args.id)) {
        if ticket.is_open() && ticket.category_id == category {
            return Err(CliError::Flag {
                flag: "CATEGORY".to_owned(),
                message: strings::already_in(args.id.0, args.category.trim()),
            });
        }
    }
    let request = operator::move_to(args.id, category, &requested_by());
    actions::queue(ctx, &db, &request, args.wait, out)
}
