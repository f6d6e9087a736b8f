//! `/rename [label]`, `!rename LABEL`: puts a label in the ticket channel's name
//! (`label-username`); no label removes it. Labels are at most 60 characters.

use rustmail_db::ids::UserId as DbUserId;
use rustmail_db::tickets;
use serenity::all::EditChannel;

use super::text::Text;
use super::{announce, staff, ticket_here, Context};
use crate::error::CommandError;
use crate::strings::workflow as text;

/// Label this ticket in its channel name (no label: remove it).
#[poise::command(slash_command, prefix_command, guild_only, category = "Tickets")]
pub async fn rename(
    ctx: Context<'_>,
    #[description = "The label (up to 60 characters); leave out to remove it"] label: Option<Text>,
) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    let ticket = ticket_here(ctx).await?;
    let data = ctx.data();
    let (id, by) = (ticket.id, DbUserId(invoker.id.get()));
    let wanted = label.map(|l| l.0);
    let new_label = wanted.clone();
    let labelled = data
        .db
        .run(move |c| tickets::set_label(c, id, new_label.as_deref(), by))
        .await?;
    let channel = ctx.channel_id();
    let name = crate::workflow::header::channel_name(
        data,
        channel,
        &labelled.user_name,
        labelled.label.as_deref(),
    );
    if let Err(e) = channel
        .edit(&*data.http, EditChannel::new().name(name.clone()))
        .await
    {
        // Keep the record true to Discord.
        let old = ticket.label.clone();
        if let Err(undo) = data
            .db
            .run(move |c| tickets::set_label(c, id, old.as_deref(), by))
            .await
        {
            tracing::warn!(ticket = id.0, error = %undo, "cannot undo a label");
        }
        return Err(e.into());
    }
    if labelled.label.is_some() {
        announce(ctx, text::renamed(&name)).await
    } else {
        announce(ctx, text::label_cleared(&name)).await
    }
}
