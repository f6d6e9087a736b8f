//! JSON payloads exactly as Discord shapes them (REST responses and gateway dispatch data).

use serde_json::{json, Map, Value};

use super::ids::{iso, snowflake_time};
use super::model::{channel_type, Attachment, Channel, Guild, Member, Message, Role, User};
use super::state::{compute_channel_permissions, World};

/// A user object.
pub fn user_json(u: &User) -> Value {
    json!({
        "id": u.id.to_string(),
        "username": u.username,
        "discriminator": "0",
        "global_name": u.global_name,
        "avatar": null,
        "bot": u.bot,
        "system": false,
        "banner": null,
        "accent_color": null,
        "public_flags": 0,
        "flags": 0,
        "avatar_decoration_data": null,
        "collectibles": null,
        "primary_guild": null,
    })
}

/// A role object.
pub fn role_json(r: &Role) -> Value {
    let mut tags = Map::new();
    if let Some(bot) = r.bot_id {
        tags.insert("bot_id".into(), json!(bot.to_string()));
    }
    json!({
        "id": r.id.to_string(),
        "name": r.name,
        "color": r.color,
        "colors": {"primary_color": r.color, "secondary_color": null, "tertiary_color": null},
        "hoist": r.hoist,
        "icon": null,
        "unicode_emoji": null,
        "position": r.position,
        "permissions": r.permissions.to_string(),
        "managed": r.managed,
        "mentionable": r.mentionable,
        "flags": 0,
        "tags": Value::Object(tags),
    })
}

/// An attachment object.
pub fn attachment_json(a: &Attachment) -> Value {
    json!({
        "id": a.id.to_string(),
        "filename": a.filename,
        "description": a.description,
        "content_type": a.content_type,
        "size": a.size,
        "url": a.url,
        "proxy_url": a.url,
        "height": null,
        "width": null,
        "flags": 0,
    })
}

impl World {
    /// A user object by id (a placeholder "Deleted User" if unknown).
    pub fn user_json(&self, id: u64) -> Value {
        self.users.get(&id).map_or_else(
            || {
                user_json(&User {
                    id,
                    username: "Deleted User".into(),
                    global_name: None,
                    bot: false,
                    blocks_dms: true,
                })
            },
            user_json,
        )
    }

    /// A guild member object; `with_user` embeds the user, `guild_id` adds the guild id (as in
    /// `GUILD_MEMBER_ADD`).
    pub fn member_json(
        &self,
        guild: &Guild,
        m: &Member,
        with_user: bool,
        with_guild_id: bool,
    ) -> Value {
        let mut v = json!({
            "nick": m.nick,
            "avatar": null,
            "banner": null,
            "roles": m.roles.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "joined_at": iso(m.joined_at),
            "premium_since": null,
            "deaf": false,
            "mute": false,
            "flags": 0,
            "pending": false,
            "communication_disabled_until": null,
            "unusual_dm_activity_until": null,
        });
        if with_user {
            v["user"] = self.user_json(m.user_id);
        }
        if with_guild_id {
            v["guild_id"] = json!(guild.id.to_string());
        }
        v
    }

    /// A channel object (guild channel or DM).
    pub fn channel_json(&self, c: &Channel) -> Value {
        if c.kind == channel_type::DM {
            let recipients: Vec<Value> = c.recipient.iter().map(|u| self.user_json(*u)).collect();
            return json!({
                "id": c.id.to_string(),
                "type": c.kind,
                "last_message_id": c.last_message_id.map(|m| m.to_string()),
                "flags": 0,
                "recipients": recipients,
            });
        }
        let overwrites: Vec<Value> = c
            .overwrites
            .iter()
            .map(|o| {
                json!({"id": o.id.to_string(), "type": o.kind,
                       "allow": o.allow.to_string(), "deny": o.deny.to_string()})
            })
            .collect();
        let mut v = json!({
            "id": c.id.to_string(),
            "type": c.kind,
            "guild_id": c.guild_id.map(|g| g.to_string()),
            "name": c.name,
            "position": c.position,
            "permission_overwrites": overwrites,
            "parent_id": c.parent_id.map(|p| p.to_string()),
            "nsfw": c.nsfw,
            "flags": 0,
        });
        if c.kind != channel_type::GUILD_CATEGORY {
            v["topic"] = json!(c.topic);
            v["last_message_id"] = json!(c.last_message_id.map(|m| m.to_string()));
            v["rate_limit_per_user"] = json!(c.rate_limit_per_user);
        }
        v
    }

