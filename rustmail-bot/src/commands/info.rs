//! `/id`, `!id`: the ticket user's id, alone in the message so it is easy to copy.
//! `/logs [user]`, `!logs [USER_ID|@mention]`: the ticket's history and activity log, then the
//! user's previous tickets, one page each, with buttons (see [`crate::workflow::logs`]).

use rustmail_db::ids::UserId as DbUserId;

use super::args::UserIdArg;
use super::{answer, staff, ticket_here, Context};
use crate::error::CommandError;

/// The ticket user's id (to copy).
#[poise::command(slash_command, prefix_command, guild_only, category = "Information")]
pub async fn id(ctx: Context<'_>) -> Result<(), CommandError> {
    staff(ctx)?;
    let ticket = ticket_here(ctx).await?;
    answer(ctx, ticket.user_id.to_string()).await
}

/// This ticket's history and the user's previous tickets (or any user's).
#[poise::command(slash_command, prefix_command, guild_only, category = "Information")]
pub async fn logs(
    ctx: Context<'_>,
    #[description = "Whose tickets (default: this ticket's user)"] user: Option<UserIdArg>,
) -> Result<(), CommandError> {
    staff(ctx)?;
    let target = match user {
        Some(u) => DbUserId(u.0.get()),
        None => ticket_here(ctx).await?.user_id,
    };
    let page = crate::workflow::logs::page(ctx.data(), target, 0).await?;
    ctx.send(page.into_reply()).await?;
    Ok(())
}
