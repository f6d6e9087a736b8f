//! The `rustmail` binary end to end: listings, transcripts, categories, schedules, stats, and
//! errors (exit code 1 with one line naming the argument; 2 for usage).

mod actions;
mod setup;

use crate::support::{failure_of, on_both_backends, rustmail, seed, stdout_of, TestDatabase};

on_both_backends!(
    lists_tickets_with_filters_and_pages,
    rejects_bad_list_arguments,
    shows_full_logs_and_exports_transcripts,
    manages_categories_like_the_bot,
    lists_and_cancels_schedules,
    reports_stats,
);

/// The ticket ids in a table, in order.
fn ids(table: &str) -> Vec<String> {
    table
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| l.split_whitespace().next().unwrap_or_default().to_owned())
        .collect()
}

fn lists_tickets_with_filters_and_pages(db: &TestDatabase) {
    seed(&db.db);
    let list = |args: &[&str]| stdout_of(rustmail(db).args(["tickets", "list"]).args(args));

    let open = list(&[]);
    let header = open.lines().next().unwrap();
    for column in [
        "ID",
        "USER",
        "CATEGORY",
        "STATUS",
        "ASSIGNED",
        "OPENED",
        "LAST ACTIVITY",
        "SCHEDULED CLOSE",
    ] {
        assert!(header.contains(column), "{header}");
    }
    assert_eq!(ids(&open), ["#2", "#3", "#4"]);
    let row2 = open.lines().find(|l| l.starts_with("#2")).unwrap();
    for part in [
        "alice (1001)",
        "Billing",
        "open",
        "2002",
        "2026-01-05 08:00",
        "2026-01-05 09:00",
        "2026-01-10 12:00",
    ] {
        assert!(row2.contains(part), "{row2}");
    }
    assert!(open.contains("page 1 of 1 · 3 tickets"), "{open}");
    assert!(open
        .lines()
        .find(|l| l.starts_with("#4"))
        .unwrap()
        .contains("default"));

    assert_eq!(ids(&list(&["--closed"])), ["#1"]);
    assert_eq!(ids(&list(&["--all"])), ["#2", "#3", "#4", "#1"]);
    assert_eq!(ids(&list(&["--all", "--user", "1001"])), ["#2", "#1"]);
    assert_eq!(ids(&list(&["--category", "billing"])), ["#2"]);
    assert_eq!(ids(&list(&["--assigned", "2002"])), ["#2"]);
    assert_eq!(ids(&list(&["--text", "CHARGED twice"])), ["#2"]);
    assert!(
        list(&["--search", "CHARGED twice"]).contains("no tickets match"),
        "--search looks at names and labels only"
    );
    assert_eq!(ids(&list(&["--search", "carol"])), ["#3"]);
    let page2 = list(&["--limit", "1", "--page", "2"]);
    assert_eq!(ids(&page2), ["#3"]);
    assert!(page2.contains("page 2 of 3"), "{page2}");
    assert!(list(&["--search", "nothing like this"]).contains("no tickets match"));

    let json: serde_json::Value =
        serde_json::from_str(&list(&["--json", "--all", "--limit", "2"])).unwrap();
    assert_eq!(json["total"], 4);
    assert_eq!(json["tickets"].as_array().unwrap().len(), 2);
    assert_eq!(json["tickets"][0]["id"], 2);
    assert_eq!(json["tickets"][0]["category_name"], "Billing");
    assert_eq!(
        json["tickets"][0]["scheduled_close_at"],
        "2026-01-10T12:00:00"
    );
}

fn rejects_bad_list_arguments(db: &TestDatabase) {
    seed(&db.db);
    let fail = |args: &[&str]| failure_of(rustmail(db).args(["tickets", "list"]).args(args));
    assert_eq!(
        fail(&["--limit", "0"]),
        (1, "error: --limit: must be between 1 and 500\n".into())
    );
    assert_eq!(fail(&["--limit", "501"]).0, 1);
    assert_eq!(
        fail(&["--page", "0"]),
        (1, "error: --page: must be 1 or more\n".into())
    );
    let (code, err) = fail(&["--category", "nope"]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: --category: category `nope`"),
        "{err}"
    );
    assert!(err.contains("Billing, Technical, Appeals"), "{err}");
    for bad in [
        &["--user", "abc"][..],
        &["--limit", "x"],
        &["--open", "--closed"],
        &["--bogus"],
    ] {
        let (code, err) = fail(bad);
        assert_eq!(code, 2, "{bad:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{bad:?}: one line: {err}");
        assert!(err.starts_with("error: "), "{err}");
    }
    let (_, err) = fail(&["--user", "abc"]);
    assert!(err.contains("--user"), "{err}");
}

