//! `/category create|list|delete|rename|on|off|timeout|enable|disable` (and `!category …`):
//! ticket categories and the category prompt, for admins only. The rules (unique names, at most
//! 24 enabled, timeout range) are `rustmail_db::categories`'.

use poise::serenity_prelude as serenity;
use poise::{PopArgument, SlashArgError, SlashArgument};
use rustmail_db::categories::{self, NewCategory};
use rustmail_db::ids::ChannelId as DbChannelId;

use super::args::ArgError;
use super::text::Text;
use super::{answer, staff, Context, Invoker};
use crate::error::CommandError;
use crate::strings::workflow as text;

/// Manage ticket categories and the category prompt (admins).
#[poise::command(
    slash_command,
    prefix_command,
    guild_only,
    category = "Categories",
    subcommands(
        "create", "list", "delete", "rename", "on", "off", "timeout", "enable", "disable"
    ),
    subcommand_required
)]
#[allow(
    clippy::unused_async,
    reason = "poise needs an async parent; the subcommands do the work"
)]
pub async fn category(_ctx: Context<'_>) -> Result<(), CommandError> {
    Ok(())
}

fn admin(ctx: Context<'_>) -> Result<Invoker, CommandError> {
    let invoker = staff(ctx)?;
    if invoker.admin {
        Ok(invoker)
    } else {
        Err(CommandError::user(text::ADMIN_ONLY))
    }
}

/// A Discord category channel: picked in the slash command, or its id or `<#id>` after `!`.
#[derive(Debug, Clone, Copy)]
pub struct CategoryChannel(pub serenity::ChannelId);

#[poise::async_trait]
impl<'a> PopArgument<'a> for CategoryChannel {
    async fn pop_from(
        args: &'a str,
        attachment_index: usize,
        _ctx: &serenity::Context,
        _msg: &serenity::Message,
    ) -> Result<(&'a str, usize, Self), (Box<dyn std::error::Error + Send + Sync>, Option<String>)>
    {
        let args = args.trim_start();
        let end = args.find(char::is_whitespace).unwrap_or(args.len());
        let (word, rest) = args.split_at(end);
        if word.is_empty() {
            return Err((Box::new(poise::TooFewArguments::default()), None));
        }
        let digits = word
            .strip_prefix("<#")
            .and_then(|w| w.strip_suffix('>'))
            .unwrap_or(word);
        match rustmail_db::ids::parse_snowflake(digits) {
            Ok(id) => Ok((rest, attachment_index, Self(serenity::ChannelId::new(id)))),
            Err(_) => Err((
                Box::new(ArgError(text::not_a_channel(word))),
                Some(word.to_owned()),
            )),
        }
    }
}

#[poise::async_trait]
impl SlashArgument for CategoryChannel {
    async fn extract(
        _ctx: &serenity::Context,
        _interaction: &serenity::CommandInteraction,
        value: &serenity::ResolvedValue<'_>,
    ) -> Result<Self, SlashArgError> {
        match value {
            serenity::ResolvedValue::Channel(c) => Ok(Self(c.id)),
            _ => Err(SlashArgError::new_command_structure_mismatch(
                "expected a channel",
            )),
        }
    }

