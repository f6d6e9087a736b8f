//! The TUI through its real loop (`rustmail_cli::tui::run`) on ratatui's `TestBackend`: snapshots
//! of each screen at 80×24 and 120×40 (SQLite, fixed times), and key sequences driving filters,
//! search, actions and live refresh on both backends.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use rustmail_cli::tui::{self, App, AppOptions, Popup, Screen, Scripted};
use rustmail_db::actions::{self, ActionKind};
use rustmail_db::ids::{TicketId, UserId};
use rustmail_db::tickets::list::StatusFilter;

use crate::support::{inbound, on_both_backends, seed, TestDatabase, BOB, DAVE};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn app(db: &TestDatabase) -> App {
    App::new(
        db.db.clone(),
        AppOptions {
            staff_id: Some(UserId(BOB)),
            refresh: Duration::ZERO,
            requested_by: "tester".to_owned(),
        },
    )
}

/// Runs the loop with `script` on a `size` test terminal; returns the app and the last screen.
fn drive(db: &TestDatabase, size: (u16, u16), mut script: Scripted) -> (App, String) {
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
    let mut app = app(db);
    tui::run(&mut terminal, &mut app, &mut script).unwrap();
    (app, terminal.backend().to_string())
}

/// Snapshots the screen after `script` at both sizes, each on a freshly seeded database.
fn snapshot(name: &str, script: impl Fn() -> Scripted) {
    for size in SIZES {
        let db = TestDatabase::sqlite();
        seed(&db.db);
        let (_, screen) = drive(&db, size, script());
        insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), screen);
    }
}

#[test]
fn snapshot_list() {
    snapshot("list", Scripted::new);
}

#[test]
fn snapshot_ticket_view() {
    snapshot("ticket", || Scripted::new().key(KeyCode::Enter));
}

#[test]
fn snapshot_help() {
    snapshot("help", || Scripted::new().key(KeyCode::Char('?')));
}

#[test]
fn snapshot_confirm_close() {
    snapshot("confirm_close", || {
        Scripted::new().key(KeyCode::Down).key(KeyCode::Char('c'))
    });
}

#[test]
fn snapshot_move_picker() {
    snapshot("move_picker", || {
        Scripted::new()
            .key(KeyCode::Char('m'))
            .key(KeyCode::Char('j'))
    });
}

#[test]
fn snapshot_search() {
    snapshot("search", || {
        Scripted::new().key(KeyCode::Char('/')).text("caro")
    });
}

#[test]
fn snapshot_filters() {
    snapshot("filters_all_billing", || {
        Scripted::new().text("ff").key(KeyCode::Char('t'))
    });
}

#[test]
fn snapshot_after_action() {
    snapshot("queued_silent_close", || {
        Scripted::new()
            .key(KeyCode::Char('j'))
            .key(KeyCode::Char('c'))
            .key(KeyCode::Char('s'))
    });
}

on_both_backends!(
    filters_and_search_drive_the_list,
    actions_are_confirmed_and_queued,
    live_refresh_keeps_the_selection,
    quits_and_navigates,
);

fn ids(app: &App) -> Vec<i64> {
    app.page
        .as_ref()
        .map(|p| p.tickets.iter().map(|t| t.ticket.id.0).collect())
        .unwrap_or_default()
}

