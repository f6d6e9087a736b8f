//! Captures every log line of the test process (bot, serenity, poise, hyper, the simulator) at
//! TRACE level and searches it for secrets, so the end-to-end suites prove the bot token never
//! reaches a log. Lines matching `RUST_LOG` (default `warn`) are also echoed to the test output.
//!
//! The capture is streaming: each event is checked against the registered secrets as it is
//! written and only counted, not kept, because a whole suite at TRACE level is hundreds of
//! megabytes. Secrets are registered before the bot starts ([`watch_secret`]), so every line the
//! bot writes is searched.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// The bot token the harness configures: shaped like a real one (`base64(bot id)`, a 6-character
/// timestamp, a 38-character HMAC), so a leak of any of its parts looks like a real leak would.
pub const TEST_TOKEN: &str =
    "MTE4NDk3NjQ0ODkyMzM0NTkyMA.GkX2pQ.Zq4vR8mT1sWc7yHn3LbE9uJf0aKd6pXo2iGtVw";

/// How many recent lines are kept for a failure message.
const TAIL_LINES: usize = 20;

/// What has been captured so far in this process.
#[derive(Default)]
struct Capture {
    bytes: AtomicU64,
    events: AtomicU64,
    secrets: Mutex<Vec<String>>,
    /// Lines that contained a secret (with the secret blanked out, so the failure message does
    /// not leak it in turn), and which secret it was (by index).
    leaks: Mutex<Vec<String>>,
    tail: Mutex<VecDeque<String>>,
    /// Lines looked for ([`expect_line`]): the needles a line must all contain, and whether one
    /// did.
    expected: Mutex<Vec<(Vec<String>, Arc<AtomicBool>)>>,
}

static CAPTURE: OnceLock<Capture> = OnceLock::new();
static INSTALLED: OnceLock<bool> = OnceLock::new();

fn capture() -> &'static Capture {
    CAPTURE.get_or_init(Capture::default)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Capture {
    fn record(&self, line: &str) {
        self.bytes.fetch_add(line.len() as u64, Ordering::Relaxed);
        self.events.fetch_add(1, Ordering::Relaxed);
        let secrets = lock(&self.secrets);
        for (i, secret) in secrets.iter().enumerate() {
            if line.contains(secret.as_str()) {
                let shown = line.replace(secret.as_str(), &format!("[SECRET #{i}]"));
                lock(&self.leaks).push(shown);
            }
        }
        drop(secrets);
        for (needles, seen) in lock(&self.expected).iter() {
            if !seen.load(Ordering::Relaxed) && needles.iter().all(|n| line.contains(n.as_str())) {
                seen.store(true, Ordering::Relaxed);
            }
        }
        let mut tail = lock(&self.tail);
        if tail.len() == TAIL_LINES {
            tail.pop_front();
        }
        tail.push_back(line.chars().take(300).collect());
    }
}

/// One event's output: buffered until the formatter is done with it, then searched whole (so a
/// secret is never split between two writes).
pub struct EventWriter {
    buf: Vec<u8>,
}

impl Write for EventWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for EventWriter {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            capture().record(&String::from_utf8_lossy(&self.buf));
        }
    }
}

/// Hands the formatter an [`EventWriter`] per event.
#[derive(Clone, Copy, Debug, Default)]
pub struct CaptureWriter;

impl<'a> MakeWriter<'a> for CaptureWriter {
    type Writer = EventWriter;

    fn make_writer(&'a self) -> Self::Writer {
        EventWriter {
            buf: Vec::with_capacity(256),
        }
    }
}

/// Installs the process-wide subscriber (once; later calls do nothing): everything at TRACE into
/// the capture, and `RUST_LOG` (default `warn`) to the test output.
pub fn install() {
    INSTALLED.get_or_init(|| {
        let echo = std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".to_owned());
        let captured = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(CaptureWriter)
            .with_filter(tracing_subscriber::filter::LevelFilter::TRACE)
            .with_filter(tracing_subscriber::filter::filter_fn(|m| {
                !is_fake_discord(m.target(), m.file())
            }));
        let echoed = tracing_subscriber::fmt::layer()
            .with_test_writer()
            .with_filter(EnvFilter::new(echo));
        // Another subscriber may already be installed (a test that set its own): then there is
        // nothing to capture into, and `assert_no_secrets` says so by the empty capture.
        tracing_subscriber::registry()
            .with(captured)
            .with(echoed)
            .try_init()
            .is_ok()
    });
}

