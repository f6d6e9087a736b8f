//! Channel operations: create/modify/delete guild channels, overwrites, DM channels, typing.

use serde_json::{json, Value};

use super::World;
use crate::sim::error::ApiError;
use crate::sim::gateway::{intents, GwEvent};
use crate::sim::limits::validate_channel;
use crate::sim::model::{channel_type, perm, Channel, Overwrite};

/// Discord's maximum number of channels under one category.
pub const MAX_CHANNELS_PER_CATEGORY: usize = 50;

/// Parses a snowflake given as a string or number.
pub(crate) fn snowflake(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::String(s) => s.parse().ok(),
        other => other.as_u64(),
    }
}

fn parse_overwrite(v: &Value) -> Option<Overwrite> {
    let kind = match v.get("type") {
        Some(Value::String(s)) if s == "member" => 1,
        Some(Value::String(s)) if s == "role" => 0,
        Some(t) => u8::try_from(t.as_u64()?).ok()?,
        None => 0,
    };
    Some(Overwrite {
        id: snowflake(v.get("id"))?,
        kind,
        allow: snowflake(v.get("allow")).unwrap_or(0),
        deny: snowflake(v.get("deny")).unwrap_or(0),
    })
}

fn parse_overwrites(v: &Value) -> Result<Vec<Overwrite>, ApiError> {
    v.as_array()
        .map_or(Some(Vec::new()), |a| {
            a.iter().map(parse_overwrite).collect::<Option<Vec<_>>>()
        })
        .ok_or_else(|| {
            ApiError::field(
                "permission_overwrites",
                "BASE_TYPE_REQUIRED",
                "This field is required",
            )
        })
}

impl World {
    fn check_parent(&self, guild: u64, parent: u64, moving: Option<u64>) -> Result<(), ApiError> {
        let ok = self
            .channels
            .get(&parent)
            .is_some_and(|p| p.guild_id == Some(guild) && p.kind == channel_type::GUILD_CATEGORY);
        if !ok {
            return Err(ApiError::field(
                "parent_id",
                "CHANNEL_PARENT_INVALID",
                "Category does not exist",
            ));
        }
        let children = self
            .channels
            .values()
            .filter(|c| c.parent_id == Some(parent) && Some(c.id) != moving)
            .count();
        if children >= self.max_channels_per_category {
            return Err(ApiError::category_full());
        }
        Ok(())
    }

    fn emit_channel(&mut self, name: &'static str, ch: &Channel) {
        let data = self.channel_json(ch);
        self.emit(GwEvent::new(name, intents::GUILDS, data));
    }

    /// Creates a guild channel (`POST /guilds/{id}/channels`). `by_bot` enables permission checks.
    pub fn create_channel(
        &mut self,
        guild: u64,
        body: &Value,
        by_bot: bool,
    ) -> Result<Channel, ApiError> {
        if !self.guilds.contains_key(&guild) {
            return Err(ApiError::unknown_guild());
        }
        validate_channel(body, true)?;
        let parent = snowflake(body.get("parent_id"));
        if by_bot {
            let allowed = match parent.and_then(|p| self.channels.get(&p)) {
                Some(p) => self.bot_can(p, perm::MANAGE_CHANNELS),
                None => self.bot_can_in_guild(guild, perm::MANAGE_CHANNELS),
            };
            if !allowed {
                return Err(ApiError::missing_permissions());
            }
        }
        let kind = body
            .get("type")
            .and_then(Value::as_u64)
            .and_then(|t| u8::try_from(t).ok())
            .unwrap_or(0);
        if let Some(p) = parent {
            if kind == channel_type::GUILD_CATEGORY {
                return Err(ApiError::field(
                    "parent_id",
                    "CHANNEL_PARENT_INVALID_TYPE",
                    "Categories cannot have subcategories",
                ));
            }
            self.check_parent(guild, p, None)?;
        }
        let overwrites = match body.get("permission_overwrites").filter(|v| !v.is_null()) {
            Some(v) => parse_overwrites(v)?,
            None => parent
                .and_then(|p| self.channels.get(&p))
                .map(|p| p.overwrites.clone())
                .unwrap_or_default(),
        };
        let position = match body.get("position").and_then(Value::as_i64) {
            Some(p) => p,
            None => self
                .guild_channels(guild)
                .iter()
                .map(|c| c.position + 1)
                .max()
                .unwrap_or(0),
        };
        let ch = Channel {
            id: self.ids.next(),
            kind,
            guild_id: Some(guild),
            name: body.get("name").and_then(Value::as_str).map(str::to_owned),
            topic: body.get("topic").and_then(Value::as_str).map(str::to_owned),
            parent_id: parent,
            position,
            overwrites,
            nsfw: body.get("nsfw").and_then(Value::as_bool).unwrap_or(false),
            rate_limit_per_user: body
                .get("rate_limit_per_user")
                .and_then(Value::as_u64)
                .unwrap_or(0),
            recipient: None,
            last_message_id: None,
        };
        self.channels.insert(ch.id, ch.clone());
        self.emit_channel("CHANNEL_CREATE", &ch);
        Ok(ch)
    }

