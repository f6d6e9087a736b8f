//! Attachments of recorded messages. Their bytes are kept (up to the configured cap) so that
//! transcripts survive Discord's expiring CDN links; above the cap only the link is kept.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::connection::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::ids::{AttachmentId, MessageRecordId, TicketId};
use crate::schema::{attachments, messages};
use crate::time::now;

/// An attachment to record with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub discord_attachment_id: Option<AttachmentId>,
    pub filename: String,
    pub content_type: Option<String>,
    pub size_bytes: i64,
    pub url: String,
    /// The file's bytes, when within the cap (the caller decides and downloads).
    pub data: Option<Vec<u8>>,
}

/// An attachment as recorded (without its bytes; see [`data`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentInfo {
    pub id: i64,
    pub message_id: MessageRecordId,
    pub filename: String,
    pub content_type: Option<String>,
    pub size_bytes: i64,
    pub url: String,
    pub stored: bool,
    pub created_at: NaiveDateTime,
}

type InfoColumns = (
    attachments::id,
    attachments::message_id,
    attachments::filename,
    attachments::content_type,
    attachments::size_bytes,
    attachments::url,
    diesel::dsl::IsNotNull<attachments::data>,
    attachments::created_at,
);

fn info_columns() -> InfoColumns {
    (
        attachments::id,
        attachments::message_id,
        attachments::filename,
        attachments::content_type,
        attachments::size_bytes,
        attachments::url,
        attachments::data.is_not_null(),
        attachments::created_at,
    )
}

type InfoRow = (
    i64,
    i64,
    String,
    Option<String>,
    i64,
    String,
    bool,
    NaiveDateTime,
);

fn to_info(r: InfoRow) -> AttachmentInfo {
    AttachmentInfo {
        id: r.0,
        message_id: MessageRecordId(r.1),
        filename: r.2,
        content_type: r.3,
        size_bytes: r.4,
        url: r.5,
        stored: r.6,
        created_at: r.7,
    }
}

/// Records the attachments of a message.
pub(crate) fn add_all(
    conn: &mut DbConnection,
    message: MessageRecordId,
    files: &[NewAttachment],
) -> DomainResult<()> {
    for file in files {
        if file.filename.trim().is_empty() {
            return Err(DomainError::invalid(
                "attachment.filename",
                "must not be empty",
            ));
        }
        if file.size_bytes < 0 {
            return Err(DomainError::invalid(
                "attachment.size_bytes",
                "must not be negative",
            ));
        }
        diesel::insert_into(attachments::table)
            .values((
                attachments::message_id.eq(message.0),
                attachments::discord_attachment_id
                    .eq(file.discord_attachment_id.map(AttachmentId::to_db)),
                attachments::filename.eq(&file.filename),
                attachments::content_type.eq(file.content_type.as_deref()),
                attachments::size_bytes.eq(file.size_bytes),
                attachments::url.eq(&file.url),
                attachments::data.eq(file.data.as_deref()),
                attachments::sha256.eq(None::<String>),
                attachments::created_at.eq(now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The attachments of one message.
pub fn for_message(
    conn: &mut DbConnection,
    message: MessageRecordId,
) -> DomainResult<Vec<AttachmentInfo>> {
    let rows: Vec<InfoRow> = attachments::table
        .filter(attachments::message_id.eq(message.0))
        .order(attachments::id.asc())
        .select(info_columns())
        .load(conn)?;
    Ok(rows.into_iter().map(to_info).collect())
}

/// The attachments of every message of a ticket, in message order.
pub fn for_ticket(conn: &mut DbConnection, ticket: TicketId) -> DomainResult<Vec<AttachmentInfo>> {
    let rows: Vec<InfoRow> = attachments::table
        .inner_join(messages::table)
        .filter(messages::ticket_id.eq(ticket.0))
        .order(attachments::id.asc())
        .select(info_columns())
        .load(conn)?;
    Ok(rows.into_iter().map(to_info).collect())
}

/// The stored bytes of an attachment (`None` when it was above the cap).
pub fn data(conn: &mut DbConnection, id: i64) -> DomainResult<Option<Vec<u8>>> {
    let data: Option<Option<Vec<u8>>> = attachments::table
        .filter(attachments::id.eq(id))
        .select(attachments::data)
        .first(conn)
        .optional()?;
    data.ok_or_else(|| DomainError::not_found("attachment", id))
}
