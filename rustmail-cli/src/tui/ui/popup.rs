//! Windows over the screen: help, confirmation, and the category picker.

use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};
use ratatui::Frame;

use crate::strings::tui as s;
use crate::tui::app::{App, Popup};

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

fn window(frame: &mut Frame<'_>, area: Rect, title: &str, lines: Vec<Line<'_>>) {
    let width = lines
        .iter()
        .map(Line::width)
        .max()
        .unwrap_or(0)
        .max(title.chars().count())
        + 4;
    let height = lines.len() + 2;
    let rect = centered(
        area,
        u16::try_from(width).unwrap_or(u16::MAX),
        u16::try_from(height).unwrap_or(u16::MAX),
    );
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .title(title.to_owned())
        .border_style(Style::new().fg(Color::Cyan));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    match &app.popup {
        None => {}
        Some(Popup::Help) => {
            let lines = s::HELP
                .iter()
                .map(|(key, what)| {
                    Line::from(vec![
                        Span::styled(
                            format!(" {key:<11}"),
                            Style::new().add_modifier(Modifier::BOLD),
                        ),
                        Span::raw(format!(" {what}")),
                    ])
                })
                .collect();
            window(frame, area, s::HELP_TITLE, lines);
        }
        Some(Popup::Confirm(pending)) => {
            let lines = pending
                .lines()
                .into_iter()
                .map(|l| Line::raw(format!(" {l} ")))
                .collect();
            window(frame, area, s::CONFIRM_TITLE, lines);
        }
        Some(Popup::PickCategory { selected, .. }) => {
            let names = std::iter::once(s::DEFAULT_INBOX.to_owned()).chain(
                app.categories.iter().map(|c| {
                    if c.enabled {
                        c.name.clone()
                    } else {
                        s::disabled(&c.name)
                    }
                }),
            );
            let lines = names
                .enumerate()
                .map(|(i, name)| {
                    if i == *selected {
                        Line::styled(
                            format!("› {name} "),
                            Style::new().add_modifier(Modifier::REVERSED),
                        )
                    } else {
                        Line::raw(format!("  {name} "))
                    }
                })
                .collect();
            window(frame, area, s::PICK_TITLE, lines);
        }
    }
}
