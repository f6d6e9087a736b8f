//! Delivering recorded messages to the other side: [`inbox`] (a user's DM into the ticket
//! channel), [`reply`] (a staff reply to the user's DMs and its channel copy), and [`retry`]
//! (re-driving relays left pending by a failure or a crash).
//!
//! Every post carries a nonce derived from the record with `enforce_nonce`, so a retried POST
//! never creates a second copy; every copy is recorded as soon as it exists, so a re-drive posts
//! only what is missing.

pub mod inbox;
pub mod reply;
pub mod retry;

use std::time::Duration;

use rustmail_db::attachments::{self, NewAttachment};
use rustmail_db::ids::MessageRecordId;
use rustmail_db::messages::marks::DmMarks;
use rustmail_db::messages::relay;
use serenity::all::{ChannelId, CreateAttachment, Message, MessageId, Nonce};

use crate::error::RelayError;
use crate::render::Part;
use crate::state::State;

/// Attempts of one post before leaving the relay to the retry schedule.
const INLINE_ATTEMPTS: u32 = 3;
/// After this many failed attempts a relay is marked failed for good.
pub const MAX_ATTEMPTS: i32 = 15;

/// Pause before inline attempt `n` (1-based).
fn inline_delay(n: u32) -> Duration {
    Duration::from_millis(200 * u64::from(n * n))
}

/// When to try a relay again after `attempts` failed attempts: 2 s, 5 s, 15 s, 30 s, then each
/// minute up to five.
pub fn retry_delay(attempts: i32) -> Duration {
    match attempts {
        ..=1 => Duration::from_secs(2),
        2 => Duration::from_secs(5),
        3 => Duration::from_secs(15),
        4 => Duration::from_secs(30),
        n => Duration::from_secs(60 * u64::try_from(n - 4).unwrap_or(5).min(5)),
    }
}

/// Posts one part (with `files` attached) with its nonce, retrying transient failures a few
/// times at once.
pub async fn post(
    state: &State,
    channel: ChannelId,
    part: &Part,
    files: &[CreateAttachment],
    nonce: &Nonce,
) -> Result<Message, RelayError> {
    let mut attempt = 0;
    loop {
        let mut builder = part.to_create().nonce(nonce.clone()).enforce_nonce(true);
        if !files.is_empty() {
            builder = builder.add_files(files.iter().cloned());
        }
        match channel.send_message(&*state.http, builder).await {
            Ok(message) => return Ok(message),
            Err(e) => {
                let err = crate::discord::classify(&e);
                state.metrics.discord_error(&err);
                attempt += 1;
                if !err.is_transient() || attempt >= INLINE_ATTEMPTS || state.is_stopping() {
                    return Err(err);
                }
                tracing::debug!(%channel, attempt, error = %err, "post failed, retrying");
                tokio::time::sleep(inline_delay(attempt)).await;
            }
        }
    }
}

/// Posts `parts[first..]`, the files with the last part; returns the ids posted so far and the
/// error that stopped it, if any.
pub async fn post_parts(
    state: &State,
    channel: ChannelId,
    parts: &[Part],
    first: usize,
    files: &[CreateAttachment],
    nonce: impl Fn(usize) -> Nonce,
) -> (Vec<MessageId>, Option<RelayError>) {
    let mut posted = Vec::new();
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.iter().enumerate().skip(first) {
        let files = if i == last { files } else { &[] };
        match post(state, channel, part, files, &nonce(i)).await {
            Ok(m) => posted.push(m.id),
            Err(e) => return (posted, Some(e)),
        }
    }
    (posted, None)
}

/// Converts Discord ids for the database.
pub fn db_ids(ids: &[MessageId]) -> Vec<rustmail_db::ids::MessageId> {
    ids.iter()
        .map(|m| rustmail_db::ids::MessageId(m.get()))
        .collect()
}

/// Records the outcome of a failed relay: retried later when transient (until
/// [`MAX_ATTEMPTS`]), failed for good otherwise; with a user's DM's `marks` when its intake left
/// them to the settle. `attempts` counts earlier failures.
pub async fn settle_failure(
    state: &State,
    id: MessageRecordId,
    attempts: i32,
    err: &RelayError,
    marks: Option<DmMarks>,
) -> Result<(), RelayError> {
    let text = err.to_string();
    let transient = err.is_transient() && attempts + 1 < MAX_ATTEMPTS;
    let retry_at = rustmail_db::time::after(retry_delay(attempts + 1));
    tracing::warn!(record = id.0, attempts = attempts + 1, transient, error = %text, "relay failed");
    state
        .write(move |c| {
            if transient {
                relay::mark_retry(c, id, &text, retry_at)?;
            } else {
                relay::mark_failed(c, id, &text)?;
            }
            rustmail_db::messages::marks::write(c, marks.as_slice())
        })
        .await?;
    Ok(())
}

