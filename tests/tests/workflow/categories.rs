//! Ticket categories, for admins (`/category create|list|delete|rename|on|off|timeout|enable|
//! disable`), and `/move_thread`.

use rustmail_db::categories;
use rustmail_db::events::{self, EventKind};
use rustmail_db::tickets;
use rustmail_tests::harness::{text_of, Harness, WAIT};
use serde_json::json;

use super::support::{answer, discord_category, open, ticket_category, wait_cached};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_manage_categories_and_others_cannot() {
    let h = Harness::builder().start().await;
    let ids = h.sim.ids().clone();
    let here = ids.staff_channel_id;
    let billing = discord_category(&h, "Billing Tickets");
    let escalated = discord_category(&h, "Escalated");
    wait_cached(&h, escalated).await;
    let carol = h.sim.staff("carol");
    let bob = h.sim.staff("bob");

    carol
        .say(
            here,
            &format!("!category create {billing} Billing | Payments and refunds | 💳"),
        )
        .await;
    h.wait_bot_message(here, "Category **Billing** created")
        .await;
    let slash = carol
        .slash(
            here,
            "category create",
            &[
                ("discord_category", &escalated.to_string()),
                ("name", "Escalated"),
                ("description", "Hard cases"),
            ],
        )
        .await;
    assert!(answer(&slash).await.contains("**Escalated** created"));
    let all = h.query(categories::list);
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].description, "Payments and refunds");
    assert_eq!(all[0].emoji.as_deref(), Some("💳"));
    assert_eq!(
        all[1].discord_category_id,
        i64::try_from(escalated).unwrap()
    );

    // Staff who are not admins, and non-staff, are refused.
    let slash = bob.slash(here, "category list", &[]).await;
    assert!(answer(&slash).await.contains("Only admins"));
    bob.say(here, &format!("!category create {billing} Sneaky"))
        .await;
    h.wait_bot_message(here, "Only admins").await;
    let slash = h.sim.user("dave").slash(here, "category list", &[]).await;
    assert!(answer(&slash).await.contains("Only staff"));

    // Bad arguments: clear errors, nothing created.
    carol
        .say(here, &format!("!category create {here} Text Channel"))
        .await;
    h.wait_bot_message(here, "is not a category channel").await;
    carol.say(here, "!category create abc Nope").await;
    h.wait_bot_message(here, "`abc` is not a channel").await;
    let long = "n".repeat(51);
    carol
        .say(here, &format!("!category create {billing} {long}"))
        .await;
    h.wait_bot_message(here, "at most 50 characters").await;
    carol
        .say(here, &format!("!category create {billing} billing"))
        .await;
    h.wait_bot_message(here, "already exists").await;
    assert_eq!(h.query(categories::list).len(), 2);

    let list = carol.slash(here, "category list", &[]).await;
    list.wait_response(WAIT).await.expect("answered");
    let shown = list.original().map(|m| text_of(&m)).unwrap_or_default();
    assert!(
        shown.contains("Prompt: **off**")
            && shown.contains("Billing")
            && shown.contains("Escalated"),
        "{shown}"
    );

    carol.say(here, "!category rename Escalated | Urgent").await;
    h.wait_bot_message(here, "**Escalated** is now **Urgent**")
        .await;
    carol.say(here, "!category rename Urgent").await;
    h.wait_bot_message(here, "Give the old and the new name")
        .await;
    carol.say(here, "!category disable billing").await;
    h.wait_bot_message(here, "hidden from the prompt").await;
    assert!(!h.query(|c| categories::by_name(c, "Billing")).enabled);
    let slash = carol
        .slash(here, "category enable", &[("name", "Billing")])
        .await;
    assert!(answer(&slash).await.contains("shown in the prompt"));
    carol.say(here, "!category on").await;
    h.wait_bot_message(here, "pick one of 2 categories").await;
    assert!(h.query(categories::prompt).enabled);
    carol.say(here, "!category timeout 5").await;
    h.wait_bot_message(here, "between 10 and 86400 seconds")
        .await;
    let slash = carol
        .slash(here, "category timeout", &[("seconds", "30")])
        .await;
    assert!(answer(&slash).await.contains("30 seconds"));
    assert_eq!(h.query(categories::prompt).timeout_seconds, 30);
    carol.say(here, "!category off").await;
    h.wait_bot_message(here, "The category prompt is off").await;
    carol.say(here, "!category delete nope").await;
    h.wait_bot_message(here, "valid names: Billing, Urgent")
        .await;
    carol.say(here, "!category delete urgent").await;
    h.wait_bot_message(here, "Category **Urgent** deleted")
        .await;
    assert_eq!(h.query(categories::list).len(), 1);
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn move_thread_moves_the_channel_and_syncs_its_overwrites() {
    let h = Harness::builder()
        .sim(|s| s.max_channels_per_category = 3)
        .start()
        .await;
    let ids = h.sim.ids().clone();
    // "Escalated" is for admins only.
    let escalated = h
        .sim
        .mutate(|w| {
            w.create_channel(
                ids.staff_guild_id,
                &json!({"name": "Escalated", "type": 4, "permission_overwrites": [
                    {"id": ids.staff_everyone_role_id.to_string(), "type": 0, "allow": "0", "deny": "1024"},
                    {"id": ids.admin_role_id.to_string(), "type": 0, "allow": "1024", "deny": "0"},
                ]}),
                false,
            )
        })
        .expect("category")
        .id;
    let full = discord_category(&h, "Full");
    for i in 0..3 {
        h.sim
            .mutate(|w| {
                w.create_channel(
                    ids.staff_guild_id,
                    &json!({"name": format!("filler-{i}"), "type": 0, "parent_id": full.to_string()}),
                    false,
                )
            })
            .expect("filler");
    }
    wait_cached(&h, escalated).await;
    let esc = ticket_category(&h, "Escalated", escalated);
    ticket_category(&h, "Full", full);
    let (_alice, channel, ticket) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    let frank = h.sim.user("frank");
    bob.say(channel, &format!("!add_staff {}", frank.id()))
        .await;
    h.wait_bot_message(channel, "access to this ticket").await;

    bob.say(channel, "!move_thread escalated").await;
    h.wait_bot_message(channel, "moved this ticket to **Escalated**")
        .await;
    let moved = h.sim.channel(channel).expect("channel");
    assert_eq!(moved.parent_id, Some(escalated));
    let overwrite = |id: u64| moved.overwrites.iter().find(|o| o.id == id).cloned();
    assert!(overwrite(ids.admin_role_id).is_some_and(|o| o.allow & 1024 != 0));
    assert!(overwrite(ids.staff_everyone_role_id).is_some_and(|o| o.deny & 1024 != 0));
    assert!(
        overwrite(ids.staff_role_id).is_none(),
        "synced with the category"
    );
    assert!(overwrite(ids.bot_user_id).is_some_and(|o| o.allow & 1024 != 0));
    assert!(
        overwrite(frank.id()).is_some_and(|o| o.allow & 1024 != 0),
        "added staff kept"
    );
    assert_eq!(
        h.query(|c| tickets::get(c, ticket.id)).category_id,
        Some(esc.id)
    );
    assert!(h
        .query(|c| events::list(c, ticket.id))
        .iter()
        .any(|e| e.kind == EventKind::Moved));

    // Unknown, same, full: clear errors, nothing moves.
    let slash = bob
        .slash(channel, "move_thread", &[("category", "Nope")])
        .await;
    let text = answer(&slash).await;
    assert!(
        text.contains("no category named `Nope`") && text.contains("default, Escalated, Full"),
        "{text}"
    );
    bob.say(channel, "!move_thread ESCALATED").await;
    h.wait_bot_message(channel, "already in **Escalated**")
        .await;
    bob.say(channel, "!move_thread full").await;
    h.wait_bot_message(channel, "is full").await;
    assert_eq!(
        h.sim.channel(channel).and_then(|c| c.parent_id),
        Some(escalated)
    );
    assert_eq!(
        h.query(|c| tickets::get(c, ticket.id)).category_id,
        Some(esc.id)
    );
    let slash = h
        .sim
        .user("dave")
        .slash(channel, "move_thread", &[("category", "default")])
        .await;
    assert!(answer(&slash).await.contains("Only staff"));

    let logs = bob.slash(channel, "logs", &[]).await;
    logs.wait_response(WAIT).await.expect("answered");
    let shown = logs.original().map(|m| text_of(&m)).unwrap_or_default();
    assert!(
        shown.contains(&format!("moved by <@{}> to **Escalated**", bob.id())),
        "{shown}"
    );
    assert!(shown.contains("**Category** Escalated"), "{shown}");

    // Back to the inbox.
    let slash = bob
        .slash(channel, "move_thread", &[("category", "default")])
        .await;
    slash.wait_response(WAIT).await.expect("answered");
    h.wait_bot_message(channel, "moved this ticket to **default inbox**")
        .await;
    assert_eq!(
        h.sim.channel(channel).and_then(|c| c.parent_id),
        Some(ids.inbox_category_id)
    );
    assert!(h
        .query(|c| tickets::get(c, ticket.id))
        .category_id
        .is_none());
    h.assert_clean();
    h.shutdown().await;
}