    /// A message object. `gateway` adds what `MESSAGE_CREATE` carries beyond REST (`guild_id`
    /// and the author's partial `member`).
    pub fn message_json(&self, m: &Message, gateway: bool) -> Value {
        self.message_json_inner(m, gateway, true)
    }

    fn message_json_inner(&self, m: &Message, gateway: bool, with_referenced: bool) -> Value {
        let mentions: Vec<Value> = m
            .mentions
            .iter()
            .map(|u| {
                let mut uj = self.user_json(*u);
                if gateway {
                    if let Some((g, mem)) = m.guild_id.and_then(|g| {
                        let guild = self.guilds.get(&g)?;
                        Some((guild, guild.members.get(u)?))
                    }) {
                        uj["member"] = self.member_json(g, mem, false, false);
                    }
                }
                uj
            })
            .collect();
        let mut v = json!({
            "id": m.id.to_string(),
            "channel_id": m.channel_id.to_string(),
            "author": self.user_json(m.author_id),
            "content": m.content,
            "timestamp": iso(snowflake_time(m.id)),
            "edited_timestamp": m.edited_at.map(iso),
            "tts": m.tts,
            "mention_everyone": m.mention_everyone,
            "mentions": mentions,
            "mention_roles": m.mention_roles.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "attachments": m.attachments.iter().map(attachment_json).collect::<Vec<_>>(),
            "embeds": m.embeds,
            "pinned": m.pinned,
            "type": m.kind,
            "flags": m.flags,
            "components": m.components,
        });
        if let Some(n) = &m.nonce {
            v["nonce"] = n.clone();
        }
        if !m.sticker_items.is_empty() {
            v["sticker_items"] = Value::Array(m.sticker_items.clone());
        }
        if !m.reactions.is_empty() {
            let reactions: Vec<Value> = m
                .reactions
                .iter()
                .map(|(emoji, users)| {
                    json!({
                        "count": users.len(),
                        "count_details": {"burst": 0, "normal": users.len()},
                        "me": users.contains(&self.bot_user_id),
                        "me_burst": false,
                        "emoji": super::state::emoji_json(emoji),
                        "burst_colors": [],
                    })
                })
                .collect();
            v["reactions"] = Value::Array(reactions);
        }
        if let Some(w) = m.webhook_id {
            v["webhook_id"] = json!(w.to_string());
        }
        if let Some(a) = m.application_id {
            v["application_id"] = json!(a.to_string());
        }
        if let Some(meta) = &m.interaction_metadata {
            v["interaction_metadata"] = meta.clone();
        }
        if let Some(r) = &m.message_reference {
            v["message_reference"] = r.clone();
            let referenced = r
                .get("message_id")
                .and_then(Value::as_str)
                .and_then(|id| id.parse::<u64>().ok())
                .and_then(|id| self.message(id));
            // Discord includes the referenced message (one level deep) for replies.
            if with_referenced {
                v["referenced_message"] =
                    referenced.map_or(Value::Null, |rm| self.message_json_inner(rm, false, false));
            }
        }
        if gateway {
            if let Some(g) = m.guild_id {
                v["guild_id"] = json!(g.to_string());
                if let Some(guild) = self.guilds.get(&g) {
                    if let Some(mem) = guild.members.get(&m.author_id) {
                        v["member"] = self.member_json(guild, mem, false, false);
                    }
                }
            }
        }
        v
    }

    /// A guild object as `GET /guilds/{id}` returns it.
    pub fn guild_json(&self, g: &Guild) -> Value {
        json!({
            "id": g.id.to_string(),
            "name": g.name,
            "icon": null,
            "icon_hash": null,
            "splash": null,
            "discovery_splash": null,
            "owner_id": g.owner_id.to_string(),
            "afk_channel_id": null,
            "afk_timeout": 300,
            "widget_enabled": false,
            "widget_channel_id": null,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": g.roles.values().map(role_json).collect::<Vec<_>>(),
            "emojis": [],
            "features": [],
            "mfa_level": 0,
            "application_id": null,
            "system_channel_id": null,
            "system_channel_flags": 0,
            "rules_channel_id": null,
            "max_presences": null,
            "max_members": 500_000,
            "vanity_url_code": null,
            "description": null,
            "banner": null,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": null,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "nsfw_level": 0,
            "stickers": [],
            "premium_progress_bar_enabled": false,
            "safety_alerts_channel_id": null,
            "incidents_data": null,
        })
    }

