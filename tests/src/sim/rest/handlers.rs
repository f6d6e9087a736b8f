//! One function per REST operation, mapping requests onto `World` operations.

#![allow(
    clippy::many_single_char_names,
    reason = "p/q/w/g/c mirror the route parameters"
)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::routes::{Op, Params};
use super::Reply;
use crate::sim::core::Sim;
use crate::sim::error::ApiError;
use crate::sim::model::{channel_type, perm};
use crate::sim::payload::role_json;
use crate::sim::state::{percent_decode, snowflake, PostOptions, Upload, World};

type Query = HashMap<String, String>;

const CHANNEL_LIMIT: usize = 5;
const CHANNEL_WINDOW: Duration = Duration::from_secs(5);

fn query_id(q: &Query, key: &str) -> Result<Option<u64>, ApiError> {
    q.get(key)
        .map(|v| {
            v.parse::<u64>().map_err(|_| {
                ApiError::field(
                    key,
                    "NUMBER_TYPE_COERCE",
                    &format!("Value \"{v}\" is not snowflake."),
                )
            })
        })
        .transpose()
}

fn check_app(w: &World, p: &Params) -> Result<Option<u64>, ApiError> {
    if p.id("application_id")? != w.app.id {
        return Err(ApiError::new(404, 10002, "Unknown Application"));
    }
    if p.get("guild_id").is_none() {
        return Ok(None);
    }
    let g = p.id("guild_id")?;
    if w.guilds.contains_key(&g) {
        Ok(Some(g))
    } else {
        Err(ApiError::missing_access())
    }
}

/// The bot must see a guild channel to read it.
fn visible_channel(w: &World, id: u64) -> Result<(), ApiError> {
    let ch = w.channel(id).ok_or_else(ApiError::unknown_channel)?;
    if ch.kind != channel_type::DM && !w.bot_can(ch, perm::VIEW_CHANNEL) {
        return Err(ApiError::missing_access());
    }
    Ok(())
}

