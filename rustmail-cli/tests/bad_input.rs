//! A corpus of bad command lines for the real `rustmail` binary, one row each, against a seeded
//! SQLite database: every row must exit non-zero with exactly one line on standard error naming
//! the argument (or field) at fault, and leave the database exactly as it was (a dump of every
//! table before and after). Also: database files the CLI creates are owner-only.

#[allow(dead_code, unused_imports, unused_macros)]
#[path = "e2e/support.rs"]
mod support;

#[path = "bad_input/db_files.rs"]
mod db_files;
#[path = "bad_input/dump.rs"]
mod dump;

use support::TestDatabase;

/// One bad command line (after `--database-url URL`) and the text its error must contain.
struct Case(&'static str, &'static [&'static str], &'static str);

#[rustfmt::skip]
const CASES: &[Case] = &[
    // Unknown commands and flags.
    Case("unknown command", &["ticket", "list"], "ticket"),
    Case("unknown subcommand", &["tickets", "lst"], "lst"),
    Case("unknown flag", &["tickets", "list", "--frobnicate"], "--frobnicate"),
    Case("unknown global flag value", &["--json=maybe", "stats"], "--json"),
    Case("unknown shell", &["completions", "fish2"], "fish2"),
    // Ticket ids.
    Case("ticket id word", &["tickets", "show", "abc"], "<ID>"),
    Case("ticket id negative", &["tickets", "show", "-1"], "-1"),
    Case("ticket id zero", &["tickets", "show", "0"], "#0"),
    Case("ticket id huge", &["tickets", "show", "99999999999999999999"], "<ID>"),
    Case("ticket id float", &["tickets", "show", "1.5"], "<ID>"),
    Case("ticket id empty", &["tickets", "show", ""], "<ID>"),
    Case("ticket id zero-width", &["tickets", "show", "2\u{200b}"], "<ID>"),
    Case("ticket id arabic digits", &["tickets", "show", "\u{662}"], "<ID>"),
    Case("ticket id unknown", &["tickets", "show", "999999"], "999999"),
    Case("ticket id missing", &["tickets", "show"], "<ID>"),
    // tickets list
    Case("limit negative", &["tickets", "list", "--limit", "-1"], "--limit"),
    Case("limit zero", &["tickets", "list", "--limit", "0"], "--limit"),
    Case("limit word", &["tickets", "list", "--limit", "ten"], "--limit"),
    Case("limit huge", &["tickets", "list", "--limit", "99999999999999999999"], "--limit"),
    Case("limit too big", &["tickets", "list", "--limit", "100000000"], "--limit"),
    Case("page zero", &["tickets", "list", "--page", "0"], "--page"),
    Case("page negative", &["tickets", "list", "--page", "-3"], "--page"),
    Case("page word", &["tickets", "list", "--page", "two"], "--page"),
    Case("user word", &["tickets", "list", "--user", "alice"], "--user"),
    Case("user zero", &["tickets", "list", "--user", "0"], "--user"),
    Case("assigned negative", &["tickets", "list", "--assigned", "-7"], "--assigned"),
    Case("logs user negative", &["logs", "--user", "-7"], "--user"),
    Case("user negative", &["tickets", "list", "--user", "-5"], "--user"),
    Case("user mention", &["tickets", "list", "--user", "<@1001>"], "--user"),
    Case("assigned word", &["tickets", "list", "--assigned", "bob"], "--assigned"),
    Case("open and closed", &["tickets", "list", "--open", "--closed"], "--closed"),
    Case("open and all", &["tickets", "list", "--open", "--all"], "--all"),
    Case("category unknown", &["tickets", "list", "--category", "Nope"], "Nope"),
    Case("limit missing value", &["tickets", "list", "--limit"], "--limit"),
    // tickets close / force-close / cancel-close / move
    Case("close id word", &["tickets", "close", "two"], "<ID>"),
    Case("close unknown", &["tickets", "close", "999999"], "999999"),
    Case("close closed ticket", &["tickets", "close", "1"], "1"),
    Case("close timeout without wait", &["tickets", "close", "2", "--timeout", "5"], "--wait"),
    Case("close timeout zero", &["tickets", "close", "2", "--wait", "--timeout", "0"], "--timeout"),
    Case("close timeout too long", &["tickets", "close", "2", "--wait", "--timeout", "3601"], "--timeout"),
    Case("close timeout word", &["tickets", "close", "2", "--wait", "--timeout", "soon"], "--timeout"),
    Case("close silent value", &["tickets", "close", "2", "--silent=yes"], "--silent"),
    Case("force-close nothing", &["tickets", "force-close"], "--orphans"),
    Case("force-close id and orphans", &["tickets", "force-close", "2", "--orphans"], "--orphans"),
    Case("force-close unknown", &["tickets", "force-close", "999999"], "999999"),
    Case("cancel-close word", &["tickets", "cancel-close", "x"], "<ID>"),
    Case("cancel-close unknown", &["tickets", "cancel-close", "999999"], "999999"),
    Case("move no category", &["tickets", "move", "2"], "<CATEGORY>"),
    Case("move unknown category", &["tickets", "move", "2", "Nope"], "Nope"),
    Case("move empty category", &["tickets", "move", "2", ""], "category"),
    Case("move to its own category", &["tickets", "move", "2", "Billing"], "Billing"),
    Case("move unknown ticket", &["tickets", "move", "999999", "Technical"], "999999"),
    Case("move closed ticket", &["tickets", "move", "1", "Technical"], "1"),
    // logs
    Case("logs nothing", &["logs"], "ID"),
    Case("logs word", &["logs", "abc"], "ID"),
    Case("logs user word", &["logs", "--user", "abc"], "--user"),
    Case("logs id and user", &["logs", "1", "--user", "1001"], "--user"),
    Case("logs format pdf", &["logs", "1", "--format", "pdf"], "--format"),
    Case("logs format empty", &["logs", "1", "--format", ""], "--format"),
    Case("logs unknown ticket", &["logs", "999999"], "999999"),
    Case("logs output into a missing directory", &["logs", "1", "--output", "/nonexistent/dir/t.md"], "/nonexistent/dir/t.md"),
    // categories
    Case("create no discord category", &["categories", "create", "Sales"], "--discord-category"),
    Case("create discord category word", &["categories", "create", "Sales", "--discord-category", "abc"], "--discord-category"),
    Case("create discord category zero", &["categories", "create", "Sales", "--discord-category", "0"], "--discord-category"),
    Case("create empty name", &["categories", "create", "", "--discord-category", "9100"], "NAME"),
    Case("create invisible name", &["categories", "create", "\u{200b}\u{200f}", "--discord-category", "9100"], "NAME"),
    Case("create blank name", &["categories", "create", "   ", "--discord-category", "9100"], "NAME"),
    Case("create name too long", &["categories", "create", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "--discord-category", "9100"], "NAME"),
    Case("create duplicate name", &["categories", "create", "Billing", "--discord-category", "9100"], "Billing"),
    Case("create duplicate name other case", &["categories", "create", "billing", "--discord-category", "9100"], "illing"),
    Case("rename unknown", &["categories", "rename", "Nope", "Other"], "Nope"),
    Case("rename to existing", &["categories", "rename", "Billing", "Technical"], "Technical"),
    Case("rename to empty", &["categories", "rename", "Billing", ""], "NEW_NAME"),
    Case("rename missing new name", &["categories", "rename", "Billing"], "<NEW_NAME>"),
    Case("delete unknown", &["categories", "delete", "Nope"], "Nope"),
    Case("enable unknown", &["categories", "enable", "Nope"], "Nope"),
    Case("disable unknown", &["categories", "disable", "Nope"], "Nope"),
    Case("prompt timeout too small", &["categories", "prompt", "timeout", "5"], "10"),
    Case("prompt timeout negative", &["categories", "prompt", "timeout", "-1"], "10"),
    Case("prompt timeout too big", &["categories", "prompt", "timeout", "86401"], "86400"),
    Case("prompt timeout word", &["categories", "prompt", "timeout", "soon"], "<SECONDS>"),
    Case("prompt unknown switch", &["categories", "prompt", "maybe"], "maybe"),
    // schedules
    Case("cancel job word", &["schedules", "cancel", "abc"], "<ID>"),
    Case("cancel job negative", &["schedules", "cancel", "-2"], "-2"),
    Case("cancel job unknown", &["schedules", "cancel", "999999"], "999999"),
    // stats durations
    Case("since unknown unit", &["stats", "--since", "5x"], "--since"),
    Case("since negative", &["stats", "--since", "-1h"], "--since"),
    Case("since huge", &["stats", "--since", "99999999999d"], "--since"),
    Case("since empty", &["stats", "--since", ""], "--since"),
    Case("since words", &["stats", "--since", "a week"], "--since"),
    Case("since units reversed", &["stats", "--since", "1h1d"], "--since"),
    Case("since over a year", &["stats", "--since", "366d"], "--since"),
    Case("since zero-width", &["stats", "--since", "1\u{200b}d"], "--since"),
    Case("since rtl", &["stats", "--since", "\u{202e}d1"], "--since"),
    // config and tui
    Case("config check missing file", &["config", "check", "/nonexistent/rustmail.toml"], "/nonexistent/rustmail.toml"),
    Case("config missing file", &["--config", "/nonexistent/rustmail.toml", "stats"], "/nonexistent/rustmail.toml"),
    Case("tui refresh too fast", &["tui", "--refresh-ms", "5"], "--refresh-ms"),
    Case("tui refresh word", &["tui", "--refresh-ms", "fast"], "--refresh-ms"),
    Case("tui staff id word", &["tui", "--staff-id", "bob"], "--staff-id"),
];

/// Rows run with their own `--database-url` instead of the test database: the URL is refused
/// before anything is opened.
#[rustfmt::skip]
const URL_CASES: &[Case] = &[
    Case("mysql url", &["--database-url", "mysql://root:hunter2@localhost/db", "stats"], "database"),
    Case("empty url", &["--database-url", "", "stats"], "database"),
    Case("http url", &["--database-url", "http://localhost/db", "stats"], "database"),
];

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = support::bin().args(args).output().expect("run rustmail");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What is wrong with this run of a bad command line, if anything.
fn judge(code: Option<i32>, stdout: &str, stderr: &str, needle: &str) -> Option<String> {
    if code == Some(0) || code.is_none() {
        return Some(format!("exit {code:?}, stdout: {stdout}"));
    }
    let lines: Vec<&str> = stderr.trim_end().lines().collect();
    if lines.len() != 1 {
        return Some(format!("{} lines on stderr: {stderr}", lines.len()));
    }
    if !lines[0].contains(needle) {
        return Some(format!("{needle:?} not named in: {}", lines[0]));
    }
    if stderr.contains("hunter2") {
        return Some(format!("a password leaked: {stderr}"));
    }
    None
}

#[test]
fn every_bad_command_line_is_one_line_naming_the_argument_and_changes_nothing() {
    let db = TestDatabase::sqlite();
    support::seed(&db.db);
    let before = dump::sqlite(&db.url);
    assert!(before.len() > 20, "the seed is in the dump");
    let mut failures = Vec::new();
    for Case(name, args, needle) in CASES {
        let mut full = vec!["--database-url", db.url.as_str()];
        full.extend_from_slice(args);
        let (code, stdout, stderr) = run(&full);
        if let Some(problem) = judge(code, &stdout, &stderr, needle) {
            failures.push(format!("{name} {args:?}: {problem}"));
        }
        let after = dump::sqlite(&db.url);
        if after != before {
            failures.push(format!(
                "{name} {args:?}: the database changed: {}",
                dump::first_difference(&before, &after)
            ));
            break;
        }
    }
    for Case(name, args, needle) in URL_CASES {
        let (code, stdout, stderr) = run(args);
        if let Some(problem) = judge(code, &stdout, &stderr, needle) {
            failures.push(format!("{name} {args:?}: {problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        CASES.len() + URL_CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn the_corpus_is_big_enough() {
    assert!(CASES.len() + URL_CASES.len() >= 80);
}
