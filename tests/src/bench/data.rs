//! Data at scale: a database seeded with 100,000 tickets and 5,000,000 messages (one ticket with
//! 10,000), then the operator's tools timed on it: `rustmail tickets list` (first page, open,
//! filtered), `rustmail logs` of the big ticket, and the TUI's first frame and redraws.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use rustmail_cli::tui::{self, App, AppOptions, Scripted};
use rustmail_db::testing::TestDatabase;
use serde_json::json;

use super::stats::percentiles;
use super::workloads::Backend;
use super::Measurement;
use crate::seed::{seed, SeedSpec};

fn time_cli(cli: &Path, url: &str, args: &[&str], runs: usize) -> super::stats::Percentiles {
    let mut samples = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let out = Command::new(cli)
            .arg("--database-url")
            .arg(url)
            .args(args)
            .output()
            .expect("run rustmail");
        assert!(
            out.status.success(),
            "rustmail {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    percentiles(&samples)
}

/// Seeds (with `spec`) and measures; one [`Measurement`] per operation.
pub fn run(backend: Backend, cli: &Path, spec: SeedSpec) -> Vec<Measurement> {
    let db = match backend {
        Backend::Sqlite => TestDatabase::sqlite(),
        Backend::Postgres => TestDatabase::postgres(
            &TestDatabase::postgres_url()
                .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned()),
        ),
    };
    let report = seed(&db.db, spec).expect("seed");
    let url = db.url.clone();
    let mut out = Vec::new();
    let mut push = |name: &str, p: super::stats::Percentiles, extra: serde_json::Value| {
        out.push(Measurement {
            name: name.to_owned(),
            backend: backend.name().to_owned(),
            operations: p.count as u64,
            latency_ms: p,
            extra,
            ..Measurement::default()
        });
    };
    push(
        "seed",
        percentiles(&[report.seconds * 1000.0]),
        serde_json::to_value(&report).unwrap_or_default(),
    );
    let staff = "800000000000000001";
    for (name, args) in [
        (
            "cli-list-open",
            vec!["tickets", "list", "--open", "--limit", "50"],
        ),
        (
            "cli-list-category",
            vec![
                "tickets",
                "list",
                "--open",
                "--category",
                "Support",
                "--limit",
                "50",
            ],
        ),
        (
            "cli-list-assigned",
            vec![
                "tickets",
                "list",
                "--all",
                "--assigned",
                staff,
                "--limit",
                "50",
            ],
        ),
        (
            "cli-list-user",
            vec!["tickets", "list", "--all", "--user", "100000000000000500"],
        ),
        ("cli-logs-10k", vec!["logs", "1"]),
    ] {
        push(
            name,
            time_cli(cli, &url, &args, 10),
            json!({ "args": args, "runs": 10, "includes": "process start" }),
        );
    }
    // The TUI's real loop on a 120x40 TestBackend: first frame, then redraws while moving.
    let options = || AppOptions {
        staff_id: None,
        refresh: Duration::from_secs(3600),
        requested_by: "bench".to_owned(),
    };
    let mut first = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
        let mut app = App::new(db.db.clone(), options());
        tui::run(&mut terminal, &mut app, &mut Scripted::new()).expect("tui");
        first.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    push(
        "tui-first-frame",
        percentiles(&first),
        json!({ "size": "120x40" }),
    );
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut app = App::new(db.db.clone(), options());
    tui::run(&mut terminal, &mut app, &mut Scripted::new()).expect("tui");
    let moves = 200;
    let mut script = Scripted::new();
    for i in 0..moves {
        script = script.key(if i % 2 == 0 {
            KeyCode::Down
        } else {
            KeyCode::Char('j')
        });
    }
    let started = Instant::now();
    let mut app = App::new(db.db.clone(), options());
    tui::run(&mut terminal, &mut app, &mut script).expect("tui");
    #[allow(clippy::cast_precision_loss)]
    let per_frame = started.elapsed().as_secs_f64() * 1000.0 / f64::from(moves + 1);
    push(
        "tui-redraw-list",
        percentiles(&[per_frame]),
        json!({ "frames": moves + 1, "note": "mean per frame" }),
    );
    // Into the big ticket (ticket 1, 10,000 messages) and scrolling its conversation.
    let mut script = Scripted::new().key(KeyCode::Char('/'));
    for c in "user1 ".chars().take(5) {
        script = script.key(KeyCode::Char(c));
    }
    script = script.key(KeyCode::Enter).key(KeyCode::Enter);
    for _ in 0..moves {
        script = script.key(KeyCode::Char('k'));
    }
    let started = Instant::now();
    let mut app = App::new(db.db.clone(), options());
    tui::run(&mut terminal, &mut app, &mut script).expect("tui");
    #[allow(clippy::cast_precision_loss)]
    let per_frame = started.elapsed().as_secs_f64() * 1000.0 / f64::from(moves + 8);
    let opened = app.ticket.as_ref().map_or(0, |t| t.log.messages.len());
    push(
        "tui-redraw-conversation",
        percentiles(&[per_frame]),
        json!({
            "frames": moves + 8,
            "messages_in_open_ticket": opened,
            "note": "mean per frame, includes searching and opening the ticket",
        }),
    );
    out
}