/// Runs `op`. Mutations go through `Sim::mutate` so their gateway events are dispatched.
pub(crate) fn dispatch(
    sim: &Sim,
    op: Op,
    p: &Params,
    q: &Query,
    body: &Value,
    uploads: Vec<Upload>,
) -> Result<Reply, ApiError> {
    match op {
        Op::GetGateway => Ok(Reply::ok(json!({"url": sim.ws_url}))),
        Op::GetGatewayBot => Ok(Reply::ok(json!({
            "url": sim.ws_url,
            "shards": sim.config.shard_count.max(1),
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
        }))),
        Op::GetCurrentUser => Ok(Reply::ok(sim.world().current_user_json())),
        Op::GetCurrentUserGuilds => {
            let w = sim.world();
            let list: Vec<Value> = w
                .guilds
                .values()
                .map(|g| {
                    json!({"id": g.id.to_string(), "name": g.name, "icon": null, "banner": null,
                           "owner": false, "features": [],
                           "permissions": w.guild_permissions(g.id, w.bot_user_id).to_string()})
                })
                .collect();
            Ok(Reply::ok(Value::Array(list)))
        }
        Op::GetCurrentMember => {
            let w = sim.world();
            let g = w
                .guild(p.id("guild_id")?)
                .ok_or_else(ApiError::unknown_guild)?;
            let m = g
                .members
                .get(&w.bot_user_id)
                .ok_or_else(ApiError::unknown_guild)?;
            Ok(Reply::ok(w.member_json(g, m, true, false)))
        }
        Op::GetUser => {
            let w = sim.world();
            let id = p.id("user_id")?;
            w.user(id).ok_or_else(ApiError::unknown_user)?;
            Ok(Reply::ok(w.user_json(id)))
        }
        Op::OpenDm => {
            let user = snowflake(body.get("recipient_id")).ok_or_else(|| {
                ApiError::field(
                    "recipient_id",
                    "BASE_TYPE_REQUIRED",
                    "This field is required",
                )
            })?;
            sim.mutate(|w| w.open_dm(user).map(|c| Reply::ok(w.channel_json(&c))))
        }
        Op::GetApplication => Ok(Reply::ok(sim.world().application_json())),
        Op::ListCommands => {
            let w = sim.world();
            let g = check_app(&w, p)?;
            Ok(Reply::ok(Value::Array(w.list_commands(g))))
        }
        Op::OverwriteCommands => sim.mutate(|w| {
            let g = check_app(w, p)?;
            w.overwrite_commands(g, body)
                .map(|v| Reply::ok(Value::Array(v)))
        }),
        Op::CreateCommand => sim.mutate(|w| {
            let g = check_app(w, p)?;
            let (cmd, created) = w.create_command(g, body)?;
            Ok(if created {
                Reply::created(cmd)
            } else {
                Reply::ok(cmd)
            })
        }),
        Op::GetCommand => {
            let w = sim.world();
            let g = check_app(&w, p)?;
            w.get_command(g, p.id("command_id")?).map(Reply::ok)
        }
        Op::EditCommand => sim.mutate(|w| {
            let g = check_app(w, p)?;
            w.edit_command(g, p.id("command_id")?, body).map(Reply::ok)
        }),
        Op::DeleteCommand => sim.mutate(|w| {
            let g = check_app(w, p)?;
            w.delete_command(g, p.id("command_id")?)
                .map(|()| Reply::no_content())
        }),
        Op::GetGuild => {
            let w = sim.world();
            let g = w
                .guild(p.id("guild_id")?)
                .ok_or_else(ApiError::unknown_guild)?;
            let mut v = w.guild_json(g);
            if q.get("with_counts").is_some_and(|v| v == "true") {
                v["approximate_member_count"] = json!(g.members.len());
                v["approximate_presence_count"] = json!(0);
            }
            Ok(Reply::ok(v))
        }
        Op::ListGuildChannels => {
            let w = sim.world();
            let g = p.id("guild_id")?;
            w.guild(g).ok_or_else(ApiError::unknown_guild)?;
            let list = w
                .guild_channels(g)
                .into_iter()
                .map(|c| w.channel_json(c))
                .collect();
            Ok(Reply::ok(Value::Array(list)))
        }
        Op::CreateGuildChannel => {
            let g = p.id("guild_id")?;
            sim.mutate(|w| {
                w.create_channel(g, body, true)
                    .map(|c| Reply::created(w.channel_json(&c)))
            })
        }
        Op::GetMember => {
            let w = sim.world();
            let g = w
                .guild(p.id("guild_id")?)
                .ok_or_else(ApiError::unknown_guild)?;
            let m = g
                .members
                .get(&p.id("user_id")?)
                .ok_or_else(ApiError::unknown_member)?;
            Ok(Reply::ok(w.member_json(g, m, true, false)))
        }
        Op::ListMembers => {
            let w = sim.world();
            let g = w
                .guild(p.id("guild_id")?)
                .ok_or_else(ApiError::unknown_guild)?;
            let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(1);
            if !(1..=1000).contains(&limit) {
                return Err(ApiError::field(
                    "limit",
                    "NUMBER_TYPE_MAX",
                    "int value should be between 1 and 1000.",
                ));
            }
            let after = query_id(q, "after")?.unwrap_or(0);
            let list = g
                .members
                .range(after + 1..)
                .take(limit)
                .map(|(_, m)| w.member_json(g, m, true, false))
                .collect();
            Ok(Reply::ok(Value::Array(list)))
        }
        Op::ListRoles => {
            let w = sim.world();
            let g = w
                .guild(p.id("guild_id")?)
                .ok_or_else(ApiError::unknown_guild)?;
            Ok(Reply::ok(Value::Array(
                g.roles.values().map(role_json).collect(),
            )))
        }
        Op::AddMemberRole | Op::RemoveMemberRole => {
            let (g, u, r) = (p.id("guild_id")?, p.id("user_id")?, p.id("role_id")?);
            sim.mutate(|w| w.set_member_role(g, u, r, op == Op::AddMemberRole, true))?;
            Ok(Reply::no_content())
        }
        Op::GetChannel => {
            let w = sim.world();
            let id = p.id("channel_id")?;
            visible_channel(&w, id)?;
            Ok(Reply::ok(w.channel_json(&w.channels[&id])))
        }
        Op::ModifyChannel => {
            let id = p.id("channel_id")?;
            sim.mutate(|w| {
                w.modify_channel(id, body, true)
                    .map(|c| Reply::ok(w.channel_json(&c)))
            })
        }
        Op::DeleteChannel => {
            let id = p.id("channel_id")?;
            sim.mutate(|w| {
                w.delete_channel(id, true)
                    .map(|c| Reply::ok(w.channel_json(&c)))
            })
        }
        Op::PutOverwrite => {
            let (c, t) = (p.id("channel_id")?, p.id("overwrite_id")?);
            sim.mutate(|w| w.put_overwrite(c, t, body, true))
                .map(|()| Reply::no_content())
        }
        Op::DeleteOverwrite => {
            let (c, t) = (p.id("channel_id")?, p.id("overwrite_id")?);
            sim.mutate(|w| w.delete_overwrite(c, t, true))
                .map(|()| Reply::no_content())
        }
        Op::ListMessages => list_messages(sim, p, q),
        Op::CreateMessage => create_message(sim, p, body, uploads),
        Op::GetMessage => {
            let w = sim.world();
            let c = p.id("channel_id")?;
            visible_channel(&w, c)?;
            let m = w
                .channel_message(c, p.id("message_id")?)
                .ok_or_else(ApiError::unknown_message)?;
            Ok(Reply::ok(w.message_json(m, false)))
        }
        Op::EditMessage => {
            let (c, m) = (p.id("channel_id")?, p.id("message_id")?);
            sim.mutate(|w| {
                let bot = w.bot_user_id;
                w.edit_message(c, m, bot, body, uploads)
                    .map(|m| Reply::ok(w.message_json(&m, false)))
            })
        }
        Op::DeleteMessage => {
            let (c, m) = (p.id("channel_id")?, p.id("message_id")?);
            sim.mutate(|w| {
                let bot = w.bot_user_id;
                w.delete_message(c, m, bot)
            })
            .map(|()| Reply::no_content())
        }
        Op::AddOwnReaction | Op::DeleteOwnReaction => {
            let (c, m) = (p.id("channel_id")?, p.id("message_id")?);
            let emoji = percent_decode(p.get("emoji_name").unwrap_or_default());
            sim.mutate(|w| {
                let bot = w.bot_user_id;
                w.react(c, m, &emoji, bot, op == Op::AddOwnReaction, true)
            })
            .map(|()| Reply::no_content())
        }
        Op::Typing => {
            let c = p.id("channel_id")?;
            sim.mutate(|w| {
                let bot = w.bot_user_id;
                w.typing(c, bot)
            })
            .map(|()| Reply::no_content())
        }
        Op::InteractionCallback => {
            let id = p.id("interaction_id")?;
            let token = p.get("interaction_token").unwrap_or_default();
            sim.mutate(|w| w.interaction_callback(id, token, body, uploads))
                .map(|()| Reply::no_content())
        }
        Op::CreateFollowup => {
            let app = p.id("webhook_id")?;
            let token = p.get("webhook_token").unwrap_or_default();
            sim.mutate(|w| {
                w.create_followup(app, token, body, uploads)
                    .map(|m| Reply::ok(w.message_json(&m, false)))
            })
        }
        Op::GetWebhookMessage | Op::EditWebhookMessage | Op::DeleteWebhookMessage => {
            let app = p.id("webhook_id")?;
            let token = p.get("webhook_token").unwrap_or_default();
            let message = p.get("message_id").unwrap_or("@original");
            match op {
                Op::GetWebhookMessage => {
                    let w = sim.world();
                    w.get_webhook_message(app, token, message)
                        .map(|m| Reply::ok(w.message_json(&m, false)))
                }
                Op::EditWebhookMessage => sim.mutate(|w| {
                    w.edit_webhook_message(app, token, message, body, uploads)
                        .map(|m| Reply::ok(w.message_json(&m, false)))
                }),
                _ => sim
                    .mutate(|w| w.delete_webhook_message(app, token, message))
                    .map(|()| Reply::no_content()),
            }
        }
    }
}

