//! The close family: `/close`, silent, archive, force close, leaving, deleted channels,
//! operator actions.

use rustmail_db::actions::{self, Outcome};
use rustmail_db::ids::TicketId;
use rustmail_db::tickets::{self, CloseKind};
use rustmail_tests::harness::Harness;

async fn open(h: &Harness, name: &str) -> (rustmail_tests::sim::Actor, u64, TicketId) {
    let user = h.sim.user(name);
    user.dm("please help").await;
    let channel = h.ticket_channel(user.id()).await;
    h.wait_bot_message(channel, "please help").await;
    let ticket = h.open_ticket(user.id()).expect("open").id;
    (user, channel, ticket)
}

async fn wait_closed(h: &Harness, ticket: TicketId) -> tickets::Ticket {
    h.wait_db("ticket closed", |c| Ok(!tickets::get(c, ticket)?.is_open()))
        .await;
    h.query(|c| tickets::get(c, ticket))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_tells_the_user_posts_a_transcript_and_deletes_the_channel() {
    let h = Harness::builder().start().await;
    let ids = h.sim.ids().clone();
    let (alice, channel, ticket) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    bob.say(channel, "!reply we fixed it").await;
    h.wait_bot_dm(alice.id(), "we fixed it").await;
    bob.say(channel, "!close").await;
    let closed = wait_closed(&h, ticket).await;
    assert_eq!(closed.close_kind, Some(CloseKind::Staff));
    h.wait_bot_dm(alice.id(), &h.config.thread.close_message)
        .await;
    let log = h
        .wait_bot_message(ids.log_channel_id, &format!("Ticket #{ticket}"))
        .await;
    assert_eq!(log.attachments.len(), 1);
    assert_eq!(log.attachments[0].filename, format!("ticket-{ticket}.md"));
    let transcript = reqwest::get(&log.attachments[0].url)
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    assert!(
        transcript.contains("please help") && transcript.contains("we fixed it"),
        "{transcript}"
    );
    h.wait("channel deleted", |w| w.channel(channel).is_none())
        .await;
    // Records are kept.
    assert_eq!(
        h.query(|c| rustmail_db::messages::for_ticket(c, ticket))
            .len(),
        2
    );
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_close_sends_nothing_and_archive_makes_the_channel_read_only() {
    let h = Harness::builder().archive().start().await;
    let ids = h.sim.ids().clone();
    let (alice, channel, ticket) = open(&h, "alice").await;
    h.sim.staff("bob").say(channel, "!close -s").await;
    let closed = wait_closed(&h, ticket).await;
    assert_eq!(closed.close_kind, Some(CloseKind::Silent));
    h.wait("moved to the archive", |w| {
        w.channel(channel).and_then(|c| c.parent_id) == Some(ids.archive_category_id)
    })
    .await;
    h.wait_bot_message(ids.log_channel_id, &format!("Ticket #{ticket}"))
        .await;
    let staff = h
        .sim
        .channel(channel)
        .expect("kept")
        .overwrites
        .into_iter()
        .find(|o| o.id == ids.staff_role_id)
        .expect("staff overwrite");
    assert_ne!(staff.deny & (1 << 11), 0, "staff can no longer send");
    assert!(!h
        .bot_dms(alice.id())
        .iter()
        .any(|m| m.content == h.config.thread.close_message));
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_close_with_silent_and_html_transcript() {
    let h = Harness::builder()
        .configure(|c| c.thread.transcript_format = rustmail_db::config::TranscriptFormat::Html)
        .start()
        .await;
    let ids = h.sim.ids().clone();
    let (alice, channel, ticket) = open(&h, "alice").await;
    let slash = h
        .sim
        .staff("bob")
        .slash(channel, "close", &[("silent", "true")])
        .await;
    slash
        .wait_response(rustmail_tests::harness::WAIT)
        .await
        .expect("answered");
    assert!(slash.is_ephemeral());
    let closed = wait_closed(&h, ticket).await;
    assert_eq!(closed.close_kind, Some(CloseKind::Silent));
    let log = h
        .wait_bot_message(ids.log_channel_id, &format!("Ticket #{ticket}"))
        .await;
    assert_eq!(log.attachments[0].filename, format!("ticket-{ticket}.html"));
    h.wait("channel deleted", |w| w.channel(channel).is_none())
        .await;
    assert!(!h
        .bot_dms(alice.id())
        .iter()
        .any(|m| m.content == h.config.thread.close_message));
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn force_close_closes_without_contacting_the_user_and_removes_orphans() {
    let h = Harness::builder().start().await;
    let ids = h.sim.ids().clone();
    let (alice, channel, ticket) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    bob.say(channel, "!force_close").await;
    let closed = wait_closed(&h, ticket).await;
    assert_eq!(closed.close_kind, Some(CloseKind::Force));
    h.wait("channel deleted", |w| w.channel(channel).is_none())
        .await;
    assert!(!h
        .bot_dms(alice.id())
        .iter()
        .any(|m| m.content == h.config.thread.close_message));

    let orphan = bob.create_channel(ids.inbox_category_id, "orphan").await;
    let slash = bob.slash(orphan, "force_close", &[]).await;
    slash
        .wait_response(rustmail_tests::harness::WAIT)
        .await
        .expect("answered");
    h.wait("orphan removed", |w| w.channel(orphan).is_none())
        .await;
    // Outside the inbox, with no ticket: refused.
    let refused = bob.slash(ids.staff_channel_id, "force_close", &[]).await;
    let text = refused
        .wait_content(rustmail_tests::harness::WAIT)
        .await
        .expect("answered");
    assert!(text.contains("orphaned"), "{text}");
    assert!(h.sim.channel(ids.staff_channel_id).is_some());
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_the_server_closes_with_close_on_leave() {
    let h = Harness::builder()
        .configure(|c| c.thread.close_on_leave = true)
        .start()
        .await;
    let (alice, _channel, ticket) = open(&h, "alice").await;
    alice.leave_guild().await;
    let closed = wait_closed(&h, ticket).await;
    assert_eq!(closed.close_kind, Some(CloseKind::UserLeft));
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_the_server_posts_a_notice_without_close_on_leave() {
    let h = Harness::builder().start().await;
    let (alice, channel, ticket) = open(&h, "alice").await;
    alice.leave_guild().await;
    h.wait_bot_message(channel, "left the server").await;
    assert!(h.query(|c| tickets::get(c, ticket)).is_open());
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_the_channel_by_hand_closes_the_ticket() {
    let h = Harness::builder().start().await;
    let (_alice, channel, ticket) = open(&h, "alice").await;
    h.sim.staff("carol").delete_channel(channel).await;
    let closed = wait_closed(&h, ticket).await;
    assert_eq!(closed.close_kind, Some(CloseKind::ChannelDeleted));
    h.wait_bot_message(h.sim.ids().log_channel_id, "its channel was deleted")
        .await;
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_actions_are_executed_by_the_running_bot() {
    let h = Harness::builder().start().await;
    let (alice, channel, ticket) = open(&h, "alice").await;
    let message = h.query(|c| {
        actions::enqueue(
            c,
            &actions::NewAction {
                kind: actions::ActionKind::Message,
                ticket_id: Some(ticket),
                payload: serde_json::json!({"content": "hello from the CLI"}),
                requested_by: "test".into(),
            },
        )
    });
    h.wait_bot_message(channel, "hello from the CLI").await;
    let close =
        h.query(|c| actions::enqueue(c, &rustmail_db::operator::close(ticket, false, "test")));
    // How fast is a benchmark's business (no timed assertions here); the wait has a timeout.
    let closed = wait_closed(&h, ticket).await;
    assert_eq!(closed.close_kind, Some(CloseKind::Operator));
    h.wait_bot_dm(alice.id(), &h.config.thread.close_message)
        .await;
    h.wait_db("actions completed", |c| {
        Ok(actions::get(c, message.id)?.outcome == Some(Outcome::Ok)
            && actions::get(c, close.id)?.outcome == Some(Outcome::Ok))
    })
    .await;
    h.assert_clean();
    h.shutdown().await;
}
