//! Handling each gateway event once when several bot processes share the database and token:
//! every process receives the same events (two instances by mistake, or one redundant), so
//! anything with an effect on Discord that is not already keyed in the database (a command, a
//! button click, a channel created by staff, a member leaving) is claimed first, by key, in
//! `rustmail_db::instances`; only the process that wins the claim acts.

use std::time::Duration;

use rustmail_db::instances;

use crate::state::State;

/// The claim key of a command invocation (its message's or interaction's id).
pub fn command_key(invocation: u64) -> String {
    format!("cmd:{invocation}")
}

/// Claims `key` for this process, once. `true`: handle the event. A database failure also says
/// `true`: the handler will meet the same failure and report it, and an event handled twice is
/// better than one silently dropped.
pub async fn once(state: &State, key: String) -> bool {
    // Batched with the other hot-path writes (every command claims its invocation), and taken
    // set-wise with the batch's other claims.
    match state.db.claim_once(key, state.worker_id.clone()).await {
        Ok(won) => won,
        Err(e) => {
            tracing::warn!(error = %e, "cannot claim an event; handling it anyway");
            true
        }
    }
}

/// Claims `key` for this process, or finds it this process's already: `true` → go ahead. For
/// the error paths of the commands that claim in their record's write
/// ([`crate::commands::claims_in_record`]): whether that write ran before the error is not known
/// there. A database failure also says `true` (as [`once`]).
pub async fn hold(state: &State, key: String) -> bool {
    let worker = state.worker_id.clone();
    match state
        .write(move |c| instances::claim_or_own(c, &key, &worker))
        .await
    {
        Ok(held) => held,
        Err(e) => {
            tracing::warn!(error = %e, "cannot claim an event; handling it anyway");
            true
        }
    }
}

/// Claims `key` for this process for `lease` (renewing its own claim). `true`: go ahead.
pub async fn lease(
    state: &State,
    key: String,
    lease: Duration,
) -> Result<bool, rustmail_db::DomainError> {
    let worker = state.worker_id.clone();
    // Through the writer like every hot-path write: on SQLite a write on a pooled connection
    // competes with the writer thread for the one write lock and sleeps in SQLite's busy
    // handler (each new ticket takes and gives up a lease while its channel is created).
    state
        .write(move |c| instances::claim_lease(c, &key, &worker, lease))
        .await
}

/// Gives up this process's lease on `key`.
pub async fn release(state: &State, key: String) {
    let worker = state.worker_id.clone();
    if let Err(e) = state
        .write(move |c| instances::release_claim(c, &key, &worker))
        .await
    {
        tracing::debug!(error = %e, "cannot release a claim; it will expire");
    }
}
