//! `/add_reminder time content`, `!add_reminder 2h TEXT`: pings the invoker in this ticket's
//! channel when due (same duration grammar as `/close`), and shows the reminder's id.
//! `/remove_reminder reminder_id`, `!remove_reminder 5`: removes one (the owner's, or any for
//! admins). Reminders are database jobs: they survive restarts and fire once.

use rustmail_db::duration::parse_duration;
use rustmail_db::ids::{ChannelId as DbChannelId, ReminderId, UserId as DbUserId};
use rustmail_db::reminders;

use super::text::Text;
use super::{answer, staff, ticket_here, Context};
use crate::error::CommandError;
use crate::strings::workflow as text;

/// Get pinged in this ticket after a while (time: 30m, 2h, 1d).
#[poise::command(slash_command, prefix_command, guild_only, category = "Reminders")]
pub async fn add_reminder(
    ctx: Context<'_>,
    #[description = "When: 30m, 2h, 1d, 1d12h"] time: String,
    #[description = "What to remind you of"] content: Text,
) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    let after = parse_duration(&time).map_err(|e| CommandError::user(text::bad_duration(&e)))?;
    let ticket = ticket_here(ctx).await?;
    let data = ctx.data();
    let (id, me, channel, due) = (
        ticket.id,
        DbUserId(invoker.id.get()),
        DbChannelId(ctx.channel_id().get()),
        rustmail_db::time::after(after),
    );
    let reminder = data
        .db
        .run(move |c| reminders::add(c, id, me, channel, &content.0, due))
        .await?;
    data.wake_scheduler.notify_one();
    answer(
        ctx,
        text::reminder_set(reminder.id.0, reminder.due_at.and_utc().timestamp()),
    )
    .await
}

/// Remove one of your reminders (admins: anyone's).
#[poise::command(slash_command, prefix_command, guild_only, category = "Reminders")]
pub async fn remove_reminder(
    ctx: Context<'_>,
    #[description = "The reminder's id"] reminder_id: i64,
) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    let (id, me, admin) = (
        ReminderId(reminder_id),
        DbUserId(invoker.id.get()),
        invoker.admin,
    );
    ctx.data()
        .db
        .run(move |c| reminders::remove(c, id, me, admin))
        .await?;
    answer(ctx, text::reminder_removed(reminder_id)).await
}
