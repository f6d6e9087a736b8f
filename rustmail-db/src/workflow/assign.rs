//! `/take` and `/release` with their rules: taking a ticket someone else has is refused (the
//! error names them) unless an admin forces it; only the assignee or an admin may release.

use crate::connection::{write_tx, DbConnection};
use crate::error::{DomainError, DomainResult};
use crate::ids::{TicketId, UserId};
use crate::tickets::{self, Ticket};

/// The result of [`take`].
#[derive(Debug, Clone)]
pub struct Taken {
    pub ticket: Ticket,
    /// Who had it before, when an admin took it over.
    pub previous: Option<UserId>,
    /// The invoker already had it (nothing changed).
    pub unchanged: bool,
}

/// Assigns the ticket to `staff`. `force` takes it over from someone else and needs `is_admin`.
pub fn take(
    conn: &mut DbConnection,
    id: TicketId,
    staff: UserId,
    is_admin: bool,
    force: bool,
) -> DomainResult<Taken> {
    write_tx(conn, |conn| {
        let before = tickets::get(conn, id)?;
        if !before.is_open() {
            return Err(DomainError::NotOpen(id));
        }
        let previous = before.assigned_to.filter(|p| *p != staff);
        if previous.is_some() && force && !is_admin {
            return Err(DomainError::Forbidden(
                "only admins may take over a ticket someone else has taken".into(),
            ));
        }
        let ticket = tickets::assign(conn, id, staff, force)?;
        Ok(Taken {
            ticket,
            previous,
            unchanged: before.assigned_to == Some(staff),
        })
    })
}

/// Clears the assignment: the assignee or an admin only.
pub fn release(
    conn: &mut DbConnection,
    id: TicketId,
    by: UserId,
    is_admin: bool,
) -> DomainResult<Ticket> {
    write_tx(conn, |conn| {
        let ticket = tickets::get(conn, id)?;
        if let Some(current) = ticket.assigned_to {
            if current != by && !is_admin {
                return Err(DomainError::Forbidden(format!(
                    "ticket #{id} is taken by <@{current}>; only they or an admin may release it"
                )));
            }
        }
        tickets::release(conn, id, by)
    })
}
