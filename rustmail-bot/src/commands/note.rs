//! `/note add text`, `/note list`, `/note remove note_id` (and `!note add TEXT`, ...): notes about
//! the ticket's user, shown in the header of every future ticket of theirs.

use rustmail_db::ids::{NoteId, UserId as DbUserId};
use rustmail_db::notes;

use super::text::Text;
use super::{answer, staff, ticket_here, Context};
use crate::error::CommandError;
use crate::strings::workflow as text;

/// Notes about this ticket's user (shown in their future tickets).
#[poise::command(
    slash_command,
    prefix_command,
    guild_only,
    category = "Tickets",
    subcommands("add", "list", "remove"),
    subcommand_required
)]
#[allow(
    clippy::unused_async,
    reason = "poise needs an async parent; the subcommands do the work"
)]
pub async fn note(_ctx: Context<'_>) -> Result<(), CommandError> {
    Ok(())
}

/// Add a note about this ticket's user.
#[poise::command(slash_command, prefix_command, guild_only)]
pub async fn add(
    ctx: Context<'_>,
    #[description = "The note (up to 1000 characters)"] content: Text,
) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    let ticket = ticket_here(ctx).await?;
    let (user, me, name) = (
        ticket.user_id,
        DbUserId(invoker.id.get()),
        invoker.name.clone(),
    );
    let note = ctx
        .data()
        .db
        .run(move |c| notes::add(c, user, &content.0, me, &name))
        .await?;
    answer(ctx, text::note_added(note.id.0)).await
}

/// List the notes about this ticket's user.
#[poise::command(slash_command, prefix_command, guild_only)]
pub async fn list(ctx: Context<'_>) -> Result<(), CommandError> {
    staff(ctx)?;
    let ticket = ticket_here(ctx).await?;
    let user = ticket.user_id;
    let list = ctx.data().db.run(move |c| notes::for_user(c, user)).await?;
    if list.is_empty() {
        return answer(ctx, text::NO_NOTES).await;
    }
    let lines: Vec<String> = list
        .iter()
        .map(|n| {
            text::note_line(
                n.id.0,
                &n.content,
                &n.author_name,
                n.created_at.and_utc().timestamp(),
            )
        })
        .collect();
    super::pages::answer_list(ctx, &text::notes_title(user.get()), &lines).await
}

/// Remove a note about this ticket's user.
#[poise::command(slash_command, prefix_command, guild_only)]
pub async fn remove(
    ctx: Context<'_>,
    #[description = "The note's id (see /note list)"] note_id: i64,
) -> Result<(), CommandError> {
    staff(ctx)?;
    let ticket = ticket_here(ctx).await?;
    let user = ticket.user_id;
    ctx.data()
        .db
        .run(move |c| notes::remove(c, user, NoteId(note_id)))
        .await?;
    answer(ctx, text::note_removed(note_id)).await
}
