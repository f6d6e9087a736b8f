//! Shared helpers: a serenity `Http` pointed at the simulator, and timeouts.

use std::time::Duration;

use rustmail_tests::sim::SimHandle;
use serenity::http::{Http, HttpBuilder};
use serenity::model::id::ApplicationId;

/// Generous timeout for waits (debug builds on 2 cores).
pub const WAIT: Duration = Duration::from_secs(20);

/// The HTTP client a bot would build: proxied to the simulator, no client-side rate limiter.
pub fn http(sim: &SimHandle) -> Http {
    HttpBuilder::new(sim.token())
        .proxy(sim.api_base())
        .ratelimiter_disabled(true)
        .application_id(ApplicationId::new(sim.ids().application_id))
        .build()
}

/// Asserts the simulator saw no unknown routes and no spec violations.
pub fn assert_clean(sim: &SimHandle) {
    assert_eq!(
        sim.unknown_routes(),
        Vec::<String>::new(),
        "requests to routes the simulator lacks"
    );
    assert_eq!(
        sim.spec_violations(),
        Vec::<String>::new(),
        "request bodies violating the OpenAPI spec"
    );
}

/// `(HTTP status, Discord error code)` of a failed serenity HTTP call.
///
/// # Panics
/// If the error is not an unsuccessful HTTP response.
pub fn discord_error(e: &serenity::Error) -> (u16, isize) {
    match e {
        serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(r)) => {
            (r.status_code.as_u16(), r.error.code)
        }
        other => panic!("not a Discord error response: {other:?}"),
    }
}

/// A raw request to the simulator's REST API (for what serenity cannot send).
pub async fn raw(
    sim: &SimHandle,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
    auth: bool,
) -> reqwest::Response {
    let mut req =
        reqwest::Client::new().request(method, format!("{}/api/v10{path}", sim.api_base()));
    if auth {
        req = req.header("Authorization", format!("Bot {}", sim.token()));
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.expect("request")
}
