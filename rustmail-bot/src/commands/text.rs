//! [`Text`]: a command's free text. As a slash option it is a plain string; as a prefix argument
//! it takes the rest of the message (so `!reply hello there` replies "hello there") without
//! having to be the last parameter, which lets the required text come first, as Discord wants.
//!
//! poise's argument traits are `async_trait` traits; poise re-exports the macro, so the bot needs
//! no dependency of its own for it.

use poise::serenity_prelude as serenity;
use poise::{PopArgument, SlashArgError, SlashArgument};

/// The rest of a prefix command's text (possibly empty), or a slash command's string option.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub String);

#[poise::async_trait]
impl<'a> PopArgument<'a> for Text {
    async fn pop_from(
        args: &'a str,
        attachment_index: usize,
        _ctx: &serenity::Context,
        _msg: &serenity::Message,
    ) -> Result<(&'a str, usize, Self), (Box<dyn std::error::Error + Send + Sync>, Option<String>)>
    {
        // Empty is allowed: a reply may be only an upload (the command decides).
        Ok(("", attachment_index, Text(args.trim().to_owned())))
    }
}

#[poise::async_trait]
impl SlashArgument for Text {
    async fn extract(
        _ctx: &serenity::Context,
        _interaction: &serenity::CommandInteraction,
        value: &serenity::ResolvedValue<'_>,
    ) -> Result<Self, SlashArgError> {
        match value {
            serenity::ResolvedValue::String(s) => Ok(Text((*s).to_owned())),
            _ => Err(SlashArgError::new_command_structure_mismatch(
                "expected a string",
            )),
        }
    }

    fn create(builder: serenity::CreateCommandOption) -> serenity::CreateCommandOption {
        builder.kind(serenity::CommandOptionType::String)
    }
}
