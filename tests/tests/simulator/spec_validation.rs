//! The OpenAPI validator: accepts what Discord accepts, catches what it would reject, and is wired
//! into the simulator's request log.

use rustmail_tests::sim::{self, SimConfig};
use rustmail_tests::spec::SpecValidator;
use serde_json::json;

fn validator() -> &'static SpecValidator {
    SpecValidator::shared().expect("Discord OpenAPI spec (set DISCORD_API_SPEC if it is elsewhere)")
}

#[test]
fn templates_prefer_literal_segments() {
    let v = validator();
    assert_eq!(
        v.template_for("/channels/123/messages"),
        Some("/channels/{channel_id}/messages")
    );
    assert_eq!(v.template_for("/api/v10/users/@me"), Some("/users/@me"));
    assert_eq!(v.template_for("/users/42"), Some("/users/{user_id}"));
    assert_eq!(
        v.template_for("/webhooks/1/tok/messages/@original"),
        Some("/webhooks/{webhook_id}/{webhook_token}/messages/@original")
    );
    assert_eq!(v.template_for("/nope/1"), None);
}

#[test]
fn accepts_good_bodies() {
    let v = validator();
    let ok = json!({
        "content": "hello",
        "embeds": [{"title": "t", "description": "d", "fields": [{"name": "a", "value": "b", "inline": false}]}],
        "allowed_mentions": {"parse": []},
        "nonce": "abc",
        "enforce_nonce": true,
        "attachments": [{"id": 0, "filename": "a.txt"}],
        "message_reference": {"message_id": "1", "fail_if_not_exists": false},
    });
    assert_eq!(
        v.validate("POST", "/channels/1/messages", &ok),
        Vec::<String>::new()
    );
    let channel = json!({"name": "ticket-1", "type": 0, "parent_id": "5", "topic": "t",
                         "permission_overwrites": [{"id": "1", "type": 0, "allow": "1024", "deny": "0"}]});
    assert_eq!(
        v.validate("POST", "/guilds/1/channels", &channel),
        Vec::<String>::new()
    );
    let callback = json!({"type": 4, "data": {"content": "pong", "flags": 64}});
    assert_eq!(
        v.validate("POST", "/interactions/1/tok/callback", &callback),
        Vec::<String>::new()
    );
}

#[test]
fn catches_bad_bodies() {
    let v = validator();
    assert!(
        !v.validate("POST", "/channels/1/messages", &json!({"content": 5}))
            .is_empty(),
        "content must be a string"
    );
    assert!(
        !v.validate("POST", "/interactions/1/tok/callback", &json!({"type": 3}))
            .is_empty(),
        "3 is not an interaction callback type"
    );
    assert!(
        !v.validate(
            "POST",
            "/guilds/1/channels",
            &json!({"name": "x", "type": "text"})
        )
        .is_empty(),
        "channel type is an integer enum"
    );
    assert!(
        !v.validate(
            "POST",
            "/users/@me/channels",
            &json!({"recipient_id": "alice"})
        )
        .is_empty(),
        "recipient_id is a snowflake"
    );
    assert!(
        !v.validate("POST", "/nowhere", &json!({})).is_empty(),
        "unknown paths are violations"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulator_reports_spec_violations_of_recorded_requests() {
    let sim = sim::start(SimConfig::default()).await;
    let url = format!(
        "{}/api/v10/channels/{}/messages",
        sim.api_base(),
        sim.ids().log_channel_id
    );
    let resp = reqwest::Client::new()
        .post(url)
        .header("Authorization", format!("Bot {}", sim.token()))
        .json(&json!({"content": 5}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status().as_u16(), 400);
    let violations = sim.spec_violations();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(violations[0].contains("/content"), "{violations:?}");
    sim.shutdown().await;
}
