//! Operator actions: a durable queue the CLI and TUI write (close, force-close, cancel a close,
//! move, message, recover) and the running bot claims, executes on Discord and completes. The two
//! share no memory: only these rows.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::connection::{write_tx, DbConnection};
use crate::error::{DomainError, DomainResult};
use crate::ids::{ActionId, TicketId};
use crate::schema::operator_actions;
use crate::text_enum;
use crate::time::now;

text_enum! {
    /// What the operator asks the bot to do.
    pub enum ActionKind {
        /// Close the ticket (payload `{"silent": bool}`), telling the user unless silent.
        Close => "close",
        /// Close without contacting the user (orphans).
        ForceClose => "force_close",
        /// Cancel the ticket's scheduled close.
        CancelClose => "cancel_close",
        /// Move to another ticket category (payload `{"category_id": n}`).
        Move => "move",
        /// Post a message in the ticket channel (payload `{"content": "..."}`).
        Message => "message",
        /// Run recovery now.
        Recover => "recover",
    }
}

text_enum! {
    /// How an executed action ended.
    pub enum Outcome {
        Ok => "ok",
        Error => "error",
    }
}

/// A queued operator action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    pub id: ActionId,
    pub kind: ActionKind,
    pub ticket_id: Option<TicketId>,
    pub payload: String,
    pub requested_at: NaiveDateTime,
    pub requested_by: String,
    pub claimed_by: Option<String>,
    pub claimed_at: Option<NaiveDateTime>,
    pub completed_at: Option<NaiveDateTime>,
    pub outcome: Option<Outcome>,
    pub result: Option<String>,
}

impl Action {
    pub fn payload_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.payload).unwrap_or_else(|_| serde_json::json!({}))
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = operator_actions)]
struct ActionRow {
    id: i64,
    kind: String,
    ticket_id: Option<i64>,
    payload: String,
    requested_at: NaiveDateTime,
    requested_by: String,
    claimed_by: Option<String>,
    claimed_at: Option<NaiveDateTime>,
    completed_at: Option<NaiveDateTime>,
    outcome: Option<String>,
    result: Option<String>,
}

impl TryFrom<ActionRow> for Action {
    type Error = diesel::result::Error;

    fn try_from(r: ActionRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: ActionId(r.id),
            kind: ActionKind::from_db(&r.kind)?,
            ticket_id: r.ticket_id.map(TicketId),
            payload: r.payload,
            requested_at: r.requested_at,
            requested_by: r.requested_by,
            claimed_by: r.claimed_by,
            claimed_at: r.claimed_at,
            completed_at: r.completed_at,
            outcome: r.outcome.as_deref().map(Outcome::from_db).transpose()?,
            result: r.result,
        })
    }
}

fn load(
    query: operator_actions::BoxedQuery<'_, crate::connection::MultiBackend>,
    conn: &mut DbConnection,
) -> DomainResult<Vec<Action>> {
    let rows = query
        .select(ActionRow::as_select())
        .load::<ActionRow>(conn)?;
    Ok(rows
        .into_iter()
        .map(Action::try_from)
        .collect::<Result<_, _>>()?)
}

/// The action with this id.
pub fn get(conn: &mut DbConnection, id: ActionId) -> DomainResult<Action> {
    load(
        operator_actions::table
            .filter(operator_actions::id.eq(id.0))
            .into_boxed(),
        conn,
    )?
    .into_iter()
    .next()
    .ok_or_else(|| DomainError::not_found("operator action", id))
}

/// An action to queue.
#[derive(Debug, Clone)]
pub struct NewAction {
    pub kind: ActionKind,
    pub ticket_id: Option<TicketId>,
    pub payload: serde_json::Value,
    /// Who asked (the operator's login name, or "tui").
    pub requested_by: String,
}