    /// Modifies a guild channel (`PATCH /channels/{id}`).
    pub fn modify_channel(
        &mut self,
        id: u64,
        body: &Value,
        by_bot: bool,
    ) -> Result<Channel, ApiError> {
        let mut ch = self
            .channels
            .get(&id)
            .cloned()
            .ok_or_else(ApiError::unknown_channel)?;
        let Some(guild) = ch.guild_id else {
            return Err(ApiError::new(
                403,
                50003,
                "Cannot execute action on a DM channel",
            ));
        };
        if by_bot && !self.bot_can(&ch, perm::VIEW_CHANNEL | perm::MANAGE_CHANNELS) {
            return Err(ApiError::missing_permissions());
        }
        validate_channel(body, false)?;
        if let Some(name) = body.get("name").and_then(Value::as_str) {
            ch.name = Some(name.to_owned());
        }
        if let Some(topic) = body.get("topic") {
            ch.topic = topic.as_str().map(str::to_owned);
        }
        if let Some(p) = body.get("parent_id") {
            let parent = snowflake(Some(p));
            if let Some(pid) = parent {
                if pid != ch.parent_id.unwrap_or_default() {
                    self.check_parent(guild, pid, Some(id))?;
                }
            }
            ch.parent_id = parent;
        }
        if let Some(pos) = body.get("position").and_then(Value::as_i64) {
            ch.position = pos;
        }
        if let Some(n) = body.get("nsfw").and_then(Value::as_bool) {
            ch.nsfw = n;
        }
        if let Some(r) = body.get("rate_limit_per_user").and_then(Value::as_u64) {
            ch.rate_limit_per_user = r;
        }
        if let Some(o) = body.get("permission_overwrites").filter(|v| !v.is_null()) {
            ch.overwrites = parse_overwrites(o)?;
        }
        if body.get("lock_permissions").and_then(Value::as_bool) == Some(true) {
            if let Some(p) = ch.parent_id.and_then(|p| self.channels.get(&p)) {
                ch.overwrites = p.overwrites.clone();
            }
        }
        self.channels.insert(id, ch.clone());
        self.emit_channel("CHANNEL_UPDATE", &ch);
        Ok(ch)
    }

    /// Deletes a guild channel (or closes a DM). Children of a deleted category become
    /// uncategorised, each with a `CHANNEL_UPDATE`.
    pub fn delete_channel(&mut self, id: u64, by_bot: bool) -> Result<Channel, ApiError> {
        let ch = self
            .channels
            .get(&id)
            .cloned()
            .ok_or_else(ApiError::unknown_channel)?;
        if ch.kind == channel_type::DM {
            return Ok(ch); // closing a DM keeps it (history stays) on Discord too
        }
        if by_bot && !self.bot_can(&ch, perm::VIEW_CHANNEL | perm::MANAGE_CHANNELS) {
            return Err(ApiError::missing_permissions());
        }
        self.channels.remove(&id);
        if let Some(msgs) = self.messages.remove(&id) {
            for mid in msgs.keys() {
                self.message_index.remove(mid);
            }
        }
        self.emit_channel("CHANNEL_DELETE", &ch);
        let children: Vec<u64> = self
            .channels
            .values()
            .filter(|c| c.parent_id == Some(id))
            .map(|c| c.id)
            .collect();
        for child in children {
            if let Some(c) = self.channels.get_mut(&child) {
                c.parent_id = None;
                let c = c.clone();
                self.emit_channel("CHANNEL_UPDATE", &c);
            }
        }
        Ok(ch)
    }