    /// The full guild object of a `GUILD_CREATE` dispatch. Members are all included when
    /// `all_members` (the `GUILD_MEMBERS` intent), otherwise only the bot's own member.
    pub fn guild_create_json(&self, g: &Guild, all_members: bool) -> Value {
        let mut v = self.guild_json(g);
        let members: Vec<Value> = g
            .members
            .values()
            .filter(|m| all_members || m.user_id == self.bot_user_id)
            .map(|m| self.member_json(g, m, true, false))
            .collect();
        let channels: Vec<Value> = self
            .guild_channels(g.id)
            .into_iter()
            .map(|c| self.channel_json(c))
            .collect();
        let o = v.as_object_mut().expect("guild json is an object");
        o.insert("joined_at".into(), json!(iso(g.joined_at)));
        o.insert("large".into(), json!(false));
        o.insert("unavailable".into(), json!(false));
        o.insert("member_count".into(), json!(g.members.len()));
        o.insert("voice_states".into(), json!([]));
        o.insert("members".into(), Value::Array(members));
        o.insert("channels".into(), Value::Array(channels));
        o.insert("threads".into(), json!([]));
        o.insert("presences".into(), json!([]));
        o.insert("stage_instances".into(), json!([]));
        o.insert("guild_scheduled_events".into(), json!([]));
        o.insert("soundboard_sounds".into(), json!([]));
        v
    }

    /// Computed permissions of `user` in `channel` as the decimal string Discord sends.
    pub(crate) fn permissions_string(&self, guild: u64, channel: u64, user: u64) -> String {
        let Some(g) = self.guilds.get(&guild) else {
            return "0".into();
        };
        compute_channel_permissions(g, self.channels.get(&channel), user).to_string()
    }

    /// The application object of `GET /oauth2/applications/@me` and `GET /applications/@me`.
    pub fn application_json(&self) -> Value {
        json!({
            "id": self.app.id.to_string(),
            "name": self.app.name,
            "icon": null,
            "description": "",
            "summary": "",
            "type": null,
            "hook": true,
            "bot_public": false,
            "bot_require_code_grant": false,
            "verify_key": "0000000000000000000000000000000000000000000000000000000000000000",
            "owner": self.user_json(self.app.owner_id),
            "team": null,
            "flags": self.app.flags,
            "bot": self.user_json(self.bot_user_id),
            "rpc_origins": [],
            "redirect_uris": [],
            "interactions_endpoint_url": null,
            "role_connections_verification_url": null,
            "tags": [],
            "approximate_guild_count": self.guilds.len(),
            "integration_types_config": {"0": {}},
        })
    }

    /// The bot as `GET /users/@me` returns it.
    pub fn current_user_json(&self) -> Value {
        let mut v = self.user_json(self.bot_user_id);
        v["mfa_enabled"] = json!(false);
        v["locale"] = json!("en-US");
        v["verified"] = json!(true);
        v["email"] = Value::Null;
        v["premium_type"] = json!(0);
        v
    }

    /// The READY dispatch data for a new session. With a `shard` (`[id, count]`), only the
    /// guilds of that shard are listed.
    pub fn ready_json(&self, session_id: &str, resume_url: &str, shard: Option<&Value>) -> Value {
        let routing = crate::sim::gateway::shard::Shard::from_identify(shard);
        let mut ready = json!({
            "v": 10,
            "user": self.current_user_json(),
            "guilds": self
                .guilds
                .keys()
                .filter(|g| crate::sim::gateway::shard::receives(routing, Some(**g)))
                .map(|g| json!({"id": g.to_string(), "unavailable": true}))
                .collect::<Vec<_>>(),
            "session_id": session_id,
            "session_type": "normal",
            "resume_gateway_url": resume_url,
            "application": {"id": self.app.id.to_string(), "flags": self.app.flags},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth": {},
            "_trace": ["[\"discord-sim\"]"],
        });
        if let Some(s) = shard {
            ready["shard"] = s.clone();
        }
        ready
    }
}