/// Queues an action after checking it makes sense now (the ticket exists and is open for the
/// ticket actions), so the CLI can refuse bad requests before the bot ever sees them.
pub fn enqueue(conn: &mut DbConnection, action: &NewAction) -> DomainResult<Action> {
    write_tx(conn, |conn| {
        if action.kind == ActionKind::Recover {
        } else {
            let ticket_id = action
                .ticket_id
                .ok_or_else(|| DomainError::invalid("ticket", "this action needs a ticket id"))?;
            let ticket = crate::tickets::get(conn, ticket_id)?;
            if !ticket.is_open() {
                return Err(DomainError::NotOpen(ticket_id));
            }
            if action.kind == ActionKind::CancelClose
                && crate::jobs::live_for_ticket(conn, ticket_id, crate::jobs::JobKind::Close)?
                    .is_none()
            {
                return Err(DomainError::InvalidTransition(format!(
                    "ticket #{ticket_id} has no scheduled close"
                )));
            }
        }
        let payload = action.payload.to_string();
        let id: i64 = crate::on_backend!(conn, |c| diesel::insert_into(operator_actions::table)
            .values((
                operator_actions::kind.eq(action.kind.as_str()),
                operator_actions::ticket_id.eq(action.ticket_id.map(|t| t.0)),
                operator_actions::payload.eq(&payload),
                operator_actions::requested_at.eq(now()),
                operator_actions::requested_by.eq(&action.requested_by),
            ))
            .returning(operator_actions::id)
            .get_result(c))?;
        get(conn, ActionId(id))
    })
}

/// Claims the oldest unfinished action whose lease (if any) has expired.
pub fn claim_next(
    conn: &mut DbConnection,
    worker: &str,
    lease: std::time::Duration,
) -> DomainResult<Option<Action>> {
    let at = now();
    let candidates: Vec<i64> = operator_actions::table
        .filter(operator_actions::completed_at.is_null())
        .filter(
            operator_actions::lease_expires_at
                .is_null()
                .or(operator_actions::lease_expires_at.lt(at)),
        )
        .order(operator_actions::id.asc())
        .limit(5)
        .select(operator_actions::id)
        .load(conn)?;
    for id in candidates {
        let won = diesel::update(
            operator_actions::table
                .filter(operator_actions::id.eq(id))
                .filter(operator_actions::completed_at.is_null())
                .filter(
                    operator_actions::lease_expires_at
                        .is_null()
                        .or(operator_actions::lease_expires_at.lt(at)),
                ),
        )
        .set((
            operator_actions::claimed_by.eq(Some(worker)),
            operator_actions::claimed_at.eq(Some(at)),
            operator_actions::lease_expires_at.eq(Some(crate::time::after(lease))),
        ))
        .execute(conn)?;
        if won == 1 {
            return get(conn, ActionId(id)).map(Some);
        }
    }
    Ok(None)
}

/// Records the result of an executed action.
pub fn complete(
    conn: &mut DbConnection,
    id: ActionId,
    outcome: Outcome,
    result: &str,
) -> DomainResult<Action> {
    let updated = diesel::update(
        operator_actions::table
            .filter(operator_actions::id.eq(id.0))
            .filter(operator_actions::completed_at.is_null()),
    )
    .set((
        operator_actions::completed_at.eq(Some(now())),
        operator_actions::outcome.eq(Some(outcome.as_str())),
        operator_actions::result.eq(Some(result)),
        operator_actions::lease_expires_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    if updated == 0 {
        let action = get(conn, id)?;
        if action.completed_at.is_some() {
            return Err(DomainError::InvalidTransition(format!(
                "operator action {id} is already complete"
            )));
        }
    }
    get(conn, id)
}

/// The most recent actions, newest first.
pub fn recent(conn: &mut DbConnection, limit: i64) -> DomainResult<Vec<Action>> {
    load(
        operator_actions::table
            .order(operator_actions::id.desc())
            .limit(limit)
            .into_boxed(),
        conn,
    )
}

/// Gives back every unfinished action `worker` holds (a clean shutdown). Returns how many.
pub fn release_claims(conn: &mut DbConnection, worker: &str) -> DomainResult<usize> {
    Ok(diesel::update(
        operator_actions::table
            .filter(operator_actions::claimed_by.eq(worker))
            .filter(operator_actions::completed_at.is_null()),
    )
    .set((
        operator_actions::claimed_by.eq(None::<String>),
        operator_actions::claimed_at.eq(None::<NaiveDateTime>),
        operator_actions::lease_expires_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?)
}
