//! Drawing: a header line (filters or the ticket), the body (ticket list or conversation), a
//! notice line and a status bar (counts, whether the bot is online, key hints), then any popup.
//! Pure rendering of [`App`]; the same layout tells the app how many rows to fetch.

mod list;
mod popup;
mod ticket;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::app::{App, Screen};
use crate::strings::tui as s;

/// Narrower screens get the short key hints.
const WIDE_STATUS: u16 = 110;

/// `text` cut to `width` characters, with `…` when cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The four bands of the screen.
struct Areas {
    header: Rect,
    body: Rect,
    notice: Rect,
    status: Rect,
}

fn areas(area: Rect) -> Areas {
    let [header, body, notice, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas {
        header,
        body,
        notice,
        status,
    }
}

/// Ticket rows that fit in the list (the body less the column titles).
pub fn list_rows(area: Rect) -> u16 {
    areas(area).body.height.saturating_sub(1).max(1)
}

/// Width and height of the conversation.
pub fn conversation_area(area: Rect) -> (u16, u16) {
    let body = areas(area).body;
    (body.width, body.height.max(1))
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let a = areas(frame.area());
    let bar = Style::new().bg(Color::Blue).fg(Color::White);
    match app.screen {
        Screen::List => {
            list::header(frame, a.header, app, bar);
            list::body(frame, a.body, app);
        }
        Screen::Ticket => ticket::draw(frame, a.header, a.body, app, bar),
    }
    notice(frame, a.notice, app);
    status(frame, a.status, app, bar);
    popup::draw(frame, frame.area(), app);
}

fn notice(frame: &mut Frame<'_>, area: Rect, app: &App) {
    if let Some(n) = &app.notice {
        let style = if n.error {
            Style::new().fg(Color::Red)
        } else {
            Style::new().fg(Color::Green)
        };
        frame.render_widget(
            Paragraph::new(Line::styled(format!(" {}", n.text), style)),
            area,
        );
    }
}

fn status(frame: &mut Frame<'_>, area: Rect, app: &App, bar: Style) {
    let matching = app.page.as_ref().map_or(0, |p| p.total);
    let (bot, bot_style) = if app.bots.is_empty() {
        (
            s::BOT_OFFLINE,
            bar.fg(Color::LightRed).add_modifier(Modifier::BOLD),
        )
    } else {
        (s::BOT_ONLINE, bar.fg(Color::LightGreen))
    };
    let hints = match (app.screen, app.searching) {
        (_, true) => s::HINTS_SEARCH,
        _ if area.width < WIDE_STATUS => s::HINTS_SHORT,
        (Screen::List, false) => s::HINTS_LIST,
        (Screen::Ticket, false) => s::HINTS_TICKET,
    };
    let line = Line::from(vec![
        Span::styled(s::counts(app.counts.0, app.counts.1, matching), bar),
        Span::styled("· ", bar),
        Span::styled(bot, bot_style),
        Span::styled(" · ", bar),
        Span::styled(hints, bar),
    ]);
    frame.render_widget(Paragraph::new(line).style(bar), area);
}
