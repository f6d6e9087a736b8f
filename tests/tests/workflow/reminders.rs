//! Reminders (`/add_reminder`, `/remove_reminder`: firing once, across a restart, owners and
//! admins) and alerts (`/alert`, `/alert cancel`).

use std::time::Duration;

use rustmail_db::ids::ReminderId;
use rustmail_db::reminders;
use rustmail_tests::harness::{text_of, Harness};

use super::support::{answer, bot_count, open, settle};

/// The reminder id in an answer like "Reminder 3 set for ...".
fn reminder_id(text: &str) -> i64 {
    text.split("Reminder ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no reminder id in {text:?}"))
}

/// The bot's answer to a prefix command in `channel` containing `needle`.
async fn said(h: &Harness, channel: u64, needle: &str) -> String {
    text_of(&h.wait_bot_message(channel, needle).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_fire_once_show_their_id_and_are_removed_by_owner_or_admin() {
    let h = Harness::builder().start().await;
    let (_alice, channel, ticket) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");

    let slash = bob
        .slash(
            channel,
            "add_reminder",
            &[("time", "2s"), ("content", "call them back")],
        )
        .await;
    let text = answer(&slash).await;
    assert!(slash.is_ephemeral());
    let first = reminder_id(&text);
    let ping = h
        .wait_bot_message(channel, "reminder: call them back")
        .await;
    assert!(ping.content.contains(&format!("<@{}>", bob.id())));
    assert_eq!(ping.mentions, [bob.id()], "only the owner is pinged");
    h.wait_db("fired", |c| {
        Ok(reminders::get(c, ReminderId(first))?.fired_at.is_some())
    })
    .await;
    settle().await;
    assert_eq!(bot_count(&h, channel, "reminder: call them back"), 1);

    // Owner removes; someone else may not; an admin may.
    bob.say(channel, "!add_reminder 1h check the refund").await;
    h.wait_db("second reminder", |c| {
        Ok(reminders::live_for_ticket(c, ticket.id)?.len() == 1)
    })
    .await;
    let second = h.query(|c| reminders::live_for_ticket(c, ticket.id))[0]
        .id
        .0;
    said(&h, channel, &format!("Reminder {second} set for")).await;
    bob.say(channel, &format!("!remove_reminder {second}"))
        .await;
    said(&h, channel, &format!("Reminder {second} removed")).await;
    assert!(h
        .query(|c| reminders::get(c, ReminderId(second)))
        .cancelled_at
        .is_some());
    bob.say(channel, "!add_reminder 1h ask finance").await;
    h.wait_db("third reminder", |c| {
        Ok(reminders::live_for_ticket(c, ticket.id)?.len() == 1)
    })
    .await;
    let third = h.query(|c| reminders::live_for_ticket(c, ticket.id))[0].id;
    let gina = h.sim.staff("gina");
    gina.say(channel, &format!("!remove_reminder {third}"))
        .await;
    said(&h, channel, "belongs to someone else").await;
    assert!(h.query(|c| reminders::get(c, third)).cancelled_at.is_none());
    let slash = h
        .sim
        .staff("carol")
        .slash(
            channel,
            "remove_reminder",
            &[("reminder_id", &third.to_string())],
        )
        .await;
    assert!(answer(&slash).await.contains("removed"));
    assert!(h.query(|c| reminders::get(c, third)).cancelled_at.is_some());

    // Bad arguments: clear errors, nothing recorded.
    bob.say(channel, "!add_reminder soon do it").await;
    said(&h, channel, "`soon` is not a duration").await;
    let slash = bob
        .slash(channel, "add_reminder", &[("time", "2x"), ("content", "x")])
        .await;
    assert!(answer(&slash).await.contains("is not a duration"));
    bob.say(channel, "!remove_reminder 999").await;
    said(&h, channel, "Reminder 999 not found").await;
    bob.say(channel, "!remove_reminder first").await;
    said(&h, channel, "Usage: `!remove_reminder REMINDER_ID`").await;
    let slash = h
        .sim
        .user("dave")
        .slash(channel, "add_reminder", &[("time", "1h"), ("content", "x")])
        .await;
    assert!(answer(&slash).await.contains("Only staff"));
    assert!(h
        .query(|c| reminders::live_for_ticket(c, ticket.id))
        .is_empty());
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_due_while_the_bot_is_down_fires_once_after_the_restart() {
    reminder_across_a_restart(Harness::builder().start().await).await;
}

/// The same on Postgres (when `RUSTMAIL_TEST_POSTGRES_URL` is set).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_reminder_due_while_the_bot_is_down_fires_once_after_the_restart() {
    if let Some(h) = Harness::builder().postgres().try_start().await {
        reminder_across_a_restart(h).await;
    }
}

async fn reminder_across_a_restart(mut h: Harness) {
    let (_alice, channel, ticket) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    let slash = bob
        .slash(
            channel,
            "add_reminder",
            &[("time", "3s"), ("content", "survives restarts")],
        )
        .await;
    answer(&slash).await;
    h.stop_bot().await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        bot_count(&h, channel, "survives restarts"),
        0,
        "not while down"
    );
    h.start_bot().await;
    h.wait_bot_message(channel, "reminder: survives restarts")
        .await;
    h.restart_bot().await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(bot_count(&h, channel, "reminder: survives restarts"), 1);
    let fired = h.query(|c| reminders::live_for_ticket(c, ticket.id));
    assert!(fired.is_empty());
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_ping_once_on_the_next_user_message_and_can_be_cancelled() {
    let h = Harness::builder().start().await;
    let (alice, channel, ticket) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    let slash = bob.slash(channel, "alert", &[]).await;
    assert!(answer(&slash).await.contains("You will be pinged"));
    let again = bob.slash(channel, "alert", &[]).await;
    assert!(answer(&again).await.contains("already have an alert"));
    alice.dm("one more thing").await;
    let ping = h.wait_bot_message(channel, "the user replied").await;
    assert_eq!(ping.mentions, [bob.id()]);
    alice.dm("and another").await;
    h.wait_bot_message(channel, "and another").await;
    settle().await;
    assert_eq!(bot_count(&h, channel, "the user replied"), 1, "once");

    // Cancelled: no ping.
    bob.say(channel, "!alert").await;
    h.wait_db("alert set", |c| {
        Ok(rustmail_db::events::list(c, ticket.id)?
            .iter()
            .filter(|e| e.kind == rustmail_db::events::EventKind::AlertSet)
            .count()
            == 2)
    })
    .await;
    bob.say(channel, "!alert cancel").await;
    h.wait_bot_message(channel, "Your alert on this ticket was removed")
        .await;
    alice.dm("third message").await;
    h.wait_bot_message(channel, "third message").await;
    settle().await;
    assert_eq!(bot_count(&h, channel, "the user replied"), 1);
    let slash = bob.slash(channel, "alert", &[("cancel", "true")]).await;
    assert!(answer(&slash).await.contains("no alert"));
    bob.say(channel, "!alert later").await;
    h.wait_bot_message(channel, "Usage: `!alert | !alert cancel`")
        .await;
    let slash = h.sim.user("dave").slash(channel, "alert", &[]).await;
    assert!(answer(&slash).await.contains("Only staff"));
    h.assert_clean();
    h.shutdown().await;
}
