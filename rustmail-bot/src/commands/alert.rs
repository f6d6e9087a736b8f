//! `/alert [cancel]`, `!alert`, `!alert cancel`: the invoker is pinged in this ticket's channel on
//! the user's next message (once); `cancel` removes the alert.

use rustmail_db::access;
use rustmail_db::ids::UserId as DbUserId;

use super::args::{is_on, Switch};
use super::{answer, staff, ticket_here, Context};
use crate::error::CommandError;
use crate::strings::workflow as text;

/// Get pinged on the user's next message in this ticket.
#[poise::command(slash_command, prefix_command, guild_only, category = "Reminders")]
pub async fn alert(
    ctx: Context<'_>,
    #[description = "Remove your alert instead"] cancel: Option<Switch>,
) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    let ticket = ticket_here(ctx).await?;
    let (id, me) = (ticket.id, DbUserId(invoker.id.get()));
    let db = &ctx.data().db;
    if is_on(cancel) {
        if !db.run(move |c| access::cancel_alert(c, id, me)).await? {
            return Err(CommandError::user(text::NO_ALERT));
        }
        return answer(ctx, text::ALERT_CANCELLED).await;
    }
    db.run(move |c| access::set_alert(c, id, me)).await?;
    answer(ctx, text::ALERT_SET).await
}
