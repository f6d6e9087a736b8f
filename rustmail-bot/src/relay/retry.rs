//! Re-driving relays still pending: those whose retry time has come, and those a crash left
//! behind. A user's DMs go back through that user's ordered queue (so order is kept); staff
//! replies are re-driven here, one at a time, each after its ticket's earlier pending replies.

use std::collections::HashSet;
use std::time::Duration;

use rustmail_db::ids::{MessageRecordId, TicketId};
use rustmail_db::messages::relay;
use rustmail_db::messages::{self, Direction, MessageRecord, RelayState};
use rustmail_db::tickets;
use serenity::all::UserId;

use crate::relay::reply::ReplyOutcome;
use crate::state::{Data, State};

/// How often the retry loop looks for due relays.
const TICK: Duration = Duration::from_secs(1);
/// Relays younger than this that were never tried belong to the live pipeline.
pub const FRESH_GRACE: Duration = Duration::from_secs(15);
/// Relays looked at per tick.
const BATCH: i64 = 200;

/// The retry loop; ends when the bot stops.
pub async fn run(data: Data) {
    data.wait_ready().await;
    while data.sleep(TICK).await {
        if let Err(e) = tick(&data, FRESH_GRACE).await {
            tracing::warn!(error = %e, "relay retry pass failed");
        }
    }
}

/// One pass: dispatches every due relay older than `grace`; returns how many.
pub async fn tick(data: &Data, grace: Duration) -> Result<usize, rustmail_db::DomainError> {
    let due = data
        .db
        .run(move |c| relay::due_for_retry(c, BATCH, grace))
        .await?;
    let n = due.len();
    // A ticket whose reply could not go out this pass: its later replies wait (in order).
    let mut held: HashSet<TicketId> = HashSet::new();
    for record in due {
        match record.direction {
            Direction::UserToStaff => {
                let user = UserId::new(record.author_id.get());
                data.inbound.push_redrive(data, user, record.id);
            }
            Direction::StaffToUser => {
                let ticket = record.ticket_id;
                if !held.contains(&ticket) && redrive_reply(data, record).await.is_none() {
                    held.insert(ticket);
                }
            }
            Direction::Internal | Direction::System => {}
        }
    }
    Ok(n)
}

async fn load(
    state: &State,
    id: MessageRecordId,
) -> Result<Option<(MessageRecord, tickets::Ticket)>, rustmail_db::DomainError> {
    state
        .db
        .run(move |c| {
            let record = messages::get(c, id)?;
            if record.relay_state != RelayState::Pending {
                return Ok(None);
            }
            let ticket = tickets::get(c, record.ticket_id)?;
            if !ticket.is_open() {
                relay::mark_failed(
                    c,
                    id,
                    "the ticket was closed before this message was delivered",
                )?;
                return Ok(None);
            }
            Ok(Some((record, ticket)))
        })
        .await
}

/// Re-drives a user's DM (called from the user's queue), after the ticket's earlier DMs still
/// pending: a DM never reaches the channel before one sent earlier.
pub async fn redrive_inbound(state: &State, id: MessageRecordId) {
    match load(state, id).await {
        Ok(Some((record, ticket))) => {
            let ticket_id = ticket.id;
            let earlier = state
                .db
                .run(move |c| relay::pending_for_ticket(c, ticket_id))
                .await;
            let earlier: Vec<MessageRecord> = match earlier {
                Ok(pending) => pending
                    .into_iter()
                    .filter(|m| m.id < record.id && m.direction == Direction::UserToStaff)
                    .collect(),
                Err(e) => {
                    tracing::warn!(record = id.0, error = %e, "cannot list earlier relays");
                    return;
                }
            };
            if !drive_backlog(state, &ticket, &earlier).await {
                hold_behind(state, record.id).await;
                return;
            }
            crate::relay::inbox::deliver_and_settle(state, &ticket, &record, None).await;
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(record = id.0, error = %e, "cannot load a relay to re-drive"),
    }
}

async fn redrive_reply(state: &State, record: MessageRecord) -> Option<ReplyOutcome> {
    let id = record.id;
    match load(state, id).await {
        Ok(Some((record, ticket))) => {
            crate::relay::reply::redrive_in_order(state, &ticket, &record).await
        }
        Ok(None) => Some(ReplyOutcome::Delivered),
        Err(e) => {
            tracing::warn!(record = id.0, error = %e, "cannot load a reply to re-drive");
            None
        }
    }
}

/// Drives a user's DM records left pending, oldest first (before a new one, to keep order),
/// stopping at the first that is not delivered now. `true` when every one was delivered: only
/// then may a later DM go out.
pub async fn drive_backlog(
    state: &State,
    ticket: &tickets::Ticket,
    backlog: &[MessageRecord],
) -> bool {
    for record in backlog {
        if !crate::relay::inbox::deliver_and_settle(state, ticket, record, None).await {
            return false;
        }
    }
    true
}

/// How long a DM held behind an earlier one waits before the retry loop looks at it again.
const HOLD: Duration = Duration::from_secs(1);

/// Leaves the DM `id` pending behind an earlier DM of its ticket that could not be delivered:
/// the retry loop re-drives it later (after that one, see [`redrive_inbound`]), without counting
/// an attempt.
pub async fn hold_behind(state: &State, id: MessageRecordId) {
    let at = rustmail_db::time::after(HOLD);
    if let Err(e) = state
        .write(move |c| relay::wait_behind(c, id, crate::strings::WAITING_FOR_EARLIER_DM, at))
        .await
    {
        tracing::warn!(record = id.0, error = %e, "cannot hold a relay behind an earlier one");
    }
}

/// Re-drives every pending relay now, whatever its age (recovery at start-up); returns how many
/// were dispatched.
pub async fn redrive_all(data: &Data) -> usize {
    let mut total = 0;
    match tick(data, Duration::ZERO).await {
        Ok(n) => total += n,
        Err(e) => tracing::warn!(error = %e, "cannot list pending relays"),
    }
    total
}
