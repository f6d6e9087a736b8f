//! Injected latency and failures for REST routes (seeded, reproducible).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::core::lock;

/// A failure to inject instead of handling a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// `500 Internal Server Error`.
    ServerError,
    /// `502 Bad Gateway` (Cloudflare-style, no JSON body semantics).
    BadGateway,
    /// `429` with `retry_after` seconds; `global` adds `X-RateLimit-Global`.
    RateLimited { retry_after: f64, global: bool },
}

/// Which requests a rule applies to: `None` = all; `"/channels/{channel_id}/messages"` = that
/// route template, any method; `"POST /channels/{channel_id}/messages"` = method and template;
/// `"POST /channels/123/messages"` = method and concrete path (one channel's messages).
pub type RouteFilter = Option<String>;

#[derive(Debug)]
struct Inner {
    latency: Vec<(RouteFilter, Duration)>,
    scripted: VecDeque<(RouteFilter, Fault)>,
    random: Vec<(RouteFilter, f64, Fault)>,
    rng: StdRng,
    channel_rate_limit: bool,
    /// Discord's global limit (requests per second for the bot), when switched on.
    global_rate_limit: Option<u32>,
    /// Arrival times of the requests counted against the global limit, in the last second.
    global_window: VecDeque<std::time::Instant>,
}

/// Fault-injection controls, reachable through [`super::SimHandle::faults`].
#[derive(Debug)]
pub struct Faults {
    inner: Mutex<Inner>,
}

fn matches(filter: &RouteFilter, method: &str, template: &str, path: &str) -> bool {
    match filter {
        None => true,
        Some(f) => match f.split_once(' ') {
            Some((m, t)) => m.eq_ignore_ascii_case(method) && (t == template || t == path),
            None => f == template || f == path,
        },
    }
}

impl Faults {
    pub(crate) fn new(seed: u64, channel_rate_limit: bool) -> Self {
        Self {
            inner: Mutex::new(Inner {
                latency: Vec::new(),
                scripted: VecDeque::new(),
                random: Vec::new(),
                rng: StdRng::seed_from_u64(seed),
                channel_rate_limit,
                global_rate_limit: None,
                global_window: VecDeque::new(),
            }),
        }
    }

    /// Adds `delay` to every matching request (rules add up).
    pub fn set_latency(&self, route: Option<&str>, delay: Duration) {
        lock(&self.inner)
            .latency
            .push((route.map(str::to_owned), delay));
    }

    /// The next matching requests fail with these faults, in order, one each.
    pub fn script(&self, route: Option<&str>, faults: impl IntoIterator<Item = Fault>) {
        let mut inner = lock(&self.inner);
        for f in faults {
            inner.scripted.push_back((route.map(str::to_owned), f));
        }
    }

    /// A `fraction` (0..=1) of matching requests fail with `fault` (seeded RNG).
    pub fn random(&self, route: Option<&str>, fraction: f64, fault: Fault) {
        lock(&self.inner)
            .random
            .push((route.map(str::to_owned), fraction, fault));
    }

    /// Removes all latency and failure rules.
    pub fn clear(&self) {
        let mut inner = lock(&self.inner);
        inner.latency.clear();
        inner.scripted.clear();
        inner.random.clear();
    }

    /// Switches Discord's per-channel limit (5 messages / 5 s) for bot posts on or off.
    pub fn set_channel_rate_limit(&self, on: bool) {
        lock(&self.inner).channel_rate_limit = on;
    }

    pub(crate) fn channel_rate_limit(&self) -> bool {
        lock(&self.inner).channel_rate_limit
    }

    pub(crate) fn latency(&self, method: &str, template: &str, path: &str) -> Duration {
        lock(&self.inner)
            .latency
            .iter()
            .filter(|(f, _)| matches(f, method, template, path))
            .map(|(_, d)| *d)
            .sum()
    }

    /// Switches Discord's global rate limit on (`Some(per_second)`, Discord allows a bot 50) or
    /// off: past that many requests within a second, requests get a global 429 with
    /// `retry_after` until the oldest counted request is a second old.
    pub fn set_global_rate_limit(&self, per_second: Option<u32>) {
        let mut inner = lock(&self.inner);
        inner.global_rate_limit = per_second;
        inner.global_window.clear();
    }

    pub(crate) fn next_fault(&self, method: &str, template: &str, path: &str) -> Option<Fault> {
        let mut inner = lock(&self.inner);
        if let Some(limit) = inner.global_rate_limit {
            let now = std::time::Instant::now();
            let second = Duration::from_secs(1);
            while inner
                .global_window
                .front()
                .is_some_and(|t| now.duration_since(*t) >= second)
            {
                inner.global_window.pop_front();
            }
            if inner.global_window.len() >= usize::try_from(limit).unwrap_or(usize::MAX) {
                let oldest = inner.global_window.front().copied().unwrap_or(now);
                let wait = second.saturating_sub(now.duration_since(oldest));
                return Some(Fault::RateLimited {
                    retry_after: wait.as_secs_f64().max(0.001),
                    global: true,
                });
            }
            inner.global_window.push_back(now);
        }
        if let Some(pos) = inner
            .scripted
            .iter()
            .position(|(f, _)| matches(f, method, template, path))
        {
            return inner.scripted.remove(pos).map(|(_, f)| f);
        }
        let Inner { random, rng, .. } = &mut *inner;
        for (f, fraction, fault) in random.iter() {
            if matches(f, method, template, path) && rng.random::<f64>() < *fraction {
                return Some(fault.clone());
            }
        }
        None
    }
}