fn shows_full_logs_and_exports_transcripts(db: &TestDatabase) {
    seed(&db.db);
    let show = stdout_of(rustmail(db).args(["tickets", "show", "2"]));
    assert!(show.starts_with("Ticket #2 — alice (1001)\n"), "{show}");
    for part in [
        "[1] 2026-01-05 08:00:00 UTC · user → staff · alice (1001)",
        "attachment: invoice.pdf (2.0 KiB, stored) https://cdn.example/invoice.pdf",
        "[2] 2026-01-05 08:15:00 UTC · staff → user · reply #1 · (anonymous) Staff Team — sent by bob (2002)",
        "    We are looking into it now",
        "previous version, replaced 2026-01-05 08:20:00 UTC by 2002:",
        "      | We are looking into it",
        "[3] 2026-01-05 08:30:00 UTC · internal note · bob (2002)",
        "[DELETED 2026-01-05 08:50:00 UTC by 1001]",
        "    Sorry, wrong chat",
        "Events:",
    ] {
        assert!(show.contains(part), "missing {part:?} in:\n{show}");
    }
    assert_eq!(stdout_of(rustmail(db).args(["logs", "2"])), show);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t2.html");
    let out = stdout_of(
        rustmail(db)
            .args(["logs", "2", "--format", "html", "--output"])
            .arg(&file),
    );
    assert!(
        out.starts_with("wrote the html transcript of 1 ticket to"),
        "{out}"
    );
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("We are looking into it now"),
        "{html}"
    );
    let md = stdout_of(rustmail(db).args(["tickets", "show", "2", "--format", "markdown"]));
    assert!(md.starts_with("# Ticket \\#2"), "{md}");

    let all = stdout_of(rustmail(db).args(["logs", "--user", "1001"]));
    let first = all.find("Ticket #1 —").expect("ticket 1");
    let second = all.find("Ticket #2 —").expect("ticket 2");
    assert!(first < second, "oldest first");
    let json: serde_json::Value = serde_json::from_str(&stdout_of(
        rustmail(db).args(["--json", "logs", "--user", "1001"]),
    ))
    .unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    let one: serde_json::Value = serde_json::from_str(&stdout_of(
        rustmail(db).args(["tickets", "show", "2", "--json"]),
    ))
    .unwrap();
    assert_eq!(one["messages"][1]["anonymous"], true);
    assert_eq!(one["messages"][1]["author_name"], "bob");

    assert_eq!(
        failure_of(rustmail(db).args(["tickets", "show", "99"])),
        (1, "error: ticket #99 not found\n".into())
    );
    assert_eq!(
        failure_of(rustmail(db).args(["logs", "--user", "4242"])),
        (1, "error: --user: user 4242 has no tickets\n".into())
    );
    assert_eq!(failure_of(rustmail(db).args(["logs"])).0, 2);
    assert_eq!(
        failure_of(rustmail(db).args(["logs", "2", "--format", "pdf"])).0,
        2
    );
}

fn manages_categories_like_the_bot(db: &TestDatabase) {
    seed(&db.db);
    let run = |args: &[&str]| stdout_of(rustmail(db).arg("categories").args(args));
    let fail = |args: &[&str]| failure_of(rustmail(db).arg("categories").args(args));
    let list = run(&["list"]);
    assert!(
        list.contains("Billing") && list.contains("Appeals"),
        "{list}"
    );
    assert!(list.contains("category prompt: off, timeout 5m"), "{list}");

    assert_eq!(
        run(&["create", "Partnerships", "--discord-category", "9004"]),
        "created category `Partnerships` (id 4)\n"
    );
    assert_eq!(
        fail(&["create", "partnerships", "--discord-category", "9004"]),
        (
            1,
            "error: a category named `partnerships` already exists\n".into()
        )
    );
    assert_eq!(
        fail(&["create", "a|b", "--discord-category", "9004"]),
        (1, "error: NAME: must not contain `|`\n".into())
    );
    assert_eq!(
        fail(&["create", "default", "--discord-category", "9004"]),
        (
            1,
            "error: NAME: `default` is reserved for the inbox\n".into()
        )
    );
    assert_eq!(
        fail(&[
            "create",
            "X",
            "--discord-category",
            "9004",
            "--description",
            &"d".repeat(101)
        ]),
        (
            1,
            "error: --description: must be at most 100 characters\n".into()
        )
    );
    assert_eq!(fail(&["create", "X", "--discord-category", "0"]).0, 2);
    assert_eq!(
        run(&["rename", "partnerships", "Partners"]),
        "renamed category `partnerships` to `Partners`\n"
    );
    assert_eq!(
        fail(&["rename", "Partners", "Billing"]),
        (
            1,
            "error: a category named `Billing` already exists\n".into()
        )
    );
    assert!(fail(&["rename", "ghost", "Other"])
        .1
        .starts_with("error: NAME: category `ghost`"));
    assert_eq!(
        run(&["disable", "Partners"]),
        "category `Partners` is disabled: it is no longer offered\n"
    );
    assert_eq!(
        run(&["enable", "partners"]),
        "category `Partners` is enabled: it is offered in the prompt\n"
    );
    assert!(run(&["delete", "Partners"]).starts_with("deleted category `Partners`"));
    assert_eq!(run(&["prompt", "on"]), "category prompt: on, timeout 5m\n");
    assert_eq!(
        run(&["prompt", "timeout", "90"]),
        "category prompt: on, timeout 1m30s\n"
    );
    assert_eq!(
        fail(&["prompt", "timeout", "5"]),
        (
            1,
            "error: SECONDS: must be between 10 and 86400 seconds\n".into()
        )
    );
    assert_eq!(
        run(&["prompt", "off"]),
        "category prompt: off, timeout 1m30s\n"
    );
    let json: serde_json::Value = serde_json::from_str(&run(&["list", "--json"])).unwrap();
    assert_eq!(json["categories"].as_array().unwrap().len(), 3);
    assert_eq!(json["prompt"]["timeout_seconds"], 90);
}

