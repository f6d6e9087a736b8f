//! Prometheus metrics: [`Metrics`] (lock-free counters, a relay latency histogram and the
//! gateway gauge, shared through [`crate::state::State`]), their text exposition (with gauges
//! read from the database at scrape time), and a tiny HTTP/1.1 server on `metrics.address`
//! answering `GET /metrics` and `GET /healthz`.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use crate::error::{BotError, RelayError};
use crate::state::Data;

/// A relay's direction (the `direction` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    UserToStaff,
    StaffToUser,
}

impl Direction {
    const ALL: [Self; 2] = [Self::UserToStaff, Self::StaffToUser];

    fn label(self) -> &'static str {
        match self {
            Self::UserToStaff => "user_to_staff",
            Self::StaffToUser => "staff_to_user",
        }
    }
}

/// How one relay attempt ended (the `outcome` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    Failed,
    Retry,
}

impl Outcome {
    const ALL: [Self; 3] = [Self::Delivered, Self::Failed, Self::Retry];

    fn label(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Retry => "retry",
        }
    }
}

/// Upper bounds of the relay latency histogram, in seconds.
pub const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The `code` labels of `rustmail_discord_errors_total`: Discord JSON codes worth telling
/// apart, then HTTP classes, then "other".
const ERROR_CODES: [&str; 10] = [
    "10003", "10007", "10008", "10013", "30013", "50007", "429", "5xx", "network", "other",
];

/// The bot's metrics. Every update is one atomic operation (no lock).
#[derive(Debug, Default)]
pub struct Metrics {
    relays: [AtomicU64; 6],
    /// Per bucket (not cumulative), plus one for +Inf.
    latency_buckets: [AtomicU64; BUCKETS.len() + 1],
    latency_sum_micros: AtomicU64,
    discord_errors: [AtomicU64; ERROR_CODES.len()],
    gateway_connected: AtomicBool,
}

/// Gauges read from the database at scrape time (`None` when the database did not answer).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DbGauges {
    pub open_tickets: i64,
    pub pending_relays: i64,
    pub job_lag_seconds: f64,
}

fn relay_index(direction: Direction, outcome: Outcome) -> usize {
    let d = match direction {
        Direction::UserToStaff => 0,
        Direction::StaffToUser => 1,
    };
    let o = match outcome {
        Outcome::Delivered => 0,
        Outcome::Failed => 1,
        Outcome::Retry => 2,
    };
    d * 3 + o
}

/// The `code` label of a relay error (`None` when it is not Discord's).
fn error_code(err: &RelayError) -> Option<&'static str> {
    match err {
        RelayError::Permanent {
            code: Some(code), ..
        } => Some(
            ERROR_CODES
                .iter()
                .copied()
                .find(|c| c.parse::<isize>().ok() == Some(*code))
                .unwrap_or("other"),
        ),
        RelayError::Permanent { code: None, .. } => Some("other"),
        RelayError::Transient(message) => Some(if message.starts_with("HTTP 429") {
            "429"
        } else if message.starts_with("HTTP 5") {
            "5xx"
        } else if message.starts_with("HTTP ") {
            "other"
        } else {
            "network"
        }),
        RelayError::Domain(_) => None,
    }
}

