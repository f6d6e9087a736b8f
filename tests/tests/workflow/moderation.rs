//! The block list (`/block`, `/unblock`, `/blocked`, the blocked user's DM refused, timed blocks
//! expiring) and notes about users (`/note`, shown in the header of their future tickets).

use std::time::Duration;

use rustmail_db::ids::UserId;
use rustmail_db::{blocks, notes};
use rustmail_tests::harness::{text_of, Harness};

use super::support::{answer, open, settle};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocked_users_are_refused_until_unblocked() {
    let h = Harness::builder().start().await;
    let here = h.sim.ids().staff_channel_id;
    let bob = h.sim.staff("bob");
    let erin = h.sim.user("erin");
    let erin_id = erin.id().to_string();

    // Bad arguments first: nothing is blocked.
    let slash = bob
        .slash(here, "block", &[("user", &erin_id), ("duration", "2x")])
        .await;
    assert!(answer(&slash).await.contains("`2x` is not a duration"));
    bob.say(here, &format!("!block {erin_id} 5q spam")).await;
    h.wait_bot_message(here, "`5q` is not a duration").await;
    bob.say(here, "!block nobody").await;
    h.wait_bot_message(here, "`nobody` is not a user").await;
    let slash = h
        .sim
        .user("dave")
        .slash(here, "block", &[("user", &erin_id)])
        .await;
    assert!(answer(&slash).await.contains("Only staff"));
    assert!(h.query(blocks::list_active).is_empty());

    let slash = bob
        .slash(
            here,
            "block",
            &[("user", &erin_id), ("reason", "spamming staff")],
        )
        .await;
    let text = answer(&slash).await;
    assert!(
        text.contains("blocked indefinitely") && text.contains("spamming staff"),
        "{text}"
    );
    erin.dm("let me in").await;
    h.wait_bot_dm(erin.id(), &h.config.thread.blocked_message)
        .await;
    settle().await;
    assert!(h.tickets_of(erin.id()).is_empty(), "no ticket");

    let again = bob.slash(here, "block", &[("user", &erin_id)]).await;
    assert!(answer(&again).await.contains("already blocked"));
    let list = bob.slash(here, "blocked", &[]).await;
    list.wait_response(rustmail_tests::harness::WAIT)
        .await
        .expect("answered");
    let shown = list.original().map(|m| text_of(&m)).unwrap_or_default();
    assert!(
        shown.contains(&erin_id) && shown.contains("spamming staff"),
        "{shown}"
    );

    bob.say(here, &format!("!unblock <@{erin_id}>")).await;
    h.wait_bot_message(here, "is no longer blocked").await;
    bob.say(here, &format!("!unblock {erin_id}")).await;
    h.wait_bot_message(here, "not found").await;
    erin.dm("hello again").await;
    let channel = h.ticket_channel(erin.id()).await;
    h.wait_bot_message(channel, "hello again").await;
    let empty = bob.slash(here, "blocked", &[]).await;
    assert!(answer(&empty).await.contains("Nobody is blocked"));
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_block_expires_and_an_empty_blocked_message_stays_silent() {
    let h = Harness::builder()
        .configure(|c| c.thread.blocked_message = String::new())
        .start()
        .await;
    let here = h.sim.ids().staff_channel_id;
    let frank = h.sim.user("frank");
    h.sim
        .staff("bob")
        .say(here, &format!("!block {} 2s rude", frank.id()))
        .await;
    h.wait_bot_message(here, "is blocked until").await;
    let block = h
        .query(|c| blocks::active(c, UserId(frank.id())))
        .expect("blocked");
    assert_eq!(block.reason, "rude");
    frank.dm("are you there").await;
    settle().await;
    assert!(h.bot_dms(frank.id()).is_empty(), "no reply at all");
    assert!(h.tickets_of(frank.id()).is_empty());
    tokio::time::sleep(Duration::from_millis(2200)).await;
    frank.dm("now?").await;
    let channel = h.ticket_channel(frank.id()).await;
    h.wait_bot_message(channel, "now?").await;
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_a_user_with_a_ticket_stops_their_messages() {
    let h = Harness::builder().start().await;
    let (alice, channel, _) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    bob.say(channel, &format!("!block {} 1d", alice.id())).await;
    let said = h.wait_bot_message(channel, "is blocked until").await;
    assert!(
        text_of(&said).contains(&format!("<#{channel}>")),
        "{}",
        text_of(&said)
    );
    alice.dm("blocked words").await;
    h.wait_bot_dm(alice.id(), &h.config.thread.blocked_message)
        .await;
    settle().await;
    assert!(!h
        .bot_messages(channel)
        .iter()
        .any(|m| text_of(m).contains("blocked words")));
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_show_in_the_header_of_the_users_future_tickets() {
    let h = Harness::builder().start().await;
    let (alice, channel, _) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    let user = UserId(alice.id());

    let slash = bob
        .slash(
            channel,
            "note add",
            &[("content", "prefers email follow-ups")],
        )
        .await;
    assert!(answer(&slash).await.contains("Note"));
    bob.say(channel, "!note add was refunded in March").await;
    h.wait_db("two notes", |c| Ok(notes::for_user(c, user)?.len() == 2))
        .await;
    let first = h.query(|c| notes::for_user(c, user))[0].id;
    let list = bob.slash(channel, "note list", &[]).await;
    list.wait_response(rustmail_tests::harness::WAIT)
        .await
        .expect("answered");
    let shown = list.original().map(|m| text_of(&m)).unwrap_or_default();
    assert!(
        shown.contains("prefers email") && shown.contains("refunded in March"),
        "{shown}"
    );
    bob.say(channel, &format!("!note remove {first}")).await;
    h.wait_bot_message(channel, &format!("Note {first} removed"))
        .await;

    // Bad input, wrong place, not staff: refused, nothing added.
    let long = "x".repeat(1001);
    let slash = bob.slash(channel, "note add", &[("content", &long)]).await;
    assert!(answer(&slash).await.contains("at most 1000 characters"));
    let here = h.sim.ids().staff_channel_id;
    bob.say(here, "!note add not in a ticket").await;
    h.wait_bot_message(here, "only works in an open ticket channel")
        .await;
    let slash = h
        .sim
        .user("dave")
        .slash(channel, "note add", &[("content", "sneaky")])
        .await;
    assert!(answer(&slash).await.contains("Only staff"));
    assert_eq!(h.query(|c| notes::for_user(c, user)).len(), 1);

    // The next ticket's header shows the remaining note.
    bob.say(channel, "!close").await;
    h.wait_db("closed", |c| {
        Ok(rustmail_db::tickets::find_open_by_user(c, user)?.is_none())
    })
    .await;
    alice.dm("back again").await;
    h.wait_db("a second ticket", |c| {
        Ok(rustmail_db::tickets::history(c, user)?.len() == 2
            && rustmail_db::tickets::find_open_by_user(c, user)?
                .is_some_and(|t| t.channel_id.is_some()))
    })
    .await;
    let second = h.ticket_channel(alice.id()).await;
    let header = h.wait_bot_message(second, "New ticket from alice").await;
    let shown = text_of(&header);
    assert!(
        shown.contains("Notes") && shown.contains("refunded in March"),
        "{shown}"
    );
    assert!(!shown.contains("prefers email"));
    h.assert_clean();
    h.shutdown().await;
}