/// Attachment files of a record, from the database: bytes to upload, and link lines for those
/// above the cap.
pub async fn stored_files(
    state: &State,
    id: MessageRecordId,
) -> Result<(Vec<CreateAttachment>, Vec<String>), RelayError> {
    let loaded = state
        .db
        .run(move |c| {
            let infos = attachments::for_message(c, id)?;
            let mut out = Vec::new();
            for info in infos {
                let data = if info.stored {
                    attachments::data(c, info.id)?
                } else {
                    None
                };
                out.push((info, data));
            }
            Ok(out)
        })
        .await?;
    let mut files = Vec::new();
    let mut links = Vec::new();
    for (info, data) in loaded {
        match data {
            Some(bytes) => files.push(CreateAttachment::bytes(bytes, info.filename)),
            None => links.push(crate::strings::attachment_link(
                &info.filename,
                info.size_bytes,
                &info.url,
            )),
        }
    }
    Ok((files, links))
}

/// Downloads the attachments of a Discord message within the configured cap; larger ones (and
/// ones that fail to download) are kept as links only.
pub async fn fetch_attachments(
    state: &State,
    list: &[serenity::all::Attachment],
) -> Vec<NewAttachment> {
    let cap = state.config.attachments.max_stored_bytes;
    let mut out = Vec::with_capacity(list.len());
    for a in list {
        let data = if u64::from(a.size) <= cap {
            match a.download().await {
                Ok(bytes) => Some(bytes),
                Err(e) => {
                    tracing::warn!(attachment = %a.id, error = %e, "cannot download attachment; keeping the link only");
                    None
                }
            }
        } else {
            None
        };
        out.push(NewAttachment {
            discord_attachment_id: Some(rustmail_db::ids::AttachmentId(a.id.get())),
            filename: a.filename.clone(),
            content_type: a.content_type.clone(),
            size_bytes: i64::from(a.size),
            url: a.url.clone(),
            data,
        });
    }
    out
}

/// Upload files and link lines for freshly fetched attachments.
pub fn live_files(list: &[NewAttachment]) -> (Vec<CreateAttachment>, Vec<String>) {
    let mut files = Vec::new();
    let mut links = Vec::new();
    for a in list {
        match &a.data {
            Some(bytes) => files.push(CreateAttachment::bytes(bytes.clone(), a.filename.clone())),
            None => links.push(crate::strings::attachment_link(
                &a.filename,
                a.size_bytes,
                &a.url,
            )),
        }
    }
    (files, links)
}

/// Makes the copies `existing` of record `id` in `channel` show `parts`: edits those there,
/// posts (and records) missing parts, deletes surplus ones. Failures are logged, not returned:
/// the record is already updated, and Discord may refuse edits of old DMs.
pub async fn sync_copies(
    state: &State,
    channel: ChannelId,
    side: relay::Side,
    id: MessageRecordId,
    existing: &[rustmail_db::ids::MessageId],
    parts: &[Part],
) {
    let kind = match side {
        relay::Side::Dm => crate::discord::NonceKind::Dm,
        relay::Side::Inbox => crate::discord::NonceKind::Inbox,
    };
    for (i, part) in parts.iter().enumerate() {
        let part_no = i32::try_from(i).unwrap_or(i32::MAX);
        if let Some(copy) = existing.get(i) {
            let target = MessageId::new(copy.get());
            if let Err(e) = channel
                .edit_message(&*state.http, target, part.to_edit())
                .await
            {
                tracing::info!(record = id.0, error = %crate::discord::describe(&e), "cannot edit a copy");
            }
            continue;
        }
        match post(
            state,
            channel,
            part,
            &[],
            &crate::discord::nonce(kind, id.0, part_no),
        )
        .await
        {
            Ok(m) => {
                let ids = db_ids(&[m.id]);
                if let Err(e) = state
                    .write(move |c| relay::record_copies(c, id, side, part_no, &ids, false))
                    .await
                {
                    tracing::warn!(record = id.0, error = %e, "cannot record a copy");
                }
            }
            Err(e) => tracing::info!(record = id.0, error = %e, "cannot post an added part"),
        }
    }
    for extra in existing.iter().skip(parts.len()) {
        if let Err(e) = channel
            .delete_message(&*state.http, MessageId::new(extra.get()))
            .await
        {
            tracing::debug!(record = id.0, error = %crate::discord::describe(&e), "cannot delete a surplus copy");
        }
    }
}

/// Deletes the copies of a record (where Discord allows); failures are logged.
pub async fn delete_copies(
    state: &State,
    channel: ChannelId,
    copies: &[rustmail_db::ids::MessageId],
) {
    for copy in copies {
        if let Err(e) = channel
            .delete_message(&*state.http, MessageId::new(copy.get()))
            .await
        {
            tracing::info!(%channel, error = %crate::discord::describe(&e), "cannot delete a copy");
        }
    }
}