impl Metrics {
    /// Counts one relay outcome.
    pub fn relay(&self, direction: Direction, outcome: Outcome) {
        self.relays[relay_index(direction, outcome)].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a delivered relay and observes its latency.
    pub fn delivered(&self, direction: Direction, latency: Duration) {
        self.relay(direction, Outcome::Delivered);
        let secs = latency.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        self.latency_buckets[bucket].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.latency_sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// Counts a failed relay: `retry` when it will be tried again, failed otherwise.
    pub fn undelivered(&self, direction: Direction, retry: bool) {
        let outcome = if retry {
            Outcome::Retry
        } else {
            Outcome::Failed
        };
        self.relay(direction, outcome);
    }

    /// Counts a failed Discord request by its code.
    pub fn discord_error(&self, err: &RelayError) {
        if let Some(code) = error_code(err) {
            if let Some(i) = ERROR_CODES.iter().position(|c| *c == code) {
                self.discord_errors[i].fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Records whether the gateway is connected.
    pub fn set_gateway_connected(&self, connected: bool) {
        self.gateway_connected.store(connected, Ordering::Relaxed);
    }

    /// Whether the gateway is connected.
    pub fn gateway_connected(&self) -> bool {
        self.gateway_connected.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition (format 0.0.4).
    pub fn render(&self, db: Option<DbGauges>) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP rustmail_relays_total Relay attempts by direction and outcome.\n");
        out.push_str("# TYPE rustmail_relays_total counter\n");
        for d in Direction::ALL {
            for o in Outcome::ALL {
                let n = self.relays[relay_index(d, o)].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "rustmail_relays_total{{direction=\"{}\",outcome=\"{}\"}} {n}",
                    d.label(),
                    o.label()
                );
            }
        }
        out.push_str(
            "# HELP rustmail_relay_seconds Time from receiving a message to its relay being delivered.\n",
        );
        out.push_str("# TYPE rustmail_relay_seconds histogram\n");
        let mut cumulative = 0u64;
        for (i, bound) in BUCKETS.iter().enumerate() {
            cumulative += self.latency_buckets[i].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "rustmail_relay_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        cumulative += self.latency_buckets[BUCKETS.len()].load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "rustmail_relay_seconds_bucket{{le=\"+Inf\"}} {cumulative}"
        );
        let sum = Duration::from_micros(self.latency_sum_micros.load(Ordering::Relaxed));
        let _ = writeln!(out, "rustmail_relay_seconds_sum {}", sum.as_secs_f64());
        let _ = writeln!(out, "rustmail_relay_seconds_count {cumulative}");
        out.push_str("# HELP rustmail_discord_errors_total Failed Discord requests by code.\n");
        out.push_str("# TYPE rustmail_discord_errors_total counter\n");
        for (i, code) in ERROR_CODES.iter().enumerate() {
            let n = self.discord_errors[i].load(Ordering::Relaxed);
            let _ = writeln!(out, "rustmail_discord_errors_total{{code=\"{code}\"}} {n}");
        }
        out.push_str(
            "# HELP rustmail_gateway_connected Whether the Discord gateway is connected.\n",
        );
        out.push_str("# TYPE rustmail_gateway_connected gauge\n");
        let _ = writeln!(
            out,
            "rustmail_gateway_connected {}",
            u8::from(self.gateway_connected())
        );
        if let Some(g) = db {
            out.push_str("# HELP rustmail_open_tickets Open tickets.\n");
            out.push_str("# TYPE rustmail_open_tickets gauge\n");
            let _ = writeln!(out, "rustmail_open_tickets {}", g.open_tickets);
            out.push_str("# HELP rustmail_pending_relays Relays not yet delivered.\n");
            out.push_str("# TYPE rustmail_pending_relays gauge\n");
            let _ = writeln!(out, "rustmail_pending_relays {}", g.pending_relays);
            out.push_str(
                "# HELP rustmail_job_lag_seconds How long the oldest due job has been waiting.\n",
            );
            out.push_str("# TYPE rustmail_job_lag_seconds gauge\n");
            let _ = writeln!(out, "rustmail_job_lag_seconds {}", g.job_lag_seconds);
        }
        out
    }
}

/// How long a relay took since its record was made (when the bot took the message in).
pub fn since(created_at: chrono::NaiveDateTime) -> Duration {
    (rustmail_db::time::now() - created_at)
        .to_std()
        .unwrap_or(Duration::ZERO)
}

/// Reads the scrape-time gauges from the database.
async fn db_gauges(data: &Data) -> Result<DbGauges, rustmail_db::DomainError> {
    data.db
        .run(|c| {
            let (open_tickets, _) = rustmail_db::tickets::list::counts(c)?;
            let pending_relays = rustmail_db::messages::relay::count_pending(c)?;
            let job_lag_seconds =
                rustmail_db::jobs::oldest_due(c)?.map_or(0.0, |due| since(due).as_secs_f64());
            Ok(DbGauges {
                open_tickets,
                pending_relays,
                job_lag_seconds,
            })
        })
        .await
}

/// How long one connection may take.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest request head read.
const MAX_HEAD: usize = 16 * 1024;

/// Binds the metrics listener; the error names `metrics.address`.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, BotError> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| BotError::Config(format!("metrics.address: cannot listen on {addr}: {e}")))
}

/// Serves `/metrics` and `/healthz` until the bot stops.
pub async fn serve(data: Data, listener: TcpListener) {
    let mut stopping = data.stopping.subscribe();
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stopping.wait_for(|s| *s) => return,
        };
        match accepted {
            Ok((stream, _)) => {
                let data = data.clone();
                tokio::spawn(async move {
                    if tokio::time::timeout(CONNECTION_TIMEOUT, answer(&data, stream))
                        .await
                        .is_err()
                    {
                        tracing::debug!("metrics connection timed out");
                    }
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "metrics: cannot accept a connection");
                if !data.sleep(Duration::from_millis(100)).await {
                    return;
                }
            }
        }
    }
}

/// Answers one request (then closes the connection).
async fn answer(data: &Data, stream: TcpStream) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).await.is_err() {
        return;
    }
    // Drain the headers.
    let mut read = line.len();
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header).await {
            Ok(0) | Err(_) => break,
            Ok(n) => read += n,
        }
        if header.trim().is_empty() || read > MAX_HEAD {
            break;
        }
    }
    let mut words = line.split_whitespace();
    let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let path = path.split('?').next().unwrap_or("");
    let (status, content_type, body) = match (method, path) {
        ("GET", "/metrics") => {
            let gauges = match db_gauges(data).await {
                Ok(g) => Some(g),
                Err(e) => {
                    tracing::warn!(error = %e, "metrics: cannot read the database gauges");
                    None
                }
            };
            (
                "200 OK",
                "text/plain; version=0.0.4; charset=utf-8",
                data.metrics.render(gauges),
            )
        }
        ("GET", "/healthz") => {
            let db_ok = db_gauges(data).await.is_ok();
            if db_ok && data.metrics.gateway_connected() {
                ("200 OK", "text/plain; charset=utf-8", "ok\n".to_owned())
            } else if db_ok {
                (
                    "503 Service Unavailable",
                    "text/plain; charset=utf-8",
                    "gateway disconnected\n".to_owned(),
                )
            } else {
                (
                    "503 Service Unavailable",
                    "text/plain; charset=utf-8",
                    "database unavailable\n".to_owned(),
                )
            }
        }
        _ => (
            "404 Not Found",
            "text/plain; charset=utf-8",
            "not found\n".to_owned(),
        ),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = reader.into_inner();
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histogram_and_gauges() {
        let m = Metrics::default();
        m.delivered(Direction::UserToStaff, Duration::from_millis(3));
        m.delivered(Direction::UserToStaff, Duration::from_secs(60));
        m.undelivered(Direction::StaffToUser, true);
        m.undelivered(Direction::StaffToUser, false);
        m.set_gateway_connected(true);
        m.discord_error(&RelayError::Permanent {
            code: Some(50007),
            message: "no".into(),
        });
        m.discord_error(&RelayError::Permanent {
            code: Some(12345),
            message: "no".into(),
        });
        m.discord_error(&RelayError::Transient("HTTP 502 (code 0): bad".into()));
        let text = m.render(Some(DbGauges {
            open_tickets: 2,
            pending_relays: 1,
            job_lag_seconds: 0.0,
        }));
        for line in [
            "rustmail_relays_total{direction=\"user_to_staff\",outcome=\"delivered\"} 2",
            "rustmail_relays_total{direction=\"staff_to_user\",outcome=\"retry\"} 1",
            "rustmail_relays_total{direction=\"staff_to_user\",outcome=\"failed\"} 1",
            "rustmail_relays_total{direction=\"staff_to_user\",outcome=\"delivered\"} 0",
            "rustmail_relay_seconds_bucket{le=\"0.001\"} 0",
            "rustmail_relay_seconds_bucket{le=\"0.005\"} 1",
            "rustmail_relay_seconds_bucket{le=\"30\"} 1",
            "rustmail_relay_seconds_bucket{le=\"+Inf\"} 2",
            "rustmail_relay_seconds_sum 60.003",
            "rustmail_relay_seconds_count 2",
            "rustmail_discord_errors_total{code=\"50007\"} 1",
            "rustmail_discord_errors_total{code=\"other\"} 1",
            "rustmail_discord_errors_total{code=\"5xx\"} 1",
            "rustmail_gateway_connected 1",
            "rustmail_open_tickets 2",
            "rustmail_pending_relays 1",
            "rustmail_job_lag_seconds 0",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing `{line}` in:\n{text}"
            );
        }
        assert!(text.contains("# TYPE rustmail_relay_seconds histogram"));
    }

    #[tokio::test]
    async fn a_busy_address_is_an_error_naming_metrics_address() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = taken.local_addr().expect("addr");
        let err = bind(addr).await.expect_err("the port is taken");
        assert!(err.to_string().contains("metrics.address"), "{err}");
    }

    #[test]
    fn without_the_database_the_db_gauges_are_left_out() {
        let text = Metrics::default().render(None);
        assert!(text.contains("rustmail_gateway_connected 0"));
        assert!(!text.contains("rustmail_open_tickets"));
        // Every sample line is `name{labels} value` or `name value`.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let value = line.rsplit(' ').next().unwrap_or("");
            assert!(value.parse::<f64>().is_ok(), "bad sample: {line}");
        }
    }
}
