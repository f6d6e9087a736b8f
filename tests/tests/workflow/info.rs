//! Information and labels: `/id`, `/rename`, `/logs` (pages and transcripts) and `/help`.

use rustmail_db::tickets;
use rustmail_tests::harness::{text_of, Harness, WAIT};
use rustmail_tests::sim::Message;

use super::support::{answer, open, settle};

/// The ids of the buttons on a message.
fn buttons(m: &Message) -> Vec<(String, bool)> {
    m.components
        .iter()
        .filter_map(|row| row.get("components").and_then(serde_json::Value::as_array))
        .flatten()
        .map(|b| {
            (
                b.get("custom_id")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                b.get("disabled")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn id_answers_the_users_id_alone() {
    let h = Harness::builder().start().await;
    let (alice, channel, _) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    let slash = bob.slash(channel, "id", &[]).await;
    assert_eq!(answer(&slash).await, alice.id().to_string());
    assert!(slash.is_ephemeral());
    bob.say(channel, "!id").await;
    h.wait("the id", |w| {
        w.channel_messages(channel)
            .iter()
            .any(|m| m.content == alice.id().to_string())
    })
    .await;
    let here = h.sim.ids().staff_channel_id;
    let slash = bob.slash(here, "id", &[]).await;
    assert!(answer(&slash)
        .await
        .contains("only works in an open ticket channel"));
    let slash = h.sim.user("dave").slash(channel, "id", &[]).await;
    assert!(answer(&slash).await.contains("Only staff"));
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_puts_a_label_in_the_channel_name() {
    let h = Harness::builder().start().await;
    let (_alice, channel, ticket) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    let name = |h: &Harness| {
        h.sim
            .channel(channel)
            .and_then(|c| c.name)
            .unwrap_or_default()
    };
    let slash = bob
        .slash(channel, "rename", &[("label", "VIP refund")])
        .await;
    slash.wait_response(WAIT).await.expect("answered");
    h.wait_bot_message(channel, "renamed to `#vip-refund-alice`")
        .await;
    assert_eq!(name(&h), "vip-refund-alice");
    assert_eq!(
        h.query(|c| tickets::get(c, ticket.id)).label.as_deref(),
        Some("VIP refund")
    );

    // Too long: refused, nothing changes.
    let long = "y".repeat(61);
    bob.say(channel, &format!("!rename {long}")).await;
    h.wait_bot_message(channel, "at most 60 characters").await;
    assert_eq!(name(&h), "vip-refund-alice");
    let slash = h
        .sim
        .user("dave")
        .slash(channel, "rename", &[("label", "x")])
        .await;
    assert!(answer(&slash).await.contains("Only staff"));
    assert_eq!(
        h.query(|c| tickets::get(c, ticket.id)).label.as_deref(),
        Some("VIP refund")
    );

    bob.say(channel, "!rename").await;
    h.wait_bot_message(channel, "Label removed").await;
    assert_eq!(name(&h), "alice");
    assert!(h.query(|c| tickets::get(c, ticket.id)).label.is_none());
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_page_through_the_users_tickets_with_activity_and_transcripts() {
    let h = Harness::builder().start().await;
    let (alice, first_channel, first) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    let frank = h.sim.user("frank");
    bob.say(first_channel, "!take").await;
    h.wait_bot_message(first_channel, "took this ticket").await;
    bob.say(first_channel, &format!("!add_staff {}", frank.id()))
        .await;
    h.wait_bot_message(first_channel, "access").await;
    bob.say(first_channel, "!reply we are on it").await;
    h.wait_bot_dm(alice.id(), "we are on it").await;
    bob.say(first_channel, "!close").await;
    h.wait_db("closed", |c| Ok(!tickets::get(c, first.id)?.is_open()))
        .await;
    settle().await;
    alice.dm("second problem").await;
    let channel = loop {
        let c = h.ticket_channel(alice.id()).await;
        if c != first_channel {
            break c;
        }
        settle().await;
    };
    h.wait_bot_message(channel, "second problem").await;

    let slash = bob.slash(channel, "logs", &[]).await;
    slash.wait_response(WAIT).await.expect("answered");
    assert!(slash.is_ephemeral());
    let page = slash.original().expect("page");
    let shown = text_of(&page);
    assert!(
        shown.contains("(open)") && shown.contains("Ticket 1 of 2"),
        "{shown}"
    );
    assert!(shown.contains("1 from the user"), "{shown}");
    let ids = buttons(&page);
    assert!(ids[0].1, "no newer ticket");
    assert!(!ids[1].1, "an older one");

    let older = bob.click(page.id, &ids[1].0).await;
    older.wait_response(WAIT).await.expect("answered");
    let page = h.sim.message(page.id).expect("updated");
    let shown = text_of(&page);
    assert!(
        shown.contains(&format!("Ticket #{}", first.id)) && shown.contains("Ticket 2 of 2"),
        "{shown}"
    );
    assert!(
        shown.contains("**Closed**") && shown.contains(&format!("by <@{}>", bob.id())),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("taken by <@{}>", bob.id())),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("gave <@{}> access", frank.id())),
        "{shown}"
    );
    assert!(shown.contains("1 staff replies"), "{shown}");
    let transcript_button = buttons(&page)
        .into_iter()
        .find(|(id, _)| id.starts_with("rm:logt:"))
        .expect("transcript button");
    let file = bob.click(page.id, &transcript_button.0).await;
    file.wait_response(WAIT).await.expect("answered");
    let sent = file.original().expect("transcript message");
    assert_eq!(sent.attachments.len(), 1);
    assert_eq!(
        sent.attachments[0].filename,
        format!("ticket-{}.md", first.id)
    );
    assert!(file.is_ephemeral());

    // Any user's tickets, from anywhere; buttons are for staff.
    let here = h.sim.ids().staff_channel_id;
    bob.say(here, &format!("!logs {}", alice.id())).await;
    let listed = h.wait_bot_message(here, "Ticket 1 of 2").await;
    let dave_click = h
        .sim
        .user("dave")
        .click(listed.id, &buttons(&listed)[1].0)
        .await;
    dave_click.wait_response(WAIT).await.expect("answered");
    assert!(dave_click
        .content()
        .unwrap_or_default()
        .contains("for staff"));
    assert!(text_of(&h.sim.message(listed.id).expect("kept")).contains("Ticket 1 of 2"));
    let nobody = bob
        .slash(here, "logs", &[("user", &frank.id().to_string())])
        .await;
    assert!(answer(&nobody).await.contains("has no tickets"));
    bob.say(here, "!logs 123456789012345678").await;
    h.wait_bot_message(here, "<@123456789012345678> has no tickets")
        .await;
    bob.say(here, "!logs alice").await;
    h.wait_bot_message(here, "Usage: `!logs [USER_ID|@mention]`")
        .await;
    let slash = h.sim.user("dave").slash(channel, "logs", &[]).await;
    assert!(answer(&slash).await.contains("Only staff"));
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_lists_every_command() {
    let h = Harness::builder().start().await;
    let here = h.sim.ids().staff_channel_id;
    let slash = h.sim.staff("bob").slash(here, "help", &[]).await;
    slash.wait_response(WAIT).await.expect("answered");
    let shown = slash.original().map(|m| text_of(&m)).unwrap_or_default();
    for command in [
        "/close",
        "/reply",
        "/new_thread",
        "/take",
        "/add_reminder",
        "/category create",
        "/move_thread",
        "/logs",
        "/snippet add",
        "/block",
        "/note add",
        "/rename",
        "/help",
    ] {
        assert!(
            shown.contains(&format!("`{command}")),
            "{command} missing from {shown}"
        );
    }
    let slash = h.sim.user("dave").slash(here, "help", &[]).await;
    assert!(answer(&slash).await.contains("Only staff"));
    h.assert_clean();
    h.shutdown().await;
}
