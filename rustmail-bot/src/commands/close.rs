//! `/close [silent] [time] [cancel]` (`!close`, `!close -s`, `!close 2h`, `!close -c`) and
//! `/force_close` (`!force_close`).

use std::time::Duration;

use rustmail_db::duration::{parse_duration, DurationError};
use rustmail_db::ids::{ChannelId as DbChannelId, UserId as DbUserId};
use rustmail_db::jobs::{self, CloseSchedule, JobKind};
use rustmail_db::tickets::{self, CloseKind};
use serenity::all::{ChannelId, GuildId};

use super::{announce, answer, staff, ticket_here, Context};
use crate::error::CommandError;
use crate::lifecycle::close::{close as close_ticket, CloseOrder};
use crate::strings;

/// What `/close` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseMode {
    Now { silent: bool },
    Later { after: Duration, silent: bool },
    Cancel,
}

/// Reads `/close`'s options, or `!close`'s words (`-s`, `-c`, a duration) from `time`.
pub fn parse_close(
    silent: Option<bool>,
    cancel: Option<bool>,
    time: Option<&str>,
) -> Result<CloseMode, DurationError> {
    let mut silent = silent.unwrap_or(false);
    let mut cancel = cancel.unwrap_or(false);
    let mut rest = Vec::new();
    for word in time.unwrap_or_default().split_whitespace() {
        match word.to_ascii_lowercase().as_str() {
            "-s" | "--silent" | "silent" => silent = true,
            "-c" | "--cancel" | "cancel" => cancel = true,
            _ => rest.push(word),
        }
    }
    if cancel {
        return Ok(CloseMode::Cancel);
    }
    if rest.is_empty() {
        return Ok(CloseMode::Now { silent });
    }
    Ok(CloseMode::Later {
        after: parse_duration(&rest.join(" "))?,
        silent,
    })
}

/// Close this ticket now, later (time: 30m, 2h, 1d, 1d12h), or cancel a scheduled close.
#[poise::command(slash_command, prefix_command, guild_only, category = "Tickets")]
pub async fn close(
    ctx: Context<'_>,
    #[description = "Close without telling the user"] silent: Option<bool>,
    #[description = "Cancel the scheduled close"] cancel: Option<bool>,
    #[description = "Close after this long: 30m, 2h, 1d, 1d12h"]
    #[rest]
    time: Option<String>,
) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    let mode = parse_close(silent, cancel, time.as_deref())
        .map_err(|e| CommandError::user(strings::bad_close_time(&e)))?;
    let ticket = ticket_here(ctx).await?;
    let data = ctx.data();
    let by = DbUserId(invoker.id.get());
    let id = ticket.id;
    match mode {
        CloseMode::Cancel => {
            let cancelled = data
                .db
                .run(
                    move |c| match jobs::live_for_ticket(c, id, JobKind::Close)? {
                        Some(job) => jobs::cancel(c, job.id, Some(by)).map(|_| true),
                        None => Ok(false),
                    },
                )
                .await?;
            if !cancelled {
                return Err(CommandError::user(strings::NO_SCHEDULED_CLOSE));
            }
            announce(ctx, strings::CLOSE_CANCELLED).await
        }
        CloseMode::Later { after, silent } => {
            let schedule = CloseSchedule {
                kind: JobKind::Close,
                due_at: rustmail_db::time::after(after),
                by: Some(by),
                silent,
            };
            let job = data
                .db
                .run(move |c| jobs::schedule_close(c, id, &schedule))
                .await?;
            let unix = job.due_at.and_utc().timestamp();
            data.wake_scheduler.notify_one();
            announce(ctx, strings::close_scheduled(unix, silent)).await
        }
        CloseMode::Now { silent } => {
            if let poise::Context::Application(_) = ctx {
                answer(ctx, strings::CLOSING).await?;
            }
            let kind = if silent {
                CloseKind::Silent
            } else {
                CloseKind::Staff
            };
            close_ticket(data, id, CloseOrder::new(kind, Some(invoker.id))).await?;
            Ok(())
        }
    }
}

/// Close an orphaned ticket without contacting the user.
///
/// For a ticket whose user left or cannot be reached, or a channel in the inbox with no open
/// ticket.
#[poise::command(slash_command, prefix_command, guild_only, category = "Tickets")]
pub async fn force_close(ctx: Context<'_>) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    let data = ctx.data();
    let channel = ctx.channel_id();
    let db_channel = DbChannelId(channel.get());
    let ticket = data
        .db
        .run(move |c| tickets::find_by_channel(c, db_channel))
        .await?;
    if let Some(ticket) = ticket.filter(tickets::Ticket::is_open) {
        if let poise::Context::Application(_) = ctx {
            answer(ctx, strings::CLOSING).await?;
        }
        close_ticket(
            data,
            ticket.id,
            CloseOrder::new(CloseKind::Force, Some(invoker.id)),
        )
        .await?;
        return Ok(());
    }
    // No open ticket: an orphaned channel in a ticket category may be removed.
    let guild = GuildId::new(data.config.servers.staff_guild().get());
    let (parent, name) = data
        .cache
        .guild(guild)
        .and_then(|g| {
            g.channels
                .get(&channel)
                .map(|c| (c.parent_id, c.name.clone()))
        })
        .unwrap_or((None, String::new()));
    let channels = &data.config.channels;
    let ticket_categories: Vec<ChannelId> = std::iter::once(channels.inbox_category_id)
        .chain(channels.overflow_category_id)
        .map(|c| ChannelId::new(c.get()))
        .collect();
    if !parent.is_some_and(|p| ticket_categories.contains(&p)) {
        return Err(CommandError::user(strings::FORCE_CLOSE_NOT_ORPHAN));
    }
    if let poise::Context::Application(_) = ctx {
        answer(ctx, strings::CLOSING).await?;
    }
    crate::lifecycle::close::retire_channel(data, channel).await?;
    let log = ChannelId::new(channels.log_channel_id.get());
    crate::lifecycle::post_notice(data, log, &strings::orphan_removed(&name)).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_close_arguments() {
        assert_eq!(
            parse_close(None, None, None),
            Ok(CloseMode::Now { silent: false })
        );
        assert_eq!(
            parse_close(None, None, Some("-s")),
            Ok(CloseMode::Now { silent: true })
        );
        assert_eq!(
            parse_close(Some(true), None, None),
            Ok(CloseMode::Now { silent: true })
        );
        assert_eq!(parse_close(None, None, Some("-c")), Ok(CloseMode::Cancel));
        assert_eq!(
            parse_close(None, Some(true), Some("2h")),
            Ok(CloseMode::Cancel)
        );
        assert_eq!(
            parse_close(None, None, Some("2h")),
            Ok(CloseMode::Later {
                after: Duration::from_secs(7200),
                silent: false
            })
        );
        assert_eq!(
            parse_close(None, None, Some("-s 1d12h")),
            Ok(CloseMode::Later {
                after: Duration::from_secs(129_600),
                silent: true
            })
        );
        assert_eq!(
            parse_close(None, None, Some("30m")),
            Ok(CloseMode::Later {
                after: Duration::from_secs(1800),
                silent: false
            })
        );
        assert!(parse_close(None, None, Some("soon")).is_err());
        assert!(parse_close(None, None, Some("2x")).is_err());
    }
}
