//! Who may run what. The table below lists every registered command (subcommands included) with
//! arguments that would make it act; it is checked against `rustmail_bot::commands::all()`, so a
//! new command without a row fails here. For each row a plain member gets an ephemeral refusal
//! for the slash form and is ignored for the prefix form (the documented behaviour: prefix
//! commands from non-staff get no answer), and the database is unchanged; admin-only rows are
//! refused to plain staff in both forms, also with nothing changed.

use std::collections::BTreeSet;

use rustmail_tests::harness::{text_of, Harness, WAIT};
use rustmail_tests::sim::Actor;

use super::backend::{self, Backend};
use super::snapshot;

/// What the refusals say (`rustmail_bot::strings`).
const NOT_STAFF: &str = rustmail_bot::strings::NOT_STAFF;
const ADMIN_ONLY: &str = "Only admins can manage ticket categories";

/// A command, as slash options and as the text after the prefix.
struct Row {
    name: &'static str,
    slash: Vec<(&'static str, String)>,
    prefix: String,
    admin_only: bool,
}

fn row(name: &'static str, slash: &[(&'static str, &str)], prefix: &str) -> Row {
    Row {
        name,
        slash: slash.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        prefix: prefix.to_owned(),
        admin_only: false,
    }
}

fn admin(mut r: Row) -> Row {
    r.admin_only = true;
    r
}

/// Every command with arguments that would change something if it ran. `erin` is a member the
/// commands could target; `category` a Discord category id.
fn table(erin: u64, category: u64) -> Vec<Row> {
    let (e, c) = (erin.to_string(), category.to_string());
    let mention = format!("<@{erin}>");
    vec![
        row("reply", &[("content", "sneaky")], "reply sneaky"),
        row("anonreply", &[("content", "sneaky")], "anonreply sneaky"),
        row(
            "edit",
            &[("message_id", "1"), ("new_content", "x")],
            "edit 1 x",
        ),
        row("delete", &[("message_id", "1")], "delete 1"),
        row("close", &[], "close"),
        row("force_close", &[], "force_close"),
        row("recover", &[], "recover"),
        row(
            "new_thread",
            &[("user", &e)],
            &format!("new_thread {mention}"),
        ),
        row("take", &[], "take"),
        row("release", &[], "release"),
        row(
            "add_staff",
            &[("user", &e)],
            &format!("add_staff {mention}"),
        ),
        row(
            "remove_staff",
            &[("user", &e)],
            &format!("remove_staff {mention}"),
        ),
        row(
            "add_reminder",
            &[("time", "1h"), ("content", "x")],
            "add_reminder 1h x",
        ),
        row(
            "remove_reminder",
            &[("reminder_id", "1")],
            "remove_reminder 1",
        ),
        row("alert", &[], "alert"),
        admin(row(
            "category create",
            &[("discord_category", &c), ("name", "Sales")],
            &format!("category create {c} Sales"),
        )),
        admin(row("category list", &[], "category list")),
        admin(row(
            "category delete",
            &[("name", "Billing")],
            "category delete Billing",
        )),
        admin(row(
            "category rename",
            &[("name", "Billing"), ("new_name", "Money")],
            "category rename Billing|Money",
        )),
        admin(row("category on", &[], "category on")),
        admin(row("category off", &[], "category off")),
        admin(row(
            "category timeout",
            &[("seconds", "60")],
            "category timeout 60",
        )),
        admin(row(
            "category enable",
            &[("name", "Billing")],
            "category enable Billing",
        )),
        admin(row(
            "category disable",
            &[("name", "Billing")],
            "category disable Billing",
        )),
        row(
            "move_thread",
            &[("category", "Billing")],
            "move_thread Billing",
        ),
        row("id", &[], "id"),
        row("logs", &[], "logs"),
        row(
            "snippet add",
            &[("name", "new"), ("content", "x")],
            "snippet add new x",
        ),
        row(
            "snippet edit",
            &[("name", "greet"), ("content", "changed")],
            "snippet edit greet changed",
        ),
        row(
            "snippet remove",
            &[("name", "greet")],
            "snippet remove greet",
        ),
        row("snippet list", &[], "snippet list"),
        row("snippet show", &[("name", "greet")], "snippet show greet"),
        row("s", &[("name", "greet")], "s greet"),
        row("as", &[("name", "greet")], "as greet"),
        row("block", &[("user", &e)], &format!("block {mention}")),
        row("unblock", &[("user", &e)], &format!("unblock {mention}")),
        row("blocked", &[], "blocked"),
        row("note add", &[("content", "x")], "note add x"),
        row("note list", &[], "note list"),
        row("note remove", &[("note_id", "1")], "note remove 1"),
        row("rename", &[("label", "pwned")], "rename pwned"),
        row("help", &[], "help"),
    ]
}

