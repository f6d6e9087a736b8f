//! Snippets: managed with `/snippet …`, sent with `!s`, `!as` (anonymous) and
//! `/reply snippet:NAME`.

use rustmail_db::snippets;
use rustmail_tests::harness::{text_of, Harness, WAIT};

use super::support::{answer, open};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snippets_are_managed_and_sent_as_numbered_replies() {
    let h = Harness::builder().start().await;
    let here = h.sim.ids().staff_channel_id;
    let bob = h.sim.staff("bob");

    bob.say(here, "!snippet add refund Your refund is on its way.")
        .await;
    h.wait_bot_message(here, "Snippet `refund` added").await;
    let slash = bob
        .slash(
            here,
            "snippet add",
            &[("name", "greet"), ("content", "Hello there!")],
        )
        .await;
    assert!(answer(&slash).await.contains("`greet` added"));
    // Bad names and duplicates: refused.
    bob.say(here, "!snippet add REFUND again").await;
    h.wait_bot_message(here, "already exists").await;
    let slash = bob
        .slash(
            here,
            "snippet add",
            &[("name", "two words"), ("content", "x")],
        )
        .await;
    assert!(answer(&slash).await.contains("one word"));
    let long = "z".repeat(51);
    bob.say(here, &format!("!snippet add {long} text")).await;
    h.wait_bot_message(here, "at most 50 characters").await;
    assert_eq!(h.query(snippets::list).len(), 2);

    let list = bob.slash(here, "snippet list", &[]).await;
    list.wait_response(WAIT).await.expect("answered");
    let shown = list.original().map(|m| text_of(&m)).unwrap_or_default();
    assert!(
        shown.contains("`greet`") && shown.contains("`refund`"),
        "{shown}"
    );
    bob.say(here, "!snippet edit refund Your refund was sent today.")
        .await;
    h.wait_bot_message(here, "Snippet `refund` updated").await;
    let show = bob.slash(here, "snippet show", &[("name", "Refund")]).await;
    assert!(answer(&show).await.contains("Your refund was sent today."));

    // Sending.
    let (alice, channel, _) = open(&h, "alice").await;
    bob.say(channel, "!s refund").await;
    let dm = h
        .wait_bot_dm(alice.id(), "Your refund was sent today.")
        .await;
    assert!(text_of(&dm).contains("bob") || text_of(&dm).contains("Bob"));
    let copy = h
        .wait_bot_message(channel, "Your refund was sent today.")
        .await;
    assert!(text_of(&copy).contains("#1"));
    bob.say(channel, "!as greet").await;
    let dm = h.wait_bot_dm(alice.id(), "Hello there!").await;
    assert!(
        !text_of(&dm).to_lowercase().contains("bob"),
        "{}",
        text_of(&dm)
    );
    let slash = bob.slash(channel, "reply", &[("snippet", "greet")]).await;
    assert!(answer(&slash).await.contains("#3"));
    let both = bob
        .slash(channel, "reply", &[("content", "hi"), ("snippet", "greet")])
        .await;
    assert!(answer(&both).await.contains("either text or a snippet"));
    bob.say(channel, "!s nope").await;
    h.wait_bot_message(channel, "Snippet `nope` not found")
        .await;

    bob.say(here, "!snippet remove greet").await;
    h.wait_bot_message(here, "Snippet `greet` removed").await;
    bob.say(channel, "!s greet").await;
    h.wait_bot_message(channel, "Snippet `greet` not found")
        .await;
    let slash = h.sim.user("dave").slash(here, "snippet list", &[]).await;
    assert!(answer(&slash).await.contains("Only staff"));
    let slash = h
        .sim
        .user("dave")
        .slash(channel, "s", &[("name", "refund")])
        .await;
    assert!(answer(&slash).await.contains("Only staff"));
    assert_eq!(h.query(snippets::list).len(), 1);
    h.assert_clean();
    h.shutdown().await;
}
