//! Issue #7: several bot processes on one database. Two instances with the same token (an
//! operator mistake: both receive every event) and two shard processes (scale-out: DMs and the
//! community guild on shard 0, the staff guild on shard 1) must each relay every DM, reply,
//! edit and deletion once, open one channel per ticket, and run each scheduled close, reminder
//! and operator action once. On Postgres (required in CI) and SQLite.

mod multi_instance {
    pub mod gateway;
    pub mod scenario;
}

use multi_instance::scenario::{self, Setup};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_same_token_postgres() {
    scenario::run(Setup::SameToken, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_same_token_sqlite() {
    scenario::run(Setup::SameToken, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_shard_processes_postgres() {
    scenario::run(Setup::Sharded, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_shard_processes_sqlite() {
    scenario::run(Setup::Sharded, false).await;
}

// Both instances handle the same edit/deletion: `messages::record_edit`/`record_delete` are
// conditional updates that tell which call changed the row, and only that one posts the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_mirror_edits_and_deletions_once_postgres() {
    scenario::edits_and_deletions(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_mirror_edits_and_deletions_once_sqlite() {
    scenario::edits_and_deletions(false).await;
}
