//! Opening tickets from the staff side: `/new_thread` (slash and prefix, refusals) and channels
//! created in the inbox (`create_ticket_by_create_channel`).

use rustmail_db::tickets::OpenedVia;
use rustmail_tests::harness::{text_of, Harness};

use super::support::{answer, bot_said, open, settle};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_thread_opens_a_ticket_with_header_and_notifies_the_user() {
    let h = Harness::builder().start().await;
    let ids = h.sim.ids().clone();
    let bob = h.sim.staff("bob");
    let alice = h.sim.user("alice");
    let slash = bob
        .slash(
            ids.staff_channel_id,
            "new_thread",
            &[("user", &alice.id().to_string())],
        )
        .await;
    let text = answer(&slash).await;
    assert!(slash.is_ephemeral());
    let channel = h.ticket_channel(alice.id()).await;
    assert!(text.contains(&format!("<#{channel}>")), "{text}");
    let ticket = h.open_ticket(alice.id()).expect("open");
    assert_eq!(ticket.opened_via, OpenedVia::StaffCommand);
    assert_eq!(ticket.opened_by.get(), bob.id());
    assert_eq!(
        h.sim.channel(channel).and_then(|c| c.parent_id),
        Some(ids.inbox_category_id)
    );
    let header = h.wait_bot_message(channel, "New ticket from alice").await;
    let shown = text_of(&header);
    assert!(
        shown.contains("Opened by") && shown.contains(&format!("<@{}>", bob.id())),
        "{shown}"
    );
    h.wait_bot_message(channel, "Ticket opened by").await;
    h.wait_bot_dm(alice.id(), &h.config.thread.new_thread_message)
        .await;

    // The user's answer goes to that ticket.
    alice.dm("thanks for reaching out").await;
    h.wait_bot_message(channel, "thanks for reaching out").await;
    assert_eq!(h.tickets_of(alice.id()).len(), 1);

    // Prefix form, with a mention.
    let erin = h.sim.user("erin");
    bob.say(
        ids.staff_channel_id,
        &format!("!new_thread <@{}>", erin.id()),
    )
    .await;
    let erin_channel = h.ticket_channel(erin.id()).await;
    h.wait_bot_message(ids.staff_channel_id, &format!("<#{erin_channel}>"))
        .await;
    h.wait_bot_dm(erin.id(), &h.config.thread.new_thread_message)
        .await;
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_thread_refuses_bots_blocked_users_open_tickets_and_bad_ids() {
    let h = Harness::builder().start().await;
    let ids = h.sim.ids().clone();
    let bob = h.sim.staff("bob");
    let here = ids.staff_channel_id;

    // A user with an open ticket: a link to it.
    let (alice, alice_channel, _) = open(&h, "alice").await;
    let slash = bob
        .slash(here, "new_thread", &[("user", &alice.id().to_string())])
        .await;
    let text = answer(&slash).await;
    assert!(text.contains(&format!("<#{alice_channel}>")), "{text}");
    assert_eq!(h.tickets_of(alice.id()).len(), 1);

    // A bot.
    let slash = bob
        .slash(
            here,
            "new_thread",
            &[("user", &ids.bot_user_id.to_string())],
        )
        .await;
    let text = answer(&slash).await;
    assert!(text.contains("is a bot"), "{text}");
    assert!(h.tickets_of(ids.bot_user_id).is_empty());

    // A blocked user.
    let erin = h.sim.user("erin");
    bob.say(here, &format!("!block {} spam", erin.id())).await;
    h.wait_bot_message(here, "is blocked").await;
    bob.say(here, &format!("!new_thread {}", erin.id())).await;
    h.wait_bot_message(here, "unblock them first").await;
    assert!(h.tickets_of(erin.id()).is_empty());

    // Unknown ids and words that are not users.
    bob.say(here, "!new_thread 123456789012345678").await;
    h.wait_bot_message(here, "no Discord user has the id `123456789012345678`")
        .await;
    bob.say(here, "!new_thread alice").await;
    h.wait_bot_message(here, "`alice` is not a user").await;
    assert!(bot_said(&h, here, "Usage: `!new_thread USER_ID|@mention`"));

    // Not staff.
    let dave = h.sim.user("dave");
    let slash = dave
        .slash(here, "new_thread", &[("user", &erin.id().to_string())])
        .await;
    assert!(answer(&slash).await.contains("Only staff"));
    let frank = h.sim.user("frank");
    dave.say(here, &format!("!new_thread {}", frank.id())).await;
    settle().await;
    assert!(h.tickets_of(frank.id()).is_empty());
    assert!(h.tickets_of(erin.id()).is_empty());
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_thread_can_leave_the_user_unnotified() {
    let h = Harness::builder()
        .configure(|c| c.thread.new_thread_notify_user = false)
        .start()
        .await;
    let ids = h.sim.ids().clone();
    let alice = h.sim.user("alice");
    h.sim
        .staff("bob")
        .say(ids.staff_channel_id, &format!("!new_thread {}", alice.id()))
        .await;
    let channel = h.ticket_channel(alice.id()).await;
    h.wait_bot_message(channel, "the user was not notified")
        .await;
    assert!(h.bot_dms(alice.id()).is_empty());
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_named_after_a_user_id_in_the_inbox_becomes_their_ticket() {
    let h = Harness::builder()
        .configure(|c| c.thread.create_ticket_by_create_channel = true)
        .start()
        .await;
    let ids = h.sim.ids().clone();
    let bob = h.sim.staff("bob");
    let erin = h.sim.user("erin");
    let channel = bob
        .create_channel(ids.inbox_category_id, &erin.id().to_string())
        .await;
    h.wait_bot_message(channel, "New ticket from erin").await;
    h.wait_bot_message(channel, "now the ticket of").await;
    let ticket = h.open_ticket(erin.id()).expect("opened");
    assert_eq!(
        ticket.channel_id.map(rustmail_db::ids::ChannelId::get),
        Some(channel)
    );
    assert_eq!(ticket.opened_via, OpenedVia::ChannelCreated);
    h.wait_bot_dm(erin.id(), &h.config.thread.new_thread_message)
        .await;
    // The channel is now a normal ticket: replies reach the user.
    bob.say(channel, "!reply welcome, erin").await;
    h.wait_bot_dm(erin.id(), "welcome, erin").await;

    // A bad name: a clear message, nothing else.
    let other = bob
        .create_channel(ids.inbox_category_id, "help-needed")
        .await;
    h.wait_bot_message(other, "is not a ticket").await;
    let unknown = bob
        .create_channel(ids.inbox_category_id, "123456789012345678")
        .await;
    h.wait_bot_message(unknown, "no Discord user has the id")
        .await;
    // A user who already has a ticket: a link to it.
    let again = bob
        .create_channel(ids.inbox_category_id, &erin.id().to_string())
        .await;
    h.wait_bot_message(again, &format!("<#{channel}>")).await;
    assert_eq!(h.tickets_of(erin.id()).len(), 1);

    // Tickets the bot opens itself are left alone.
    let (_, dm_channel, _) = open(&h, "alice").await;
    settle().await;
    assert!(!bot_said(&h, dm_channel, "is not a ticket"));
    assert!(!bot_said(&h, dm_channel, "No ticket was opened"));
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channels_created_in_the_inbox_are_ignored_when_the_option_is_off() {
    let h = Harness::builder().start().await;
    let ids = h.sim.ids().clone();
    let erin = h.sim.user("erin");
    let channel = h
        .sim
        .staff("bob")
        .create_channel(ids.inbox_category_id, &erin.id().to_string())
        .await;
    settle().await;
    assert!(h.bot_messages(channel).is_empty());
    assert!(h.tickets_of(erin.id()).is_empty());
    h.assert_clean();
    h.shutdown().await;
}
