//! The category prompt: a new user picks a category with a button, their further messages wait
//! and are relayed in order; "Default" and the timeout open in the inbox; a restart during the
//! selection loses nothing.

use std::time::Duration;

use rustmail_db::categories::selection;
use rustmail_db::events::{self, EventKind};
use rustmail_db::messages::{self, RelayState};
use rustmail_tests::harness::{text::description, text_of, Harness, WAIT};
use rustmail_tests::sim::Actor;

use super::support::{discord_category, prompt_on, settle, ticket_category, wait_cached};

/// Waits for the prompt in the user's DMs and returns its message id.
async fn prompt_of(h: &Harness, user: &Actor) -> u64 {
    h.wait_bot_dm(user.id(), "What is your message about?")
        .await
        .id
}

/// The user's messages as relayed in `channel`, in order.
fn relayed(h: &Harness, channel: u64) -> Vec<String> {
    h.bot_messages(channel)
        .iter()
        .filter_map(description)
        .collect()
}

fn button_of(h: &Harness, message: u64, label: &str) -> String {
    let m = h.sim.message(message).expect("prompt");
    m.components
        .iter()
        .filter_map(|row| row.get("components").and_then(serde_json::Value::as_array))
        .flatten()
        .find(|b| b.get("label").and_then(serde_json::Value::as_str) == Some(label))
        .and_then(|b| b.get("custom_id").and_then(serde_json::Value::as_str))
        .unwrap_or_else(|| panic!("no button {label}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_picked_category_gets_the_ticket_and_queued_messages_follow_in_order() {
    picked_category(Harness::builder().start().await).await;
}

/// The same on Postgres (when `RUSTMAIL_TEST_POSTGRES_URL` is set).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_picked_category_gets_the_ticket_and_queued_messages_follow_in_order() {
    if let Some(h) = Harness::builder().postgres().try_start().await {
        picked_category(h).await;
    }
}

async fn picked_category(h: Harness) {
    let billing_discord = discord_category(&h, "Billing Tickets");
    let escalated_discord = discord_category(&h, "Escalated");
    wait_cached(&h, escalated_discord).await;
    let billing = ticket_category(&h, "Billing", billing_discord);
    ticket_category(&h, "Escalated", escalated_discord);
    prompt_on(&h, 300);
    let alice = h.sim.user("alice");
    alice.dm("first").await;
    let prompt = prompt_of(&h, &alice).await;
    let shown = text_of(&h.sim.message(prompt).expect("prompt"));
    assert!(shown.contains("**Billing** — Billing questions"), "{shown}");
    h.wait_bot_dm(alice.id(), &h.config.thread.welcome_message)
        .await;
    alice.dm("second").await;
    alice.dm("third").await;
    let ticket = h.open_ticket(alice.id()).expect("ticket");
    h.wait_db("three queued", |c| {
        Ok(messages::for_ticket(c, ticket.id)?
            .iter()
            .filter(|m| m.relay_state == RelayState::Pending)
            .count()
            == 3)
    })
    .await;
    settle().await;
    assert!(
        h.open_ticket(alice.id())
            .and_then(|t| t.channel_id)
            .is_none(),
        "no channel yet"
    );
    assert!(h
        .sim
        .channels_in_category(h.sim.ids().inbox_category_id)
        .is_empty());

    let click = alice.click(prompt, &button_of(&h, prompt, "Billing")).await;
    click.wait_response(WAIT).await.expect("answered");
    let channel = h.ticket_channel(alice.id()).await;
    assert_eq!(
        h.sim.channel(channel).and_then(|c| c.parent_id),
        Some(billing_discord)
    );
    h.wait_bot_message(channel, "third").await;
    assert_eq!(relayed(&h, channel), ["first", "second", "third"]);
    let updated = h.sim.message(prompt).expect("prompt");
    assert!(
        updated.content.contains("went to **Billing**"),
        "{}",
        updated.content
    );
    assert!(updated.components.is_empty(), "buttons removed");
    h.wait_bot_message(channel, "New ticket from alice").await;
    let t = h.open_ticket(alice.id()).expect("ticket");
    assert_eq!(t.category_id, Some(billing.id));
    assert!(h
        .query(|c| events::list(c, t.id))
        .iter()
        .any(|e| e.kind == EventKind::CategoryChosen));

    // Later messages go straight through.
    alice.dm("fourth").await;
    h.wait_bot_message(channel, "fourth").await;
    assert_eq!(relayed(&h, channel), ["first", "second", "third", "fourth"]);
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_and_the_timeout_open_in_the_inbox() {
    let h = Harness::builder().start().await;
    let inbox = h.sim.ids().inbox_category_id;
    let billing_discord = discord_category(&h, "Billing Tickets");
    wait_cached(&h, billing_discord).await;
    ticket_category(&h, "Billing", billing_discord);
    prompt_on(&h, 10);

    let frank = h.sim.user("frank");
    frank.dm("frank here").await;
    let prompt = prompt_of(&h, &frank).await;
    frank.click(prompt, &button_of(&h, prompt, "Default")).await;
    let channel = h.ticket_channel(frank.id()).await;
    assert_eq!(
        h.sim.channel(channel).and_then(|c| c.parent_id),
        Some(inbox)
    );
    h.wait_bot_message(channel, "frank here").await;
    assert!(h
        .sim
        .message(prompt)
        .expect("prompt")
        .content
        .contains("general inbox"));

    let erin = h.sim.user("erin");
    erin.dm("erin waits").await;
    let prompt = prompt_of(&h, &erin).await;
    erin.dm("still waiting").await;
    let channel = h.ticket_channel(erin.id()).await;
    assert_eq!(
        h.sim.channel(channel).and_then(|c| c.parent_id),
        Some(inbox)
    );
    h.wait_bot_message(channel, "still waiting").await;
    assert_eq!(relayed(&h, channel), ["erin waits", "still waiting"]);
    h.wait("the prompt says it timed out", |w| {
        w.message(prompt).is_some_and(|m| {
            m.content.contains("No category was picked in time") && m.components.is_empty()
        })
    })
    .await;
    // The ticket has no category: it is in the default inbox.
    let ticket = h.open_ticket(erin.id()).expect("ticket");
    assert!(ticket.category_id.is_none());

    // With every category disabled, the prompt does not apply.
    h.query(|c| rustmail_db::categories::set_enabled(c, "Billing", false));
    let gus = h.sim.user("gus");
    gus.dm("no prompt for me").await;
    let channel = h.ticket_channel(gus.id()).await;
    h.wait_bot_message(channel, "no prompt for me").await;
    assert!(!h
        .bot_dms(gus.id())
        .iter()
        .any(|m| text_of(m).contains("What is your message about")));
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_during_the_selection_loses_nothing() {
    let mut h = Harness::builder().start().await;
    let escalated_discord = discord_category(&h, "Escalated");
    wait_cached(&h, escalated_discord).await;
    ticket_category(&h, "Escalated", escalated_discord);
    prompt_on(&h, 10);

    let alice = h.sim.user("alice");
    alice.dm("before the restart").await;
    let prompt = prompt_of(&h, &alice).await;
    let erin = h.sim.user("erin");
    erin.dm("erin before").await;
    prompt_of(&h, &erin).await;
    let alice_ticket = h.open_ticket(alice.id()).expect("ticket").id;
    // Keep alice's selection alive past the restart; erin's will time out while the bot is down.
    h.query(|c| {
        use diesel::prelude::*;
        use rustmail_db::schema::{category_selections as s, scheduled_jobs as j};
        let later = rustmail_db::time::after(Duration::from_secs(600));
        diesel::update(s::table.filter(s::ticket_id.eq(alice_ticket.0)))
            .set(s::expires_at.eq(later))
            .execute(c)?;
        diesel::update(j::table.filter(j::ticket_id.eq(alice_ticket.0)))
            .set(j::due_at.eq(later))
            .execute(c)?;
        Ok(())
    });

    h.stop_bot().await;
    alice.dm("while the bot is down").await;
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert!(h.query(|c| selection::is_pending(c, alice_ticket)));
    h.start_bot().await;

    // Erin's timeout was due during the downtime: it fires now.
    let erin_channel = h.ticket_channel(erin.id()).await;
    h.wait_bot_message(erin_channel, "erin before").await;
    assert_eq!(
        h.sim.channel(erin_channel).and_then(|c| c.parent_id),
        Some(h.sim.ids().inbox_category_id)
    );

    // Alice's selection is still pending; her message sent while down is queued, not relayed.
    h.wait_db("the missed message is taken in", |c| {
        Ok(messages::for_ticket(c, alice_ticket)?.len() == 2)
    })
    .await;
    alice.dm("after the restart").await;
    h.wait_db("three queued", |c| {
        Ok(messages::for_ticket(c, alice_ticket)?.len() == 3)
    })
    .await;
    assert!(h
        .open_ticket(alice.id())
        .and_then(|t| t.channel_id)
        .is_none());
    alice
        .click(prompt, &button_of(&h, prompt, "Escalated"))
        .await;
    let channel = h.ticket_channel(alice.id()).await;
    assert_eq!(
        h.sim.channel(channel).and_then(|c| c.parent_id),
        Some(escalated_discord)
    );
    h.wait_bot_message(channel, "after the restart").await;
    assert_eq!(
        relayed(&h, channel),
        [
            "before the restart",
            "while the bot is down",
            "after the restart"
        ]
    );
    h.assert_clean();
    h.shutdown().await;
}