fn list_messages(sim: &Sim, p: &Params, q: &Query) -> Result<Reply, ApiError> {
    let w = sim.world();
    let c = p.id("channel_id")?;
    visible_channel(&w, c)?;
    let limit: usize = match q.get("limit") {
        None => 50,
        Some(l) => l
            .parse()
            .ok()
            .filter(|l| (1..=100).contains(l))
            .ok_or_else(|| {
                ApiError::field(
                    "limit",
                    "NUMBER_TYPE_MAX",
                    "int value should be less than or equal to 100.",
                )
            })?,
    };
    let ch = &w.channels[&c];
    if ch.kind != channel_type::DM && !w.bot_can(ch, perm::READ_MESSAGE_HISTORY) {
        return Ok(Reply::ok(json!([])));
    }
    let (before, after, around) = (
        query_id(q, "before")?,
        query_id(q, "after")?,
        query_id(q, "around")?,
    );
    let list = w
        .list_messages(c, before, after, around, limit)
        .into_iter()
        .map(|m| w.message_json(m, false))
        .collect();
    Ok(Reply::ok(Value::Array(list)))
}

fn create_message(
    sim: &Sim,
    p: &Params,
    body: &Value,
    uploads: Vec<Upload>,
) -> Result<Reply, ApiError> {
    let c = p.id("channel_id")?;
    let limited = sim.faults.channel_rate_limit();
    sim.mutate(|w| {
        if limited {
            let posts = w.channel_posts.entry(c).or_default();
            while posts.front().is_some_and(|t| t.elapsed() >= CHANNEL_WINDOW) {
                posts.pop_front();
            }
            if posts.len() >= CHANNEL_LIMIT {
                let wait = CHANNEL_WINDOW
                    .saturating_sub(posts.front().map_or(Duration::ZERO, Instant::elapsed));
                return Err(ApiError::rate_limited(
                    wait.as_secs_f64().max(0.001),
                    false,
                    &format!("channel-{c}"),
                ));
            }
        }
        let bot = w.bot_user_id;
        let opts = PostOptions {
            as_bot: true,
            ..PostOptions::default()
        };
        let msg = w.create_message(c, bot, body, uploads, &opts)?;
        if limited {
            w.channel_posts
                .entry(c)
                .or_default()
                .push_back(Instant::now());
        }
        Ok(Reply::ok(w.message_json(&msg, false)))
    })
}
