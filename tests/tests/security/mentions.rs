//! Relayed and echoed text can never ping: a user's DMs (and their edits), staff replies (plain,
//! anonymous, slash, snippets, edits), notes and block reasons are full of `@everyone`, `@here`,
//! user and role mentions, and every request the bot sends carrying that text must have an
//! `allowed_mentions` that permits nothing; the simulator, which resolves mentions the way
//! Discord does, must record no ping on any bot message. Run with embeds and in plain-text mode.

use rustmail_tests::harness::{text_of, Harness, WAIT};
use rustmail_tests::sim::{Message, RequestRecord};
use serde_json::Value;

use super::backend::{self, Backend};
use super::commands::say_and_wait;

/// Mention syntax Discord would resolve in a message's content.
const MENTION_SYNTAX: [&str; 3] = ["@everyone", "@here", "<@"];

/// The text of every relay in this test: one of each kind of mention.
fn pings(h: &Harness, marker: &str) -> String {
    let ids = h.sim.ids();
    let dave = h.sim.user("dave").id();
    format!(
        "@everyone @here <@{dave}> <@!{dave}> <@&{}> <@&{}> {marker}",
        ids.staff_role_id, ids.staff_everyone_role_id
    )
}

/// Plays every kind of relay and echo with mention-laden text.
async fn play(h: &Harness) -> u64 {
    let alice = h.sim.user("alice");
    let bob = h.sim.staff("bob");
    let first = alice.dm(&pings(h, "dm-one")).await;
    let channel = h.ticket_channel(alice.id()).await;
    h.wait_bot_message(channel, "dm-one").await;
    alice.edit_dm(first, &pings(h, "dm-edited")).await;
    h.wait_bot_message(channel, "dm-edited").await;

    bob.say(channel, &format!("!reply {}", pings(h, "reply-prefix")))
        .await;
    h.wait_bot_dm(alice.id(), "reply-prefix").await;
    let slash = bob
        .slash(channel, "reply", &[("content", &pings(h, "reply-slash"))])
        .await;
    slash.wait_response(WAIT).await.expect("answered");
    h.wait_bot_dm(alice.id(), "reply-slash").await;
    bob.say(channel, &format!("!anonreply {}", pings(h, "reply-anon")))
        .await;
    h.wait_bot_dm(alice.id(), "reply-anon").await;

    bob.say(
        channel,
        &format!("!snippet add pings {}", pings(h, "snippet-text")),
    )
    .await;
    h.wait_bot_message(channel, "pings").await;
    bob.say(channel, "!s pings").await;
    h.wait_bot_dm(alice.id(), "snippet-text").await;
    bob.say(channel, "!as pings").await;
    h.wait("a second snippet DM", |w| {
        w.dm_messages(alice.id())
            .iter()
            .filter(|m| text_of(m).contains("snippet-text"))
            .count()
            >= 2
    })
    .await;
    let shown = bob
        .slash(channel, "snippet show", &[("name", "pings")])
        .await;
    shown.wait_content(WAIT).await.expect("answered");

    bob.say(channel, &format!("!edit 1 {}", pings(h, "reply-edited")))
        .await;
    h.wait_bot_dm(alice.id(), "reply-edited").await;

    say_and_wait(
        h,
        &bob,
        channel,
        &format!("!note add {}", pings(h, "note-text")),
        "added",
    )
    .await;
    let notes = bob.slash(channel, "note list", &[]).await;
    notes.wait_content(WAIT).await.expect("answered");
    let listed = notes.original().map(|m| text_of(&m)).unwrap_or_default();
    assert!(listed.contains("note-text"), "{listed}");

    // An internal note (a plain staff message): recorded, never sent.
    bob.say(channel, &pings(h, "internal-note")).await;

    let dave = h.sim.user("dave").id().to_string();
    let block = bob
        .slash(
            channel,
            "block",
            &[("user", &dave), ("reason", &pings(h, "block-reason"))],
        )
        .await;
    block.wait_content(WAIT).await.expect("answered");
    let blocked = bob.slash(channel, "blocked", &[]).await;
    blocked.wait_content(WAIT).await.expect("answered");

    alice.dm(&pings(h, "dm-two")).await;
    h.wait_bot_message(channel, "dm-two").await;
    channel
}

