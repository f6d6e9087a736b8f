//! How often the TUI reads the database: never to draw or scroll, and once for a search typed
//! ahead (not once per character, each of which scans message text on a big database).

use std::time::Duration;

use crossterm::event::KeyCode;
use diesel::connection::SimpleConnection;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use rustmail_db::testing::TestDatabase;

use super::{App, AppOptions, Screen};
use crate::tui::{self, Scripted};

/// 30 open tickets `user1`..`user30` (`user30` most recently active) and `carol`, the least
/// recently active, whose ticket has 300 messages.
fn seeded() -> TestDatabase {
    let db = TestDatabase::sqlite();
    let sql = "
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30)
        INSERT INTO tickets (user_id, user_name, guild_id, status, opened_at, opened_via, opened_by,
                             next_message_number, last_activity_at)
        SELECT 7000 + i, 'user' || i, 1, 'open', '2026-01-01 00:00:00', 'user_dm', 7000 + i, 1,
               datetime('2026-01-02 00:00:00', '+' || i || ' minutes')
        FROM n;
        INSERT INTO tickets (user_id, user_name, guild_id, status, opened_at, opened_via, opened_by,
                             next_message_number, last_activity_at)
        VALUES (6999, 'carol', 1, 'open', '2026-01-01 00:00:00', 'user_dm', 6999, 1,
                '2026-01-01 00:00:00');
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
        INSERT INTO messages (ticket_id, direction, author_id, author_name, anonymous, content,
                              relay_state, relay_attempts, created_at)
        SELECT (SELECT id FROM tickets WHERE user_name = 'carol'), 'user_to_staff', 6999, 'carol',
               FALSE, 'line ' || i, 'delivered', 0, '2026-01-01 00:00:00'
        FROM n;";
    db.db
        .with_conn(|c| -> Result<(), rustmail_db::DbError> {
            c.batch_execute(sql).expect("seed");
            Ok(())
        })
        .expect("seed");
    db
}

fn run(db: &TestDatabase, script: &mut Scripted) -> App {
    let mut terminal = Terminal::new(TestBackend::new(100, 20)).expect("terminal");
    let mut app = App::new(
        db.db.clone(),
        AppOptions {
            staff_id: None,
            refresh: Duration::from_secs(3600),
            requested_by: "tester".to_owned(),
        },
    );
    tui::run(&mut terminal, &mut app, script).expect("tui");
    app
}

fn opened_user(app: &App) -> Option<&str> {
    app.ticket.as_ref().map(|v| v.log.ticket.user_name.as_str())
}

#[test]
fn a_search_typed_ahead_is_read_once_and_enter_opens_what_it_found() {
    let db = seeded();
    let mut script = Scripted::new()
        .typed_ahead()
        .key(KeyCode::Char('/'))
        .text("carol")
        .key(KeyCode::Enter)
        .key(KeyCode::Enter);
    let app = run(&db, &mut script);
    assert_eq!(app.screen, Screen::Ticket);
    assert_eq!(opened_user(&app), Some("carol"));
    // The first frame's read, the search's one read (made by Enter, before opening), the open.
    assert_eq!(app.reads(), 3);
}

#[test]
fn moving_fast_then_enter_opens_the_ticket_moved_to() {
    let db = seeded();
    // Past the first page (18 rows fit at this size) to the last, least active ticket.
    let mut script = Scripted::new()
        .typed_ahead()
        .key(KeyCode::End)
        .key(KeyCode::Enter);
    let app = run(&db, &mut script);
    assert_eq!(opened_user(&app), Some("carol"));
}

#[test]
fn scrolling_a_conversation_never_reads_the_database() {
    let db = seeded();
    let mut script = Scripted::new().key(KeyCode::End).key(KeyCode::Enter);
    for i in 0..100 {
        script = script.key(KeyCode::Char(if i < 60 { 'j' } else { 'k' }));
    }
    let app = run(&db, &mut script);
    assert_eq!(opened_user(&app), Some("carol"));
    assert!(app.ticket.as_ref().is_some_and(|v| v.scroll > 0));
    // The first frame, the page with the last ticket, the open: none for the 100 redraws.
    assert_eq!(app.reads(), 3);
}
