//! Rendering for people: colours (only on a terminal, never with `--no-color` or `NO_COLOR`),
//! aligned tables, times, and JSON for `--json`.

mod table;

use std::io::Write;

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::error::{CliError, CliResult};

pub use table::{Cell, Table};

/// A terminal colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    Green,
    Yellow,
    Red,
    Dim,
    Bold,
}

/// Whether to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// `text` in `colour`, or unchanged without colours.
    pub fn paint(&self, text: &str, colour: Colour) -> String {
        if !self.color {
            return text.to_owned();
        }
        let code = match colour {
            Colour::Green => "32",
            Colour::Yellow => "33",
            Colour::Red => "31",
            Colour::Dim => "2",
            Colour::Bold => "1",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}

/// A stored time in tables: `2026-01-02 03:04` (UTC).
pub fn time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// An optional time, `-` when absent.
pub fn opt_time(t: Option<NaiveDateTime>) -> String {
    t.map_or_else(|| "-".to_owned(), time)
}

/// Writes `value` as pretty JSON with a final newline.
pub fn json<T: Serialize>(out: &mut dyn Write, value: &T) -> CliResult {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Message(crate::strings::json_failed(&e)))?;
    writeln!(out, "{text}").map_err(CliError::stdout)
}

/// Writes one line.
pub fn line(out: &mut dyn Write, text: &str) -> CliResult {
    writeln!(out, "{text}").map_err(CliError::stdout)
}
