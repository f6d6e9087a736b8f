//! The ticket list: its header (filters, search) and the visible page as a table.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};
use ratatui::Frame;
use rustmail_db::ids::UserId;
use rustmail_db::tickets::list::TicketSummary;

use crate::strings::tui as s;
use crate::tui::app::App;

/// Narrower terminals get fewer columns.
const WIDE: u16 = 100;

fn short_time(t: chrono::NaiveDateTime) -> String {
    t.format("%m-%d %H:%M").to_string()
}

fn assigned(t: &TicketSummary, me: Option<UserId>, wide: bool) -> String {
    match t.ticket.assigned_to {
        None => s::NOBODY.to_owned(),
        Some(a) if Some(a) == me => s::ME.to_owned(),
        Some(a) if wide => a.to_string(),
        Some(a) => {
            let id = a.to_string();
            let tail = id.len().saturating_sub(6);
            format!("…{}", &id[tail..])
        }
    }
}

pub fn header(frame: &mut Frame<'_>, area: Rect, app: &App, bar: Style) {
    let assigned = if app.assigned_to_me { s::ME } else { s::ANYONE };
    let text = s::header(
        app.status,
        app.category_name().unwrap_or(s::ALL),
        assigned,
        &app.search,
    );
    let mut spans = vec![Span::styled(text, bar.add_modifier(Modifier::BOLD))];
    if app.searching {
        if app.search.is_empty() {
            spans.push(Span::styled(s::SEARCH_PROMPT, bar));
        }
        spans.push(Span::styled(s::CURSOR, bar));
    }
    let total = app.page.as_ref().map_or(0, |p| p.total);
    let position = s::position(app.selected, total);
    let used: usize = spans.iter().map(Span::width).sum();
    let room = usize::from(area.width).saturating_sub(used + position.chars().count());
    spans.push(Span::styled(" ".repeat(room), bar));
    spans.push(Span::styled(position, bar));
    frame.render_widget(Paragraph::new(Line::from(spans)).style(bar), area);
}

pub fn body(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let Some(page) = &app.page else {
        frame.render_widget(Paragraph::new(s::LOADING), area);
        return;
    };
    if page.tickets.is_empty() {
        frame.render_widget(Paragraph::new(format!(" {}", s::NO_TICKETS)), area);
        return;
    }
    let wide = area.width >= WIDE;
    let me = app.staff_id();
    let rows = page.tickets.iter().map(|t| {
        let close = t.scheduled_close_at.map(short_time).unwrap_or_default();
        let category = t
            .category_name
            .clone()
            .unwrap_or_else(|| s::DEFAULT.to_owned());
        let mut cells = vec![
            Cell::from(format!("#{}", t.ticket.id)),
            Cell::from(if wide {
                format!("{} ({})", t.ticket.user_name, t.ticket.user_id)
            } else {
                t.ticket.user_name.clone()
            }),
            Cell::from(category),
        ];
        if wide {
            let status = t.ticket.status.as_str();
            let style = if t.ticket.is_open() {
                Style::new().fg(Color::Green)
            } else {
                Style::new().fg(Color::DarkGray)
            };
            cells.push(Cell::from(status).style(style));
        }
        cells.push(Cell::from(assigned(t, me, wide)));
        if wide {
            cells.push(Cell::from(short_time(t.ticket.opened_at)));
        }
        cells.push(Cell::from(short_time(t.ticket.last_activity_at)));
        cells.push(Cell::from(close).style(Style::new().fg(Color::Yellow)));
        Row::new(cells)
    });
    let (titles, widths): (Vec<&str>, Vec<Constraint>) = if wide {
        (
            s::LIST_COLUMNS_WIDE.to_vec(),
            vec![
                Constraint::Length(7),
                Constraint::Fill(1),
                Constraint::Length(14),
                Constraint::Length(6),
                Constraint::Length(19),
                Constraint::Length(11),
                Constraint::Length(11),
                Constraint::Length(11),
            ],
        )
    } else {
        (
            s::LIST_COLUMNS_NARROW.to_vec(),
            vec![
                Constraint::Length(7),
                Constraint::Fill(1),
                Constraint::Length(12),
                Constraint::Length(8),
                Constraint::Length(11),
                Constraint::Length(11),
            ],
        )
    };
    let header =
        Row::new(titles).style(Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED));
    let table = Table::new(rows, widths)
        .header(header)
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .highlight_symbol("› ");
    let offset = (page.page - 1) * page.limit;
    let mut state =
        TableState::default().with_selected(usize::try_from(app.selected - offset).ok());
    frame.render_stateful_widget(table, area, &mut state);
}
