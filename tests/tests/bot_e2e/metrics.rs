//! The Prometheus endpoint on `metrics.address`: relay counters move as a user writes in and
//! staff reply, the open-ticket gauge is read from the database, and `/healthz` answers.

use std::time::Duration;

use rustmail_tests::harness::Harness;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A free local port (bound, read, released).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// `GET path` over a raw connection; returns (status code, body).
async fn get(port: u16, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect to the metrics server");
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = String::new();
    tokio::time::timeout(
        Duration::from_secs(10),
        stream.read_to_string(&mut response),
    )
    .await
    .expect("answered in time")
    .expect("read");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The value of the sample line starting with `series ` (exact series, labels included).
fn sample(body: &str, series: &str) -> Option<f64> {
    body.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_relays_both_ways_and_healthz_answers() {
    let port = free_port();
    let h = Harness::builder()
        .configure(move |c| c.metrics.address = Some(format!("127.0.0.1:{port}")))
        .start()
        .await;
    let alice = h.sim.user("alice");
    alice.dm("hello metrics").await;
    let channel = h.ticket_channel(alice.id()).await;
    h.wait_bot_message(channel, "hello metrics").await;
    let bob = h.sim.staff("bob");
    bob.say(channel, "!reply metrics reply").await;
    h.wait_bot_dm(alice.id(), "metrics reply").await;

    // The counters move when the relay is recorded, just after the post: poll briefly.
    let mut body = String::new();
    for _ in 0..100 {
        let (status, text) = get(port, "/metrics").await;
        assert_eq!(status, 200, "{text}");
        body = text;
        let delivered = |d: &str| {
            sample(
                &body,
                &format!("rustmail_relays_total{{direction=\"{d}\",outcome=\"delivered\"}}"),
            )
            .unwrap_or(0.0)
        };
        if delivered("user_to_staff") >= 1.0 && delivered("staff_to_user") >= 1.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let series =
        |d: &str| format!("rustmail_relays_total{{direction=\"{d}\",outcome=\"delivered\"}}");
    assert!(
        sample(&body, &series("user_to_staff")).unwrap_or(0.0) >= 1.0,
        "{body}"
    );
    assert!(
        sample(&body, &series("staff_to_user")).unwrap_or(0.0) >= 1.0,
        "{body}"
    );
    assert_eq!(sample(&body, "rustmail_open_tickets"), Some(1.0), "{body}");
    assert_eq!(
        sample(&body, "rustmail_gateway_connected"),
        Some(1.0),
        "{body}"
    );
    assert!(
        sample(&body, "rustmail_relay_seconds_count").unwrap_or(0.0) >= 2.0,
        "{body}"
    );
    assert!(sample(&body, "rustmail_pending_relays").is_some(), "{body}");
    assert!(
        sample(&body, "rustmail_job_lag_seconds").is_some(),
        "{body}"
    );

    let (status, text) = get(port, "/healthz").await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(text.trim(), "ok");
    let (status, _) = get(port, "/nope").await;
    assert_eq!(status, 404);

    h.assert_clean();
    h.shutdown().await;
    // The server stops with the bot.
    let mut refused = false;
    for _ in 0..50 {
        if TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(refused, "the metrics server still listens after shutdown");
}
