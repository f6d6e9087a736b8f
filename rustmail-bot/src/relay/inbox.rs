//! User → staff: posting a recorded DM into the ticket channel (creating the channel first if
//! the ticket has none yet).

use rustmail_db::messages::marks::DmMarks;
use rustmail_db::messages::relay::{self, Side};
use rustmail_db::messages::MessageRecord;
use rustmail_db::tickets::Ticket;
use serenity::all::{CreateAttachment, Timestamp};
use tracing::Instrument as _;

use crate::discord::{nonce, NonceKind};
use crate::error::RelayError;
use crate::metrics::{since, Direction};
use crate::render::{self, UserMessage};
use crate::state::{Data, State};

/// What only the live Discord message knows (a re-drive from the database does without).
#[derive(Debug, Clone, Default)]
pub struct LiveDm {
    pub avatar_url: Option<String>,
    pub timestamp: Option<Timestamp>,
    pub reply_to: Option<String>,
    pub files: Vec<CreateAttachment>,
    pub file_links: Vec<String>,
}

/// What a delivery posted: the copies to record, if any, and the error that stopped it.
struct Posted {
    copies: Option<relay::Copies>,
    error: Option<RelayError>,
}

/// Posts the record's missing parts in the ticket channel and marks it delivered. On failure the
/// parts already posted are recorded and the error returned (the caller settles it).
pub async fn deliver(
    state: &State,
    ticket: &Ticket,
    record: &MessageRecord,
    live: Option<&LiveDm>,
) -> Result<(), RelayError> {
    let posted = post_missing(state, ticket, record, live, DmMarks::of(record)).await?;
    if let Some(copies) = posted.copies {
        state.db.record_copies(copies).await?;
    }
    posted.error.map_or(Ok(()), Err)
}

/// Posts the record's missing parts in the ticket channel: the copies to record, and the error
/// that stopped it (an error before anything was posted is returned as such).
async fn post_missing(
    state: &State,
    ticket: &Ticket,
    record: &MessageRecord,
    live: Option<&LiveDm>,
    marks: Option<DmMarks>,
) -> Result<Posted, RelayError> {
    let channel = crate::lifecycle::open::ensure_channel(state, ticket).await?;
    let id = record.id;
    let fresh = record.inbox_message_id.is_none() && record.relay_attempts == 0;
    let done = if fresh {
        0
    } else {
        state
            .db
            .run(move |c| relay::parts_done(c, id, Side::Inbox))
            .await?
    };
    let stored;
    let (files, links, avatar, timestamp, reply_to) = if let Some(l) = live {
        (
            &l.files,
            &l.file_links,
            l.avatar_url.clone(),
            l.timestamp,
            l.reply_to.clone(),
        )
    } else {
        stored = crate::relay::stored_files(state, id).await?;
        let avatar = state
            .cache
            .user(serenity::all::UserId::new(record.author_id.get()))
            .map(|u| u.face());
        (
            &stored.0,
            &stored.1,
            avatar,
            render::timestamp(record.created_at),
            None,
        )
    };
    let parts = render::user_message(
        &state.config.thread,
        &UserMessage {
            author_name: &record.author_name,
            avatar_url: avatar,
            text: &record.content,
            timestamp,
            reply_to,
            file_links: links.clone(),
            has_files: !files.is_empty(),
            deleted: false,
        },
    );
    let first = usize::try_from(done).unwrap_or(0);
    let (posted, error) = crate::relay::post_parts(state, channel, &parts, first, files, |i| {
        nonce(NonceKind::Inbox, id.0, i32::try_from(i).unwrap_or(i32::MAX))
    })
    .await;
    let complete = error.is_none();
    let copies = (!posted.is_empty() || complete).then(|| relay::Copies {
        id,
        side: Side::Inbox,
        first_part: done,
        discord_ids: crate::relay::db_ids(&posted),
        complete,
        marks,
    });
    Ok(Posted { copies, error })
}

/// [`deliver`], then settle a failure (retry later or failed). Returns whether it was delivered.
#[tracing::instrument(name = "relay", skip_all, fields(ticket = ticket.id.0, record = record.id.0))]
pub async fn deliver_and_settle(
    state: &State,
    ticket: &Ticket,
    record: &MessageRecord,
    live: Option<&LiveDm>,
) -> bool {
    if !state.begin_relay(record.id.0) {
        return false;
    }
    let result = deliver(state, ticket, record, live).await;
    state.end_relay(record.id.0);
    settled(state, record, DmMarks::of(record), result).await
}

/// Delivers a DM just recorded, as [`deliver_and_settle`], except that once every part is posted
/// the copies' write is queued and not waited for: the user's next DM, whose intake is queued
/// behind it on the same writer, finds the relay settled, and goes on meanwhile (one database
/// trip per DM instead of two in a user's burst). The relay stays "in flight" (the retry loop
/// leaves it alone) until that write is answered; if it fails, the relay is settled as failed
/// (retried later, and the nonce keeps the retry from posting twice).
#[tracing::instrument(name = "relay", skip_all, fields(ticket = ticket.id.0, record = record.id.0))]
pub async fn deliver_live(
    data: &Data,
    ticket: &Ticket,
    record: &MessageRecord,
    live: &LiveDm,
    marks_deferred: bool,
) -> bool {
    if !data.begin_relay(record.id.0) {
        return false;
    }
    let marks = marks_deferred.then(|| DmMarks::of(record)).flatten();
    let posted = post_missing(data, ticket, record, Some(live), marks).await;
    let copies = match posted {
        Ok(Posted {
            copies: Some(copies),
            error: None,
        }) => copies,
        Ok(Posted { copies, error }) => {
            let recorded = match copies {
                Some(copies) => data.db.record_copies(copies).await,
                None => Ok(()),
            };
            let result = recorded
                .map_err(RelayError::from)
                .and_then(|()| error.map_or(Ok(()), Err));
            data.end_relay(record.id.0);
            return settled(data, record, marks, result).await;
        }
        Err(e) => {
            data.end_relay(record.id.0);
            return settled(data, record, marks, Err(e)).await;
        }
    };
    let recording = data.db.queue_copies(record.author_id, copies);
    let (data, record) = (data.clone(), record.clone());
    tokio::spawn(
        async move {
            let result = recording.await.map_err(RelayError::from);
            data.end_relay(record.id.0);
            settled(&data, &record, marks, result).await;
        }
        .in_current_span(),
    );
    true
}

/// Counts a delivery's outcome and settles a failure (retried later or failed for good).
async fn settled(
    state: &State,
    record: &MessageRecord,
    marks: Option<DmMarks>,
    result: Result<(), RelayError>,
) -> bool {
    let metrics = &state.metrics;
    match result {
        Ok(()) => {
            metrics.delivered(Direction::UserToStaff, since(record.created_at));
            tracing::debug!("relayed to the ticket channel");
            true
        }
        Err(e) => {
            let retry = e.is_transient() && record.relay_attempts + 1 < crate::relay::MAX_ATTEMPTS;
            metrics.undelivered(Direction::UserToStaff, retry);
            if let Err(settle) =
                crate::relay::settle_failure(state, record.id, record.relay_attempts, &e, marks)
                    .await
            {
                tracing::error!(record = record.id.0, error = %settle, "cannot record a relay failure");
            }
            false
        }
    }
}
