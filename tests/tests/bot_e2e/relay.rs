//! Relay both ways: staff replies (named, anonymous, failed), internal notes, plain text, long
//! text, attachments, mentions, typing, and a 500 from Discord.

use rustmail_db::messages::{self, Direction, RelayState};
use rustmail_tests::harness::{text::description, text_of, Harness};
use rustmail_tests::sim::Fault;

/// Opens a ticket for `name` and returns (user, channel).
/// A user with an open ticket (their first DM relayed), and the ticket's channel.
pub(crate) async fn open(h: &Harness, name: &str) -> (rustmail_tests::sim::Actor, u64) {
    let user = h.sim.user(name);
    user.dm(&format!("hello from {name}")).await;
    let channel = h.ticket_channel(user.id()).await;
    h.wait_bot_message(channel, &format!("hello from {name}"))
        .await;
    (user, channel)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_reply_reaches_the_user_with_name_role_and_number() {
    let h = Harness::builder().start().await;
    let (alice, channel) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    let command = bob.say(channel, "!reply Hi Alice, how can we help?").await;
    let dm = h.wait_bot_dm(alice.id(), "how can we help?").await;
    let shown = text_of(&dm).to_lowercase();
    assert!(shown.contains("bob"), "{shown}");
    assert!(shown.contains("(staff)"), "top role shown: {shown}");
    let copy = h.wait_bot_message(channel, "how can we help?").await;
    assert!(
        text_of(&copy).contains("#1 · /edit 1"),
        "{}",
        text_of(&copy)
    );
    h.wait("the command message is removed", |w| {
        w.channel_message(channel, command).is_none()
    })
    .await;

    let ticket = h.open_ticket(alice.id()).expect("open");
    let reply = h.query(|c| messages::find_by_number(c, ticket.id, 1));
    assert_eq!(reply.direction, Direction::StaffToUser);
    h.wait_db("delivered", |c| {
        Ok(messages::get(c, reply.id)?.relay_state == RelayState::Delivered)
    })
    .await;

    // The second reply gets #2; the slash form answers ephemerally.
    let slash = bob
        .slash(channel, "reply", &[("content", "second answer")])
        .await;
    h.wait_bot_dm(alice.id(), "second answer").await;
    let copy = h.wait_bot_message(channel, "second answer").await;
    assert!(text_of(&copy).contains("#2 · /edit 2"));
    let ack = slash
        .wait_content(rustmail_tests::harness::WAIT)
        .await
        .expect("answered");
    assert!(ack.contains("#2"), "{ack}");
    assert!(slash.is_ephemeral());
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_replies_hide_the_name_from_the_user_only() {
    let h = Harness::builder().start().await;
    let (alice, channel) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    bob.say(channel, "!anonreply secret helper here").await;
    let dm = h.wait_bot_dm(alice.id(), "secret helper here").await;
    let shown = text_of(&dm);
    assert!(!shown.to_lowercase().contains("bob"), "{shown}");
    assert!(shown.contains(&h.config.thread.anonymous_label), "{shown}");
    let copy = h.wait_bot_message(channel, "secret helper here").await;
    assert!(
        text_of(&copy).to_lowercase().contains("bob"),
        "staff still see the author"
    );
    let slash = bob
        .slash(
            channel,
            "reply",
            &[("content", "slash anon"), ("anonymous", "true")],
        )
        .await;
    let dm = h.wait_bot_dm(alice.id(), "slash anon").await;
    assert!(!text_of(&dm).to_lowercase().contains("bob"));
    slash
        .wait_content(rustmail_tests::harness::WAIT)
        .await
        .expect("answered");
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_dm_is_reported_and_recorded_as_failed() {
    let h = Harness::builder().start().await;
    let (alice, channel) = open(&h, "alice").await;
    alice.block_dms(true).await;
    let bob = h.sim.staff("bob");
    bob.say(channel, "!reply are you there?").await;
    h.wait_bot_message(channel, "could not be delivered").await;
    let ticket = h.open_ticket(alice.id()).expect("open");
    h.wait_db("recorded as failed", |c| {
        Ok(messages::find_by_number(c, ticket.id, 1)?.relay_state == RelayState::Failed)
    })
    .await;
    let reply = h.query(|c| messages::find_by_number(c, ticket.id, 1));
    assert!(reply.dm_message_id.is_none());
    assert!(!h
        .bot_dms(alice.id())
        .iter()
        .any(|m| text_of(m).contains("are you there?")));
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_staff_messages_are_internal_notes() {
    let h = Harness::builder().start().await;
    let (alice, channel) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    let note = bob
        .say(channel, "internal: check their order history")
        .await;
    let ticket = h.open_ticket(alice.id()).expect("open");
    h.wait_db("note recorded", |c| {
        Ok(
            messages::find_by_source(c, rustmail_db::ids::MessageId(note))?
                .is_some_and(|m| m.direction == Direction::Internal),
        )
    })
    .await;
    bob.say(channel, "!reply visible").await;
    h.wait_bot_dm(alice.id(), "visible").await;
    assert!(!h
        .bot_dms(alice.id())
        .iter()
        .any(|m| text_of(m).contains("order history")));
    let records = h.query(|c| messages::for_ticket(c, ticket.id));
    assert!(records
        .iter()
        .any(|m| m.direction == Direction::Internal && m.relay_state == RelayState::NotRelayed));
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_text_mode_quotes_and_splits_long_text() {
    let h = Harness::builder()
        .configure(|c| c.thread.embedded_message = false)
        .start()
        .await;
    let alice = h.sim.user("alice");
    let long: String = (0..400)
        .map(|i| format!("w{i:03}"))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(long.len() <= 2000 && long.len() > 1900);
    alice.dm(&long).await;
    let channel = h.ticket_channel(alice.id()).await;
    h.wait("two parts", |w| {
        w.channel_messages(channel)
            .iter()
            .filter(|m| m.content.starts_with("**alice:**") || m.content.starts_with(">>> "))
            .count()
            >= 2
    })
    .await;
    let parts: Vec<String> = h
        .bot_messages(channel)
        .into_iter()
        .map(|m| m.content)
        .filter(|c| c.starts_with("**alice:**\n>>> ") || c.starts_with(">>> "))
        .collect();
    assert_eq!(parts.len(), 2);
    let rebuilt: String = parts
        .iter()
        .map(|p| {
            p.trim_start_matches("**alice:**\n")
                .trim_start_matches(">>> ")
                .to_owned()
        })
        .collect();
    assert_eq!(rebuilt, long, "nothing truncated");
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_staff_replies_are_split_in_embeds_never_truncated() {
    let h = Harness::builder().start().await;
    let (alice, channel) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    let long = "lorem ipsum ".repeat(160); // 1920 characters: one Discord message.
    bob.slash(channel, "reply", &[("content", long.trim_end())])
        .await;
    h.wait_bot_dm(alice.id(), "lorem ipsum").await;
    let dm = h.wait_bot_dm(alice.id(), "lorem").await;
    assert_eq!(description(&dm).as_deref(), Some(long.trim_end()));
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_are_reuploaded_and_kept() {
    let h = Harness::builder().start().await;
    let alice = h.sim.user("alice");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    alice
        .dm_with_attachment("see attached", "photo.png", bytes.clone())
        .await;
    let channel = h.ticket_channel(alice.id()).await;
    let copy = h.wait_bot_message(channel, "see attached").await;
    assert_eq!(copy.attachments.len(), 1, "re-uploaded, not linked");
    assert_eq!(copy.attachments[0].filename, "photo.png");
    let fetched = reqwest::get(&copy.attachments[0].url)
        .await
        .expect("download")
        .bytes()
        .await
        .expect("body");
    assert_eq!(fetched.as_ref(), bytes.as_slice());
    let ticket = h.open_ticket(alice.id()).expect("open");
    let files = h.query(|c| rustmail_db::attachments::for_ticket(c, ticket.id));
    assert_eq!(files.len(), 1);
    assert!(files[0].stored);
    assert_eq!(
        h.query(|c| rustmail_db::attachments::data(c, files[0].id)),
        Some(bytes.clone())
    );

    // Staff → user: the upload on `!reply` goes to the user too.
    let bob = h.sim.staff("bob");
    bob.say_with_attachment(
        channel,
        "!reply here is the form",
        "form.txt",
        b"fill me".to_vec(),
    )
    .await;
    let dm = h.wait_bot_dm(alice.id(), "here is the form").await;
    assert_eq!(dm.attachments.len(), 1);
    assert_eq!(dm.attachments[0].filename, "form.txt");
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_above_the_cap_become_a_link_and_a_note() {
    let h = Harness::builder()
        .configure(|c| c.attachments.max_stored_bytes = 100)
        .start()
        .await;
    let alice = h.sim.user("alice");
    alice
        .dm_with_attachment("big one", "big.bin", vec![7u8; 500])
        .await;
    let channel = h.ticket_channel(alice.id()).await;
    let copy = h.wait_bot_message(channel, "big one").await;
    assert!(copy.attachments.is_empty());
    let text = text_of(&copy);
    assert!(
        text.contains("big.bin") && text.contains("too large to copy") && text.contains("http"),
        "{text}"
    );
    let ticket = h.open_ticket(alice.id()).expect("open");
    let files = h.query(|c| rustmail_db::attachments::for_ticket(c, ticket.id));
    assert!(!files[0].stored);
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relayed_content_never_mentions_anyone() {
    let h = Harness::builder()
        .configure(|c| c.thread.embedded_message = false)
        .start()
        .await;
    let ids = h.sim.ids().clone();
    let alice = h.sim.user("alice");
    let injection = format!(
        "@everyone @here <@&{}> <@{}>",
        ids.staff_role_id, ids.staff_user_id
    );
    alice.dm(&injection).await;
    let channel = h.ticket_channel(alice.id()).await;
    let copy = h.wait_bot_message(channel, "@everyone").await;
    assert!(!copy.mention_everyone);
    assert!(copy.mentions.is_empty(), "{:?}", copy.mentions);
    assert!(copy.mention_roles.is_empty());
    let bob = h.sim.staff("bob");
    bob.say(channel, &format!("!reply {injection}")).await;
    let dm = h.wait_bot_dm(alice.id(), "@everyone").await;
    assert!(!dm.mention_everyone && dm.mentions.is_empty() && dm.mention_roles.is_empty());
    for r in h.sim.requests() {
        if r.method == "POST" && r.path.ends_with("/messages") {
            let body = r.body.as_ref().expect("body");
            assert_eq!(
                body["allowed_mentions"]["parse"],
                serde_json::json!([]),
                "{} {body}",
                r.path
            );
        }
    }
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_is_relayed_both_ways_when_enabled() {
    let h = Harness::builder()
        .configure(|c| c.thread.relay_typing = true)
        .start()
        .await;
    let (alice, channel) = open(&h, "alice").await;
    alice.typing().await;
    h.wait("bot typing in the ticket channel", |w| {
        w.bot_typing_count(channel) > 0
    })
    .await;
    let bob = h.sim.staff("bob");
    bob.typing_in(channel).await;
    let dm = h
        .sim
        .world(|w| w.dm_channel_of(alice.id()))
        .expect("dm channel");
    h.wait("bot typing in the DM", |w| w.bot_typing_count(dm) > 0)
        .await;
    h.assert_clean();
    h.shutdown().await;
}

/// Regression (chaos suite, PostgreSQL, "55: 69 after 70"): a DM whose earlier DM could not go
/// out, even when tried again first, was posted anyway, and the earlier one came after it. It
/// now waits behind it, and the retry loop delivers both in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dm_waits_behind_an_earlier_one_that_cannot_go_out_yet() {
    let h = Harness::builder().start().await;
    let (alice, channel) = open(&h, "alice").await;
    // Every inline attempt of the first DM fails, live and again before the second.
    h.sim.faults().script(
        Some("POST /channels/{channel_id}/messages"),
        std::iter::repeat_n(Fault::ServerError, 6),
    );
    alice.dm("first of two").await;
    let ticket = h.open_ticket(alice.id()).expect("open").id;
    h.wait("the first DM failed once", |_| {
        h.query(|c| messages::for_ticket(c, ticket))
            .iter()
            .any(|m| m.content == "first of two" && m.relay_attempts >= 1)
    })
    .await;
    alice.dm("second of two").await;
    h.wait_bot_message(channel, "second of two").await;
    let order: Vec<String> = h
        .bot_messages(channel)
        .iter()
        .map(text_of)
        .filter(|t| t.contains("of two"))
        .collect();
    assert_eq!(order.len(), 2, "{order:?}");
    assert!(order[0].contains("first of two"), "{order:?}");
    assert!(order[1].contains("second of two"), "{order:?}");
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_during_relay_is_retried_and_delivered_once() {
    let h = Harness::builder().start().await;
    let (alice, channel) = open(&h, "alice").await;
    h.sim.faults().script(
        Some("POST /channels/{channel_id}/messages"),
        [Fault::ServerError, Fault::ServerError],
    );
    alice.dm("through the storm").await;
    h.wait_bot_message(channel, "through the storm").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let copies = h
        .bot_messages(channel)
        .iter()
        .filter(|m| text_of(m).contains("through the storm"))
        .count();
    assert_eq!(copies, 1);
    let ticket = h.open_ticket(alice.id()).expect("open");
    let records = h.query(|c| messages::for_ticket(c, ticket.id));
    assert!(records
        .iter()
        .all(|m| m.relay_state == RelayState::Delivered));
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stickers_and_reply_context_are_relayed() {
    let h = Harness::builder().start().await;
    let (alice, channel) = open(&h, "alice").await;
    // A sticker (with or without text) arrives as a named placeholder, and is recorded.
    alice
        .dm_with_sticker(749_054_660_769_218_631, "wave", "")
        .await;
    let copy = h.wait_bot_message(channel, "[sticker: wave]").await;
    assert!(text_of(&copy).contains("[sticker: wave]"));
    let ticket = h.open_ticket(alice.id()).expect("open");
    let recorded = h.query(|c| messages::for_ticket(c, ticket.id));
    assert!(
        recorded
            .iter()
            .any(|m| m.content.contains("[sticker: wave]")),
        "{recorded:?}"
    );
    // A reply to an earlier DM shows what it answers.
    let first = alice.dm("my order number is 4711").await;
    h.wait_bot_message(channel, "4711").await;
    alice
        .reply(alice.dm_channel(), first, "and it was never delivered")
        .await;
    let copy = h
        .wait_bot_message(channel, "and it was never delivered")
        .await;
    let shown = text_of(&copy);
    assert!(shown.contains("my order number is 4711"), "{shown}");
    h.assert_clean();
    h.shutdown().await;
}

/// Regression: serenity hands each gateway event to a task of its own, so `!reply` commands
/// sent back to back used to run concurrently and reach the user swapped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_sent_back_to_back_reach_the_user_in_order() {
    let h = Harness::builder().start().await;
    let (alice, channel) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    let count = 12;
    for n in 0..count {
        bob.say(channel, &format!("!reply in-order-{n:02}")).await;
    }
    h.wait_bot_dm(alice.id(), &format!("in-order-{:02}", count - 1))
        .await;
    h.wait("every reply is delivered", |w| {
        w.dm_messages(alice.id())
            .iter()
            .filter(|m| text_of(m).contains("in-order-"))
            .count()
            == count
    })
    .await;
    let order: Vec<usize> = alice
        .dm_messages()
        .iter()
        .filter_map(|m| {
            let text = text_of(m);
            let at = text.find("in-order-")?;
            text[at + 9..at + 11].parse().ok()
        })
        .collect();
    assert_eq!(order, (0..count).collect::<Vec<_>>());
    // The ticket's numbering follows the same order.
    let ticket = h.open_ticket(alice.id()).expect("open");
    for n in 0..count {
        let number = i32::try_from(n + 1).expect("small");
        let reply = h.query(|c| messages::find_by_number(c, ticket.id, number));
        assert!(
            reply.content.contains(&format!("in-order-{n:02}")),
            "#{number}: {}",
            reply.content
        );
    }
    h.assert_clean();
    h.shutdown().await;
}

/// Whether the user's DM `dm` has left its marks: its ticket's activity is the DM's, and it is
/// the DM channel's last-seen DM (what a start-up recovery fetches after).
fn marked(
    c: &mut rustmail_db::DbConnection,
    user: u64,
    dm: u64,
) -> rustmail_db::DomainResult<bool> {
    use rustmail_db::ids::{MessageId, UserId};
    let Some(record) = messages::find_by_source(c, MessageId(dm))? else {
        return Ok(false);
    };
    let ticket = rustmail_db::tickets::get(c, record.ticket_id)?;
    let channel = rustmail_db::dm_channels::get(c, UserId(user))?;
    Ok(ticket.last_activity_at == record.created_at
        && channel.is_some_and(|ch| ch.last_seen_message_id == Some(MessageId(dm))))
}

/// The intake of a DM to an open ticket leaves its marks to the settle of its relay: written
/// once it is delivered, and also when it fails and is left to a retry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relayed_dm_marks_its_ticket_and_dm_channel_delivered_or_failed() {
    let h = Harness::builder().start().await;
    let (alice, channel) = open(&h, "alice").await;
    let user = alice.id();
    let second = alice.dm("second words").await;
    h.wait_bot_message(channel, "second words").await;
    h.wait_db("the delivered DM's marks", |c| marked(c, user, second))
        .await;
    // Every inline attempt fails: the relay is left to a retry, marked.
    h.sim.faults().script(
        Some("POST /channels/{channel_id}/messages"),
        std::iter::repeat_n(Fault::ServerError, 3),
    );
    let third = alice.dm("third words").await;
    h.wait_db("the failed DM's marks", |c| {
        let failed = messages::find_by_source(c, rustmail_db::ids::MessageId(third))?
            .is_some_and(|m| m.relay_attempts >= 1 && m.relay_state == RelayState::Pending);
        Ok(failed && marked(c, user, third)?)
    })
    .await;
    h.wait_bot_message(channel, "third words").await;
    h.shutdown().await;
}
