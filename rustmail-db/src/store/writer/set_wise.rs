//! The writer's typed writes and the set-wise path that takes them (see [`super`]).

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use super::{task_error, typed, Answer, Job, Typed};
use crate::connection::DbConnection;
use crate::error::DomainError;
use crate::instances;
use crate::intake::{self, IncomingDm, Intake};
use crate::messages::relay::{self, Copies};
use crate::messages::replies::{self, ClaimedReply, ReplyRecorded};
use crate::tickets::channels::{self, ChannelClaim};
use crate::tickets::Ticket;

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

/// The recording of a staff reply ([`replies::record_claimed`] alone).
pub(super) fn reply(reply: Arc<ClaimedReply>) -> (Job, Answer<ReplyRecorded>) {
    typed(reply, |conn, reply| replies::record_claimed(conn, reply))
}

type ReplyWrite = Typed<Arc<ClaimedReply>, ReplyRecorded>;

/// The recording of a new ticket's channel ([`channels::record_channel`] alone).
pub(super) fn channel(claim: ChannelClaim) -> (Job, Answer<Ticket>) {
    typed(claim, channels::record_channel)
}

type ChannelWrite = Typed<ChannelClaim, Ticket>;
type IntakeWrite = Typed<Arc<IncomingDm>, Intake>;
type CopiesWrite = Typed<Copies, ()>;
type ClaimWrite = Typed<Claim, bool>;

/// Takes the batch's typed writes set-wise, inside its transaction, where there are at least two
/// of a kind (and every DM intake): which writes are done (their outcome kept). The others run
/// alone afterwards, except relays' copies, which all come first (see [`super`]). An error (or a
/// panic) means the batch must be rolled back and every write run alone.
pub(super) fn run(conn: &mut DbConnection, batch: &mut [Job]) -> Result<Vec<bool>, DomainError> {
    std::panic::catch_unwind(AssertUnwindSafe(|| take(conn, batch)))
        .unwrap_or_else(|_| Err(task_error("a set-wise write panicked".to_owned())))
}

fn take(conn: &mut DbConnection, batch: &mut [Job]) -> Result<Vec<bool>, DomainError> {
    let mut done = vec![false; batch.len()];
    let mut intakes: Vec<(usize, Arc<IncomingDm>)> = Vec::new();
    let mut singles = Vec::new();
    let mut claims: Vec<(usize, String, String)> = Vec::new();
    let mut replies_at = Vec::new();
    let mut channels_at = Vec::new();
    let mut copies_at = Vec::new();
    for (i, job) in batch.iter_mut().enumerate() {
        let job = job.as_any();
        if job.is::<ReplyWrite>() {
            replies_at.push(i);
        } else if job.is::<ChannelWrite>() {
            channels_at.push(i);
        } else if let Some(write) = job.downcast_mut::<IntakeWrite>() {
            intakes.push((i, Arc::clone(&write.input)));
        } else if let Some(write) = job.downcast_mut::<ClaimWrite>() {
            claims.push((i, write.input.key.clone(), write.input.worker.clone()));
        } else if let Some(write) = job.downcast_mut::<CopiesWrite>() {
            match write.input.single() {
                Some(single) => singles.push((i, single)),
                None => copies_at.push(i),
            }
        }
    }
    // Relays settled first: a user's next DM is queued after their previous DM's settle, and
    // must find it settled (an unsettled one is a backlog its DM would wait behind).
    if singles.len() >= 2 {
        let copies: Vec<_> = singles.iter().map(|(_, single)| *single).collect();
        relay::settle_many(conn, &copies)?;
        for (i, _) in &singles {
            if let Some(write) = batch[*i].as_any().downcast_mut::<CopiesWrite>() {
                write.outcome = Some(Ok(()));
                done[*i] = true;
            }
        }
    } else {
        copies_at.extend(singles.iter().map(|(i, _)| *i));
    }
    for i in copies_at {
        if !batch[i].run(conn) {
            return Err(task_error(
                "a relay's copies could not be recorded".to_owned(),
            ));
        }
        done[i] = true;
    }
    // Even one intake: a new user's set-wise is eight statements, alone it is twenty (with
    // savepoints); an ordinary DM costs the same either way.
    if !intakes.is_empty() {
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
    if replies_at.len() >= 2 {
        take_replies(batch, &replies_at, conn, &mut done)?;
    }
    if channels_at.len() >= 2 {
        take_channels(batch, &channels_at, conn, &mut done)?;
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

/// Takes the batch's staff replies (at `at`) set-wise ([`replies::record_many`]).
fn take_replies(
    batch: &mut [Job],
    at: &[usize],
    conn: &mut DbConnection,
    done: &mut [bool],
) -> Result<(), DomainError> {
    let mut inputs: Vec<Arc<ClaimedReply>> = Vec::new();
    for i in at {
        if let Some(write) = batch[*i].as_any().downcast_mut::<ReplyWrite>() {
            inputs.push(Arc::clone(&write.input));
        }
    }
    let refs: Vec<&ClaimedReply> = inputs.iter().map(|r| &**r).collect();
    let outcomes = replies::record_many(conn, &refs)?;
    for (i, outcome) in at.iter().zip(outcomes) {
        let (Some(outcome), Some(write)) =
            (outcome, batch[*i].as_any().downcast_mut::<ReplyWrite>())
        else {
            continue;
        };
        write.outcome = Some(Ok(outcome));
        done[*i] = true;
    }
    Ok(())
}

/// Records the batch's new tickets' channels (at `at`) set-wise ([`channels::record_many`]).
fn take_channels(
    batch: &mut [Job],
    at: &[usize],
    conn: &mut DbConnection,
    done: &mut [bool],
) -> Result<(), DomainError> {
    let mut inputs: Vec<ChannelClaim> = Vec::new();
    for i in at {
        if let Some(write) = batch[*i].as_any().downcast_mut::<ChannelWrite>() {
            inputs.push(write.input.clone());
        }
    }
    let refs: Vec<&ChannelClaim> = inputs.iter().collect();
    let outcomes = channels::record_many(conn, &refs)?;
    for (i, outcome) in at.iter().zip(outcomes) {
        let (Some(ticket), Some(write)) =
            (outcome, batch[*i].as_any().downcast_mut::<ChannelWrite>())
        else {
            continue;
        };
        write.outcome = Some(Ok(ticket));
        done[*i] = true;
    }
    Ok(())
}
