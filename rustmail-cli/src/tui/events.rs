//! Where the TUI's input comes from: the real terminal ([`TerminalEvents`]) or a script of keys
//! and callbacks ([`Scripted`]) so tests drive the same loop on a `TestBackend`.

use std::collections::VecDeque;
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// One input for the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Key(KeyEvent),
    /// The terminal changed size (the next draw uses the new size).
    Resize,
    /// Nothing happened for a while: time to refresh.
    Tick,
    /// Stop (end of a script).
    Quit,
}

/// A source of inputs.
pub trait EventSource {
    /// The next input, or [`Input::Tick`] after `timeout` without one.
    fn next(&mut self, timeout: Duration) -> std::io::Result<Input>;
    /// Whether more input is already waiting (lets the loop skip reloads while typing).
    fn has_pending(&mut self) -> std::io::Result<bool>;
}

/// Keys from the real terminal (crossterm).
#[derive(Debug, Default)]
pub struct TerminalEvents;

impl EventSource for TerminalEvents {
    fn next(&mut self, timeout: Duration) -> std::io::Result<Input> {
        if !event::poll(timeout)? {
            return Ok(Input::Tick);
        }
        Ok(match event::read()? {
            Event::Key(key) if key.kind != KeyEventKind::Release => Input::Key(key),
            Event::Resize(..) => Input::Resize,
            _ => Input::Tick,
        })
    }

    fn has_pending(&mut self) -> std::io::Result<bool> {
        event::poll(Duration::ZERO)
    }
}

/// One step of a script.
pub enum Step {
    Input(Input),
    /// Runs between inputs (e.g. a test's "bot" writing to the database).
    Call(Box<dyn FnOnce()>),
}

/// A scripted source for tests: its steps, then [`Input::Quit`].
#[derive(Default)]
pub struct Scripted {
    steps: VecDeque<Step>,
    typed_ahead: bool,
}

impl Scripted {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reports the remaining steps as already waiting, like keys typed or pasted faster than the
    /// loop reads them (the loop then postpones reloads until the last one).
    #[must_use]
    pub fn typed_ahead(mut self) -> Self {
        self.typed_ahead = true;
        self
    }

    /// Adds one key press.
    #[must_use]
    pub fn key(mut self, code: KeyCode) -> Self {
        self.steps.push_back(Step::Input(Input::Key(KeyEvent::new(
            code,
            KeyModifiers::NONE,
        ))));
        self
    }

    /// Adds key presses for each character of `text`.
    #[must_use]
    pub fn text(mut self, text: &str) -> Self {
        for c in text.chars() {
            self = self.key(KeyCode::Char(c));
        }
        self
    }

    /// Adds a key press with modifiers.
    #[must_use]
    pub fn key_with(mut self, code: KeyCode, modifiers: KeyModifiers) -> Self {
        self.steps
            .push_back(Step::Input(Input::Key(KeyEvent::new(code, modifiers))));
        self
    }

    /// Adds a tick (a refresh when one is due).
    #[must_use]
    pub fn tick(mut self) -> Self {
        self.steps.push_back(Step::Input(Input::Tick));
        self
    }

    /// Adds a callback run at this point of the script.
    #[must_use]
    pub fn call(mut self, f: impl FnOnce() + 'static) -> Self {
        self.steps.push_back(Step::Call(Box::new(f)));
        self
    }
}

impl EventSource for Scripted {
    fn next(&mut self, _timeout: Duration) -> std::io::Result<Input> {
        loop {
            match self.steps.pop_front() {
                None => return Ok(Input::Quit),
                Some(Step::Input(input)) => return Ok(input),
                Some(Step::Call(f)) => f(),
            }
        }
    }

    fn has_pending(&mut self) -> std::io::Result<bool> {
        Ok(self.typed_ahead && !self.steps.is_empty())
    }
}
