//! Runs the bad-argument corpus ([`super::bad_args_table`]) through the real bot, one row after
//! another in one ticket channel: each must get a clear answer (containing the row's needle, not
//! the generic internal error; ephemeral for slash commands) and leave the database unchanged.

use std::time::Duration;

use rustmail_tests::harness::{text_of, Harness, WAIT};
use rustmail_tests::sim::Actor;

use super::backend::Backend;
use super::bad_args_table::{Who, CASES};
use super::commands::world;
use super::snapshot;

/// A prefix command that gets no answer within this long counts as unanswered.
const ANSWER_WAIT: Duration = Duration::from_secs(5);

/// The ids the placeholders stand for.
struct Places {
    user: u64,
    erin: u64,
    general: u64,
    inbox: u64,
    staff_role: u64,
}

fn expand(text: &str, p: &Places) -> String {
    let mut out = text
        .replace("{user}", &p.user.to_string())
        .replace("{erin}", &p.erin.to_string())
        .replace("{general}", &p.general.to_string())
        .replace("{inbox}", &p.inbox.to_string())
        .replace("{staff_role}", &p.staff_role.to_string());
    while let Some(start) = out.find("{long:") {
        let end = start + out[start..].find('}').expect("closed placeholder");
        let n: usize = out[start + 6..end].parse().expect("a length");
        out.replace_range(start..=end, &"x".repeat(n));
    }
    out
}

/// `/name sub key=v|key=v` → (`name sub`, options).
fn slash_parts(command: &str) -> (String, Vec<(String, String)>) {
    let body = command.trim_start_matches('/');
    let Some(eq) = body.find('=') else {
        return (body.trim().to_owned(), Vec::new());
    };
    let split = body[..eq].rfind(' ').expect("a name before the options");
    let options = body[split + 1..]
        .split('|')
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("key=value");
            (k.to_owned(), v.to_owned())
        })
        .collect();
    (body[..split].to_owned(), options)
}

/// Runs one row; the answer, or why there is none.
async fn answer(h: &Harness, who: &Actor, channel: u64, command: &str) -> Result<String, String> {
    if command.starts_with('/') {
        let (name, options) = slash_parts(command);
        let args: Vec<(&str, &str)> = options
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let i = who.slash(channel, &name, &args).await;
        let text = i
            .wait_content(WAIT)
            .await
            .map_err(|_| "no answer".to_owned())?;
        if !i.is_ephemeral() {
            return Err(format!("not ephemeral: {text:?}"));
        }
        return Ok(text);
    }
    let bot = h.sim.ids().bot_user_id;
    let seen = h.sim.channel_messages(channel).len();
    who.say(channel, command).await;
    let answered = h
        .sim
        .wait_until(
            |w| {
                w.channel_messages(channel)
                    .iter()
                    .skip(seen)
                    .any(|m| m.author_id == bot)
            },
            ANSWER_WAIT,
        )
        .await;
    if answered.is_err() {
        return Err("no answer".to_owned());
    }
    let answers: Vec<String> = h
        .sim
        .channel_messages(channel)
        .iter()
        .skip(seen)
        .filter(|m| m.author_id == bot)
        .map(text_of)
        .collect();
    Ok(answers.join("\n"))
}

async fn every_bad_argument(backend: Backend) {
    assert!(CASES.len() >= 100, "the corpus has {} rows", CASES.len());
    let Some((h, channel)) = world(backend).await else {
        return;
    };
    let ids = h.sim.ids().clone();
    let places = Places {
        user: h.sim.user("alice").id(),
        erin: h.sim.user("erin").id(),
        general: ids.general_channel_id,
        inbox: ids.inbox_category_id,
        staff_role: ids.staff_role_id,
    };
    let (bob, carol) = (h.sim.staff("bob"), h.sim.staff("carol"));
    let internal = rustmail_bot::strings::INTERNAL_ERROR;
    let mut failures = Vec::new();
    for case in CASES {
        let command = expand(case.command, &places);
        let who = match case.who {
            Who::Staff => &bob,
            Who::Admin => &carol,
        };
        let before = snapshot::take(&h);
        let shown: String = command.chars().take(60).collect();
        match answer(&h, who, channel, &command).await {
            Err(why) => failures.push(format!("{shown}: {why}")),
            Ok(text) if text.contains(internal) => {
                failures.push(format!("{shown}: internal error: {text:?}"));
            }
            Ok(text) if !text.contains(case.needle) => failures.push(format!(
                "{shown}: {:?} not in {:?}",
                case.needle,
                text.chars().take(300).collect::<String>()
            )),
            Ok(_) => {}
        }
        if let Some(d) = snapshot::diff(&before, &snapshot::take(&h)) {
            failures.push(format!("{shown}: the database changed: {d}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_argument_gets_a_clear_error_and_changes_nothing_sqlite() {
    every_bad_argument(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_argument_gets_a_clear_error_and_changes_nothing_postgres() {
    every_bad_argument(Backend::Postgres).await;
}

#[test]
fn placeholders_and_options_are_read() {
    let p = Places {
        user: 1,
        erin: 2,
        general: 3,
        inbox: 4,
        staff_role: 5,
    };
    assert_eq!(expand("!x {erin} {long:3}", &p), "!x 2 xxx");
    assert_eq!(
        slash_parts("/category create discord_category=4|name=a b"),
        (
            "category create".to_owned(),
            vec![
                ("discord_category".to_owned(), "4".to_owned()),
                ("name".to_owned(), "a b".to_owned())
            ]
        )
    );
    assert_eq!(slash_parts("/reply"), ("reply".to_owned(), Vec::new()));
}
