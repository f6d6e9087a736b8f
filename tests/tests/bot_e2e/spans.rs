//! Tracing: what the bot logs while handling a ticket's DM, reply or command carries the
//! ticket's id in its span, so an operator can follow one ticket through the logs.

use rustmail_tests::harness::logs::{self, Expectation};
use rustmail_tests::harness::{Harness, WAIT};

async fn wait_seen(what: &str, expectation: &Expectation) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !expectation.seen() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no log line for {what}; last lines:\n{}",
            logs::tail().join("\n")
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relays_replies_and_commands_log_within_a_span_carrying_the_ticket() {
    let h = Harness::builder().start().await;
    let alice = h.sim.user("alice");
    alice.dm("hello").await;
    let channel = h.ticket_channel(alice.id()).await;
    h.wait_bot_message(channel, "hello").await;
    let ticket = h.open_ticket(alice.id()).expect("open").id.0;

    let field = format!("ticket={ticket}");
    let relayed = logs::expect_line(&["dm{", &field, "relay{", "relayed to the ticket channel"]);
    let replied = logs::expect_line(&["command{", &field, "reply{", "delivered to the user"]);
    alice.dm("second message").await;
    h.wait_bot_message(channel, "second message").await;
    h.sim.staff("bob").say(channel, "!reply hi alice").await;
    h.wait_bot_dm(alice.id(), "hi alice").await;
    wait_seen("the relay", &relayed).await;
    wait_seen("the reply", &replied).await;
    h.assert_clean();
    h.shutdown().await;
}
