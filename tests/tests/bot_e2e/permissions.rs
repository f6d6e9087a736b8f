//! Who may use the commands, and where.

use rustmail_tests::harness::{Harness, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_staff_get_a_refusal_for_slash_and_are_ignored_for_prefix() {
    let h = Harness::builder().start().await;
    let ids = h.sim.ids().clone();
    let alice = h.sim.user("alice");
    alice.dm("hello").await;
    let channel = h.ticket_channel(alice.id()).await;
    h.wait_bot_message(channel, "hello").await;
    let dave = h.sim.user("dave");
    let slash = dave.slash(ids.general_channel_id, "close", &[]).await;
    let text = slash.wait_content(WAIT).await.expect("answered");
    assert!(text.contains("Only staff"), "{text}");
    assert!(slash.is_ephemeral());
    let before = h.sim.channel_messages(ids.general_channel_id).len();
    dave.say(ids.general_channel_id, "!close").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        h.sim.channel_messages(ids.general_channel_id).len(),
        before + 1,
        "ignored"
    );
    assert!(h.open_ticket(alice.id()).is_some());
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticket_commands_outside_a_ticket_channel_are_refused() {
    let h = Harness::builder().start().await;
    let ids = h.sim.ids().clone();
    let bob = h.sim.staff("bob");
    let slash = bob
        .slash(ids.staff_channel_id, "reply", &[("content", "hi")])
        .await;
    let text = slash.wait_content(WAIT).await.expect("answered");
    assert!(
        text.contains("only works in an open ticket channel"),
        "{text}"
    );
    assert!(slash.is_ephemeral());
    bob.say(ids.staff_channel_id, "!close").await;
    h.wait_bot_message(ids.staff_channel_id, "only works in an open ticket channel")
        .await;
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefix_commands_in_dms_are_relayed_not_run() {
    let h = Harness::builder().start().await;
    let alice = h.sim.user("alice");
    alice.dm("!close").await;
    let channel = h.ticket_channel(alice.id()).await;
    h.wait_bot_message(channel, "!close").await;
    assert!(h.open_ticket(alice.id()).is_some());
    h.assert_clean();
    h.shutdown().await;
}
