//! Staff reply commands that a crash or a lost gateway session left unanswered.
//!
//! A `!reply` that Discord accepted but the bot never recorded would be lost for good: the bot
//! was killed between receiving the message and recording the reply, or the message arrived
//! while the bot had no gateway session, and Discord does not send a message event again. So
//! recovery reads the open ticket channels' history since the previous process (or session) was
//! last seen, and runs again, through the channel's command queue, every reply command that has
//! no record and whose claim is free or held by a process that is gone.
//!
//! Only the commands that send a staff reply ([`REPLAYED`]) are run again: staff expect a reply
//! to reach the user whatever happens to the bot, while running again, say, a `!close` typed
//! before a long outage could surprise them. A command runs at most once: its reply is keyed by
//! the command's message id, and it is claimed again before it runs. A command that ran to an
//! error is marked finished ([`mark_finished`]) and never run again.

use std::collections::HashMap;
use std::time::Duration;

use chrono::NaiveDateTime;
use futures::StreamExt;
use rustmail_db::ids::MessageId as DbMessageId;
use rustmail_db::instances::{self, Instance};
use rustmail_db::messages;
use rustmail_db::tickets;
use serenity::all::{ChannelId, GuildId, Message, MessageId, PartialMember};

use crate::lifecycle::claims;
use crate::state::{Data, State};

/// The commands run again (by name): those that send a staff reply.
pub const REPLAYED: [&str; 4] = ["reply", "anonreply", "s", "as"];
/// How far before the previous process's last heartbeat (or the previous session's last event)
/// recovery looks: a command received shortly before may still have been in flight.
const MARGIN: Duration = Duration::from_secs(60);
/// Pages of a channel's history read at most.
const MAX_PAGES: usize = 10;
/// Ticket channels read at once.
const FETCH_CONCURRENCY: usize = 4;
/// Milliseconds between the Unix epoch and Discord's (snowflakes count from the latter).
const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;

/// Instances looked at to find the previous process.
const RECENT_INSTANCES: i64 = 20;

/// Since when to look for unanswered commands: at start-up, from the last heartbeat of the
/// newest process that is gone (the previous life of this bot; processes still running answer
/// their own commands); after a new gateway session, from the previous session's last event.
/// `None`: nothing can have been left (the first process, the first session).
pub async fn unanswered_since(data: &Data, startup: bool) -> Option<NaiveDateTime> {
    let margin = chrono::Duration::from_std(MARGIN).unwrap_or(chrono::Duration::MAX);
    if startup {
        match data
            .db
            .run(|c| instances::most_recent(c, RECENT_INSTANCES))
            .await
        {
            Ok(recent) => recent
                .iter()
                .find(|i| !is_alive(data, Some(i)))
                .map(|gone| gone.last_heartbeat_at - margin),
            Err(e) => {
                tracing::warn!(error = %e, "recovery: cannot read the previous process's heartbeat");
                None
            }
        }
    } else {
        let ms = data.commands.previous_session_end_ms()?;
        let at = chrono::DateTime::from_timestamp_millis(i64::try_from(ms).ok()?)?;
        Some(at.naive_utc() - margin)
    }
}

/// The first snowflake of `at` (every message sent at or after `at` has a greater id).
fn first_id_at(at: NaiveDateTime) -> MessageId {
    let ms = at.and_utc().timestamp_millis() - DISCORD_EPOCH_MS;
    MessageId::new(u64::try_from(ms).unwrap_or(0).max(1) << 22)
}

/// Finds the reply commands sent in open ticket channels since `since` that were never
/// answered, and queues each in its channel's command queue; returns how many.
pub async fn replay_unanswered(data: &Data, since: NaiveDateTime) -> usize {
    let open = match data.db.run(tickets::all_open).await {
        Ok(open) => open,
        Err(e) => {
            tracing::error!(error = %e, "recovery: cannot list open tickets");
            return 0;
        }
    };
    let after = first_id_at(since);
    let staff_guild = GuildId::new(data.config.servers.staff_guild().get());
    // The gateway told the newest message of each channel: channels quiet since then are skipped.
    let newest: Option<HashMap<ChannelId, Option<MessageId>>> =
        data.cache.guild(staff_guild).map(|g| {
            g.channels
                .iter()
                .map(|(id, c)| (*id, c.last_message_id))
                .collect()
        });
    let channels: Vec<ChannelId> = open
        .iter()
        .filter_map(|t| t.channel_id)
        .map(|c| ChannelId::new(c.get()))
        .filter(|c| match newest.as_ref().and_then(|n| n.get(c)) {
            Some(Some(last)) => *last > after,
            Some(None) => false,
            None => true,
        })
        .collect();
    let found: Vec<Vec<Message>> = futures::stream::iter(channels)
        .map(|channel| async move {
            let mut history = super::fetch_after(data, channel, after, Some(MAX_PAGES)).await;
            history.retain(|m| is_replayed_command(data, m));
            history
        })
        .buffer_unordered(FETCH_CONCURRENCY)
        .collect()
        .await;
    let mut replayed = 0;
    for message in found.into_iter().flatten() {
        if !unanswered(data, message.id).await {
            continue;
        }
        let (channel, id) = (message.channel_id, message.id);
        let Some(message) = as_gateway_message(data, message, staff_guild).await else {
            continue;
        };
        if data.commands.replay(message) {
            tracing::info!(%channel, message = %id, "recovery: running an unanswered reply command");
            replayed += 1;
        }
    }
    replayed
}

