//! Operator requests: the CLI's and TUI's typed way to queue [`actions`](crate::actions) with the
//! payload the bot expects, so both front ends ask for the same thing in the same shape.
//!
//! Payloads: `close` `{"silent": bool}`; `move` `{"category_id": n | null}` (null = the default
//! inbox); `force_close` `{"reason": "..."}`; `recover` `{"reason": "..."}`; `cancel_close` `{}`.
//! Whether a ticket's user left or its channel vanished is only visible on Discord: for orphans
//! the operator side queues force-closes of open tickets that never got a channel plus one
//! `recover` action, and the bot decides about the rest.

use serde::Serialize;
use serde_json::json;

use crate::actions::{self, Action, ActionKind, NewAction};
use crate::connection::{write_tx, DbConnection};
use crate::error::DomainResult;
use crate::ids::{CategoryId, TicketId};

/// Reason recorded with force-closes of tickets that never got a channel.
pub const ORPHAN_REASON: &str = "orphaned: no ticket channel";
/// Reason recorded with the recovery pass asked for by `--orphans`.
pub const RECOVER_ORPHANS_REASON: &str =
    "orphans: close tickets whose user left or whose channel vanished";

/// Close the ticket, telling the user unless `silent`.
pub fn close(ticket: TicketId, silent: bool, requested_by: &str) -> NewAction {
    new(
        ActionKind::Close,
        Some(ticket),
        json!({ "silent": silent }),
        requested_by,
    )
}

/// Close the ticket without contacting the user.
pub fn force_close(ticket: TicketId, reason: &str, requested_by: &str) -> NewAction {
    new(
        ActionKind::ForceClose,
        Some(ticket),
        json!({ "reason": reason }),
        requested_by,
    )
}

/// Cancel the ticket's scheduled close.
pub fn cancel_close(ticket: TicketId, requested_by: &str) -> NewAction {
    new(
        ActionKind::CancelClose,
        Some(ticket),
        json!({}),
        requested_by,
    )
}

/// Move the ticket to a category (`None` = the default inbox).
pub fn move_to(ticket: TicketId, category: Option<CategoryId>, requested_by: &str) -> NewAction {
    new(
        ActionKind::Move,
        Some(ticket),
        json!({ "category_id": category.map(|c| c.0) }),
        requested_by,
    )
}

/// Run the bot's recovery pass now.
pub fn recover(reason: &str, requested_by: &str) -> NewAction {
    new(
        ActionKind::Recover,
        None,
        json!({ "reason": reason }),
        requested_by,
    )
}

fn new(
    kind: ActionKind,
    ticket: Option<TicketId>,
    payload: serde_json::Value,
    by: &str,
) -> NewAction {
    NewAction {
        kind,
        ticket_id: ticket,
        payload,
        requested_by: by.to_owned(),
    }
}

/// What [`queue_orphans`] queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrphanActions {
    /// One force-close per open ticket without a channel.
    pub force_closes: Vec<Action>,
    /// The recovery pass that lets the bot find vanished channels and departed users.
    pub recover: Action,
}

/// Queues, in one transaction, a force-close for every open ticket that has no channel recorded
/// and one `recover` action for the orphans only Discord can reveal.
pub fn queue_orphans(conn: &mut DbConnection, requested_by: &str) -> DomainResult<OrphanActions> {
    write_tx(conn, |conn| {
        let mut force_closes = Vec::new();
        for ticket in crate::tickets::list::open_without_channel(conn)? {
            force_closes.push(actions::enqueue(
                conn,
                &force_close(ticket, ORPHAN_REASON, requested_by),
            )?);
        }
        let recover = actions::enqueue(conn, &recover(RECOVER_ORPHANS_REASON, requested_by))?;
        Ok(OrphanActions {
            force_closes,
            recover,
        })
    })
}