    fn create(builder: serenity::CreateCommandOption) -> serenity::CreateCommandOption {
        builder
            .kind(serenity::CommandOptionType::Channel)
            .channel_types(vec![serenity::ChannelType::Category])
    }
}

/// Splits `NAME | DESCRIPTION | EMOJI` (the prefix form); slash options fill what is missing.
pub fn split_create(
    name: &str,
    description: Option<String>,
    emoji: Option<String>,
) -> (String, String, Option<String>) {
    let mut parts = name.splitn(3, '|').map(str::trim);
    let name = parts.next().unwrap_or_default().to_owned();
    let description = parts
        .next()
        .map(str::to_owned)
        .or(description)
        .unwrap_or_default();
    let emoji = parts
        .next()
        .map(str::to_owned)
        .or(emoji)
        .filter(|e| !e.trim().is_empty());
    (name, description, emoji)
}

/// Create a category whose tickets go to a Discord category.
#[poise::command(slash_command, prefix_command, guild_only)]
pub async fn create(
    ctx: Context<'_>,
    #[description = "The Discord category its tickets go to"] discord_category: CategoryChannel,
    #[description = "Its name (up to 50 characters)"] name: Text,
    #[description = "A short description shown to users"] description: Option<String>,
    #[description = "An emoji for its button"] emoji: Option<String>,
) -> Result<(), CommandError> {
    admin(ctx)?;
    let data = ctx.data();
    let target = discord_category.0;
    let staff_guild = serenity::GuildId::new(data.config.servers.staff_guild().get());
    let is_category = data.cache.guild(staff_guild).is_some_and(|g| {
        g.channels
            .get(&target)
            .is_some_and(|c| c.kind == serenity::ChannelType::Category)
    });
    if !is_category {
        return Err(CommandError::user(text::not_a_category(target.get())));
    }
    let (name, description, emoji) = split_create(&name.0, description, emoji);
    let new = NewCategory {
        name,
        description,
        emoji,
        discord_category_id: DbChannelId(target.get()),
    };
    let created = data.db.run(move |c| categories::create(c, &new)).await?;
    answer(ctx, text::category_created(&created.name, target.get())).await
}

/// List the categories and the prompt settings.
#[poise::command(slash_command, prefix_command, guild_only)]
pub async fn list(ctx: Context<'_>) -> Result<(), CommandError> {
    admin(ctx)?;
    let (all, settings) = ctx
        .data()
        .db
        .run(|c| Ok((categories::list(c)?, categories::prompt(c)?)))
        .await?;
    let mut lines = vec![text::categories_prompt(
        settings.enabled,
        settings.timeout_seconds,
    )];
    if all.is_empty() {
        lines.push(text::NO_CATEGORIES.to_owned());
    }
    lines.extend(all.iter().map(|c| {
        text::category_line(
            &c.name,
            &c.description,
            c.emoji.as_deref(),
            c.discord_category().get(),
            c.enabled,
        )
    }));
    super::pages::answer_list(ctx, text::CATEGORIES_TITLE, &lines).await
}

/// Delete a category (its open tickets stay where they are).
#[poise::command(slash_command, prefix_command, guild_only)]
pub async fn delete(
    ctx: Context<'_>,
    #[description = "The category's name"] name: Text,
) -> Result<(), CommandError> {
    admin(ctx)?;
    let deleted = ctx
        .data()
        .db
        .run(move |c| categories::delete(c, &name.0))
        .await?;
    answer(ctx, text::category_deleted(&deleted.name)).await
}

/// Rename a category (`!category rename OLD | NEW`).
#[poise::command(slash_command, prefix_command, guild_only)]
pub async fn rename(
    ctx: Context<'_>,
    #[description = "The category's current name"] name: Text,
    #[description = "Its new name"] new_name: Option<String>,
) -> Result<(), CommandError> {
    admin(ctx)?;
    let (old, new) = match (name.0.split_once('|'), new_name) {
        (_, Some(new)) => (name.0.clone(), new),
        (Some((old, new)), None) => (old.trim().to_owned(), new.trim().to_owned()),
        (None, None) => return Err(CommandError::user(text::RENAME_NEEDS_TWO)),
    };
    let before = old.clone();
    let renamed = ctx
        .data()
        .db
        .run(move |c| {
            let before = categories::by_name(c, &before)?.name;
            Ok((before, categories::rename(c, &old, &new)?))
        })
        .await?;
    answer(ctx, text::category_renamed(&renamed.0, &renamed.1.name)).await
}

async fn switch_prompt(ctx: Context<'_>, on: bool) -> Result<(), CommandError> {
    admin(ctx)?;
    let enabled = ctx
        .data()
        .db
        .run(move |c| {
            categories::set_prompt_enabled(c, on)?;
            Ok(categories::enabled(c)?.len())
        })
        .await?;
    answer(ctx, text::prompt_switched(on, enabled)).await
}

/// Turn the category prompt on.
#[poise::command(slash_command, prefix_command, guild_only)]
pub async fn on(ctx: Context<'_>) -> Result<(), CommandError> {
    switch_prompt(ctx, true).await
}

/// Turn the category prompt off.
#[poise::command(slash_command, prefix_command, guild_only)]
pub async fn off(ctx: Context<'_>) -> Result<(), CommandError> {
    switch_prompt(ctx, false).await
}

/// How long users have to pick a category (10 to 86400 seconds).
#[poise::command(slash_command, prefix_command, guild_only)]
pub async fn timeout(
    ctx: Context<'_>,
    #[description = "Seconds (10 to 86400)"] seconds: i64,
) -> Result<(), CommandError> {
    admin(ctx)?;
    let settings = ctx
        .data()
        .db
        .run(move |c| categories::set_prompt_timeout(c, seconds))
        .await?;
    answer(ctx, text::prompt_timeout_set(settings.timeout_seconds)).await
}

async fn set_enabled(ctx: Context<'_>, name: String, enabled: bool) -> Result<(), CommandError> {
    admin(ctx)?;
    let category = ctx
        .data()
        .db
        .run(move |c| categories::set_enabled(c, &name, enabled))
        .await?;
    answer(ctx, text::category_enabled(&category.name, enabled)).await
}

/// Show a category in the prompt.
#[poise::command(slash_command, prefix_command, guild_only)]
pub async fn enable(
    ctx: Context<'_>,
    #[description = "The category's name"] name: Text,
) -> Result<(), CommandError> {
    set_enabled(ctx, name.0, true).await
}

/// Hide a category from the prompt.
#[poise::command(slash_command, prefix_command, guild_only)]
pub async fn disable(
    ctx: Context<'_>,
    #[description = "The category's name"] name: Text,
) -> Result<(), CommandError> {
    set_enabled(ctx, name.0, false).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_prefix_form() {
        assert_eq!(
            split_create("Billing | Payments and refunds | 💳", None, None),
            (
                "Billing".to_owned(),
                "Payments and refunds".to_owned(),
                Some("💳".to_owned())
            )
        );
        assert_eq!(
            split_create("Billing", Some("Payments".into()), Some("💳".into())),
            (
                "Billing".to_owned(),
                "Payments".to_owned(),
                Some("💳".to_owned())
            )
        );
        assert_eq!(
            split_create("Billing |  | ", None, None),
            ("Billing".to_owned(), String::new(), None)
        );
    }
}
