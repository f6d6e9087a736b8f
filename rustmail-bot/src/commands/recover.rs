//! `/recover`, `!recover`: runs a recovery pass now (missed DMs, pending relays, vanished
//! channels); its summary goes to the log channel.

use super::{answer, staff, Context};
use crate::error::CommandError;
use crate::strings;

/// Relay missed DMs, re-drive pending relays and reconcile tickets now.
#[poise::command(slash_command, prefix_command, guild_only, category = "Tickets")]
pub async fn recover(ctx: Context<'_>) -> Result<(), CommandError> {
    staff(ctx)?;
    answer(ctx, strings::RECOVERY_STARTED).await?;
    let data = ctx.data().clone();
    tokio::spawn(async move {
        crate::recovery::run(&data, None).await;
    });
    Ok(())
}