/// Whether an event comes from the fake Discord rather than the bot: the simulator itself and
/// the websocket library of its server (axum's tungstenite 0.29; serenity's is 0.21). Discord
/// receives the token in Identify by design, and the server side logs received frames at TRACE.
fn is_fake_discord(target: &str, file: Option<&str>) -> bool {
    target.starts_with("rustmail_tests::sim")
        || file.is_some_and(|f| f.contains("tungstenite-0.29"))
}

/// Adds a secret every later log line is searched for. Secrets shorter than 8 characters are
/// refused: they would match by chance.
///
/// # Panics
/// On a secret shorter than 8 characters.
pub fn watch_secret(secret: &str) {
    assert!(
        secret.len() >= 8,
        "a secret to watch is at least 8 characters"
    );
    let mut secrets = lock(&capture().secrets);
    if !secrets.iter().any(|s| s == secret) {
        secrets.push(secret.to_owned());
    }
}

/// The parts of a bot token worth searching for: the whole token and its HMAC (the third,
/// secret part of `user_id.timestamp.hmac`; the first part is only the bot's id in base64).
pub fn token_secrets(token: &str) -> Vec<String> {
    let mut out = vec![token.to_owned()];
    if let Some(hmac) = token.rsplit('.').next().filter(|h| *h != token) {
        out.push(hmac.to_owned());
    }
    out
}

/// Bytes and events captured so far.
pub fn captured() -> (u64, u64) {
    let c = capture();
    (
        c.bytes.load(Ordering::Relaxed),
        c.events.load(Ordering::Relaxed),
    )
}

/// Asserts the capture is not empty (so this check can fail) and no captured line contained a
/// watched secret.
///
/// # Panics
/// When nothing was captured or a secret was logged.
pub fn assert_no_secrets() {
    let (bytes, events) = captured();
    assert!(
        bytes > 0 && events > 0,
        "no log line was captured: is another tracing subscriber installed?"
    );
    let c = capture();
    assert!(!lock(&c.secrets).is_empty(), "no secret is watched");
    let leaks = lock(&c.leaks);
    assert!(
        leaks.is_empty(),
        "{} log line(s) contain a secret (the token or its HMAC part), e.g.:\n{}",
        leaks.len(),
        leaks.iter().take(5).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// Looks, from now on, for a log line containing every one of `needles` (e.g. a span's name and
/// a field); [`Expectation::seen`] tells whether one was captured.
pub fn expect_line(needles: &[&str]) -> Expectation {
    let seen = Arc::new(AtomicBool::new(false));
    let needles = needles.iter().map(|n| (*n).to_owned()).collect();
    lock(&capture().expected).push((needles, Arc::clone(&seen)));
    Expectation { seen }
}

/// A line looked for by [`expect_line`].
pub struct Expectation {
    seen: Arc<AtomicBool>,
}

impl Expectation {
    /// Whether a captured line contained every needle.
    pub fn seen(&self) -> bool {
        self.seen.load(Ordering::Relaxed)
    }
}

/// The last captured lines (for failure messages).
pub fn tail() -> Vec<String> {
    lock(&capture().tail).iter().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_secrets_are_the_token_and_its_hmac() {
        assert_eq!(
            token_secrets("aaaa.bbbb.cccccccc"),
            vec!["aaaa.bbbb.cccccccc".to_owned(), "cccccccc".to_owned()]
        );
        assert_eq!(token_secrets("nodots12"), vec!["nodots12".to_owned()]);
    }

    #[test]
    fn only_the_simulator_side_is_left_out() {
        let server = "/root/.cargo/registry/src/x/tungstenite-0.29.0/src/protocol/mod.rs";
        let client = "/root/.cargo/registry/src/x/tungstenite-0.21.0/src/protocol/mod.rs";
        assert!(is_fake_discord("tungstenite::protocol", Some(server)));
        assert!(!is_fake_discord("tungstenite::protocol", Some(client)));
        assert!(is_fake_discord("rustmail_tests::sim::gateway", None));
        assert!(!is_fake_discord("rustmail_bot::start", None));
        assert!(!is_fake_discord("serenity::gateway::shard", None));
    }

    #[test]
    fn a_line_with_a_secret_is_a_leak_and_is_blanked() {
        let c = Capture::default();
        lock(&c.secrets).push("s3cr3t-value".to_owned());
        c.record("GET /x Authorization: Bot s3cr3t-value\n");
        c.record("nothing here\n");
        let leaks = lock(&c.leaks);
        assert_eq!(leaks.len(), 1);
        assert!(!leaks[0].contains("s3cr3t-value"));
        assert!(leaks[0].contains("[SECRET #0]"));
        assert_eq!(c.events.load(Ordering::Relaxed), 2);
    }
}
