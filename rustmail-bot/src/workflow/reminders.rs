//! A reminder firing: one message in the ticket channel pinging its owner, posted with a nonce
//! derived from the reminder so that a job re-run after a crash never posts it twice.

use rustmail_db::reminders::Reminder;
use serenity::all::{ChannelId, CreateAllowedMentions, CreateMessage, Nonce, UserId};

use crate::state::State;
use crate::strings;

/// Posts the reminder (failures are logged: the channel may be gone).
pub async fn post(state: &State, reminder: &Reminder) {
    let channel = ChannelId::new(reminder.channel_id.get());
    let staff = reminder.staff_id.get();
    let message = CreateMessage::new()
        .content(strings::reminder(staff, &reminder.content))
        .allowed_mentions(CreateAllowedMentions::new().users([UserId::new(staff)]))
        .nonce(Nonce::String(format!("rmr{}", reminder.id)))
        .enforce_nonce(true);
    if let Err(e) = channel.send_message(&*state.http, message).await {
        tracing::info!(reminder = reminder.id.0, error = %crate::discord::describe(&e), "cannot post a reminder");
    }
}
