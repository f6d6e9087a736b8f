//! Staff replies that must not be lost or reordered by a crash or a failed post (issue #7):
//! reply commands the bot never answered (sent while it was down, or claimed by a process that
//! died) are run at start-up, in order before live ones; a reply waiting for a retry is not
//! overtaken by the ticket's next reply.

use rustmail_db::instances;
use rustmail_tests::harness::{text_of, Harness};
use rustmail_tests::sim::Fault;

use super::relay::open;

/// The user's DMs from the bot that contain `marker`, as the markers' suffixes, in order.
fn received(user: &rustmail_tests::sim::Actor, marker: &str) -> Vec<String> {
    user.dm_messages()
        .iter()
        .filter_map(|m| {
            let text = text_of(m);
            let at = text.find(marker)?;
            Some(
                text[at..]
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

/// The next `n` posts into the user's DM channel fail with a 500.
fn fail_dm_posts(h: &Harness, user: &rustmail_tests::sim::Actor, n: usize) {
    let route = format!("POST /channels/{}/messages", user.dm_channel());
    h.sim
        .faults()
        .script(Some(&route), std::iter::repeat_n(Fault::ServerError, n));
}

/// Waits until the user has received `n` DMs containing `marker`.
async fn wait_dms(h: &Harness, user: &rustmail_tests::sim::Actor, marker: &str, n: usize) {
    let id = user.id();
    h.wait("the replies delivered", |w| {
        w.dm_messages(id)
            .iter()
            .filter(|m| text_of(m).contains(marker))
            .count()
            >= n
    })
    .await;
}

/// The recovery summaries posted in the log channel, oldest first.
fn recoveries(world: &rustmail_tests::sim::World, log_channel: u64) -> Vec<String> {
    world
        .channel_messages(log_channel)
        .into_iter()
        .map(text_of)
        .filter(|t| t.contains("Recovery:"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_commands_sent_while_the_bot_was_down_run_at_start_before_live_ones() {
    let mut h = Harness::builder().start().await;
    let ids = h.sim.ids().clone();
    let (alice, channel) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    bob.say(channel, "!reply mark-0").await;
    h.wait_bot_dm(alice.id(), "mark-0").await;
    // A reply command refused for the invoker's mistake is answered once, not again at start.
    bob.say(channel, "!reply \u{200b}").await;
    h.wait_bot_message(channel, "needs some text").await;
    h.wait("the start-up recovery summary", |w| {
        !recoveries(w, ids.log_channel_id).is_empty()
    })
    .await;
    let before = h.sim.world(|w| recoveries(w, ids.log_channel_id).len());
    h.stop_bot().await;
    bob.say(channel, "!reply mark-1").await;
    bob.say(channel, "just chatting while the bot is down")
        .await;
    bob.say(channel, "!reply mark-2").await;
    // Not a reply command: not run again (a close typed before an outage could surprise).
    bob.say(channel, "!close").await;
    h.start_bot().await;
    bob.say(channel, "!reply mark-3").await;
    wait_dms(&h, &alice, "mark-", 4).await;
    h.wait("the recovery summary of the restart", |w| {
        recoveries(w, ids.log_channel_id).len() > before
    })
    .await;
    let summary = h.sim.world(|w| recoveries(w, ids.log_channel_id))[before].clone();
    // The two sent while the bot was down, and the live one if it was sent before the bot's
    // new session was up.
    assert!(
        summary.contains("ran 2 unanswered reply command(s)")
            || summary.contains("ran 3 unanswered reply command(s)"),
        "{summary}"
    );
    assert_eq!(
        received(&alice, "mark-"),
        ["mark-0", "mark-1", "mark-2", "mark-3"],
        "each once, in the order staff sent them"
    );
    assert!(
        h.open_ticket(alice.id()).is_some(),
        "the !close was not run"
    );
    let refusals = h
        .bot_messages(channel)
        .iter()
        .filter(|m| text_of(m).contains("needs some text"))
        .count();
    assert_eq!(refusals, 1, "the refused command was not run again");
    // A second pass finds nothing to run again.
    bob.slash(ids.staff_channel_id, "recover", &[]).await;
    h.wait("the recovery summary of /recover", |w| {
        recoveries(w, ids.log_channel_id).len() > before + 1
    })
    .await;
    let second = h.sim.world(|w| recoveries(w, ids.log_channel_id))[before + 1].clone();
    assert!(
        second.contains("ran 0 unanswered reply command(s)"),
        "{second}"
    );
    assert_eq!(received(&alice, "mark-").len(), 4);
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_command_claimed_by_a_process_that_died_runs_again_once() {
    let mut h = Harness::builder().start().await;
    let ids = h.sim.ids().clone();
    let (alice, channel) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    h.stop_bot().await;
    let crashed = bob.say(channel, "!reply crashed-1").await;
    let finished = bob.say(channel, "!reply finished-2").await;
    let elsewhere = bob.say(channel, "!reply elsewhere-3").await;
    h.query(|c| {
        // A process on this machine that claimed the first command and died before recording
        // it (no such pid); the second command ran to an error; a live process on another
        // machine holds the third.
        let host = rustmail_bot::recovery::commands::hostname();
        instances::register(c, "dead-worker", &host, i32::MAX, "0")?;
        assert!(instances::claim_once(
            c,
            &format!("cmd:{crashed}"),
            "dead-worker"
        )?);
        instances::finish_claim(c, &format!("cmd:{finished}"))?;
        instances::register(c, "live-elsewhere", "another-machine", 7, "0")?;
        assert!(instances::claim_once(
            c,
            &format!("cmd:{elsewhere}"),
            "live-elsewhere"
        )?);
        Ok(())
    });
    h.start_bot().await;
    h.wait_bot_dm(alice.id(), "crashed-1").await;
    h.wait_bot_message(ids.log_channel_id, "ran 1 unanswered reply command(s)")
        .await;
    assert_eq!(received(&alice, "crashed-1"), ["crashed-1"]);
    assert!(received(&alice, "finished-2").is_empty());
    assert!(received(&alice, "elsewhere-3").is_empty());
    let holder = h.query(|c| instances::claim_holder(c, &format!("cmd:{crashed}")));
    assert_ne!(
        holder.map(|h| h.0).as_deref(),
        Some("dead-worker"),
        "the claim was taken over"
    );
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_left_to_the_retry_schedule_is_not_overtaken_by_the_next() {
    let h = Harness::builder().start().await;
    let (alice, channel) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    // The first reply's DM fails every inline attempt: it goes to the retry schedule.
    fail_dm_posts(&h, &alice, 3);
    bob.say(channel, "!reply order-1").await;
    h.wait_bot_message(channel, "will be retried").await;
    bob.say(channel, "!reply order-2").await;
    wait_dms(&h, &alice, "order-", 2).await;
    assert_eq!(received(&alice, "order-"), ["order-1", "order-2"]);
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_waits_behind_an_earlier_one_that_still_fails() {
    let h = Harness::builder().start().await;
    let (alice, channel) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    // Enough failures for the first reply's inline attempts and its second try (made before the
    // second reply): the second reply must wait behind it.
    fail_dm_posts(&h, &alice, 6);
    bob.say(channel, "!reply behind-1").await;
    h.wait_bot_message(channel, "will be retried").await;
    bob.say(channel, "!reply behind-2").await;
    h.wait_bot_message(channel, "goes out right after reply #1")
        .await;
    wait_dms(&h, &alice, "behind-", 2).await;
    assert_eq!(received(&alice, "behind-"), ["behind-1", "behind-2"]);
    // The channel copies follow the same order (each is posted after its DM).
    h.wait("both channel copies posted", |w| {
        w.channel_messages(channel)
            .iter()
            .filter(|m| text_of(m).contains("behind-") && !text_of(m).starts_with("!reply"))
            .count()
            >= 2
    })
    .await;
    let copies: Vec<usize> = h
        .bot_messages(channel)
        .iter()
        .filter_map(|m| {
            let text = text_of(m);
            let at = text.find("behind-")?;
            text[at + 7..at + 8].parse().ok()
        })
        .collect();
    assert_eq!(copies, [1, 2]);
    let ticket = h.open_ticket(alice.id()).expect("open");
    h.wait_db("nothing left pending", |c| {
        Ok(rustmail_db::messages::relay::pending_for_ticket(c, ticket.id)?.is_empty())
    })
    .await;
    // Waiting behind reply #1 was no failure of reply #2: delivered at its first try.
    let second = h.query(|c| rustmail_db::messages::find_by_number(c, ticket.id, 2));
    assert_eq!(second.relay_attempts, 1, "{second:?}");
    h.assert_clean();
    h.shutdown().await;
}