fn filters_and_search_drive_the_list(db: &TestDatabase) {
    seed(&db.db);
    let size = (100, 30);
    let (a, _) = drive(db, size, Scripted::new());
    assert_eq!(ids(&a), [2, 3, 4]);
    let (a, _) = drive(db, size, Scripted::new().key(KeyCode::Char('f')));
    assert_eq!((a.status, ids(&a)), (StatusFilter::Closed, vec![1]));
    let (a, _) = drive(db, size, Scripted::new().text("ff"));
    assert_eq!(ids(&a), [2, 3, 4, 1]);
    let (a, screen) = drive(db, size, Scripted::new().text("fft"));
    assert_eq!((a.category_name(), ids(&a)), (Some("Billing"), vec![2, 1]));
    assert!(screen.contains("category: Billing"), "{screen}");
    let (a, _) = drive(db, size, Scripted::new().text("tt"));
    assert_eq!((a.category_name(), ids(&a)), (Some("Technical"), vec![3]));
    let (a, _) = drive(db, size, Scripted::new().text("tttt"));
    assert_eq!(a.category_name(), None, "cycles back to all");
    let (a, _) = drive(db, size, Scripted::new().key(KeyCode::Char('a')));
    assert!(a.assigned_to_me);
    assert_eq!(ids(&a), [2]);
    // Search as you type: each key narrows; backspace widens; Esc clears.
    let (a, _) = drive(
        db,
        size,
        Scripted::new().key(KeyCode::Char('/')).text("text:charged"),
    );
    assert_eq!((a.searching, ids(&a)), (true, vec![2]));
    // Without the prefix only names and labels are searched.
    let (a, _) = drive(
        db,
        size,
        Scripted::new().key(KeyCode::Char('/')).text("charged"),
    );
    assert_eq!((a.searching, ids(&a)), (true, vec![]));
    let (a, _) = drive(
        db,
        size,
        Scripted::new()
            .key(KeyCode::Char('/'))
            .text("xyz")
            .key(KeyCode::Backspace)
            .key(KeyCode::Backspace)
            .key(KeyCode::Backspace)
            .text("dav"),
    );
    assert_eq!(ids(&a), [4]);
    let (a, _) = drive(
        db,
        size,
        Scripted::new()
            .key(KeyCode::Char('/'))
            .text("dav")
            .key(KeyCode::Esc),
    );
    assert_eq!(
        (a.searching, a.search.as_str(), ids(&a)),
        (false, "", vec![2, 3, 4])
    );
    let (a, _) = drive(
        db,
        size,
        Scripted::new()
            .key(KeyCode::Char('/'))
            .text("dav")
            .key(KeyCode::Enter)
            .key(KeyCode::Enter),
    );
    assert_eq!(a.screen, Screen::Ticket);
    assert_eq!(a.ticket.as_ref().unwrap().log.ticket.id, TicketId(4));
}