/// Whether `message` is one of the [`REPLAYED`] prefix commands.
fn is_replayed_command(data: &Data, message: &Message) -> bool {
    if message.author.bot {
        return false;
    }
    let Some(rest) = message.content.strip_prefix(data.commands.prefix()) else {
        return false;
    };
    let name = rest.split_whitespace().next().unwrap_or_default();
    REPLAYED.contains(&name)
}

/// Whether the command `message` was never answered and may run now (a claim held by a process
/// that is gone is freed for this one).
async fn unanswered(data: &Data, message: MessageId) -> bool {
    enum Found {
        Answered,
        Free,
        HeldBy(String, Option<Instance>),
    }
    let key = claims::command_key(message.get());
    let source = DbMessageId(message.get());
    let me = data.worker_id.clone();
    let lookup_key = key.clone();
    let found = data
        .db
        .run(move |c| {
            if messages::find_by_source(c, source)?.is_some() {
                return Ok(Found::Answered);
            }
            Ok(match instances::claim_holder(c, &lookup_key)? {
                None => Found::Free,
                Some((holder, _)) if holder == instances::FINISHED || holder == me => {
                    Found::Answered
                }
                Some((holder, _)) => {
                    let instance = instances::find(c, &holder)?;
                    Found::HeldBy(holder, instance)
                }
            })
        })
        .await;
    match found {
        Ok(Found::Free) => true,
        Ok(Found::HeldBy(holder, instance)) if !is_alive(data, instance.as_ref()) => {
            match data
                .write(move |c| instances::release_claim(c, &key, &holder))
                .await
            {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!(%message, error = %e, "recovery: cannot free a command's claim");
                    false
                }
            }
        }
        Ok(_) => false,
        Err(e) => {
            tracing::warn!(%message, error = %e, "recovery: cannot look up a command");
            false
        }
    }
}

/// This machine's name, as bot processes register it.
pub fn hostname() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "host".to_owned())
}

/// Whether the process that registered as `instance` may still be running.
fn is_alive(data: &Data, instance: Option<&Instance>) -> bool {
    let Some(instance) = instance else {
        return false;
    };
    if instance.id == data.worker_id {
        return true;
    }
    if instance.stopped_at.is_some() {
        return false;
    }
    let window =
        chrono::Duration::from_std(instances::ONLINE_WINDOW).unwrap_or(chrono::Duration::MAX);
    if instance.last_heartbeat_at < rustmail_db::time::now() - window {
        return false;
    }
    if instance.hostname != hostname() {
        // Another machine's process: trust its heartbeat.
        return true;
    }
    let pid = instance.pid;
    // Same machine: the process must exist (and not be this one, e.g. pid 1 in a container
    // restarted under the same name).
    i64::from(pid) != i64::from(std::process::id()) && process_exists(pid)
}

/// Whether process `pid` runs (a zombie, killed but not yet reaped by its parent, does not).
#[cfg(target_os = "linux")]
fn process_exists(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // "pid (name) S ...": the state follows the last ')'.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

#[cfg(not(target_os = "linux"))]
fn process_exists(_pid: i32) -> bool {
    // No cheap check: trust the heartbeat.
    true
}

/// A message read from a channel's history, completed as the gateway would have sent it (the
/// guild, and the author's member for the staff checks).
async fn as_gateway_message(data: &Data, mut message: Message, guild: GuildId) -> Option<Message> {
    message.guild_id = Some(guild);
    let cached = data
        .cache
        .guild(guild)
        .and_then(|g| g.members.get(&message.author.id).cloned());
    let member = match cached {
        Some(member) => member,
        None => match data.http.get_member(guild, message.author.id).await {
            Ok(member) => member,
            Err(e) => {
                tracing::warn!(message = %message.id, error = %crate::discord::describe(&e), "recovery: cannot read a command's author");
                return None;
            }
        },
    };
    let partial = serde_json::to_value(&member)
        .and_then(serde_json::from_value::<PartialMember>)
        .map_err(|e| tracing::warn!(error = %e, "recovery: cannot convert a member"))
        .ok()?;
    message.member = Some(Box::new(partial));
    Some(message)
}

/// Marks a reply command that ran to an error as finished, so recovery never runs it again.
pub async fn mark_finished(state: &State, invocation: u64) {
    let key = claims::command_key(invocation);
    if let Err(e) = state.write(move |c| instances::finish_claim(c, &key)).await {
        tracing::debug!(error = %e, "cannot mark a command finished");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_exists_and_an_impossible_pid_does_not() {
        let me = i32::try_from(std::process::id()).expect("pid");
        assert!(process_exists(me));
        assert!(!process_exists(i32::MAX));
    }

    #[test]
    fn every_replayed_name_is_a_prefix_command() {
        let all = crate::commands::all();
        for name in REPLAYED {
            assert!(
                all.iter()
                    .any(|c| c.name == name && c.prefix_action.is_some()),
                "{name}"
            );
        }
    }

    #[test]
    fn snowflakes_of_a_time_bound_the_messages_sent_from_then() {
        // 2015-01-01T00:00:01Z, one second after Discord's epoch.
        let at = chrono::DateTime::from_timestamp_millis(DISCORD_EPOCH_MS + 1_000)
            .expect("time")
            .naive_utc();
        assert_eq!(first_id_at(at).get(), 1_000 << 22);
        // A message sent in that millisecond (any worker, process, increment) is not before.
        assert!(MessageId::new((1_000 << 22) | 0x3f_ffff) >= first_id_at(at));
        assert!(MessageId::new((999 << 22) | 0x3f_ffff) < first_id_at(at));
    }
}
