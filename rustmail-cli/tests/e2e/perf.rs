//! Big data stays smooth: 100,000 tickets and a 10,000-message ticket, through the CLI and the
//! TUI's real loop. Bulk rows are inserted with one SQL statement each (SQLite recursive CTE).
//! This checks behaviour at scale (paging, virtualised lists); the speed targets are measured by
//! `just bench` (`rustmail-bench --only data`), never asserted in tests.

use std::time::Duration;

use crossterm::event::KeyCode;
use diesel::connection::SimpleConnection;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use rustmail_cli::tui::{self, App, AppOptions, Screen, Scripted};

use crate::support::{rustmail, stdout_of, TestDatabase};

const TICKETS: i64 = 100_000;
const MESSAGES: i64 = 10_000;

fn bulk(db: &TestDatabase) {
    let sql = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {TICKETS})
         INSERT INTO tickets (user_id, user_name, guild_id, status, opened_at, opened_via, opened_by,
                              closed_at, close_kind, next_message_number, last_activity_at)
         SELECT 5000000 + i, 'user' || i, 1, CASE WHEN i % 2 = 0 THEN 'open' ELSE 'closed' END,
                '2026-01-01 00:00:00', 'user_dm', 5000000 + i,
                CASE WHEN i % 2 = 0 THEN NULL ELSE '2026-01-02 00:00:00' END,
                CASE WHEN i % 2 = 0 THEN NULL ELSE 'staff' END, 1,
                datetime('2026-01-01 00:00:00', '+' || i || ' seconds')
         FROM n;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {MESSAGES})
         INSERT INTO messages (ticket_id, direction, author_id, author_name, anonymous, content,
                               relay_state, relay_attempts, created_at)
         SELECT {TICKETS}, CASE WHEN i % 2 = 0 THEN 'user_to_staff' ELSE 'internal' END, 42, 'someone',
                FALSE, 'message number ' || i || ' with enough text to wrap at least once on a narrow terminal',
                'delivered', 0, '2026-01-01 00:00:00'
         FROM n;"
    );
    db.db
        .with_conn(|c| -> Result<(), rustmail_db::DbError> {
            c.batch_execute(&sql).expect("bulk insert");
            Ok(())
        })
        .unwrap();
}

#[test]
fn hundred_thousand_tickets_and_a_ten_thousand_message_ticket() {
    let db = TestDatabase::sqlite();
    bulk(&db);
    let deep = stdout_of(rustmail(&db).args([
        "tickets", "list", "--all", "--page", "1000", "--limit", "50",
    ]));
    assert!(
        deep.contains("page 1000 of 2000 · 100000 tickets"),
        "{deep}"
    );

    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut app = App::new(
        db.db.clone(),
        AppOptions {
            staff_id: None,
            refresh: Duration::from_secs(3600),
            requested_by: "tester".to_owned(),
        },
    );
    // To the last of 50,000 open tickets and back, then into the big ticket (the most recently
    // active one) and through its conversation.
    let mut script = Scripted::new()
        .key(KeyCode::End)
        .key(KeyCode::PageUp)
        .key(KeyCode::Home)
        .key(KeyCode::Enter)
        .key(KeyCode::End)
        .key(KeyCode::PageUp)
        .key(KeyCode::PageUp);
    for _ in 0..50 {
        script = script.key(KeyCode::Char('k'));
    }
    tui::run(&mut terminal, &mut app, &mut script).unwrap();
    assert_eq!(app.screen, Screen::Ticket);
    let view = app.ticket.as_ref().unwrap();
    assert_eq!(view.log.messages.len(), 10_000);
    assert!(view.conversation.len() > 10_000);
    assert!(view.scroll > 0 && view.scroll < view.conversation.len());
    assert!(
        app.page.as_ref().unwrap().tickets.len() <= 40,
        "only a screenful is fetched"
    );
    assert!(terminal.backend().to_string().contains("message number"));
}
