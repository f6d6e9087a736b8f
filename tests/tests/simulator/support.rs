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
