//! Mirroring edits and deletions: a user editing a DM edits its channel copy (a revision is
//! stored, a log posted with `show_log_on_edit`); a user deleting a DM marks its copy deleted
//! (the record is marked, never removed; a log with `show_log_on_delete`). Staff editing or
//! deleting an internal note updates its record.

use rustmail_db::ids::MessageId as DbMessageId;
use rustmail_db::messages::relay::{self, Side};
use rustmail_db::messages::{self, Direction, MessageRecord};
use rustmail_db::tickets::{self, Ticket};
use serenity::all::{ChannelId, MessageId, UserId};

use crate::render::{self, UserMessage};
use crate::state::State;
use crate::strings;

fn db_user(u: UserId) -> rustmail_db::ids::UserId {
    rustmail_db::ids::UserId(u.get())
}

/// The record caused by this DM, with its ticket.
async fn find(state: &State, message: MessageId) -> Option<(MessageRecord, Ticket)> {
    let source = DbMessageId(message.get());
    let found = state
        .db
        .run(move |c| match messages::find_by_source(c, source)? {
            Some(record) => {
                let ticket = tickets::get(c, record.ticket_id)?;
                Ok(Some((record, ticket)))
            }
            None => Ok(None),
        })
        .await;
    match found {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(%message, error = %e, "cannot look up an edited or deleted message");
            None
        }
    }
}

/// Re-renders a user's message and applies it to its channel copies (posting or deleting parts
/// when the number of parts changed).
async fn refresh_copies(state: &State, record: &MessageRecord, channel: ChannelId) {
    let id = record.id;
    let loaded = state
        .db
        .run(move |c| {
            let copies = relay::copies(c, id, Side::Inbox)?;
            let files = rustmail_db::attachments::for_message(c, id)?;
            Ok((copies, files))
        })
        .await;
    let (copies, files) = match loaded {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(record = id.0, error = %e, "cannot load a message's copies");
            return;
        }
    };
    if copies.is_empty() {
        // Not relayed yet: the relay will use the new content.
        return;
    }
    let links: Vec<String> = files
        .iter()
        .filter(|f| !f.stored)
        .map(|f| strings::attachment_link(&f.filename, f.size_bytes, &f.url))
        .collect();
    let parts = render::user_message(
        &state.config.thread,
        &UserMessage {
            author_name: &record.author_name,
            avatar_url: state
                .cache
                .user(UserId::new(record.author_id.get()))
                .map(|u| u.face()),
            text: &record.content,
            timestamp: render::timestamp(record.created_at),
            reply_to: None,
            file_links: links,
            has_files: files.iter().any(|f| f.stored),
            deleted: record.is_deleted(),
        },
    );
    crate::relay::sync_copies(state, channel, Side::Inbox, id, &copies, &parts).await;
}

fn ticket_channel(ticket: &Ticket) -> Option<ChannelId> {
    ticket.channel_id.map(|c| ChannelId::new(c.get()))
}

/// The user edited a DM.
pub async fn user_edited(state: &State, user: UserId, message: MessageId, content: String) {
    let Some((record, ticket)) = find(state, message).await else {
        return;
    };
    if record.direction != Direction::UserToStaff
        || record.is_deleted()
        || record.author_id.get() != user.get()
    {
        return;
    }
    let id = record.id;
    let by = db_user(user);
    let edited = match state
        .db
        .run(move |c| messages::record_edit(c, id, &content, by))
        .await
    {
        Ok(edited) => edited,
        Err(e) => {
            tracing::warn!(record = id.0, error = %e, "cannot record a user's edit");
            return;
        }
    };
    if !edited.changed {
        // The same text, or another bot process mirrored this edit first.
        return;
    }
    let Some(channel) = ticket_channel(&ticket) else {
        return;
    };
    refresh_copies(state, &edited.message, channel).await;
    if state.config.thread.show_log_on_edit {
        let log = strings::edit_log(
            strings::THE_USER,
            &strings::message_label(None),
            &edited.previous_content,
            &edited.message.content,
        );
        crate::lifecycle::post_notice(state, channel, &log).await;
    }
}

/// The user deleted a DM.
pub async fn user_deleted(state: &State, user: UserId, message: MessageId) {
    let Some((record, ticket)) = find(state, message).await else {
        return;
    };
    if record.direction != Direction::UserToStaff || record.is_deleted() {
        return;
    }
    let id = record.id;
    let by = db_user(user);
    let deleted = match state
        .db
        .run(move |c| messages::record_delete(c, id, by))
        .await
    {
        // Another bot process may have mirrored this deletion first.
        Ok(deleted) if deleted.changed => deleted.message,
        Ok(_) => return,
        Err(e) => {
            tracing::warn!(record = id.0, error = %e, "cannot record a user's deletion");
            return;
        }
    };
    let Some(channel) = ticket_channel(&ticket) else {
        return;
    };
    refresh_copies(state, &deleted, channel).await;
    if state.config.thread.show_log_on_delete {
        let log = strings::delete_log(
            strings::THE_USER,
            &strings::message_label(None),
            &deleted.content,
        );
        crate::lifecycle::post_notice(state, channel, &log).await;
    }
}

/// A staff member edited a message in a ticket channel: if it is an internal note, record it.
pub async fn note_edited(state: &State, editor: UserId, message: MessageId, content: String) {
    let Some((record, _)) = find(state, message).await else {
        return;
    };
    if record.direction != Direction::Internal || record.is_deleted() {
        return;
    }
    let (id, by) = (record.id, db_user(editor));
    if let Err(e) = state
        .db
        .run(move |c| messages::record_edit(c, id, &content, by))
        .await
    {
        tracing::warn!(record = id.0, error = %e, "cannot record a note's edit");
    }
}

/// A message was deleted in a ticket channel: if it is an internal note, mark it deleted.
pub async fn note_deleted(state: &State, message: MessageId) {
    // A command the bot deleted itself to acknowledge it is no note: no lookup (one per reply).
    if state.deleted_own(message) {
        return;
    }
    let source = DbMessageId(message.get());
    let record = match state
        .db
        .run(move |c| messages::find_by_source(c, source))
        .await
    {
        Ok(Some(record)) => record,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(%message, error = %e, "cannot look up a deleted message");
            return;
        }
    };
    if record.direction != Direction::Internal || record.is_deleted() {
        return;
    }
    let (id, by) = (record.id, record.author_id);
    if let Err(e) = state
        .db
        .run(move |c| messages::record_delete(c, id, by))
        .await
    {
        tracing::warn!(record = id.0, error = %e, "cannot record a note's deletion");
    }
}
