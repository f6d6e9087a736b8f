//! Assignment (`/take`, `/release`, admins forcing) and per-ticket staff access (`/add_staff`,
//! `/remove_staff`).

use rustmail_db::access;
use rustmail_db::events::{self, EventKind};
use rustmail_db::tickets;
use rustmail_tests::harness::{text_of, Harness};

use super::support::{answer, open, settle};

/// The header's text.
fn header(h: &Harness, channel: u64) -> String {
    h.bot_messages(channel)
        .iter()
        .find(|m| text_of(m).contains("New ticket from"))
        .map(text_of)
        .expect("header")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn take_and_release_show_the_assignee_and_admins_may_take_over() {
    let h = Harness::builder().start().await;
    let (_alice, channel, ticket) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    let gina = h.sim.staff("gina");
    let carol = h.sim.staff("carol");

    let slash = bob.slash(channel, "take", &[]).await;
    h.wait_bot_message(channel, &format!("<@{}> took this ticket", bob.id()))
        .await;
    slash
        .wait_response(rustmail_tests::harness::WAIT)
        .await
        .expect("answered");
    h.wait("the topic names bob", |w| {
        w.channel(channel)
            .and_then(|c| c.topic.clone())
            .is_some_and(|t| t.to_lowercase().contains("assigned to bob"))
    })
    .await;
    h.wait("the header names bob", |w| {
        w.channel_messages(channel).iter().any(|m| {
            let t = text_of(m);
            t.contains("New ticket from")
                && t.contains("Assigned to")
                && t.contains(&format!("<@{}>", bob.id()))
        })
    })
    .await;
    assert_eq!(
        h.query(|c| tickets::get(c, ticket.id))
            .assigned_to
            .map(rustmail_db::ids::UserId::get),
        Some(bob.id())
    );

    // Someone else: told who has it; forcing needs an admin.
    gina.say(channel, "!take").await;
    h.wait_bot_message(channel, &format!("taken by <@{}>. Ask them", bob.id()))
        .await;
    gina.say(channel, "!take force").await;
    h.wait_bot_message(channel, "only admins may take over")
        .await;
    let slash = carol.slash(channel, "take", &[]).await;
    assert!(answer(&slash).await.contains("/take force:true"));
    assert_eq!(
        h.query(|c| tickets::get(c, ticket.id))
            .assigned_to
            .map(rustmail_db::ids::UserId::get),
        Some(bob.id())
    );
    carol.slash(channel, "take", &[("force", "true")]).await;
    h.wait_bot_message(
        channel,
        &format!("took over this ticket from <@{}>", bob.id()),
    )
    .await;
    h.wait("the header names carol", |w| {
        w.channel_messages(channel).iter().any(|m| {
            let t = text_of(m);
            t.contains("New ticket from") && t.contains(&format!("<@{}>", carol.id()))
        })
    })
    .await;
    assert!(!header(&h, channel).contains(&format!("<@{}>", bob.id())));

    // Release: the assignee or an admin.
    gina.say(channel, "!release").await;
    h.wait_bot_message(channel, "only they or an admin may release it")
        .await;
    carol.say(channel, "!release").await;
    h.wait_bot_message(channel, "released this ticket").await;
    h.wait("the header has no assignee", |w| {
        w.channel_messages(channel)
            .iter()
            .any(|m| text_of(m).contains("New ticket from") && !text_of(m).contains("Assigned to"))
    })
    .await;
    assert!(h
        .sim
        .channel(channel)
        .and_then(|c| c.topic)
        .is_some_and(|t| !t.contains("assigned")));
    assert!(h
        .query(|c| tickets::get(c, ticket.id))
        .assigned_to
        .is_none());
    let slash = bob.slash(channel, "release", &[]).await;
    assert!(answer(&slash).await.contains("not assigned to anyone"));

    // The log has it all; non-staff are refused.
    let kinds: Vec<EventKind> = h
        .query(|c| events::list(c, ticket.id))
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == EventKind::Assigned).count(),
        2
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == EventKind::Released).count(),
        1
    );
    let slash = h.sim.user("dave").slash(channel, "take", &[]).await;
    assert!(answer(&slash).await.contains("Only staff"));
    assert!(h
        .query(|c| tickets::get(c, ticket.id))
        .assigned_to
        .is_none());
    h.assert_clean();
    h.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_and_remove_staff_change_the_overwrites_and_the_record() {
    let h = Harness::builder().start().await;
    let (alice, channel, ticket) = open(&h, "alice").await;
    let bob = h.sim.staff("bob");
    let frank = h.sim.user("frank");
    let has_overwrite = |h: &Harness, user: u64| {
        h.sim.channel(channel).is_some_and(|c| {
            c.overwrites
                .iter()
                .any(|o| o.id == user && o.kind == 1 && o.allow & (1 << 10) != 0)
        })
    };

    let slash = bob
        .slash(channel, "add_staff", &[("user", &frank.id().to_string())])
        .await;
    slash
        .wait_response(rustmail_tests::harness::WAIT)
        .await
        .expect("answered");
    h.wait_bot_message(channel, &format!("gave <@{}> access", frank.id()))
        .await;
    assert!(has_overwrite(&h, frank.id()));
    let with_access: Vec<u64> = h
        .query(|c| access::staff_with_access(c, ticket.id))
        .into_iter()
        .map(rustmail_db::ids::UserId::get)
        .collect();
    assert_eq!(with_access, [frank.id()]);

    // Twice, the ticket's own user, a bot, an unknown id: refused, nothing changes.
    bob.say(channel, &format!("!add_staff <@{}>", frank.id()))
        .await;
    h.wait_bot_message(channel, "already has access").await;
    bob.say(channel, &format!("!add_staff {}", alice.id()))
        .await;
    h.wait_bot_message(channel, "That is the ticket's user")
        .await;
    bob.say(channel, &format!("!add_staff {}", h.sim.ids().bot_user_id))
        .await;
    h.wait_bot_message(channel, "Bots cannot be given access")
        .await;
    bob.say(channel, "!add_staff 123456789012345678").await;
    h.wait_bot_message(channel, "no Discord user has the id")
        .await;
    assert!(!has_overwrite(&h, alice.id()));
    assert_eq!(
        h.query(|c| access::staff_with_access(c, ticket.id)).len(),
        1
    );

    // Not staff.
    let dave = h.sim.user("dave");
    let slash = dave
        .slash(
            channel,
            "remove_staff",
            &[("user", &frank.id().to_string())],
        )
        .await;
    assert!(answer(&slash).await.contains("Only staff"));
    assert!(has_overwrite(&h, frank.id()));

    bob.say(channel, &format!("!remove_staff {}", frank.id()))
        .await;
    h.wait_bot_message(channel, &format!("removed <@{}>'s access", frank.id()))
        .await;
    assert!(!has_overwrite(&h, frank.id()));
    assert!(h
        .query(|c| access::staff_with_access(c, ticket.id))
        .is_empty());
    bob.say(channel, &format!("!remove_staff {}", frank.id()))
        .await;
    h.wait_bot_message(channel, "was not given access").await;
    let kinds: Vec<EventKind> = h
        .query(|c| events::list(c, ticket.id))
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&EventKind::StaffAdded) && kinds.contains(&EventKind::StaffRemoved));
    settle().await;
    h.assert_clean();
    h.shutdown().await;
}
