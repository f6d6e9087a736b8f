//! Opening a ticket: channel, header, welcome, ordering, refusals, full inbox.

use rustmail_db::ids::UserId;
use rustmail_db::messages::{self, Direction};
use rustmail_tests::harness::{text::description, text_of, Harness};
use rustmail_tests::sim::MAX_CHANNELS_PER_CATEGORY;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dm_opens_a_private_ticket_channel_with_header_and_welcome() {
    let h = Harness::builder().start().await;
    let ids = h.sim.ids().clone();
    let alice = h.sim.user("alice");
    alice.dm("hello, I need help").await;

    let channel = h.ticket_channel(alice.id()).await;
    let message = h.wait_bot_message(channel, "hello, I need help").await;
    h.wait_bot_dm(alice.id(), &h.config.thread.welcome_message)
        .await;

    let ch = h.sim.channel(channel).expect("channel exists");
    assert_eq!(ch.parent_id, Some(ids.inbox_category_id));
    assert_eq!(ch.name.as_deref(), Some("alice"));
    let everyone = ch
        .overwrites
        .iter()
        .find(|o| o.id == ids.staff_guild_id)
        .expect("@everyone overwrite");
    assert_ne!(everyone.deny & (1 << 10), 0, "hidden from @everyone");
    let staff = ch
        .overwrites
        .iter()
        .find(|o| o.id == ids.staff_role_id)
        .expect("staff overwrite");
    assert_ne!(staff.allow & (1 << 10), 0, "visible to staff");
    assert!(
        ch.overwrites
            .iter()
            .any(|o| o.id == ids.bot_user_id && o.kind == 1),
        "bot overwrite"
    );
    h.sim.world(|w| {
        assert_eq!(
            w.permissions_in(channel, alice.id()) & (1 << 10),
            0,
            "the user cannot see it"
        );
    });

    let posted = h.bot_messages(channel);
    let header = text_of(&posted[0]);
    assert!(header.contains(&format!("<@{}>", alice.id())), "{header}");
    assert!(header.contains(&alice.id().to_string()), "{header}");
    assert!(header.contains("Account created"), "{header}");
    assert!(header.contains("Joined the server"), "{header}");
    assert!(header.contains("Previous tickets"), "{header}");
    assert_eq!(
        posted[1].id, message.id,
        "the header comes first, then the message"
    );
    assert_eq!(description(&message).as_deref(), Some("hello, I need help"));
    let embed = &message.embeds[0];
    assert_eq!(embed["color"], 0x58_65F2, "user colour");
    assert!(embed["author"]["icon_url"].is_string(), "avatar");
    assert!(embed["timestamp"].is_string(), "timestamp");

    let ticket = h.open_ticket(alice.id()).expect("open ticket");
    // The bot records its copy after Discord answered the POST, so the post can be seen first.
    h.wait_db("the relay's copy recorded", |c| {
        Ok(messages::for_ticket(c, ticket.id)?
            .iter()
            .any(|r| r.inbox_message_id.is_some()))
    })
    .await;
    let records = h.query(|c| messages::for_ticket(c, ticket.id));
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].direction, Direction::UserToStaff);
    assert_eq!(
        records[0]
            .inbox_message_id
            .map(rustmail_db::ids::MessageId::get),
        Some(message.id)
    );
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn previous_tickets_and_notes_show_in_the_header() {
    let h = Harness::builder().start().await;
    let alice = h.sim.user("alice");
    let uid = UserId(alice.id());
    h.query(|c| {
        rustmail_db::notes::add(
            c,
            uid,
            "prefers English",
            UserId(h.sim.ids().staff_user_id),
            "bob",
        )
    });
    alice.dm("first").await;
    let channel = h.ticket_channel(alice.id()).await;
    h.wait_bot_message(channel, "first").await;
    let bob = h.sim.staff("bob");
    bob.say(channel, "!close").await;
    h.wait_db("closed", |c| {
        Ok(rustmail_db::tickets::find_open_by_user(c, uid)?.is_none())
    })
    .await;
    alice.dm("second").await;
    let second = h.ticket_channel(alice.id()).await;
    assert_ne!(second, channel);
    let header = h.wait_bot_message(second, "Previous tickets").await;
    let text = text_of(&header);
    assert!(text.contains("1: #"), "{text}");
    assert!(text.contains("prefers English"), "{text}");
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_users_at_once_get_two_tickets() {
    let h = Harness::builder().start().await;
    let alice = h.sim.user("alice");
    let dave = h.sim.user("dave");
    tokio::join!(alice.dm("from alice"), dave.dm("from dave"));
    let a = h.ticket_channel(alice.id()).await;
    let d = h.ticket_channel(dave.id()).await;
    assert_ne!(a, d);
    h.wait_bot_message(a, "from alice").await;
    h.wait_bot_message(d, "from dave").await;
    assert!(!h
        .bot_messages(a)
        .iter()
        .any(|m| text_of(m).contains("from dave")));
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_quick_dms_open_one_ticket_in_order() {
    let h = Harness::builder().start().await;
    let alice = h.sim.user("alice");
    // Back to back, without waiting for the bot in between.
    for i in 0..10 {
        alice.dm(&format!("burst {i}")).await;
    }
    let channel = h.ticket_channel(alice.id()).await;
    h.wait_bot_message(channel, "burst 9").await;
    h.wait("all ten relayed", |w| {
        w.channel_messages(channel)
            .iter()
            .filter(|m| text_of(m).contains("burst "))
            .count()
            == 10
    })
    .await;
    let order: Vec<String> = h
        .bot_messages(channel)
        .iter()
        .filter_map(description)
        .filter(|d| d.starts_with("burst "))
        .collect();
    let expected: Vec<String> = (0..10).map(|i| format!("burst {i}")).collect();
    assert_eq!(order, expected);
    assert_eq!(h.tickets_of(alice.id()).len(), 1, "one ticket");
    let welcomes = h
        .bot_dms(alice.id())
        .iter()
        .filter(|m| m.content == h.config.thread.welcome_message)
        .count();
    assert_eq!(welcomes, 1);
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocked_users_are_refused_without_a_ticket() {
    let h = Harness::builder().start().await;
    let alice = h.sim.user("alice");
    let uid = UserId(alice.id());
    h.query(|c| {
        rustmail_db::blocks::block(c, uid, UserId(h.sim.ids().staff_user_id), "spam", None)
    });
    alice.dm("let me in").await;
    h.wait_bot_dm(alice.id(), &h.config.thread.blocked_message)
        .await;
    assert!(h.tickets_of(alice.id()).is_empty());
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_outside_the_community_guild_are_refused() {
    let h = Harness::builder().dual_server().start().await;
    let ids = h.sim.ids().clone();
    // In the staff guild only: they can DM the bot, but are not a community member.
    let zed = h.sim.staff("zed");
    h.sim
        .mutate(|w| w.remove_member(ids.community_guild_id, zed.id()))
        .expect("leave community");
    zed.dm("hi").await;
    h.wait_bot_dm(zed.id(), &h.config.thread.not_in_guild_message)
        .await;
    assert!(h.tickets_of(zed.id()).is_empty());
    // A community member opens a ticket in the staff guild's inbox.
    let alice = h.sim.user("alice");
    alice.dm("dual").await;
    let channel = h.ticket_channel(alice.id()).await;
    assert_eq!(
        h.sim.channel(channel).and_then(|c| c.guild_id),
        Some(ids.staff_guild_id)
    );
    h.wait_bot_message(channel, "dual").await;
    h.assert_clean();
    h.shutdown().await;
}

fn fill_inbox(h: &Harness) {
    let ids = h.sim.ids().clone();
    h.sim.mutate(|w| {
        let existing = w.channels_in_category(ids.inbox_category_id).len();
        for i in existing..MAX_CHANNELS_PER_CATEGORY {
            let body = serde_json::json!({"name": format!("filler-{i}"), "type": 0, "parent_id": ids.inbox_category_id.to_string()});
            w.create_channel(ids.staff_guild_id, &body, false).expect("filler");
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_inbox_overflows_into_the_overflow_category() {
    let mut h = Harness::builder().start().await;
    let ids = h.sim.ids().clone();
    let overflow = h.sim.mutate(|w| {
        let body = serde_json::json!({"name": "overflow", "type": 4});
        w.create_channel(ids.staff_guild_id, &body, false)
            .expect("category")
            .id
    });
    h.config.channels.overflow_category_id = Some(rustmail_db::ids::ChannelId(overflow));
    h.restart_bot().await;
    fill_inbox(&h);
    let alice = h.sim.user("alice");
    alice.dm("overflowing").await;
    let channel = h.ticket_channel(alice.id()).await;
    assert_eq!(
        h.sim.channel(channel).and_then(|c| c.parent_id),
        Some(overflow)
    );
    h.wait_bot_message(channel, "overflowing").await;
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_inbox_alerts_and_keeps_the_dm_pending() {
    let h = Harness::builder().start().await;
    let ids = h.sim.ids().clone();
    fill_inbox(&h);
    let alice = h.sim.user("alice");
    alice.dm("still here").await;
    h.wait_bot_message(ids.log_channel_id, "inbox category is full")
        .await;
    let ticket = h.open_ticket(alice.id()).expect("ticket recorded");
    assert!(ticket.channel_id.is_none());
    let records = h.query(|c| messages::for_ticket(c, ticket.id));
    assert_eq!(
        records[0].relay_state,
        messages::RelayState::Pending,
        "kept, not lost"
    );
    // Make room: the retry loop delivers it.
    let filler = h.sim.channels_in_category(ids.inbox_category_id)[0].id;
    h.sim
        .mutate(|w| w.delete_channel(filler, false))
        .expect("delete a filler");
    let channel = h.ticket_channel(alice.id()).await;
    h.wait_bot_message(channel, "still here").await;
    h.assert_clean();
    h.shutdown().await;
}
