//! Snippets, named canned replies: `/snippet add|edit|remove|list|show` (`!snippet …`), sent
//! with `!s NAME` (`/s name`), anonymously with `!as NAME` (`/as name`), or `/reply snippet:NAME`.
//! A sent snippet is an ordinary numbered reply.

use rustmail_db::ids::UserId as DbUserId;
use rustmail_db::snippets;

use super::text::Text;
use super::{answer, staff, Context};
use crate::error::CommandError;
use crate::strings::workflow as text;

/// Manage snippets (canned replies).
#[poise::command(
    slash_command,
    prefix_command,
    guild_only,
    category = "Snippets",
    subcommands("add", "edit", "remove", "list", "show"),
    subcommand_required
)]
#[allow(
    clippy::unused_async,
    reason = "poise needs an async parent; the subcommands do the work"
)]
pub async fn snippet(_ctx: Context<'_>) -> Result<(), CommandError> {
    Ok(())
}

/// Add a snippet.
#[poise::command(slash_command, prefix_command, guild_only)]
pub async fn add(
    ctx: Context<'_>,
    #[description = "One word, up to 50 characters"] name: String,
    #[description = "The text sent to the user"] content: Text,
) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    let by = DbUserId(invoker.id.get());
    let added = ctx
        .data()
        .db
        .run(move |c| snippets::add(c, &name, &content.0, by))
        .await?;
    answer(ctx, text::snippet_added(&added.name)).await
}

/// Replace a snippet's text.
#[poise::command(slash_command, prefix_command, guild_only)]
pub async fn edit(
    ctx: Context<'_>,
    #[description = "The snippet's name"] name: String,
    #[description = "Its new text"] content: Text,
) -> Result<(), CommandError> {
    staff(ctx)?;
    let edited = ctx
        .data()
        .db
        .run(move |c| snippets::edit(c, &name, &content.0))
        .await?;
    answer(ctx, text::snippet_edited(&edited.name)).await
}

/// Remove a snippet.
#[poise::command(slash_command, prefix_command, guild_only)]
pub async fn remove(
    ctx: Context<'_>,
    #[description = "The snippet's name"] name: String,
) -> Result<(), CommandError> {
    staff(ctx)?;
    let removed = ctx
        .data()
        .db
        .run(move |c| snippets::remove(c, &name))
        .await?;
    answer(ctx, text::snippet_removed(&removed.name)).await
}

/// List the snippets.
#[poise::command(slash_command, prefix_command, guild_only)]
pub async fn list(ctx: Context<'_>) -> Result<(), CommandError> {
    staff(ctx)?;
    let all = ctx.data().db.run(snippets::list).await?;
    if all.is_empty() {
        return answer(ctx, text::NO_SNIPPETS).await;
    }
    let lines: Vec<String> = all
        .iter()
        .map(|s| text::snippet_line(&s.name, &s.content))
        .collect();
    super::pages::answer_list(ctx, text::SNIPPETS_TITLE, &lines).await
}

/// Show a snippet's text.
#[poise::command(slash_command, prefix_command, guild_only)]
pub async fn show(
    ctx: Context<'_>,
    #[description = "The snippet's name"] name: String,
) -> Result<(), CommandError> {
    staff(ctx)?;
    let found = ctx.data().db.run(move |c| snippets::get(c, &name)).await?;
    answer(ctx, text::snippet_shown(&found.name, &found.content)).await
}

/// The snippet's text.
pub async fn content_of(ctx: Context<'_>, name: String) -> Result<String, CommandError> {
    Ok(ctx
        .data()
        .db
        .run(move |c| snippets::get(c, &name))
        .await?
        .content)
}

/// `/reply`'s text: the given text, or the named snippet's.
pub async fn text_or_snippet(
    ctx: Context<'_>,
    content: Option<Text>,
    snippet: Option<String>,
) -> Result<String, CommandError> {
    match (content, snippet) {
        (Some(_), Some(_)) => Err(CommandError::user(text::TEXT_OR_SNIPPET)),
        (None, Some(name)) => content_of(ctx, name).await,
        (content, None) => Ok(content.map(|c| c.0).unwrap_or_default()),
    }
}

/// Send a snippet to the user as a reply.
#[poise::command(slash_command, prefix_command, guild_only, category = "Snippets")]
pub async fn s(
    ctx: Context<'_>,
    #[description = "The snippet's name"] name: String,
) -> Result<(), CommandError> {
    let sent = async {
        staff(ctx)?;
        let content = content_of(ctx, name).await?;
        super::reply::send(ctx, content, None, false).await
    };
    super::reply::finished(ctx, sent.await).await
}

/// Send a snippet to the user anonymously.
#[poise::command(
    slash_command,
    prefix_command,
    guild_only,
    category = "Snippets",
    rename = "as"
)]
pub async fn anon_snippet(
    ctx: Context<'_>,
    #[description = "The snippet's name"] name: String,
) -> Result<(), CommandError> {
    let sent = async {
        staff(ctx)?;
        let content = content_of(ctx, name).await?;
        super::reply::send(ctx, content, None, true).await
    };
    super::reply::finished(ctx, sent.await).await
}
