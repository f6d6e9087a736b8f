//! The operator's CLI acting while the bot runs: `rustmail tickets force-close ID --wait` queues
//! an operator action in the database, the running bot (against the simulator) executes it, the
//! ticket channel disappears, and the CLI prints the bot's result. The CLI runs in-process through
//! its library (the same code path as the `rustmail` binary's `main`).

use clap::Parser;
use rustmail_cli::args::Cli;
use rustmail_db::tickets::{self, CloseKind};
use rustmail_tests::harness::Harness;

fn rustmail(args: &[&str]) -> Result<String, String> {
    let cli = Cli::try_parse_from(std::iter::once("rustmail").chain(args.iter().copied()))
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    rustmail_cli::commands::run(cli, &mut out).map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_force_closes_a_ticket_while_the_bot_runs() {
    let h = Harness::builder().start().await;
    let alice = h.sim.user("alice");
    alice.dm("my ticket").await;
    let channel = h.ticket_channel(alice.id()).await;
    h.wait_bot_message(channel, "my ticket").await;
    let ticket = h.open_ticket(alice.id()).expect("open ticket");
    let dms_before = h.bot_dms(alice.id()).len();

    let url = h.db.url.clone();
    let id = ticket.id.to_string();
    let printed = tokio::task::spawn_blocking(move || {
        rustmail(&[
            "--database-url",
            &url,
            "tickets",
            "force-close",
            &id,
            "--wait",
            "--timeout",
            "30",
        ])
    })
    .await
    .expect("cli task")
    .expect("the CLI succeeds");
    assert!(printed.to_lowercase().contains("online"), "{printed}");

    h.wait("the ticket channel is gone", |w| {
        w.channel(channel).is_none()
    })
    .await;
    let closed = h.query(|c| tickets::get(c, ticket.id));
    assert!(!closed.is_open());
    assert_eq!(closed.close_kind, Some(CloseKind::Force));
    assert_eq!(
        h.bot_dms(alice.id()).len(),
        dms_before,
        "a force-close does not contact the user"
    );

    // Asking again is refused with one clear line, and changes nothing.
    let url = h.db.url.clone();
    let id = ticket.id.to_string();
    let err = tokio::task::spawn_blocking(move || {
        rustmail(&["--database-url", &url, "tickets", "force-close", &id])
    })
    .await
    .expect("cli task")
    .expect_err("already closed");
    assert!(err.contains("not open"), "{err}");
    h.assert_clean();
    h.shutdown().await;
}
