//! Scheduled closes: announced, cancelled by the user or by staff, replaced, surviving a
//! restart, and the inactivity close (`time_to_close_thread`).

use std::time::Duration;

use rustmail_db::ids::TicketId;
use rustmail_db::jobs::{self, JobKind};
use rustmail_db::tickets::{self, CloseKind};
use rustmail_tests::harness::{text_of, Harness, WAIT};

async fn open(h: &Harness) -> (rustmail_tests::sim::Actor, u64, TicketId) {
    let user = h.sim.user("alice");
    user.dm("please help").await;
    let channel = h.ticket_channel(user.id()).await;
    h.wait_bot_message(channel, "please help").await;
    let ticket = h.open_ticket(user.id()).expect("open").id;
    (user, channel, ticket)
}

fn live_close(h: &Harness, ticket: TicketId, kind: JobKind) -> Option<jobs::Job> {
    h.query(|c| jobs::live_for_ticket(c, ticket, kind))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_close_is_announced_cancelled_by_the_user_and_by_staff() {
    let h = Harness::builder().start().await;
    let (alice, channel, ticket) = open(&h).await;
    let bob = h.sim.staff("bob");
    bob.say(channel, "!close 2h").await;
    h.wait_bot_message(channel, "will close").await;
    let first = live_close(&h, ticket, JobKind::Close).expect("scheduled");
    let in_two_hours = chrono::Utc::now().naive_utc() + chrono::Duration::hours(2);
    assert!((first.due_at - in_two_hours).num_seconds().abs() < 60);

    // Re-scheduling replaces.
    let slash = bob.slash(channel, "close", &[("time", "1d12h")]).await;
    slash.wait_response(WAIT).await.expect("answered");
    let second = live_close(&h, ticket, JobKind::Close).expect("scheduled");
    assert_ne!(first.id, second.id);
    assert!(!h.query(|c| jobs::get(c, first.id)).is_live());

    // A message from the user cancels it, with a notice.
    alice.dm("wait, one more thing").await;
    h.wait_bot_message(channel, "cancelled because the user sent a message")
        .await;
    assert!(live_close(&h, ticket, JobKind::Close).is_none());

    // Staff cancel with -c.
    bob.say(channel, "!close 30m").await;
    h.wait("second announcement", |w| {
        w.channel_messages(channel)
            .iter()
            .filter(|m| text_of(m).contains("will close"))
            .count()
            >= 3
    })
    .await;
    bob.say(channel, "!close -c").await;
    h.wait_bot_message(channel, "The scheduled close was cancelled.")
        .await;
    assert!(live_close(&h, ticket, JobKind::Close).is_none());
    let nothing = bob.slash(channel, "close", &[("cancel", "true")]).await;
    let text = nothing.wait_content(WAIT).await.expect("answered");
    assert!(text.contains("no scheduled close"), "{text}");
    assert!(h.query(|c| tickets::get(c, ticket)).is_open());
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_time_is_a_clear_error() {
    let h = Harness::builder().start().await;
    let (_alice, channel, ticket) = open(&h).await;
    let slash = h
        .sim
        .staff("bob")
        .slash(channel, "close", &[("time", "soon")])
        .await;
    let text = slash.wait_content(WAIT).await.expect("answered");
    assert!(
        text.contains("`soon` is not a duration") && text.contains("30m"),
        "{text}"
    );
    assert!(slash.is_ephemeral());
    h.sim.staff("bob").say(channel, "!close 2x").await;
    h.wait_bot_message(channel, "is not a duration").await;
    assert!(h.query(|c| tickets::get(c, ticket)).is_open());
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_close_survives_a_restart_and_fires_once() {
    let mut h = Harness::builder().start().await;
    let ids = h.sim.ids().clone();
    let (alice, channel, ticket) = open(&h).await;
    h.sim.staff("bob").say(channel, "!close 3s").await;
    h.wait_bot_message(channel, "will close").await;
    h.stop_bot().await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(
        h.query(|c| tickets::get(c, ticket)).is_open(),
        "nothing runs while the bot is down"
    );
    h.start_bot().await;
    h.wait_db("closed at start-up", |c| {
        Ok(!tickets::get(c, ticket)?.is_open())
    })
    .await;
    assert_eq!(
        h.query(|c| tickets::get(c, ticket)).close_kind,
        Some(CloseKind::Scheduled)
    );
    h.wait_bot_dm(alice.id(), &h.config.thread.close_message)
        .await;
    h.wait_bot_message(ids.log_channel_id, &format!("Ticket #{ticket}"))
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let closes = h
        .bot_dms(alice.id())
        .iter()
        .filter(|m| m.content == h.config.thread.close_message)
        .count();
    assert_eq!(closes, 1, "fired once");
    let transcripts = h
        .bot_messages(ids.log_channel_id)
        .iter()
        .filter(|m| m.content.contains(&format!("Ticket #{ticket}")))
        .count();
    assert_eq!(transcripts, 1);
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_reply_arms_the_inactivity_close() {
    let h = Harness::builder()
        .configure(|c| c.thread.time_to_close_thread = Some(Duration::from_secs(3)))
        .start()
        .await;
    let (alice, channel, ticket) = open(&h).await;
    let bob = h.sim.staff("bob");
    bob.say(channel, "!reply anything else?").await;
    h.wait_bot_dm(alice.id(), "anything else?").await;
    assert!(
        live_close(&h, ticket, JobKind::InactivityClose).is_some(),
        "armed"
    );
    alice.dm("yes, one thing").await;
    h.wait_bot_message(channel, "yes, one thing").await;
    assert!(
        live_close(&h, ticket, JobKind::InactivityClose).is_none(),
        "the user's message cancels it"
    );
    bob.say(channel, "!reply done?").await;
    h.wait_bot_dm(alice.id(), "done?").await;
    h.wait_db("closed for inactivity", |c| {
        Ok(!tickets::get(c, ticket)?.is_open())
    })
    .await;
    assert_eq!(
        h.query(|c| tickets::get(c, ticket)).close_kind,
        Some(CloseKind::Inactivity)
    );
    h.wait_bot_dm(alice.id(), &h.config.thread.close_message)
        .await;
    h.assert_clean();
    h.shutdown().await;
}
