//! `/take [force]`, `!take [force]`: assigns the ticket to the invoker (shown in the channel
//! topic and the header); taking a ticket someone else has says who, and admins may force it.
//! `/release`, `!release`: clears the assignment (the assignee or an admin).

use rustmail_db::ids::UserId as DbUserId;
use rustmail_db::workflow::assign;
use rustmail_db::DomainError;

use super::args::{is_on, Switch};
use super::{announce, answer, staff, ticket_here, Context};
use crate::error::CommandError;
use crate::strings::workflow as text;

/// Assign this ticket to yourself.
#[poise::command(slash_command, prefix_command, guild_only, category = "Tickets")]
pub async fn take(
    ctx: Context<'_>,
    #[description = "Admins: take it over from whoever has it"] force: Option<Switch>,
) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    let ticket = ticket_here(ctx).await?;
    let data = ctx.data();
    let (id, me, admin, force) = (
        ticket.id,
        DbUserId(invoker.id.get()),
        invoker.admin,
        is_on(force),
    );
    let taken = match data
        .db
        .run(move |c| assign::take(c, id, me, admin, force))
        .await
    {
        Ok(t) => t,
        Err(DomainError::AlreadyAssigned { staff, .. }) => {
            return Err(CommandError::user(text::taken_by_other(staff.get(), admin)));
        }
        Err(e) => return Err(e.into()),
    };
    if taken.unchanged {
        return answer(ctx, text::ALREADY_YOURS).await;
    }
    crate::workflow::header::show_assignee(
        data,
        &taken.ticket,
        Some((invoker.id.get(), &invoker.name)),
    )
    .await;
    announce(
        ctx,
        text::taken(invoker.id.get(), taken.previous.map(DbUserId::get)),
    )
    .await
}

/// Clear this ticket's assignment.
#[poise::command(slash_command, prefix_command, guild_only, category = "Tickets")]
pub async fn release(ctx: Context<'_>) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    let ticket = ticket_here(ctx).await?;
    if ticket.assigned_to.is_none() {
        return Err(CommandError::user(text::NOT_ASSIGNED));
    }
    let data = ctx.data();
    let (id, me, admin) = (ticket.id, DbUserId(invoker.id.get()), invoker.admin);
    let released = data
        .db
        .run(move |c| assign::release(c, id, me, admin))
        .await?;
    crate::workflow::header::show_assignee(data, &released, None).await;
    announce(ctx, text::released(invoker.id.get())).await
}