/// The message payload of a request that creates or edits a message (channel messages,
/// interaction responses, follow-ups), if it is one.
fn message_payload(r: &RequestRecord) -> Option<&Value> {
    let route = r.route?;
    let body = r.body.as_ref()?;
    if !matches!(r.method.as_str(), "POST" | "PATCH") {
        return None;
    }
    if route.ends_with("/callback") {
        return body.get("data");
    }
    (route.starts_with("/channels/{channel_id}/messages") || route.starts_with("/webhooks/"))
        .then_some(body)
}

/// Why `allowed_mentions` in `payload` would let something ping, if it would.
fn permissive(payload: &Value) -> Option<String> {
    let Some(allowed) = payload.get("allowed_mentions") else {
        return Some("no allowed_mentions (Discord then pings everything)".to_owned());
    };
    let non_empty = |key: &str| {
        allowed
            .get(key)
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
    };
    // `parse` absent and no lists: nothing is parsed.
    for key in ["parse", "users", "roles"] {
        if non_empty(key) {
            return Some(format!("allowed_mentions.{key} = {}", allowed[key]));
        }
    }
    if allowed.get("replied_user").and_then(Value::as_bool) == Some(true) {
        return Some("allowed_mentions.replied_user = true".to_owned());
    }
    None
}

fn carries_mentions(payload: &Value) -> bool {
    let text = payload.to_string();
    MENTION_SYNTAX.iter().any(|m| text.contains(m))
}

fn pinged(m: &Message) -> bool {
    m.mention_everyone || !m.mentions.is_empty() || !m.mention_roles.is_empty()
}

async fn nothing_pings(embeds: bool, backend: Backend) {
    let builder = Harness::builder().configure(move |c| c.thread.embedded_message = embeds);
    let Some(h) = backend::start(builder, backend).await else {
        return;
    };
    let channel = play(&h).await;
    let alice = h.sim.user("alice").id();

    let mut checked = 0;
    let mut failures = Vec::new();
    for r in h.sim.requests() {
        let Some(payload) = message_payload(&r) else {
            continue;
        };
        if !carries_mentions(payload) {
            continue;
        }
        checked += 1;
        if let Some(why) = permissive(payload) {
            failures.push(format!("{} {}: {why}", r.method, r.path));
        }
    }
    assert!(
        checked >= 10,
        "only {checked} requests carried the mentions: the scenario did not run"
    );
    let bot = h.sim.ids().bot_user_id;
    for m in h
        .sim
        .channel_messages(channel)
        .into_iter()
        .chain(h.sim.dm_messages(alice))
        .chain(h.sim.channel_messages(h.sim.ids().log_channel_id))
        .filter(|m| m.author_id == bot)
    {
        if pinged(&m) {
            failures.push(format!(
                "bot message {} pinged (everyone: {}, users: {:?}, roles: {:?}): {}",
                m.id,
                m.mention_everyone,
                m.mentions,
                m.mention_roles,
                text_of(&m)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} mention-carrying requests or messages could ping:\n{}",
        failures.len(),
        failures.join("\n")
    );
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relayed_and_echoed_text_never_pings_with_embeds_sqlite() {
    nothing_pings(true, Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relayed_and_echoed_text_never_pings_with_embeds_postgres() {
    nothing_pings(true, Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relayed_and_echoed_text_never_pings_in_plain_text_sqlite() {
    nothing_pings(false, Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relayed_and_echoed_text_never_pings_in_plain_text_postgres() {
    nothing_pings(false, Backend::Postgres).await;
}

#[test]
fn the_allowed_mentions_check_can_fail() {
    use serde_json::json;
    assert!(permissive(&json!({"content": "@everyone"})).is_some());
    assert!(permissive(&json!({"allowed_mentions": {"parse": ["everyone"]}})).is_some());
    assert!(permissive(&json!({"allowed_mentions": {"users": ["1"]}})).is_some());
    assert!(permissive(&json!({"allowed_mentions": {"replied_user": true}})).is_some());
    assert!(permissive(&json!({"allowed_mentions": {"parse": []}})).is_none());
    assert!(permissive(&json!({"allowed_mentions": {}})).is_none());
}
