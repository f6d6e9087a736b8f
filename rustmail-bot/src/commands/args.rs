//! Argument types shared by the staff workflow commands, each one type for both forms:
//!
//! - [`UserArg`]: a Discord user. As a slash option, Discord's user picker; as a prefix argument,
//!   a mention (`<@123>`, `<@!123>`) or a bare id, looked up in the cache and then through
//!   Discord (never a name search: that route is slow, ambiguous and rate-limited).
//! - [`UserIdArg`]: the same without the lookup, for users who may be gone (`/logs`,
//!   `/unblock`).
//! - [`Switch`]: an on/off option. As a slash option, a boolean; as a prefix argument, one of the
//!   words in [`SWITCH_WORDS`] (`!take force`, `!alert cancel`).

use poise::serenity_prelude as serenity;
use poise::{PopArgument, SlashArgError, SlashArgument};

use crate::strings::workflow as text;

/// Words that turn a [`Switch`] on in a prefix command.
pub const SWITCH_WORDS: [&str; 9] = [
    "force", "-f", "--force", "cancel", "-c", "--cancel", "yes", "true", "on",
];

/// An argument that could not be read; its text is shown to the invoker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgError(pub String);

impl std::fmt::Display for ArgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ArgError {}

type PopError = (Box<dyn std::error::Error + Send + Sync>, Option<String>);

/// Splits the first whitespace-separated word off `args`. Public only for the fuzz targets.
#[doc(hidden)]
pub fn first_word(args: &str) -> (&str, &str) {
    let args = args.trim_start();
    match args.find(char::is_whitespace) {
        Some(i) => (&args[..i], &args[i..]),
        None => (args, ""),
    }
}

/// Reads a user mention (`<@123>`, `<@!123>`) or a bare id.
pub fn parse_user_ref(word: &str) -> Option<serenity::UserId> {
    let digits = word
        .strip_prefix("<@")
        .and_then(|w| w.strip_suffix('>'))
        .map_or(word, |inner| inner.trim_start_matches('!'));
    rustmail_db::ids::parse_snowflake(digits)
        .ok()
        .map(serenity::UserId::new)
}

/// A Discord user given as a mention, an id, or picked in the slash command.
#[derive(Debug, Clone)]
pub struct UserArg(pub serenity::User);

/// The user with this id: from the cache, else from Discord.
pub async fn lookup_user(
    ctx: &serenity::Context,
    id: serenity::UserId,
) -> Result<serenity::User, ArgError> {
    lookup_user_with(&ctx.cache, &ctx.http, id).await
}

/// [`lookup_user`] with the cache and HTTP client at hand.
pub async fn lookup_user_with(
    cache: &serenity::Cache,
    http: &serenity::Http,
    id: serenity::UserId,
) -> Result<serenity::User, ArgError> {
    if let Some(user) = cache.user(id) {
        return Ok(user.clone());
    }
    match http.get_user(id).await {
        Ok(user) => Ok(user),
        Err(e) if crate::discord::is_gone(&e) => Err(ArgError(text::unknown_user(id.get()))),
        Err(e) => Err(ArgError(text::user_lookup_failed(
            id.get(),
            &crate::discord::describe(&e),
        ))),
    }
}

#[poise::async_trait]
impl<'a> PopArgument<'a> for UserArg {
    async fn pop_from(
        args: &'a str,
        attachment_index: usize,
        ctx: &serenity::Context,
        _msg: &serenity::Message,
    ) -> Result<(&'a str, usize, Self), PopError> {
        let (word, rest) = first_word(args);
        if word.is_empty() {
            return Err((Box::new(poise::TooFewArguments::default()), None));
        }
        let Some(id) = parse_user_ref(word) else {
            return Err((
                Box::new(ArgError(text::not_a_user(word))),
                Some(word.to_owned()),
            ));
        };
        match lookup_user(ctx, id).await {
            Ok(user) => Ok((rest, attachment_index, UserArg(user))),
            Err(e) => Err((Box::new(e), Some(word.to_owned()))),
        }
    }
}

#[poise::async_trait]
impl SlashArgument for UserArg {
    async fn extract(
        _ctx: &serenity::Context,
        _interaction: &serenity::CommandInteraction,
        value: &serenity::ResolvedValue<'_>,
    ) -> Result<Self, SlashArgError> {
        match value {
            serenity::ResolvedValue::User(user, _) => Ok(UserArg((*user).clone())),
            _ => Err(SlashArgError::new_command_structure_mismatch(
                "expected a user",
            )),
        }
    }

