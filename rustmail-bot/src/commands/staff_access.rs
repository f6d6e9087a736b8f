//! `/add_staff user`, `!add_staff USER_ID|@mention`: gives a member of the staff server access to
//! this ticket's channel (a member overwrite), recorded in the database; `/remove_staff` revokes
//! it. Not for bots, nor for the ticket's own user.

use rustmail_db::access;
use rustmail_db::ids::UserId as DbUserId;
use serenity::all::{ChannelId, GuildId};

use super::args::UserArg;
use super::{announce, staff, ticket_here, Context};
use crate::error::CommandError;
use crate::strings::workflow as text;

/// Give a member access to this ticket's channel.
#[poise::command(slash_command, prefix_command, guild_only, category = "Tickets")]
pub async fn add_staff(
    ctx: Context<'_>,
    #[description = "Who gets access"] user: UserArg,
) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    let ticket = ticket_here(ctx).await?;
    let data = ctx.data();
    let target = user.0;
    if target.bot {
        return Err(CommandError::user(text::CANNOT_ADD_BOT));
    }
    if target.id.get() == ticket.user_id.get() {
        return Err(CommandError::user(text::CANNOT_ADD_TICKET_USER));
    }
    let guild = GuildId::new(data.config.servers.staff_guild().get());
    if let Err(e) = guild.member(ctx, target.id).await {
        if crate::discord::is_gone(&e) {
            return Err(CommandError::user(text::not_a_member(target.id.get())));
        }
        return Err(e.into());
    }
    let (id, who, by) = (
        ticket.id,
        DbUserId(target.id.get()),
        DbUserId(invoker.id.get()),
    );
    data.db
        .run(move |c| access::add_staff(c, id, who, by))
        .await?;
    let channel = ChannelId::new(ctx.channel_id().get());
    if let Err(e) = crate::workflow::access::grant(data, channel, target.id).await {
        // Keep the record true to Discord.
        if let Err(undo) = data
            .db
            .run(move |c| access::remove_staff(c, id, who, by))
            .await
        {
            tracing::warn!(ticket = id.0, error = %undo, "cannot undo a staff access record");
        }
        return Err(e.into());
    }
    announce(ctx, text::staff_added(target.id.get(), invoker.id.get())).await
}

/// Take away access given with `add_staff`.
#[poise::command(slash_command, prefix_command, guild_only, category = "Tickets")]
pub async fn remove_staff(
    ctx: Context<'_>,
    #[description = "Whose access to remove"] user: UserArg,
) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    let ticket = ticket_here(ctx).await?;
    let data = ctx.data();
    let target = user.0;
    let (id, who, by) = (
        ticket.id,
        DbUserId(target.id.get()),
        DbUserId(invoker.id.get()),
    );
    data.db
        .run(move |c| access::remove_staff(c, id, who, by))
        .await?;
    let channel = ChannelId::new(ctx.channel_id().get());
    crate::workflow::access::revoke(data, channel, target.id).await?;
    announce(ctx, text::staff_removed(target.id.get(), invoker.id.get())).await
}