fn lists_and_cancels_schedules(db: &TestDatabase) {
    seed(&db.db);
    let list = stdout_of(rustmail(db).args(["schedules", "list"]));
    let lines: Vec<&str> = list.lines().collect();
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("DUE"),
        "{list}"
    );
    assert!(
        lines[1].contains("reminder")
            && lines[1].contains("#3")
            && lines[1].contains("2026-01-09 09:00"),
        "{list}"
    );
    assert!(lines[1].contains("<@2002> follow up with carol"), "{list}");
    assert!(
        lines[2].contains("close")
            && lines[2].contains("#2")
            && lines[2].contains("2026-01-10 12:00"),
        "{list}"
    );
    let close_id = lines[2].split_whitespace().next().unwrap().to_owned();
    let cancelled = stdout_of(rustmail(db).args(["schedules", "cancel", &close_id]));
    assert_eq!(
        cancelled,
        format!("cancelled the close for ticket #2 (job {close_id})\n")
    );
    assert_eq!(
        failure_of(rustmail(db).args(["schedules", "cancel", &close_id])),
        (
            1,
            format!("error: scheduled job {close_id} has already been cancelled\n")
        )
    );
    assert_eq!(
        failure_of(rustmail(db).args(["schedules", "cancel", "999"])),
        (1, "error: scheduled job 999 not found\n".into())
    );
    let json: serde_json::Value = serde_json::from_str(&stdout_of(rustmail(db).args([
        "--json",
        "schedules",
        "list",
    ])))
    .unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
}

fn reports_stats(db: &TestDatabase) {
    seed(&db.db);
    // The seed's fixed times are in January 2026: a 52-week window from any time in 2026 sees
    // them; use a window long enough and check shapes plus the stable facts.
    let json: serde_json::Value = serde_json::from_str(&stdout_of(
        rustmail(db).args(["stats", "--json", "--since", "365d"]),
    ))
    .unwrap();
    assert_eq!(json["open_now"], 3);
    let text = stdout_of(rustmail(db).args(["stats", "--since", "365d"]));
    for part in ["open now", "median first response", "median time to close"] {
        assert!(text.contains(part), "{text}");
    }
    if json["opened"] == 4 {
        assert_eq!(json["closed"], 1);
        assert_eq!(json["median_first_response_seconds"], 1350);
        assert_eq!(json["median_close_seconds"], 3600);
        assert_eq!(json["busiest_categories"][0]["name"], "Billing");
        assert_eq!(json["busiest_categories"][0]["tickets"], 2);
        assert!(text.contains("22 minutes 30 seconds"), "{text}");
        assert!(
            text.contains("bob (2002)") && text.contains("frank (2003)"),
            "{text}"
        );
        let bob = &json["staff_replies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["staff_id"] == 2002)
            .unwrap()
            .clone();
        assert_eq!(bob["replies"], 1);
        assert_eq!(bob["anonymous"], 1);
    }
    assert_eq!(
        failure_of(rustmail(db).args(["stats", "--since", "7x"])).0,
        2
    );
    assert_eq!(
        failure_of(rustmail(db).args(["stats", "--since", "400d"])).0,
        2
    );
}
