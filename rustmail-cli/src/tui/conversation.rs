//! A ticket's conversation as screen lines: built once from the log, wrapped once per width, and
//! drawn a window at a time, so a 10,000-message ticket scrolls as smoothly as a short one.

use std::fmt::Write as _;

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use rustmail_db::log::TicketLog;
use rustmail_db::messages::Direction;
use rustmail_db::transcript::{self, Options};

use crate::strings::tui as s;

/// A line before wrapping.
#[derive(Debug, Clone)]
struct Logical {
    indent: usize,
    text: String,
    style: Style,
}

/// The wrapped lines of a conversation.
#[derive(Debug, Clone, Default)]
pub struct Conversation {
    logical: Vec<Logical>,
    lines: Vec<Line<'static>>,
    width: u16,
}

fn time(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

impl Conversation {
    /// Builds the lines of every message: a numbered header (time, direction, author, reply
    /// number; anonymous replies marked with their real author), the text, then edits with their
    /// previous versions, deletion and attachments.
    pub fn new(log: &TicketLog) -> Self {
        let options = Options {
            show_real_authors: true,
            anonymous_label: s::ANONYMOUS_LABEL.to_owned(),
        };
        let mut logical = Vec::with_capacity(log.messages.len() * 3);
        let mut push = |indent: usize, text: String, style: Style| {
            logical.push(Logical {
                indent,
                text,
                style,
            });
        };
        for (i, message) in log.messages.iter().enumerate() {
            let m = &message.message;
            let colour = match m.direction {
                Direction::UserToStaff => Color::Cyan,
                Direction::StaffToUser if m.anonymous => Color::Magenta,
                Direction::StaffToUser => Color::Green,
                Direction::Internal => Color::Yellow,
                Direction::System => Color::DarkGray,
            };
            let mut header = format!(
                "[{}] {} {}",
                i + 1,
                time(m.created_at),
                transcript::direction_label(m.direction)
            );
            if let Some(n) = m.number {
                let _ = write!(header, " #{n}");
            }
            header.push_str(" · ");
            header.push_str(&transcript::author_label(message, &options));
            push(
                0,
                header,
                Style::new().fg(colour).add_modifier(Modifier::BOLD),
            );
            let body = if m.is_deleted() {
                Style::new()
                    .fg(Color::Red)
                    .add_modifier(Modifier::CROSSED_OUT)
            } else {
                Style::new()
            };
            if let Some(at) = m.deleted_at {
                push(
                    2,
                    s::deleted(&time(at), m.deleted_by),
                    Style::new().fg(Color::Red),
                );
            }
            for line in m.content.lines() {
                push(2, line.to_owned(), body);
            }
            if m.content.is_empty() {
                push(2, s::NO_TEXT.to_owned(), Style::new().fg(Color::DarkGray));
            }
            let note = Style::new().fg(Color::DarkGray);
            for r in &message.revisions {
                push(2, s::edited(&time(r.edited_at), r.edited_by), note);
                for line in r.previous_content.lines() {
                    push(4, line.to_owned(), note);
                }
            }
            for a in &message.attachments {
                push(
                    2,
                    s::attachment(
                        &a.filename,
                        &transcript::format_size(a.size_bytes),
                        a.stored,
                    ),
                    Style::new().fg(Color::Blue),
                );
            }
            if let Some(error) = &m.relay_error {
                push(
                    2,
                    s::relay_error(m.relay_state.as_str(), error),
                    Style::new().fg(Color::Red),
                );
            }
        }
        Self {
            logical,
            lines: Vec::new(),
            width: 0,
        }
    }

    /// Wraps for `width` columns (only when the width changed).
    pub fn layout(&mut self, width: u16) {
        if width == self.width && !self.lines.is_empty() {
            return;
        }
        self.width = width;
        let width = usize::from(width.max(8));
        self.lines = Vec::with_capacity(self.logical.len());
        for l in &self.logical {
            let room = width.saturating_sub(l.indent).max(4);
            let pad = " ".repeat(l.indent);
            for part in wrap(&l.text, room) {
                self.lines
                    .push(Line::styled(format!("{pad}{part}"), l.style));
            }
        }
    }

    /// Number of screen lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The lines from `scroll`, at most `height` of them.
    pub fn window(&self, scroll: usize, height: usize) -> &[Line<'static>] {
        let start = scroll.min(self.lines.len());
        let end = (start + height).min(self.lines.len());
        &self.lines[start..end]
    }
}

/// Splits `text` into pieces of at most `width` characters, at spaces when possible.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    if chars.len() <= width {
        return vec![chars.into_iter().collect()];
    }
    let mut out = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        let mut end = (start + width).min(chars.len());
        if end < chars.len() {
            if let Some(space) = chars[start..end].iter().rposition(|c| *c == ' ') {
                if space > 0 {
                    end = start + space + 1;
                }
            }
        }
        out.push(
            chars[start..end]
                .iter()
                .collect::<String>()
                .trim_end()
                .to_owned(),
        );
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_at_spaces_or_hard() {
        assert_eq!(wrap("hello world", 20), vec!["hello world"]);
        assert_eq!(wrap("hello world again", 11), vec!["hello", "world again"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), vec![""]);
    }
}
