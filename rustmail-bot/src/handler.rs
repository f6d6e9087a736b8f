//! The raw event handler (poise's `event_handler`): DMs go to the user's ordered queue; staff
//! messages in ticket channels become internal notes; edits, deletions, deleted channels,
//! departing members and typing go to their handlers; created channels and the bot's buttons go
//! to the staff workflow. Everything else is ignored.

use std::time::Duration;

use rustmail_db::ids::{ChannelId as DbChannelId, MessageId as DbMessageId, UserId as DbUserId};
use rustmail_db::messages::{self, Author};
use rustmail_db::tickets;
use serenity::all::{ConnectionStage, FullEvent, GuildId, Message, MessageUpdateEvent, RoleId};

use crate::checks::{self, MemberView};
use crate::error::CommandError;
use crate::inbound::Work;
use crate::state::Data;

/// How long after READY the bot waits for the cache before starting anyway.
const CACHE_READY_FALLBACK: Duration = Duration::from_secs(10);

/// poise's event handler.
pub async fn handle(
    ctx: poise::FrameworkContext<'_, Data, CommandError>,
    event: &FullEvent,
) -> Result<(), CommandError> {
    let data = ctx.user_data;
    match event {
        FullEvent::Ready { data_about_bot } => {
            let _ = data.bot_user.set(data_about_bot.user.id);
            data.metrics.set_gateway_connected(true);
            if data.ready_again() {
                // A new gateway session: whatever happened meanwhile was not dispatched, and
                // must be taken in before the new session's DMs.
                data.inbound.hold(data.known_dm_users());
                data.commands.hold();
                let data = data.clone();
                tokio::spawn(async move {
                    crate::recovery::run(&data, None).await;
                });
            }
            let data = data.clone();
            tokio::spawn(async move {
                if data.sleep(CACHE_READY_FALLBACK).await && !*data.ready.borrow() {
                    tracing::warn!("the guild cache is not complete; starting anyway");
                    cache_ready(&data);
                }
            });
        }
        FullEvent::CacheReady { .. } => cache_ready(data),
        FullEvent::Resume { .. } => data.metrics.set_gateway_connected(true),
        FullEvent::ShardStageUpdate { event } => data
            .metrics
            .set_gateway_connected(event.new == ConnectionStage::Connected),
        FullEvent::Message { new_message } => on_message(data, new_message).await,
        FullEvent::MessageUpdate { event, .. } => on_update(data, event).await,
        FullEvent::MessageDelete {
            channel_id,
            deleted_message_id,
            guild_id,
        } => match guild_id {
            None => match data.dm_user_of(*channel_id) {
                Some(user) => data.inbound.push(
                    data,
                    user,
                    Work::Delete {
                        message_id: *deleted_message_id,
                    },
                ),
                None => deleted_unknown_dm(data, *deleted_message_id).await,
            },
            Some(g) if is_staff_guild(data, *g) => {
                crate::inbound::mirror::note_deleted(data, *deleted_message_id).await;
            }
            Some(_) => {}
        },
        FullEvent::ChannelDelete { channel, .. } if is_staff_guild(data, channel.guild_id) => {
            crate::lifecycle::events::channel_deleted(data, channel.id).await;
        }
        FullEvent::GuildMemberRemoval { guild_id, user, .. } => {
            crate::lifecycle::events::member_left(data, *guild_id, user.id).await;
        }
        FullEvent::TypingStart { event } => crate::lifecycle::events::typing(data, event).await,
        FullEvent::ChannelCreate { channel } => {
            crate::workflow::channel_created::handle(data, channel).await;
        }
        FullEvent::InteractionCreate { interaction } => {
            crate::workflow::components::handle(data, interaction).await;
        }
        _ => {}
    }
    Ok(())
}

/// The cache is complete: background tasks may start, and (once per process) recovery runs.
fn cache_ready(data: &Data) {
    data.ready.send_replace(true);
    if data.first_start() {
        let data = data.clone();
        tokio::spawn(async move {
            let snapshot = data.take_startup_snapshot();
            crate::recovery::run(&data, snapshot).await;
        });
    }
}

