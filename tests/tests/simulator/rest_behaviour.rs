//! REST behaviour that must match Discord: errors, limits, pagination, nonces, faults.

use reqwest::Method;
use rustmail_tests::sim::{self, Fault, SimConfig};
use serde_json::{json, Value};
use serenity::all::{
    ChannelId, ChannelType, CreateAllowedMentions, CreateAttachment, CreateChannel, CreateMessage,
    GuildId, MessageId, MessagePagination, Nonce, UserId,
};

use super::support::{discord_error, http, raw};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dm_to_user_blocking_dms_or_sharing_no_guild_is_50007() {
    let sim = sim::start(SimConfig::default()).await;
    let http = http(&sim);
    let alice = sim.user("alice");
    let dm = UserId::new(alice.id())
        .create_dm_channel(&http)
        .await
        .expect("open DM");
    dm.id.say(&http, "welcome").await.expect("DM works");
    alice.block_dms(true).await;
    let err = dm.id.say(&http, "blocked").await.expect_err("blocked");
    assert_eq!(discord_error(&err), (403, 50007));
    alice.block_dms(false).await;
    alice.leave_guild().await;
    let err = dm.id.say(&http, "gone").await.expect_err("no shared guild");
    assert_eq!(discord_error(&err), (403, 50007));
    // Opening the DM channel itself still works, and history is readable.
    assert_eq!(
        UserId::new(alice.id())
            .create_dm_channel(&http)
            .await
            .expect("reopen")
            .id,
        dm.id
    );
    assert_eq!(
        http.get_messages(dm.id, None, None)
            .await
            .expect("history")
            .len(),
        1
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn category_full_at_50_channels_is_30013() {
    let sim = sim::start(SimConfig::default()).await;
    let http = http(&sim);
    let (guild, inbox) = (
        GuildId::new(sim.ids().staff_guild_id),
        ChannelId::new(sim.ids().inbox_category_id),
    );
    for i in 0..50 {
        guild
            .create_channel(
                &http,
                CreateChannel::new(format!("ticket-{i}"))
                    .kind(ChannelType::Text)
                    .category(inbox),
            )
            .await
            .expect("create");
    }
    let err = guild
        .create_channel(
            &http,
            CreateChannel::new("ticket-50")
                .kind(ChannelType::Text)
                .category(inbox),
        )
        .await
        .expect_err("51st channel");
    assert_eq!(discord_error(&err), (400, 30013));
    assert_eq!(sim.channels_in_category(inbox.get()).len(), 50);
    // Channels created in a category inherit its overwrites (synced), so staff can see them.
    let ticket = &sim.channels_in_category(inbox.get())[0];
    assert_eq!(
        ticket.overwrites,
        sim.channel(inbox.get()).expect("inbox").overwrites
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_unknown_ids_routes_and_auth() {
    let sim = sim::start(SimConfig::default()).await;
    let http = http(&sim);
    let log = ChannelId::new(sim.ids().log_channel_id);
    // serenity refuses > 2000 chars client-side, so send it raw.
    let too_long = Some(json!({"content": "x".repeat(2001)}));
    let resp = raw(
        &sim,
        Method::POST,
        &format!("/channels/{log}/messages"),
        too_long,
        true,
    )
    .await;
    assert_eq!(resp.status().as_u16(), 400);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["code"], 50035);
    assert_eq!(
        v["errors"]["content"]["_errors"][0]["code"],
        "BASE_TYPE_MAX_LENGTH"
    );
    log.say(&http, "x".repeat(2000))
        .await
        .expect("2000 is fine");
    let err = ChannelId::new(1)
        .say(&http, "hi")
        .await
        .expect_err("unknown channel");
    assert_eq!(discord_error(&err), (404, 10003));
    let err = log
        .message(&http, MessageId::new(1))
        .await
        .expect_err("unknown message");
    assert_eq!(discord_error(&err), (404, 10008));
    let err = http
        .get_member(GuildId::new(sim.ids().staff_guild_id), UserId::new(1))
        .await
        .expect_err("member");
    assert_eq!(discord_error(&err), (404, 10007));
    let err = http.get_user(UserId::new(1)).await.expect_err("user");
    assert_eq!(discord_error(&err), (404, 10013));
    let err = http.get_guild(GuildId::new(1)).await.expect_err("guild");
    assert_eq!(discord_error(&err), (404, 10004));

    let body = json!({"content": "bad", "embeds": [{"title": "t".repeat(257)}]});
    let resp = raw(
        &sim,
        Method::POST,
        &format!("/channels/{log}/messages"),
        Some(body),
        true,
    )
    .await;
    assert_eq!(resp.status().as_u16(), 400);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["code"], 50035);
    assert!(
        v["errors"]["embeds"]["0"]["title"]["_errors"].is_array(),
        "{v}"
    );

    let resp = raw(&sim, Method::GET, "/does/not/exist", None, true).await;
    assert_eq!(resp.status().as_u16(), 404);
    assert_eq!(
        resp.json::<Value>().await.expect("json"),
        json!({"message": "404: Not Found", "code": 0})
    );
    assert_eq!(
        sim.unknown_routes(),
        vec!["GET /api/v10/does/not/exist".to_owned()]
    );

    let resp = raw(&sim, Method::GET, "/users/@me", None, false).await;
    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(
        resp.json::<Value>().await.expect("json"),
        json!({"message": "401: Unauthorized", "code": 0})
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_pagination_matches_discord() {
    let sim = sim::start(SimConfig::default()).await;
    let http = http(&sim);
    let channel = sim.ids().staff_channel_id;
    let bob = sim.staff("bob");
    let mut ids = Vec::new();
    for i in 0..120 {
        ids.push(bob.say(channel, &format!("m{i}")).await);
    }
    let ch = ChannelId::new(channel);
    let as_ids =
        |v: Vec<serenity::all::Message>| v.into_iter().map(|m| m.id.get()).collect::<Vec<_>>();
    let newest_first =
        |range: std::ops::Range<usize>| ids[range].iter().rev().copied().collect::<Vec<_>>();
    // Default: 50 newest, newest first.
    assert_eq!(
        as_ids(http.get_messages(ch, None, None).await.expect("list")),
        newest_first(70..120)
    );
    // before: the next older page.
    let page = http
        .get_messages(
            ch,
            Some(MessagePagination::Before(MessageId::new(ids[70]))),
            Some(100),
        )
        .await;
    assert_eq!(as_ids(page.expect("before")), newest_first(0..70));
    // after: the `limit` messages right after, still newest first.
    let page = http
        .get_messages(
            ch,
            Some(MessagePagination::After(MessageId::new(ids[9]))),
            Some(10),
        )
        .await;
    assert_eq!(as_ids(page.expect("after")), newest_first(10..20));
    // around: the message and its neighbours.
    let page = http
        .get_messages(
            ch,
            Some(MessagePagination::Around(MessageId::new(ids[50]))),
            Some(5),
        )
        .await;
    assert_eq!(as_ids(page.expect("around")), newest_first(48..53));
    let resp = raw(
        &sim,
        Method::GET,
        &format!("/channels/{channel}/messages?limit=101"),
        None,
        true,
    )
    .await;
    assert_eq!(resp.status().as_u16(), 400);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enforce_nonce_deduplicates_within_channel() {
    let sim = sim::start(SimConfig::default()).await;
    let http = http(&sim);
    let log = ChannelId::new(sim.ids().log_channel_id);
    let send = |nonce: &str, enforce: bool| {
        log.send_message(
            &http,
            CreateMessage::new()
                .content("relay")
                .nonce(Nonce::String(nonce.to_owned()))
                .enforce_nonce(enforce),
        )
    };
    let a = send("relay-1", true).await.expect("first");
    let b = send("relay-1", true).await.expect("retry");
    assert_eq!(a.id, b.id, "same nonce, same message");
    let c = send("relay-2", true).await.expect("other nonce");
    assert_ne!(a.id, c.id);
    let d = send("relay-2", false).await.expect("not enforced");
    assert_ne!(c.id, d.id, "without enforce_nonce the nonce is only echoed");
    assert_eq!(sim.channel_messages(log.get()).len(), 3);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_429_and_500_and_channel_rate_limit() {
    let sim = sim::start(SimConfig::default()).await;
    let http = http(&sim);
    let log = sim.ids().log_channel_id;
    let route = "POST /channels/{channel_id}/messages";
    sim.faults().script(
        Some(route),
        [
            Fault::RateLimited {
                retry_after: 1.5,
                global: true,
            },
            Fault::ServerError,
        ],
    );
    let body = || Some(json!({"content": "hi"}));
    let resp = raw(
        &sim,
        Method::POST,
        &format!("/channels/{log}/messages"),
        body(),
        true,
    )
    .await;
    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(resp.headers()["retry-after"], "2");
    assert_eq!(resp.headers()["x-ratelimit-global"], "true");
    assert_eq!(resp.headers()["x-ratelimit-remaining"], "0");
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["retry_after"], 1.5);
    assert_eq!(v["global"], true);
    let err = ChannelId::new(log).say(&http, "hi").await.expect_err("500");
    assert_eq!(discord_error(&err).0, 500);
    ChannelId::new(log)
        .say(&http, "hi")
        .await
        .expect("script exhausted");
    assert_eq!(
        sim.channel_messages(log).len(),
        1,
        "failed requests store nothing"
    );

    // Seeded random faults are reproducible.
    let pattern = |seed: u64| async move {
        let sim = sim::start(SimConfig {
            seed,
            ..SimConfig::default()
        })
        .await;
        sim.faults().random(None, 0.5, Fault::ServerError);
        let mut out = Vec::new();
        for _ in 0..20 {
            out.push(
                raw(&sim, Method::GET, "/users/@me", None, true)
                    .await
                    .status()
                    .as_u16(),
            );
        }
        sim.shutdown().await;
        out
    };
    let first = pattern(7).await;
    assert_eq!(first, pattern(7).await);
    assert!(first.contains(&500) && first.contains(&200));

    sim.faults().set_channel_rate_limit(true);
    let staff = ChannelId::new(sim.ids().staff_channel_id);
    for i in 0..5 {
        staff
            .say(&http, format!("burst {i}"))
            .await
            .expect("within limit");
    }
    let err = staff
        .say(&http, "one too many")
        .await
        .expect_err("rate limited");
    assert_eq!(discord_error(&err).0, 429);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowed_mentions_and_attachments_and_permissions() {
    let sim = sim::start(SimConfig::default()).await;
    let http = http(&sim);
    let ids = sim.ids().clone();
    let log = ChannelId::new(ids.log_channel_id);
    let alice = sim.user("alice");
    let text = format!("<@{}> <@&{}> @everyone", alice.id(), ids.staff_role_id);
    let quiet = log
        .send_message(
            &http,
            CreateMessage::new()
                .content(&text)
                .allowed_mentions(CreateAllowedMentions::new()),
        )
        .await
        .expect("quiet");
    assert!(quiet.mentions.is_empty() && quiet.mention_roles.is_empty() && !quiet.mention_everyone);
    let loud = log.say(&http, &text).await.expect("loud");
    assert_eq!(loud.mentions.len(), 1);
    assert_eq!(loud.mention_roles.len(), 1);
    assert!(loud.mention_everyone);

    let with_file = log
        .send_message(
            &http,
            CreateMessage::new()
                .add_file(CreateAttachment::bytes(b"hello file".to_vec(), "note.txt")),
        )
        .await
        .expect("upload");
    let att = &with_file.attachments[0];
    assert!(att.url.starts_with(&sim.api_base()), "{}", att.url);
    let bytes = reqwest::get(&att.url)
        .await
        .expect("download")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(&bytes[..], b"hello file");
    let dm = alice
        .dm_with_attachment("see file", "photo.png", vec![137, 80, 78, 71])
        .await;
    let msg = sim.message(dm).expect("dm");
    assert_eq!(
        msg.attachments[0].content_type.as_deref(),
        Some("image/png")
    );

    // Deny the bot's role SEND_MESSAGES in the log channel: 50013. Hide the channel: 50001.
    sim.mutate(|w| {
        let body =
            json!({"type": 0, "allow": (1u64 << 10).to_string(), "deny": (1u64 << 11).to_string()});
        w.put_overwrite(ids.log_channel_id, ids.bot_role_id, &body, false)
            .expect("overwrite");
    });
    assert_eq!(
        discord_error(&log.say(&http, "x").await.expect_err("denied")),
        (403, 50013)
    );
    sim.mutate(|w| {
        let body = json!({"type": 0, "allow": "0", "deny": (1u64 << 10).to_string()});
        w.put_overwrite(ids.log_channel_id, ids.bot_role_id, &body, false)
            .expect("overwrite");
    });
    assert_eq!(
        discord_error(&log.say(&http, "x").await.expect_err("hidden")),
        (403, 50001)
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_latency_and_request_log() {
    let sim = sim::start(SimConfig::default()).await;
    let http = http(&sim);
    sim.faults().set_latency(
        Some("GET /users/@me"),
        std::time::Duration::from_millis(150),
    );
    let start = std::time::Instant::now();
    http.get_current_user().await.expect("me");
    assert!(start.elapsed() >= std::time::Duration::from_millis(150));
    let log = ChannelId::new(sim.ids().log_channel_id);
    log.send_message(
        &http,
        CreateMessage::new()
            .content("logged")
            .add_file(CreateAttachment::bytes(b"x".to_vec(), "a.txt")),
    )
    .await
    .expect("send");
    let reqs = sim.requests();
    let me = reqs
        .iter()
        .find(|r| r.route == Some("/users/@me"))
        .expect("logged");
    assert!(me.elapsed >= std::time::Duration::from_millis(150));
    let post = reqs
        .iter()
        .find(|r| r.method == "POST")
        .expect("post logged");
    assert_eq!(post.route, Some("/channels/{channel_id}/messages"));
    assert!(post.multipart);
    assert_eq!(post.files, vec!["a.txt".to_owned()]);
    assert_eq!(
        post.body.as_ref().expect("payload_json")["content"],
        "logged"
    );
    assert_eq!(post.status, 200);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_global_rate_limit_can_be_switched_on() {
    let sim = sim::start(SimConfig::default()).await;
    sim.faults().set_global_rate_limit(Some(5));
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let resp = raw(&sim, Method::GET, "/users/@me", None, true).await;
        let status = resp.status().as_u16();
        if status == 429 {
            assert_eq!(resp.headers()["x-ratelimit-global"], "true");
            let v: Value = resp.json().await.expect("json");
            assert_eq!(v["global"], true);
            assert!(v["retry_after"].as_f64().unwrap() > 0.0);
        }
        statuses.push(status);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        2,
        "{statuses:?}"
    );
    // After a second the window has moved on; switched off, nothing is limited.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        raw(&sim, Method::GET, "/users/@me", None, true)
            .await
            .status()
            .as_u16(),
        200
    );
    sim.faults().set_global_rate_limit(None);
    for _ in 0..10 {
        assert_eq!(
            raw(&sim, Method::GET, "/users/@me", None, true)
                .await
                .status()
                .as_u16(),
            200
        );
    }
    sim.shutdown().await;
}
