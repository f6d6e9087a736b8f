//! The writer's typed writes and the set-wise path that takes them (see [`super`]).

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use super::{task_error, typed, Answer, Job, Typed};
use crate::connection::DbConnection;
use crate::error::DomainError;
use crate::instances;
use crate::intake::{self, IncomingDm, Intake};
use crate::messages::relay::{self, Copies};

/// The intake of a user's DM ([`intake::intake_dm_within`] alone).
pub(super) fn intake(dm: Arc<IncomingDm>) -> (Job, Answer<Intake>) {
    typed(dm, |conn, dm| intake::intake_dm_within(conn, dm))
}

/// A claim of an event for a worker ([`instances::claim_once`] alone).
pub(super) fn claim(key: String, worker: String) -> (Job, Answer<bool>) {
    typed(Claim { key, worker }, |conn, claim| {
        instances::claim_once(conn, &claim.key, &claim.worker)
    })
}

/// What [`claim`] claims.
pub(super) struct Claim {
    key: String,
    worker: String,
}

/// The recording of a relay's copies ([`Copies::record`] alone).
pub(super) fn copies(copies: Copies) -> (Job, Answer<()>) {
    typed(copies, |conn, copies| copies.record(conn))
}

type IntakeWrite = Typed<Arc<IncomingDm>, Intake>;
type CopiesWrite = Typed<Copies, ()>;
type ClaimWrite = Typed<Claim, bool>;

/// Takes the batch's typed writes set-wise, inside its transaction, where there are at least two
/// of a kind: which writes are done (their outcome kept). The others run alone afterwards. An
/// error (or a panic) means the batch must be rolled back and every write run alone.
pub(super) fn run(conn: &mut DbConnection, batch: &mut [Job]) -> Result<Vec<bool>, DomainError> {
    std::panic::catch_unwind(AssertUnwindSafe(|| take(conn, batch)))
        .unwrap_or_else(|_| Err(task_error("a set-wise write panicked".to_owned())))
}

fn take(conn: &mut DbConnection, batch: &mut [Job]) -> Result<Vec<bool>, DomainError> {
    let mut done = vec![false; batch.len()];
    let mut intakes: Vec<(usize, Arc<IncomingDm>)> = Vec::new();
    let mut singles = Vec::new();
    let mut claims: Vec<(usize, String, String)> = Vec::new();
    for (i, job) in batch.iter_mut().enumerate() {
        let job = job.as_any();
        if let Some(write) = job.downcast_mut::<IntakeWrite>() {
            intakes.push((i, Arc::clone(&write.input)));
        } else if let Some(write) = job.downcast_mut::<ClaimWrite>() {
            claims.push((i, write.input.key.clone(), write.input.worker.clone()));
        } else if let Some(single) = job
            .downcast_mut::<CopiesWrite>()
            .and_then(|write| write.input.single())
        {
            singles.push((i, single));
        }
    }
    if intakes.len() >= 2 {
        let dms: Vec<&IncomingDm> = intakes.iter().map(|(_, dm)| &**dm).collect();
        let outcomes = intake::set_wise::intake_many(conn, &dms)?;
        for ((i, _), outcome) in intakes.iter().zip(outcomes) {
            let (Some(outcome), Some(write)) =
                (outcome, batch[*i].as_any().downcast_mut::<IntakeWrite>())
            else {
                continue;
            };
            write.outcome = Some(Ok(outcome));
            done[*i] = true;
        }
    }
    if singles.len() >= 2 {
        let copies: Vec<_> = singles.iter().map(|(_, single)| *single).collect();
        relay::settle_many(conn, &copies)?;
        for (i, _) in &singles {
            if let Some(write) = batch[*i].as_any().downcast_mut::<CopiesWrite>() {
                write.outcome = Some(Ok(()));
                done[*i] = true;
            }
        }
    }
    // One statement per worker (a process claims for one worker: one statement).
    let mut workers: Vec<&str> = claims.iter().map(|(_, _, w)| w.as_str()).collect();
    workers.sort_unstable();
    workers.dedup();
    for worker in workers {
        let mine: Vec<&(usize, String, String)> =
            claims.iter().filter(|(_, _, w)| w == worker).collect();
        if mine.len() < 2 {
            continue;
        }
        let keys: Vec<&str> = mine.iter().map(|(_, key, _)| key.as_str()).collect();
        let won = instances::claim_many_once(conn, &keys, worker)?;
        for ((i, _, _), won) in mine.into_iter().zip(won) {
            if let Some(write) = batch[*i].as_any().downcast_mut::<ClaimWrite>() {
                write.outcome = Some(Ok(won));
                done[*i] = true;
            }
        }
    }
    Ok(done)
}
