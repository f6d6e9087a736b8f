//! Start-up against a Discord that fails now and then (issue #7): a 500 on the slash-command
//! registration is retried, so the bot still ends up with every command registered.

use std::collections::BTreeSet;

use rustmail_tests::harness::{text_of, Harness, WAIT};
use rustmail_tests::sim::Fault;

/// The route the bot registers its commands on (the staff guild's commands, overwritten whole).
const COMMANDS_ROUTE: &str = "/applications/{application_id}/guilds/{guild_id}/commands";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_commands_are_registered_after_a_500_on_the_first_attempt() {
    let h = Harness::builder()
        .sim(|c| {
            c.faults_at_start = vec![(Some(format!("PUT {COMMANDS_ROUTE}")), Fault::ServerError)];
        })
        .start()
        .await;
    // `start` waited for the commands; the first PUT got the 500, a later one registered them.
    let puts: Vec<u16> = h
        .sim
        .requests()
        .iter()
        .filter(|r| r.method == "PUT" && r.route == Some(COMMANDS_ROUTE))
        .map(|r| r.status)
        .collect();
    assert_eq!(puts.first(), Some(&500), "PUT statuses: {puts:?}");
    assert!(
        puts.len() >= 2 && puts[1..].iter().all(|s| (200..300).contains(s)),
        "PUT statuses: {puts:?}"
    );
    let expected: BTreeSet<String> = rustmail_bot::commands::all()
        .iter()
        .map(|c| c.name.to_string())
        .collect();
    let registered: BTreeSet<String> = h.sim.world(|w| {
        w.registered_commands()
            .iter()
            .map(|c| c.name.clone())
            .collect()
    });
    assert_eq!(registered, expected);
    // And they work: a staff member's slash command gets its answer.
    let bob = h.sim.staff("bob");
    let general = h.sim.ids().general_channel_id;
    let help = bob.slash(general, "help", &[]).await;
    help.wait_content(WAIT).await.expect("an answer to /help");
    let text = help.original().map(|m| text_of(&m)).unwrap_or_default();
    assert!(text.contains("reply"), "{text}");
    h.assert_clean();
    h.shutdown().await;
}