fn actions_are_confirmed_and_queued(db: &TestDatabase) {
    seed(&db.db);
    let size = (120, 40);
    // Esc and n cancel: nothing queued.
    let (a, _) = drive(
        db,
        size,
        Scripted::new()
            .key(KeyCode::Char('c'))
            .key(KeyCode::Esc)
            .key(KeyCode::Char('F'))
            .key(KeyCode::Char('n')),
    );
    assert_eq!(a.popup, None);
    assert!(db
        .db
        .with_conn(|c| actions::recent(c, 10))
        .unwrap()
        .is_empty());

    let script = Scripted::new()
        .key(KeyCode::Char('j'))
        .text("cy") // close #3, telling the user
        .text("Fy") // force-close #3
        .key(KeyCode::Char('k'))
        .text("xy") // cancel #2's scheduled close
        .key(KeyCode::Char('m'))
        .key(KeyCode::Down)
        .key(KeyCode::Enter)
        .key(KeyCode::Char('y')) // move #2 to Billing
        .key(KeyCode::Enter)
        .text("cs"); // from the ticket view: close #2 silently
    let (a, screen) = drive(db, size, script);
    assert_eq!(a.screen, Screen::Ticket);
    assert!(
        screen.contains("queued silent close of ticket #2 (action 5) · bot OFFLINE"),
        "{screen}"
    );
    let mut queued = db.db.with_conn(|c| actions::recent(c, 10)).unwrap();
    queued.reverse();
    let summary: Vec<(ActionKind, i64, String)> = queued
        .iter()
        .map(|a| (a.kind, a.ticket_id.unwrap().0, a.payload.clone()))
        .collect();
    assert_eq!(
        summary,
        [
            (ActionKind::Close, 3, r#"{"silent":false}"#.to_owned()),
            (
                ActionKind::ForceClose,
                3,
                r#"{"reason":"force-closed by an operator"}"#.to_owned()
            ),
            (ActionKind::CancelClose, 2, "{}".to_owned()),
            (ActionKind::Move, 2, r#"{"category_id":1}"#.to_owned()),
            (ActionKind::Close, 2, r#"{"silent":true}"#.to_owned()),
        ]
    );
    assert!(queued.iter().all(|a| a.requested_by == "tester"));

    // Refusals are shown, not queued: #3 has no scheduled close; closed tickets take no action.
    let (a, _) = drive(db, size, Scripted::new().key(KeyCode::Char('j')).text("xy"));
    assert_eq!(
        a.notice.as_ref().unwrap().text,
        "error: ticket #3 has no scheduled close"
    );
    let (a, _) = drive(db, size, Scripted::new().text("fc"));
    assert_eq!(a.notice.as_ref().unwrap().text, "this ticket is closed");
    assert_eq!(a.popup, None);
}

fn live_refresh_keeps_the_selection(db: &TestDatabase) {
    seed(&db.db);
    let writer = db.db.clone();
    let writer2 = db.db.clone();
    let script = Scripted::new()
        .key(KeyCode::Char('j'))
        .call(move || {
            // The bot records a DM on #4: it becomes the most recently active ticket.
            writer
                .with_conn(|c| inbound(c, TicketId(4), 401, (DAVE, "dave"), "still there?", vec![]))
                .unwrap();
        })
        .tick();
    let (a, _) = drive(db, (80, 24), script);
    assert_eq!(ids(&a), [4, 2, 3]);
    assert_eq!(
        a.selected_summary().unwrap().ticket.id,
        TicketId(3),
        "still on #3"
    );
    assert_eq!(a.selected, 2);

    // The open conversation reloads when the bot writes to it.
    let script = Scripted::new()
        .key(KeyCode::Char('j'))
        .key(KeyCode::Enter)
        .call(move || {
            writer2
                .with_conn(|c| inbound(c, TicketId(2), 204, (1001, "alice"), "any news?", vec![]))
                .unwrap();
        })
        .tick();
    let (a, screen) = drive(db, (120, 40), script);
    assert_eq!(a.ticket.as_ref().unwrap().log.messages.len(), 5);
    assert!(screen.contains("any news?"), "{screen}");
}

fn quits_and_navigates(db: &TestDatabase) {
    seed(&db.db);
    let (a, _) = drive(
        db,
        (80, 24),
        Scripted::new()
            .key(KeyCode::Char('q'))
            .key(KeyCode::Char('j')),
    );
    assert!(a.should_quit());
    assert_eq!(a.selected, 0, "nothing after q is handled");
    let (a, _) = drive(
        db,
        (80, 24),
        Scripted::new()
            .key_with(KeyCode::Char('c'), KeyModifiers::CONTROL)
            .key(KeyCode::Char('j')),
    );
    assert_eq!(a.selected, 0);
    let (a, _) = drive(
        db,
        (80, 24),
        Scripted::new()
            .key(KeyCode::Enter)
            .key(KeyCode::Esc)
            .key(KeyCode::End),
    );
    assert_eq!((a.screen, a.selected), (Screen::List, 2));
    let (a, _) = drive(
        db,
        (80, 24),
        Scripted::new()
            .key(KeyCode::Char('?'))
            .key(KeyCode::Char('x')),
    );
    assert_eq!(a.popup, None, "any key closes the help");
    let (a, _) = drive(
        db,
        (80, 24),
        Scripted::new().key(KeyCode::Char('m')).key(KeyCode::Esc),
    );
    assert_eq!(a.popup, None);
    let (a, _) = drive(db, (80, 24), Scripted::new().key(KeyCode::Char('m')));
    assert!(matches!(a.popup, Some(Popup::PickCategory { .. })));
}
