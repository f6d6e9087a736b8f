//! End-to-end tests of `rustmail`: the real binary on temporary SQLite and PostgreSQL databases,
//! the TUI's real loop on ratatui's `TestBackend` (snapshots at 80×24 and 120×40), the TUI in a
//! real pseudo-terminal, and big-data smoothness.

mod cli;
mod perf;
mod pty;
mod support;
mod tui;
