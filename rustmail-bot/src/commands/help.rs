//! `/help`, `!help`: every command with its description, grouped by category, generated from the
//! registered command list (so it never goes stale).

use super::{staff, Context};
use crate::error::CommandError;
use crate::strings::workflow as text;

/// List every command.
#[poise::command(slash_command, prefix_command, guild_only, category = "Information")]
pub async fn help(ctx: Context<'_>) -> Result<(), CommandError> {
    staff(ctx)?;
    let commands = &ctx.framework().options().commands;
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for command in commands {
        let group = command.category.as_deref().unwrap_or("Other").to_owned();
        let mut lines = Vec::new();
        if command.subcommands.is_empty() {
            lines.push(text::help_line(
                &command.name,
                command.description.as_deref().unwrap_or_default(),
            ));
        }
        for sub in &command.subcommands {
            lines.push(text::help_line(
                &format!("{} {}", command.name, sub.name),
                sub.description.as_deref().unwrap_or_default(),
            ));
        }
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, existing)) => existing.extend(lines),
            None => groups.push((group, lines)),
        }
    }
    let mut lines = Vec::new();
    for (group, commands) in groups {
        lines.push(text::help_heading(&group));
        lines.extend(commands);
    }
    lines.push(text::help_footer(&ctx.data().config.bot.prefix));
    super::pages::answer_list(ctx, text::HELP_TITLE, &lines).await
}
