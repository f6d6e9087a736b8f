//! Edits and deletions both ways, with logs on and off.

use rustmail_db::messages::{self, RelayState};
use rustmail_tests::harness::{text::description, text_of, Harness};

async fn ticket_with_reply(h: &Harness) -> (rustmail_tests::sim::Actor, u64) {
    let alice = h.sim.user("alice");
    alice.dm("question").await;
    let channel = h.ticket_channel(alice.id()).await;
    h.wait_bot_message(channel, "question").await;
    h.sim.staff("bob").say(channel, "!reply first answer").await;
    h.wait_bot_dm(alice.id(), "first answer").await;
    h.wait_bot_message(channel, "#1 · /edit 1").await;
    (alice, channel)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_edit_their_reply_everywhere_with_a_log() {
    let h = Harness::builder().start().await;
    let (alice, channel) = ticket_with_reply(&h).await;
    let bob = h.sim.staff("bob");
    bob.say(channel, "!edit 1 corrected answer").await;
    h.wait("the DM copy is edited", |w| {
        w.dm_messages(alice.id())
            .iter()
            .any(|m| text_of(m).contains("corrected answer"))
    })
    .await;
    h.wait("the channel copy is edited", |w| {
        w.channel_messages(channel)
            .iter()
            .any(|m| description(m).as_deref() == Some("corrected answer"))
    })
    .await;
    let log = h.wait_bot_message(channel, "edited reply #1").await;
    let log = text_of(&log);
    assert!(
        log.contains("first answer") && log.contains("corrected answer"),
        "{log}"
    );
    assert!(!h
        .bot_dms(alice.id())
        .iter()
        .any(|m| text_of(m).contains("first answer")));
    let ticket = h.open_ticket(alice.id()).expect("open");
    let reply = h.query(|c| messages::find_by_number(c, ticket.id, 1));
    assert_eq!(reply.content, "corrected answer");
    let revisions = h.query(|c| messages::revisions(c, reply.id));
    assert_eq!(revisions.len(), 1);
    assert_eq!(revisions[0].previous_content, "first answer");
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_author_or_an_admin_may_edit() {
    let h = Harness::builder().start().await;
    let (alice, channel) = ticket_with_reply(&h).await;
    let erin = h.sim.staff("erin2");
    let slash = erin
        .slash(
            channel,
            "edit",
            &[("message_id", "1"), ("new_content", "hijacked")],
        )
        .await;
    let answer = slash
        .wait_content(rustmail_tests::harness::WAIT)
        .await
        .expect("answered");
    assert!(answer.contains("someone else"), "{answer}");
    assert!(slash.is_ephemeral());
    let carol = h.sim.staff("carol");
    carol
        .slash(
            channel,
            "edit",
            &[("message_id", "1"), ("new_content", "admin fix")],
        )
        .await;
    h.wait("admin edit reaches the user", |w| {
        w.dm_messages(alice.id())
            .iter()
            .any(|m| text_of(m).contains("admin fix"))
    })
    .await;
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_delete_their_reply_and_numbers_stay() {
    let h = Harness::builder().start().await;
    let (alice, channel) = ticket_with_reply(&h).await;
    let bob = h.sim.staff("bob");
    bob.say(channel, "!reply second answer").await;
    h.wait_bot_dm(alice.id(), "second answer").await;
    bob.say(channel, "!delete 1").await;
    h.wait("both copies removed", |w| {
        !w.dm_messages(alice.id())
            .iter()
            .any(|m| text_of(m).contains("first answer"))
            && !w
                .channel_messages(channel)
                .iter()
                .any(|m| description(m).as_deref() == Some("first answer"))
    })
    .await;
    h.wait_bot_message(channel, "deleted reply #1").await;
    bob.say(channel, "!reply third answer").await;
    let copy = h.wait_bot_message(channel, "third answer").await;
    assert!(
        text_of(&copy).contains("#3 · /edit 3"),
        "numbering unchanged"
    );
    let ticket = h.open_ticket(alice.id()).expect("open");
    let first = h.query(|c| messages::find_by_number(c, ticket.id, 1));
    assert!(first.is_deleted(), "marked, never removed");
    assert_eq!(first.content, "first answer");
    let second = h.query(|c| messages::find_by_number(c, ticket.id, 2));
    assert!(!second.is_deleted());
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_edits_and_deletions_are_mirrored_with_logs() {
    let h = Harness::builder().start().await;
    let alice = h.sim.user("alice");
    let first = alice.dm("I ordered a blue one").await;
    let channel = h.ticket_channel(alice.id()).await;
    h.wait_bot_message(channel, "blue").await;
    alice.edit_dm(first, "I ordered a red one").await;
    h.wait("the channel copy is edited", |w| {
        w.channel_messages(channel)
            .iter()
            .any(|m| description(m).as_deref() == Some("I ordered a red one"))
    })
    .await;
    let log = h.wait_bot_message(channel, "The user edited").await;
    assert!(text_of(&log).contains("blue") && text_of(&log).contains("red"));
    let record = h
        .query(|c| messages::find_by_source(c, rustmail_db::ids::MessageId(first)))
        .expect("record");
    assert_eq!(h.query(|c| messages::revisions(c, record.id)).len(), 1);

    let second = alice.dm("never mind").await;
    h.wait_bot_message(channel, "never mind").await;
    alice.delete_dm(second).await;
    h.wait_bot_message(channel, "Deleted by the user").await;
    h.wait_bot_message(channel, "The user deleted").await;
    let record = h
        .query(|c| messages::find_by_source(c, rustmail_db::ids::MessageId(second)))
        .expect("record");
    assert!(record.is_deleted());
    assert_eq!(record.relay_state, RelayState::Delivered);
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_logs_edits_and_deletions_post_no_log() {
    let h = Harness::builder()
        .configure(|c| {
            c.thread.show_log_on_edit = false;
            c.thread.show_log_on_delete = false;
        })
        .start()
        .await;
    let (alice, channel) = ticket_with_reply(&h).await;
    let dm = alice.dm("typo here").await;
    h.wait_bot_message(channel, "typo here").await;
    alice.edit_dm(dm, "fixed here").await;
    h.wait("edited", |w| {
        w.channel_messages(channel)
            .iter()
            .any(|m| description(m).as_deref() == Some("fixed here"))
    })
    .await;
    let bob = h.sim.staff("bob");
    bob.say(channel, "!edit 1 better answer").await;
    h.wait("edited reply", |w| {
        w.dm_messages(alice.id())
            .iter()
            .any(|m| text_of(m).contains("better answer"))
    })
    .await;
    bob.say(channel, "!delete 1").await;
    h.wait("deleted reply", |w| {
        !w.dm_messages(alice.id())
            .iter()
            .any(|m| text_of(m).contains("better answer"))
    })
    .await;
    alice.delete_dm(dm).await;
    h.wait_bot_message(channel, "Deleted by the user").await;
    let logs = h
        .bot_messages(channel)
        .iter()
        .filter(|m| m.content.contains(" edited ") || m.content.contains(" deleted "))
        .count();
    assert_eq!(logs, 0);
    h.assert_clean();
    h.shutdown().await;
}
