//! A ticket's full log in one call: the ticket, its category, every message with its revisions
//! and attachments, and its activity events. Used by transcripts, `/logs`, the CLI and the TUI.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;

use crate::attachments::{self, AttachmentInfo};
use crate::categories::{self, Category};
use crate::connection::DbConnection;
use crate::error::DomainResult;
use crate::events::{self, TicketEvent};
use crate::ids::{MessageRecordId, TicketId, UserId};
use crate::messages::{self, MessageRecord, Revision};
use crate::schema::{message_revisions, messages as messages_table};
use crate::tickets::{self, Ticket};

/// A message with what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedMessage {
    #[serde(flatten)]
    pub message: MessageRecord,
    pub revisions: Vec<Revision>,
    pub attachments: Vec<AttachmentInfo>,
}

/// Everything recorded about a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketLog {
    pub ticket: Ticket,
    pub category: Option<Category>,
    pub messages: Vec<LoggedMessage>,
    pub events: Vec<TicketEvent>,
}

/// Loads a ticket's whole log with four queries, whatever its size.
pub fn ticket_log(conn: &mut DbConnection, id: TicketId) -> DomainResult<TicketLog> {
    let ticket = tickets::get(conn, id)?;
    let category = match ticket.category_id {
        Some(c) => categories::get(conn, c).ok(),
        None => None,
    };
    let records = messages::for_ticket(conn, id)?;
    let mut revisions = revisions_for_ticket(conn, id)?;
    let mut files: HashMap<MessageRecordId, Vec<AttachmentInfo>> = HashMap::new();
    for a in attachments::for_ticket(conn, id)? {
        files.entry(a.message_id).or_default().push(a);
    }
    let messages = records
        .into_iter()
        .map(|message| LoggedMessage {
            revisions: revisions.remove(&message.id).unwrap_or_default(),
            attachments: files.remove(&message.id).unwrap_or_default(),
            message,
        })
        .collect();
    Ok(TicketLog {
        ticket,
        category,
        messages,
        events: events::list(conn, id)?,
    })
}

fn revisions_for_ticket(
    conn: &mut DbConnection,
    id: TicketId,
) -> DomainResult<HashMap<MessageRecordId, Vec<Revision>>> {
    let rows: Vec<(i64, String, i64, chrono::NaiveDateTime)> = message_revisions::table
        .inner_join(messages_table::table)
        .filter(messages_table::ticket_id.eq(id.0))
        .order(message_revisions::id.asc())
        .select((
            message_revisions::message_id,
            message_revisions::previous_content,
            message_revisions::edited_by,
            message_revisions::edited_at,
        ))
        .load(conn)?;
    let mut out: HashMap<MessageRecordId, Vec<Revision>> = HashMap::new();
    for (message_id, previous_content, edited_by, edited_at) in rows {
        out.entry(MessageRecordId(message_id))
            .or_default()
            .push(Revision {
                message_id: MessageRecordId(message_id),
                previous_content,
                edited_by: UserId::from_db(edited_by),
                edited_at,
            });
    }
    Ok(out)
}