    /// `PUT /channels/{id}/permissions/{target}`.
    pub fn put_overwrite(
        &mut self,
        id: u64,
        target: u64,
        body: &Value,
        by_bot: bool,
    ) -> Result<(), ApiError> {
        let mut ch = self
            .channels
            .get(&id)
            .cloned()
            .ok_or_else(ApiError::unknown_channel)?;
        if ch.guild_id.is_none() {
            return Err(ApiError::new(
                403,
                50003,
                "Cannot execute action on a DM channel",
            ));
        }
        if by_bot && !self.bot_can(&ch, perm::VIEW_CHANNEL | perm::MANAGE_ROLES) {
            return Err(ApiError::missing_permissions());
        }
        let mut with_id = body.clone();
        with_id["id"] = json!(target.to_string());
        let o = parse_overwrite(&with_id).ok_or_else(|| {
            ApiError::field("type", "BASE_TYPE_REQUIRED", "This field is required")
        })?;
        ch.overwrites.retain(|x| x.id != target);
        ch.overwrites.push(o);
        self.channels.insert(id, ch.clone());
        self.emit_channel("CHANNEL_UPDATE", &ch);
        Ok(())
    }

    /// `DELETE /channels/{id}/permissions/{target}`.
    pub fn delete_overwrite(&mut self, id: u64, target: u64, by_bot: bool) -> Result<(), ApiError> {
        let mut ch = self
            .channels
            .get(&id)
            .cloned()
            .ok_or_else(ApiError::unknown_channel)?;
        if by_bot && !self.bot_can(&ch, perm::VIEW_CHANNEL | perm::MANAGE_ROLES) {
            return Err(ApiError::missing_permissions());
        }
        ch.overwrites.retain(|x| x.id != target);
        self.channels.insert(id, ch.clone());
        self.emit_channel("CHANNEL_UPDATE", &ch);
        Ok(())
    }

    /// Opens (or returns the existing) DM channel between the bot and `user`.
    pub fn open_dm(&mut self, user: u64) -> Result<Channel, ApiError> {
        if !self.users.contains_key(&user) {
            return Err(ApiError::unknown_user());
        }
        if let Some(ch) = self
            .dm_channels
            .get(&user)
            .and_then(|c| self.channels.get(c))
        {
            return Ok(ch.clone());
        }
        let ch = Channel {
            id: self.ids.next(),
            kind: channel_type::DM,
            guild_id: None,
            name: None,
            topic: None,
            parent_id: None,
            position: 0,
            overwrites: Vec::new(),
            nsfw: false,
            rate_limit_per_user: 0,
            recipient: Some(user),
            last_message_id: None,
        };
        self.channels.insert(ch.id, ch.clone());
        self.dm_channels.insert(user, ch.id);
        Ok(ch)
    }

    /// A typing indicator by `user` in `channel` (`TYPING_START`).
    pub fn typing(&mut self, channel: u64, user: u64) -> Result<(), ApiError> {
        let ch = self
            .channels
            .get(&channel)
            .cloned()
            .ok_or_else(ApiError::unknown_channel)?;
        if user == self.bot_user_id {
            self.bot_typing.push((channel, std::time::Instant::now()));
        }
        let mut data = json!({
            "channel_id": channel.to_string(),
            "user_id": user.to_string(),
            "timestamp": chrono::Utc::now().timestamp(),
        });
        let needed = if let Some(g) = ch.guild_id {
            data["guild_id"] = json!(g.to_string());
            if let Some((guild, m)) = self
                .guilds
                .get(&g)
                .and_then(|gd| Some((gd, gd.members.get(&user)?)))
            {
                data["member"] = self.member_json(guild, m, true, false);
            }
            intents::GUILD_MESSAGE_TYPING
        } else {
            intents::DIRECT_MESSAGE_TYPING
        };
        self.emit(GwEvent::new("TYPING_START", needed, data));
        Ok(())
    }
}
