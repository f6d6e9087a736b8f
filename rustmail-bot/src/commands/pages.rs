//! Answering with a list that may not fit one message: the lines go in embed descriptions (4000
//! characters each, split on line boundaries), the first with the title, each further one as
//! another message (a follow-up for slash commands). Everything stays ephemeral for slash
//! commands.

use poise::CreateReply;
use serenity::all::{Colour, CreateAllowedMentions, CreateEmbed};

use super::Context;
use crate::error::CommandError;

/// Longest description used per embed (Discord allows 4096).
const DESCRIPTION: usize = 4000;

/// Sends `lines` under `title`, in as many messages as needed.
pub async fn answer_list(
    ctx: Context<'_>,
    title: &str,
    lines: &[String],
) -> Result<(), CommandError> {
    let text = lines.join("\n");
    for (i, piece) in crate::split::split(&text, DESCRIPTION)
        .into_iter()
        .enumerate()
    {
        let mut embed = CreateEmbed::new()
            .description(piece)
            .colour(Colour::new(ctx.data().config.thread.staff_colour.get()));
        if i == 0 {
            embed = embed.title(title);
        }
        ctx.send(
            CreateReply::default()
                .embed(embed)
                .ephemeral(true)
                .allowed_mentions(CreateAllowedMentions::new()),
        )
        .await?;
    }
    Ok(())
}