/// Every registered command's qualified name (leaf subcommands, not their groups).
fn registered() -> BTreeSet<String> {
    fn walk(
        prefix: &str,
        cmds: &[poise::Command<rustmail_bot::Data, rustmail_bot::CommandError>],
        out: &mut BTreeSet<String>,
    ) {
        for c in cmds {
            let name = if prefix.is_empty() {
                c.name.to_string()
            } else {
                format!("{prefix} {}", c.name)
            };
            if c.subcommands.is_empty() {
                out.insert(name);
            } else {
                walk(&name, &c.subcommands, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk("", &rustmail_bot::commands::all(), &mut out);
    out
}

#[test]
fn the_table_lists_every_registered_command() {
    let listed: BTreeSet<String> = table(1, 2).iter().map(|r| r.name.to_owned()).collect();
    let registered = registered();
    assert!(registered.len() >= 30, "{registered:?}");
    let missing: Vec<_> = registered.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&registered).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "commands without a row: {missing:?}; rows without a command: {extra:?}"
    );
}

/// A harness on `backend` with an open ticket (alice), a staff reply #1, a snippet, a category,
/// a note and a reminder, so every refused command would have had something to act on; `None`
/// when the backend is not configured (see [`backend::start`]).
pub async fn world(backend: Backend) -> Option<(Harness, u64)> {
    let h = backend::start(Harness::builder(), backend).await?;
    let alice = h.sim.user("alice");
    alice.dm("hello").await;
    let channel = h.ticket_channel(alice.id()).await;
    h.wait_bot_message(channel, "hello").await;
    let bob = h.sim.staff("bob");
    let carol = h.sim.staff("carol");
    let inbox = h.sim.ids().inbox_category_id;
    for (who, command, expect) in [
        (&bob, "!reply first reply".to_owned(), "first reply"),
        (&bob, "!snippet add greet hello there".to_owned(), "greet"),
        (&bob, "!note add a note".to_owned(), "added"),
        (&bob, "!add_reminder 2h look again".to_owned(), ""),
        (
            &carol,
            format!("!category create {inbox} Billing"),
            "Billing",
        ),
    ] {
        say_and_wait(&h, who, channel, &command, expect).await;
    }
    // The "nothing changed" checks compare snapshots: make sure they see the data.
    let rows = snapshot::take(&h);
    for table in ["tickets: ", "messages: ", "snippets: ", "user_notes: "] {
        assert!(
            rows.iter().any(|r| r.starts_with(table)),
            "the snapshot has no {table:?} row"
        );
    }
    Some((h, channel))
}

/// Sends a prefix command and waits for a new bot message (in the channel or the user's DMs)
/// that contains `expect`.
pub async fn say_and_wait(h: &Harness, who: &Actor, channel: u64, text: &str, expect: &str) {
    let bot = h.sim.ids().bot_user_id;
    let before = h.sim.channel_messages(channel).len();
    who.say(channel, text).await;
    h.wait(&format!("an answer to {text:?}"), |w| {
        w.channel_messages(channel)
            .iter()
            .skip(before)
            .any(|m| m.author_id == bot && text_of(m).contains(expect))
    })
    .await;
}

/// Runs every row as slash and as prefix by `who`; returns the failures. Slash answers must be
/// ephemeral and contain `refusal`; prefix commands must get no answer at all (`refusal` =
/// `None`) or an answer containing it; the database must not change.
async fn run_rows(
    h: &Harness,
    channel: u64,
    who: &Actor,
    rows: &[&Row],
    prefix_refusal: Option<&str>,
    refusal: &str,
) -> Vec<String> {
    let mut failures = Vec::new();
    let before = snapshot::take(h);
    for r in rows {
        let args: Vec<(&str, &str)> = r.slash.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let i = who.slash(channel, r.name, &args).await;
        match i.wait_content(WAIT).await {
            Ok(text) if text.contains(refusal) && i.is_ephemeral() => {}
            Ok(text) => failures.push(format!(
                "/{}: answered {text:?} (ephemeral: {})",
                r.name,
                i.is_ephemeral()
            )),
            Err(_) => failures.push(format!("/{}: no answer", r.name)),
        }
        if let Some(d) = snapshot::diff(&before, &snapshot::take(h)) {
            failures.push(format!("/{}: the database changed: {d}", r.name));
        }
    }
    let bot = h.sim.ids().bot_user_id;
    let seen = h.sim.channel_messages(channel).len();
    for r in rows {
        // Counted before sending: the answer may come before `say` returns.
        let count = h.sim.channel_messages(channel).len();
        who.say(channel, &format!("!{}", r.prefix)).await;
        if let Some(refusal) = prefix_refusal {
            // Answered one by one: each must be the refusal.
            let label = format!("an answer to !{}", r.prefix);
            h.wait(&label, |w| {
                w.channel_messages(channel)
                    .iter()
                    .skip(count)
                    .any(|m| m.author_id == bot)
            })
            .await;
            let answer = h
                .bot_messages(channel)
                .last()
                .map(text_of)
                .unwrap_or_default();
            if !answer.contains(refusal) {
                failures.push(format!("!{}: answered {answer:?}", r.prefix));
            }
        }
    }
    // Prefix commands run in order per channel: once a staff `!id` is answered, every command
    // above it has been handled.
    let sentinel = h.sim.staff("bob");
    let user = h
        .query(|c| rustmail_db::tickets::find_by_channel(c, rustmail_db::ids::ChannelId(channel)))
        .expect("ticket")
        .user_id
        .get()
        .to_string();
    let marker = h.sim.channel_messages(channel).len();
    sentinel.say(channel, "!id").await;
    h.wait("the sentinel's answer", |w| {
        w.channel_messages(channel)
            .iter()
            .skip(marker)
            .any(|m| m.author_id == bot && m.content.contains(&user))
    })
    .await;
    if prefix_refusal.is_none() {
        // Only the sentinel was answered.
        let answers: Vec<String> = h
            .sim
            .channel_messages(channel)
            .iter()
            .skip(seen)
            .filter(|m| m.author_id == bot)
            .map(text_of)
            .collect();
        if answers.len() != 1 {
            failures.push(format!("prefix commands were answered: {answers:?}"));
        }
    }
    if let Some(d) = snapshot::diff(&before, &snapshot::take(h)) {
        failures.push(format!("prefix commands: the database changed: {d}"));
    }
    failures
}

async fn non_staff_are_refused(backend: Backend) {
    let Some((h, channel)) = world(backend).await else {
        return;
    };
    let erin = h.sim.user("erin").id();
    let rows = table(erin, h.sim.ids().inbox_category_id);
    let all: Vec<&Row> = rows.iter().collect();
    let dave = h.sim.user("dave");
    let failures = run_rows(&h, channel, &dave, &all, None, NOT_STAFF).await;
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    h.assert_clean();
    h.shutdown().await;
}

async fn plain_staff_are_refused_admin_commands(backend: Backend) {
    let Some((h, channel)) = world(backend).await else {
        return;
    };
    let erin = h.sim.user("erin").id();
    let rows = table(erin, h.sim.ids().inbox_category_id);
    let admin_rows: Vec<&Row> = rows.iter().filter(|r| r.admin_only).collect();
    assert_eq!(admin_rows.len(), 9, "the category subcommands");
    let bob = h.sim.staff("bob");
    let failures = run_rows(&h, channel, &bob, &admin_rows, Some(ADMIN_ONLY), ADMIN_ONLY).await;
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The refusal is about the role, not the command: an admin may run it.
    let carol = h.sim.staff("carol");
    let list = carol.slash(channel, "category list", &[]).await;
    list.wait_content(WAIT).await.expect("answered");
    let text = list.original().map(|m| text_of(&m)).unwrap_or_default();
    assert!(text.contains("Billing"), "{text}");
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_staff_are_refused_every_command_and_nothing_changes_sqlite() {
    non_staff_are_refused(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_staff_are_refused_every_command_and_nothing_changes_postgres() {
    non_staff_are_refused(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_staff_are_refused_admin_commands_and_nothing_changes_sqlite() {
    plain_staff_are_refused_admin_commands(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_staff_are_refused_admin_commands_and_nothing_changes_postgres() {
    plain_staff_are_refused_admin_commands(Backend::Postgres).await;
}
