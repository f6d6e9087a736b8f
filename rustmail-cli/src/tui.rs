//! `rustmail tui`: the terminal UI. [`run`] is the real loop (lay out, refresh when due, draw,
//! handle one input) over any ratatui backend, so tests drive it on a `TestBackend` with a
//! [`Scripted`] source; [`run_in_terminal`] wires it to the real terminal, with logs in a file
//! and the terminal restored on every exit path.
//!
//! "Assigned to me" uses `--staff-id` (or `RUSTMAIL_STAFF_ID`): the CLI has no Discord login, so
//! the operator says who they are.

pub mod app;
pub mod conversation;
pub mod events;
pub mod terminal;
pub mod ui;

use std::time::Duration;

use ratatui::backend::Backend;
use ratatui::layout::Rect;
use ratatui::Terminal;

pub use app::{App, AppOptions, Popup, Screen};
pub use events::{EventSource, Input, Scripted, TerminalEvents};

use crate::args::TuiArgs;
use crate::context::{requested_by, Context};
use crate::error::{CliError, CliResult};

/// Name of the default log file, in the temp directory.
const LOG_FILE: &str = "rustmail-tui.log";

/// Runs the TUI loop until the user quits (or the event source ends).
pub fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: &mut dyn EventSource,
) -> std::io::Result<()> {
    loop {
        let size = terminal.size()?;
        let area = Rect::new(0, 0, size.width, size.height);
        app.set_viewport(ui::list_rows(area), ui::conversation_area(area));
        let typing = events.has_pending()?;
        app.tick(typing);
        terminal.draw(|frame| ui::draw(frame, app))?;
        if app.should_quit() {
            return Ok(());
        }
        match events.next(app.poll_timeout())? {
            Input::Key(key) => app.on_key(key),
            Input::Resize | Input::Tick => {}
            Input::Quit => app.quit(),
        }
    }
}

/// `rustmail tui` on the real terminal.
pub fn run_in_terminal(ctx: &Context, args: &TuiArgs) -> CliResult {
    let log_path = args
        .log_file
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(LOG_FILE));
    terminal::log_to_file(&log_path).map_err(|source| CliError::Io {
        what: format!("--log-file {}", log_path.display()),
        source,
    })?;
    // Connect before taking over the screen, so a database error prints like any other.
    let db = ctx.open()?;
    tracing::info!(database = %db.redacted_url(), "tui starting");
    let mut app = App::new(
        db,
        AppOptions {
            staff_id: args.staff_id,
            refresh: Duration::from_millis(args.refresh_ms),
            requested_by: requested_by(),
        },
    );
    let tty = |source| CliError::Io {
        what: crate::strings::tui::TERMINAL.to_owned(),
        source,
    };
    let guard = terminal::TerminalGuard::enter().map_err(tty)?;
    let mut terminal =
        Terminal::new(ratatui::backend::CrosstermBackend::new(std::io::stdout())).map_err(tty)?;
    let result = run(&mut terminal, &mut app, &mut TerminalEvents);
    drop(guard);
    tracing::info!("tui stopped");
    result.map_err(tty)
}
