//! Per-ticket staff access (`/add_staff`, `/remove_staff`) and alerts (`/alert`: ping me on the
//! user's next message, once).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::connection::{write_tx, DbConnection};
use crate::error::{is_unique_violation, DomainError, DomainResult};
use crate::events::{self, EventKind};
use crate::ids::{TicketId, UserId};
use crate::schema::{alerts, reminders, ticket_staff_access};
use crate::time::now;

fn require_open(conn: &mut DbConnection, ticket: TicketId) -> DomainResult<()> {
    if crate::tickets::get(conn, ticket)?.is_open() {
        Ok(())
    } else {
        Err(DomainError::NotOpen(ticket))
    }
}

/// Gives `staff` access to the ticket channel. Adding someone who already has access is a
/// conflict, so the command can say so.
pub fn add_staff(
    conn: &mut DbConnection,
    ticket: TicketId,
    staff: UserId,
    by: UserId,
) -> DomainResult<()> {
    write_tx(conn, |conn| {
        require_open(conn, ticket)?;
        diesel::insert_into(ticket_staff_access::table)
            .values((
                ticket_staff_access::ticket_id.eq(ticket.0),
                ticket_staff_access::staff_id.eq(staff.to_db()),
                ticket_staff_access::added_by.eq(by.to_db()),
                ticket_staff_access::added_at.eq(now()),
            ))
            .execute(conn)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    DomainError::Conflict(format!("<@{staff}> already has access to this ticket"))
                } else {
                    e.into()
                }
            })?;
        events::add(
            conn,
            ticket,
            EventKind::StaffAdded,
            Some(by),
            &staff.to_string(),
        )
    })
}

/// Revokes access given with [`add_staff`].
pub fn remove_staff(
    conn: &mut DbConnection,
    ticket: TicketId,
    staff: UserId,
    by: UserId,
) -> DomainResult<()> {
    write_tx(conn, |conn| {
        let updated = diesel::update(
            ticket_staff_access::table
                .filter(ticket_staff_access::ticket_id.eq(ticket.0))
                .filter(ticket_staff_access::staff_id.eq(staff.to_db()))
                .filter(ticket_staff_access::removed_at.is_null()),
        )
        .set((
            ticket_staff_access::removed_at.eq(Some(now())),
            ticket_staff_access::removed_by.eq(Some(by.to_db())),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Err(DomainError::InvalidTransition(format!(
                "<@{staff}> was not given access to this ticket"
            )));
        }
        events::add(
            conn,
            ticket,
            EventKind::StaffRemoved,
            Some(by),
            &staff.to_string(),
        )
    })
}

/// Staff currently given access to the ticket.
pub fn staff_with_access(conn: &mut DbConnection, ticket: TicketId) -> DomainResult<Vec<UserId>> {
    let ids: Vec<i64> = ticket_staff_access::table
        .filter(ticket_staff_access::ticket_id.eq(ticket.0))
        .filter(ticket_staff_access::removed_at.is_null())
        .order(ticket_staff_access::id.asc())
        .select(ticket_staff_access::staff_id)
        .load(conn)?;
    Ok(ids.into_iter().map(UserId::from_db).collect())
}

/// Sets an alert for `staff` on the ticket's next user message.
pub fn set_alert(conn: &mut DbConnection, ticket: TicketId, staff: UserId) -> DomainResult<()> {
    write_tx(conn, |conn| {
        require_open(conn, ticket)?;
        diesel::insert_into(alerts::table)
            .values((
                alerts::ticket_id.eq(ticket.0),
                alerts::staff_id.eq(staff.to_db()),
                alerts::created_at.eq(now()),
            ))
            .execute(conn)
            .map_err(|e| {
                if is_unique_violation(&e) {
                    DomainError::Conflict("you already have an alert on this ticket".into())
                } else {
                    e.into()
                }
            })?;
        events::add(conn, ticket, EventKind::AlertSet, Some(staff), "")
    })
}

/// Cancels `staff`'s alert; `false` when there was none.
pub fn cancel_alert(
    conn: &mut DbConnection,
    ticket: TicketId,
    staff: UserId,
) -> DomainResult<bool> {
    let updated = diesel::update(
        alerts::table
            .filter(alerts::ticket_id.eq(ticket.0))
            .filter(alerts::staff_id.eq(staff.to_db()))
            .filter(alerts::fired_at.is_null())
            .filter(alerts::cancelled_at.is_null()),
    )
    .set(alerts::cancelled_at.eq(Some(now())))
    .execute(conn)?;
    Ok(updated > 0)
}

/// Fires every live alert of the ticket (the user just wrote); returns whom to ping.
pub(crate) fn fire_alerts(
    conn: &mut DbConnection,
    ticket: TicketId,
    at: NaiveDateTime,
) -> DomainResult<Vec<UserId>> {
    let live = alerts::table
        .filter(alerts::ticket_id.eq(ticket.0))
        .filter(alerts::fired_at.is_null())
        .filter(alerts::cancelled_at.is_null());
    let staff: Vec<i64> = live.select(alerts::staff_id).load(conn)?;
    if !staff.is_empty() {
        diesel::update(live)
            .set(alerts::fired_at.eq(Some(at)))
            .execute(conn)?;
    }
    Ok(staff.into_iter().map(UserId::from_db).collect())
}

/// Housekeeping when a ticket closes: live alerts and reminders are cancelled (their jobs are
/// cancelled by the close itself).
pub(crate) fn on_ticket_closed(
    conn: &mut DbConnection,
    ticket: TicketId,
    at: NaiveDateTime,
) -> DomainResult<()> {
    diesel::update(
        alerts::table
            .filter(alerts::ticket_id.eq(ticket.0))
            .filter(alerts::fired_at.is_null())
            .filter(alerts::cancelled_at.is_null()),
    )
    .set(alerts::cancelled_at.eq(Some(at)))
    .execute(conn)?;
    diesel::update(
        reminders::table
            .filter(reminders::ticket_id.eq(ticket.0))
            .filter(reminders::fired_at.is_null())
            .filter(reminders::cancelled_at.is_null()),
    )
    .set(reminders::cancelled_at.eq(Some(at)))
    .execute(conn)?;
    Ok(())
}
