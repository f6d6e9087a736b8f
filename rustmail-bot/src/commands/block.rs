//! `/block user [duration] [reason]` (`!block USER [DURATION] [REASON]`), `/unblock user`,
//! `/blocked`: the block list. A blocked user's DMs open no ticket (they get
//! `thread.blocked_message`, or nothing when it is empty); timed blocks expire by themselves.

use rustmail_db::blocks;
use rustmail_db::duration::parse_duration;
use rustmail_db::ids::UserId as DbUserId;
use rustmail_db::tickets;

use super::args::{UserArg, UserIdArg};
use super::{announce, answer, staff, Context};
use crate::error::CommandError;
use crate::strings::workflow as text;

/// Splits `!block`'s words after the user: a first word starting with a digit is the duration
/// (and must be one); anything else is the reason. Slash options come separately.
pub fn duration_and_reason(
    duration: Option<String>,
    reason: Option<String>,
    prefix: bool,
) -> Result<(Option<std::time::Duration>, String), String> {
    let reason = reason.unwrap_or_default();
    let Some(word) = duration
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty())
    else {
        return Ok((None, reason.trim().to_owned()));
    };
    if prefix && !word.starts_with(|c: char| c.is_ascii_digit()) {
        let joined = format!("{word} {reason}");
        return Ok((None, joined.trim().to_owned()));
    }
    let d = parse_duration(&word).map_err(|e| text::bad_duration(&e))?;
    Ok((Some(d), reason.trim().to_owned()))
}

/// Block a user: their DMs open no ticket (optionally for a while).
#[poise::command(slash_command, prefix_command, guild_only, category = "Moderation")]
pub async fn block(
    ctx: Context<'_>,
    #[description = "Who to block"] user: UserArg,
    #[description = "For how long: 30m, 2h, 7d (default: until unblocked)"] duration: Option<
        String,
    >,
    #[description = "Why (shown in /blocked)"]
    #[rest]
    reason: Option<String>,
) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    let prefix = matches!(ctx, poise::Context::Prefix(_));
    let (after, reason) =
        duration_and_reason(duration, reason, prefix).map_err(CommandError::user)?;
    let target = user.0;
    let (who, by) = (DbUserId(target.id.get()), DbUserId(invoker.id.get()));
    let expires = after.map(rustmail_db::time::after);
    let data = ctx.data();
    let (block, open) = data
        .db
        .run(move |c| {
            let block = blocks::block(c, who, by, &reason, expires)?;
            Ok((block, tickets::find_open_by_user(c, who)?))
        })
        .await?;
    let mut message = text::blocked(
        target.id.get(),
        block.expires_at.map(|e| e.and_utc().timestamp()),
        &block.reason,
    );
    if let Some(ticket) = open {
        message.push_str(&text::blocked_with_open_ticket(
            ticket.channel_id.map(rustmail_db::ids::ChannelId::get),
        ));
    }
    announce(ctx, message).await
}

/// Lift a user's block.
#[poise::command(slash_command, prefix_command, guild_only, category = "Moderation")]
pub async fn unblock(
    ctx: Context<'_>,
    #[description = "Who to unblock"] user: UserIdArg,
) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    let (who, by) = (DbUserId(user.0.get()), DbUserId(invoker.id.get()));
    ctx.data()
        .db
        .run(move |c| blocks::unblock(c, who, by))
        .await?;
    announce(ctx, text::unblocked(user.0.get())).await
}

/// List the users blocked now.
#[poise::command(slash_command, prefix_command, guild_only, category = "Moderation")]
pub async fn blocked(ctx: Context<'_>) -> Result<(), CommandError> {
    staff(ctx)?;
    let list = ctx.data().db.run(blocks::list_active).await?;
    if list.is_empty() {
        return answer(ctx, text::NOBODY_BLOCKED).await;
    }
    let lines: Vec<String> = list
        .iter()
        .map(|b| {
            text::block_line(
                b.user_id.get(),
                b.blocked_by.get(),
                b.blocked_at.and_utc().timestamp(),
                b.expires_at.map(|e| e.and_utc().timestamp()),
                &b.reason,
            )
        })
        .collect();
    super::pages::answer_list(ctx, text::BLOCKED_TITLE, &lines).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_block_words() {
        let s = |v: &str| Some(v.to_owned());
        assert_eq!(
            duration_and_reason(s("2h"), s("spam"), true),
            Ok((
                Some(std::time::Duration::from_secs(7200)),
                "spam".to_owned()
            ))
        );
        assert_eq!(
            duration_and_reason(s("spamming"), s("a lot"), true),
            Ok((None, "spamming a lot".to_owned()))
        );
        assert_eq!(
            duration_and_reason(None, None, true),
            Ok((None, String::new()))
        );
        assert!(duration_and_reason(s("2x"), None, true).is_err());
        assert!(duration_and_reason(s("soon"), None, false).is_err());
    }
}