fn is_staff_guild(data: &Data, guild: GuildId) -> bool {
    guild.get() == data.config.servers.staff_guild().get()
}

async fn on_message(data: &Data, message: &Message) {
    if !crate::inbound::is_person_message(message) {
        return;
    }
    match message.guild_id {
        None => data.inbound.push_dm(data, message.clone()),
        Some(g) if is_staff_guild(data, g) => internal_note(data, message).await,
        Some(_) => {}
    }
}

/// Whether the author of a guild message is staff (from the roles the event carries).
fn author_is_staff(data: &Data, message: &Message) -> bool {
    let Some(member) = &message.member else {
        return false;
    };
    let guild = GuildId::new(data.config.servers.staff_guild().get());
    let administrator = data.cache.guild(guild).is_some_and(|g| {
        let everyone = RoleId::new(guild.get());
        let perms = member
            .roles
            .iter()
            .chain(std::iter::once(&everyone))
            .filter_map(|r| g.roles.get(r).map(|role| role.permissions));
        checks::has_administrator(perms, g.owner_id == message.author.id)
    });
    checks::is_staff(
        &data.config.servers,
        MemberView {
            roles: &member.roles,
            administrator,
        },
    )
}

/// A staff message in a ticket channel that is not a command: recorded, never sent.
async fn internal_note(data: &Data, message: &Message) {
    if message.content.starts_with(&data.config.bot.prefix) || !author_is_staff(data, message) {
        return;
    }
    let channel = DbChannelId(message.channel_id.get());
    let ticket = match data
        .db
        .run(move |c| tickets::find_by_channel(c, channel))
        .await
    {
        Ok(Some(t)) if t.is_open() => t,
        Ok(_) => return,
        Err(e) => {
            tracing::warn!(channel = %message.channel_id, error = %e, "cannot look up a ticket channel");
            return;
        }
    };
    let files = crate::relay::fetch_attachments(data, &message.attachments).await;
    let author = Author {
        id: DbUserId(message.author.id.get()),
        name: message
            .member
            .as_ref()
            .and_then(|m| m.nick.clone())
            .or_else(|| message.author.global_name.clone())
            .unwrap_or_else(|| message.author.name.clone()),
        role: None,
    };
    let (id, content) = (DbMessageId(message.id.get()), message.content.clone());
    if let Err(e) = data
        .db
        .run(move |c| messages::record_internal(c, ticket.id, id, &author, &content, &files))
        .await
    {
        tracing::warn!(ticket = ticket.id.0, error = %e, "cannot record an internal note");
    }
}

async fn on_update(data: &Data, event: &MessageUpdateEvent) {
    let Some(content) = event.content.clone() else {
        return;
    };
    if event.author.as_ref().is_some_and(|a| a.bot) {
        return;
    }
    match event.guild_id {
        None => {
            let user = event
                .author
                .as_ref()
                .map(|a| a.id)
                .or_else(|| data.dm_user_of(event.channel_id));
            let Some(user) = user else {
                return;
            };
            // Make sure the DM itself is queued before its edit.
            let cached = data
                .cache
                .message(event.channel_id, event.id)
                .map(|m| m.clone());
            if let Some(original) = cached.filter(|m| m.author.id == user) {
                data.inbound.push_dm_if_unseen(data, original);
            }
            data.inbound.push(
                data,
                user,
                Work::Edit {
                    message_id: event.id,
                    content,
                },
            );
        }
        Some(g) if is_staff_guild(data, g) => {
            if let Some(author) = &event.author {
                crate::inbound::mirror::note_edited(data, author.id, event.id, content).await;
            }
        }
        Some(_) => {}
    }
}

/// A DM deleted in a channel the bot has not seen this run: find its author from the record.
async fn deleted_unknown_dm(data: &Data, message: serenity::all::MessageId) {
    let source = DbMessageId(message.get());
    if let Ok(Some(record)) = data
        .db
        .run(move |c| messages::find_by_source(c, source))
        .await
    {
        let user = serenity::all::UserId::new(record.author_id.get());
        data.inbound.push(
            data,
            user,
            Work::Delete {
                message_id: message,
            },
        );
    }
}
