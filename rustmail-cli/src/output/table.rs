//! Plain aligned text tables: a header row, then rows; columns padded to the widest cell, long
//! cells cut with `…`. Colours are applied after padding so alignment ignores escape codes.

use super::{Colour, Style};

/// Longest cell before it is cut.
const MAX_CELL: usize = 40;

/// One cell: text and an optional colour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    text: String,
    colour: Option<Colour>,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            colour: None,
        }
    }

    #[must_use]
    pub fn colour(mut self, colour: Colour) -> Self {
        self.colour = Some(colour);
        self
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Self::new(text)
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

/// A table being built.
#[derive(Debug, Clone, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

fn cut(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= MAX_CELL {
        one_line
    } else {
        let mut short: String = one_line.chars().take(MAX_CELL - 1).collect();
        short.push('…');
        short
    }
}

impl Table {
    pub fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(
            cells
                .into_iter()
                .map(|c| Cell {
                    text: cut(&c.text),
                    colour: c.colour,
                })
                .collect(),
        );
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as text, one line per row, without trailing spaces.
    pub fn render(&self, style: &Style) -> String {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                let w = cell.text.chars().count();
                if i < widths.len() {
                    widths[i] = widths[i].max(w);
                } else {
                    widths.push(w);
                }
            }
        }
        let mut out = String::new();
        let header: Vec<Cell> = self
            .header
            .iter()
            .map(|h| Cell::new(h.to_uppercase()).colour(Colour::Bold))
            .collect();
        for row in std::iter::once(&header).chain(&self.rows) {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                let pad = widths[i].saturating_sub(cell.text.chars().count());
                let text = match cell.colour {
                    Some(c) => style.paint(&cell.text, c),
                    None => cell.text.clone(),
                };
                line.push_str(&text);
                if i + 1 < row.len() {
                    line.push_str(&" ".repeat(pad + 2));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_and_cuts() {
        let mut t = Table::new(&["id", "name"]);
        t.row(vec!["1".into(), "alice".into()]);
        t.row(vec!["100".into(), "x".repeat(50).into()]);
        let text = t.render(&Style { color: false });
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "ID   NAME");
        assert_eq!(lines[1], "1    alice");
        assert!(lines[2].ends_with('…'));
        assert_eq!(lines[2].chars().count(), 5 + MAX_CELL);
    }

    #[test]
    fn colours_do_not_break_alignment() {
        let mut t = Table::new(&["a", "b"]);
        t.row(vec![Cell::new("open").colour(Colour::Green), "x".into()]);
        let text = t.render(&Style { color: true });
        assert!(text.contains("\x1b[32mopen\x1b[0m  x"), "{text:?}");
    }
}