    fn create(builder: serenity::CreateCommandOption) -> serenity::CreateCommandOption {
        builder.kind(serenity::CommandOptionType::User)
    }
}

/// A user id given as a mention or an id (not looked up: the user may have left Discord), or
/// picked in the slash command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserIdArg(pub serenity::UserId);

#[poise::async_trait]
impl<'a> PopArgument<'a> for UserIdArg {
    async fn pop_from(
        args: &'a str,
        attachment_index: usize,
        _ctx: &serenity::Context,
        _msg: &serenity::Message,
    ) -> Result<(&'a str, usize, Self), PopError> {
        let (word, rest) = first_word(args);
        if word.is_empty() {
            return Err((Box::new(poise::TooFewArguments::default()), None));
        }
        match parse_user_ref(word) {
            Some(id) => Ok((rest, attachment_index, UserIdArg(id))),
            None => Err((
                Box::new(ArgError(text::not_a_user(word))),
                Some(word.to_owned()),
            )),
        }
    }
}

#[poise::async_trait]
impl SlashArgument for UserIdArg {
    async fn extract(
        _ctx: &serenity::Context,
        _interaction: &serenity::CommandInteraction,
        value: &serenity::ResolvedValue<'_>,
    ) -> Result<Self, SlashArgError> {
        match value {
            serenity::ResolvedValue::User(user, _) => Ok(UserIdArg(user.id)),
            _ => Err(SlashArgError::new_command_structure_mismatch(
                "expected a user",
            )),
        }
    }

    fn create(builder: serenity::CreateCommandOption) -> serenity::CreateCommandOption {
        builder.kind(serenity::CommandOptionType::User)
    }
}

/// An on/off option: a boolean slash option, or a word from [`SWITCH_WORDS`] after a prefix
/// command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Switch(pub bool);

/// Whether `word` turns a [`Switch`] on (any case).
pub fn is_switch_word(word: &str) -> bool {
    SWITCH_WORDS.contains(&word.to_ascii_lowercase().as_str())
}

/// Whether an optional switch is on.
pub fn is_on(switch: Option<Switch>) -> bool {
    switch.is_some_and(|s| s.0)
}

#[poise::async_trait]
impl<'a> PopArgument<'a> for Switch {
    async fn pop_from(
        args: &'a str,
        attachment_index: usize,
        _ctx: &serenity::Context,
        _msg: &serenity::Message,
    ) -> Result<(&'a str, usize, Self), PopError> {
        let (word, rest) = first_word(args);
        if word.is_empty() {
            return Err((Box::new(poise::TooFewArguments::default()), None));
        }
        if is_switch_word(word) {
            Ok((rest, attachment_index, Switch(true)))
        } else {
            Err((
                Box::new(ArgError(text::not_a_switch(word))),
                Some(word.to_owned()),
            ))
        }
    }
}

#[poise::async_trait]
impl SlashArgument for Switch {
    async fn extract(
        _ctx: &serenity::Context,
        _interaction: &serenity::CommandInteraction,
        value: &serenity::ResolvedValue<'_>,
    ) -> Result<Self, SlashArgError> {
        match value {
            serenity::ResolvedValue::Boolean(b) => Ok(Switch(*b)),
            _ => Err(SlashArgError::new_command_structure_mismatch(
                "expected a boolean",
            )),
        }
    }

    fn create(builder: serenity::CreateCommandOption) -> serenity::CreateCommandOption {
        builder.kind(serenity::CommandOptionType::Boolean)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_user_references() {
        assert_eq!(
            parse_user_ref("123456789012345678").map(serenity::UserId::get),
            Some(123_456_789_012_345_678)
        );
        assert_eq!(
            parse_user_ref("<@123456789012345678>").map(serenity::UserId::get),
            Some(123_456_789_012_345_678)
        );
        assert_eq!(
            parse_user_ref("<@!42>").map(serenity::UserId::get),
            Some(42)
        );
        assert_eq!(parse_user_ref("alice"), None);
        assert_eq!(parse_user_ref("<@&42>"), None);
        assert_eq!(parse_user_ref("0"), None);
    }

    #[test]
    fn splits_words() {
        assert_eq!(first_word("  force rest"), ("force", " rest"));
        assert_eq!(first_word("one"), ("one", ""));
        assert_eq!(first_word(""), ("", ""));
    }
}
