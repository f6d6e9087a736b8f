//! The ticket view: a header with the ticket's state and the conversation, drawn a window at a
//! time.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::strings::tui as s;
use crate::tui::app::App;

pub fn draw(frame: &mut Frame<'_>, header: Rect, body: Rect, app: &App, bar: Style) {
    let Some(view) = &app.ticket else {
        return;
    };
    let t = &view.log.ticket;
    let category = view
        .log
        .category
        .as_ref()
        .map_or(s::DEFAULT, |c| c.name.as_str());
    let assigned = t
        .assigned_to
        .map_or_else(|| s::NOBODY.to_owned(), |a| a.to_string());
    let mut text = s::ticket_header(t.id, &t.user_name, t.status.as_str(), category, &assigned);
    if let Some(at) = view.scheduled_close() {
        text.push_str(&s::closes_at(&at.format("%m-%d %H:%M").to_string()));
    }
    let total = view.conversation.len();
    let height = usize::from(body.height);
    let first = (view.scroll + 1).min(total);
    let last = (view.scroll + height).min(total);
    let lines = s::lines(first, last, total);
    let text = crate::tui::ui::fit(
        &text,
        usize::from(header.width).saturating_sub(lines.chars().count()),
    );
    let room =
        usize::from(header.width).saturating_sub(text.chars().count() + lines.chars().count());
    let line = Line::from(vec![
        Span::styled(text, bar.add_modifier(Modifier::BOLD)),
        Span::styled(" ".repeat(room), bar),
        Span::styled(lines, bar),
    ]);
    frame.render_widget(Paragraph::new(line).style(bar), header);
    let window = view.conversation.window(view.scroll, height).to_vec();
    frame.render_widget(Paragraph::new(window), body);
}
