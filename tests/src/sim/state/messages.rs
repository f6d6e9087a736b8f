//! Message operations: create (with nonce dedupe, mentions, attachments), edit, delete, list.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use serde_json::{json, Value};

use super::World;
use crate::sim::error::ApiError;
use crate::sim::gateway::{intents, GwEvent};
use crate::sim::limits::validate_message;
use crate::sim::mentions::resolve;
use crate::sim::model::{channel_type, perm, Channel, Message};

/// How long `enforce_nonce` remembers a nonce.
const NONCE_TTL: Duration = Duration::from_secs(300);

/// An uploaded file (`files[n]` multipart part).
#[derive(Clone, Debug)]
pub struct Upload {
    /// `n` of `files[n]`.
    pub index: u64,
    pub filename: String,
    pub content_type: Option<String>,
    pub data: Bytes,
}

/// Who is posting and in what capacity.
#[derive(Clone, Debug, Default)]
pub struct PostOptions {
    /// Enforce the bot's permission/DM checks (false for simulated humans).
    pub as_bot: bool,
    /// Message type override (20 for interaction responses).
    pub kind: Option<u8>,
    pub interaction_metadata: Option<Value>,
    pub webhook_id: Option<u64>,
    /// Store as an ephemeral message (not in the channel, no gateway event).
    pub ephemeral: bool,
    /// Extra flags to set (e.g. 128 LOADING for deferred responses).
    pub extra_flags: u64,
    /// Skip the empty-message check (deferred "thinking" placeholders).
    pub allow_empty: bool,
}

/// `sticker_ids` of a message body as Discord's `sticker_items` (the simulator names sticker
/// `N` "sticker-N"; a name given as `"N:name"` is used instead, for readable tests).
fn sticker_items(body: &Value) -> Vec<Value> {
    body.get("sticker_ids")
        .and_then(Value::as_array)
        .map(|ids| {
            ids.iter()
                .filter_map(Value::as_str)
                .map(|raw| {
                    let (id, name) = raw
                        .split_once(':')
                        .map_or((raw, format!("sticker-{raw}")), |(id, n)| {
                            (id, n.to_owned())
                        });
                    json!({ "id": id, "name": name, "format_type": 1 })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Content fields emptied, as Discord sends guild messages to bots without `MESSAGE_CONTENT`.
pub(crate) fn strip_content(mut v: Value) -> Value {
    v["content"] = json!("");
    v["embeds"] = json!([]);
    v["attachments"] = json!([]);
    v["components"] = json!([]);
    if let Some(o) = v.as_object_mut() {
        o.remove("poll");
    }
    v
}

impl World {
    fn check_bot_can_post(&self, ch: &Channel, files: bool) -> Result<(), ApiError> {
        if ch.kind == channel_type::DM {
            let user = ch.recipient.unwrap_or_default();
            let blocked = self.users.get(&user).is_none_or(|u| u.blocks_dms);
            if blocked || !self.shares_guild_with_bot(user) {
                return Err(ApiError::cannot_dm());
            }
            return Ok(());
        }
        if ch.kind == channel_type::GUILD_CATEGORY {
            return Err(ApiError::new(
                400,
                50008,
                "Cannot send messages in a non-text channel",
            ));
        }
        if !self.bot_can(ch, perm::VIEW_CHANNEL) {
            return Err(ApiError::missing_access());
        }
        let mut needed = perm::SEND_MESSAGES;
        if files {
            needed |= perm::ATTACH_FILES;
        }
        if !self.bot_can(ch, needed) {
            return Err(ApiError::missing_permissions());
        }
        Ok(())
    }

    /// Creates a message in `channel_id` authored by `author`.
    pub fn create_message(
        &mut self,
        channel_id: u64,
        author: u64,
        body: &Value,
        uploads: Vec<Upload>,
        opts: &PostOptions,
    ) -> Result<Message, ApiError> {
        let ch = self
            .channels
            .get(&channel_id)
            .cloned()
            .ok_or_else(ApiError::unknown_channel)?;
        if opts.as_bot {
            self.check_bot_can_post(&ch, !uploads.is_empty())?;
        }
        validate_message(body, uploads.len(), !opts.allow_empty)?;
        let nonce = body.get("nonce").filter(|n| !n.is_null()).cloned();
        let nonce_key = nonce.as_ref().map(|n| match n {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        if body.get("enforce_nonce").and_then(Value::as_bool) == Some(true) {
            if let Some(key) = &nonce_key {
                if let Some((mid, at)) = self.nonces.get(&(channel_id, key.clone())) {
                    if at.elapsed() < NONCE_TTL {
                        if let Some(m) = self.channel_message(channel_id, *mid) {
                            return Ok(m.clone());
                        }
                    }
                }
            }
        }
        let reference = self.resolve_reference(&ch, body)?;
        let replied_author = reference
            .as_ref()
            .and_then(|r| r.get("message_id")?.as_str()?.parse::<u64>().ok())
            .and_then(|id| self.message(id))
            .map(|m| m.author_id);
        let content = body
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let guild = ch.guild_id.and_then(|g| self.guilds.get(&g));
        let mentions = resolve(
            &content,
            body.get("allowed_mentions"),
            replied_author,
            |u| self.users.contains_key(&u),
            |r| guild.is_some_and(|g| g.roles.contains_key(&r)),
        );
        let id = self.ids.next();
        let attachments = self.build_attachments(
            channel_id,
            &[],
            body.get("attachments").and_then(Value::as_array),
            uploads,
        );
        let flags = body.get("flags").and_then(Value::as_u64).unwrap_or(0)
            | opts.extra_flags
            | if opts.ephemeral { 64 } else { 0 };
        let msg = Message {
            id,
            channel_id,
            guild_id: ch.guild_id,
            author_id: author,
            content,
            embeds: normalize_embeds(body.get("embeds")),
            attachments,
            components: body
                .get("components")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            kind: opts
                .kind
                .unwrap_or(if reference.is_some() { 19 } else { 0 }),
            message_reference: reference,
            edited_at: None,
            tts: body.get("tts").and_then(Value::as_bool).unwrap_or(false),
            mention_everyone: mentions.everyone,
            mentions: mentions.users,
            mention_roles: mentions.roles,
            nonce,
            flags,
            interaction_metadata: opts.interaction_metadata.clone(),
            webhook_id: opts.webhook_id,
            application_id: opts.webhook_id.map(|_| self.app.id),
            pinned: false,
            reactions: Vec::new(),
            sticker_items: sticker_items(body),
        };
        if opts.ephemeral {
            self.ephemeral.insert(id, msg.clone());
            return Ok(msg);
        }
        if let Some(key) = nonce_key {
            self.nonces.insert((channel_id, key), (id, Instant::now()));
        }
        self.messages
            .entry(channel_id)
            .or_default()
            .insert(id, msg.clone());
        self.message_index.insert(id, channel_id);
        if let Some(c) = self.channels.get_mut(&channel_id) {
            c.last_message_id = Some(id);
        }
        self.emit_message_event("MESSAGE_CREATE", &msg);
        Ok(msg)
    }

    fn resolve_reference(&self, ch: &Channel, body: &Value) -> Result<Option<Value>, ApiError> {
        let Some(r) = body.get("message_reference").filter(|r| r.is_object()) else {
            return Ok(None);
        };
        let mid = r.get("message_id").and_then(|v| match v {
            Value::String(s) => s.parse::<u64>().ok(),
            other => other.as_u64(),
        });
        let target_channel = r
            .get("channel_id")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(ch.id);
        let exists = mid.is_some_and(|m| self.channel_message(target_channel, m).is_some());
        if !exists {
            if r.get("fail_if_not_exists").and_then(Value::as_bool) == Some(false) {
                return Ok(None);
            }
            return Err(ApiError::field(
                "message_reference",
                "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                "Unknown message",
            ));
        }
        let mut out = json!({
            "type": 0,
            "message_id": mid.unwrap_or_default().to_string(),
            "channel_id": target_channel.to_string(),
        });
        if let Some(g) = ch.guild_id {
            out["guild_id"] = json!(g.to_string());
        }
        Ok(Some(out))
    }

    /// Queues `MESSAGE_CREATE`/`MESSAGE_UPDATE` for `msg` with the right intents and
    /// content-stripped variant.
    pub(crate) fn emit_message_event(&mut self, name: &'static str, msg: &Message) {
        let data = self.message_json(msg, true);
        let (needed, stripped) = if msg.guild_id.is_some() {
            let visible =
                msg.author_id == self.bot_user_id || msg.mentions.contains(&self.bot_user_id);
            (
                intents::GUILD_MESSAGES,
                (!visible).then(|| strip_content(data.clone())),
            )
        } else {
            (intents::DIRECT_MESSAGES, None)
        };
        self.emit(GwEvent {
            name,
            intents: needed,
            data,
            stripped,
        });
    }

    /// Edits a message. `editor` must be its author.
    pub fn edit_message(
        &mut self,
        channel_id: u64,
        id: u64,
        editor: u64,
        body: &Value,
        uploads: Vec<Upload>,
    ) -> Result<Message, ApiError> {
        if !self.channels.contains_key(&channel_id) {
            return Err(ApiError::unknown_channel());
        }
        let mut msg = self
            .channel_message(channel_id, id)
            .cloned()
            .ok_or_else(ApiError::unknown_message)?;
        if msg.author_id != editor {
            return Err(ApiError::not_author());
        }
        validate_message(body, uploads.len(), false)?;
        self.apply_edit(&mut msg, body, uploads);
        if let Some(m) = self
            .messages
            .get_mut(&channel_id)
            .and_then(|m| m.get_mut(&id))
        {
            m.clone_from(&msg);
        }
        self.emit_message_event("MESSAGE_UPDATE", &msg);
        Ok(msg)
    }

    /// Applies an edit body to a message (also used for interaction webhook edits).
    pub(crate) fn apply_edit(&mut self, msg: &mut Message, body: &Value, uploads: Vec<Upload>) {
        if let Some(c) = body.get("content") {
            c.as_str().unwrap_or_default().clone_into(&mut msg.content);
            let guild = msg.guild_id.and_then(|g| self.guilds.get(&g));
            let m = resolve(
                &msg.content,
                body.get("allowed_mentions"),
                None,
                |u| self.users.contains_key(&u),
                |r| guild.is_some_and(|g| g.roles.contains_key(&r)),
            );
            msg.mentions = m.users;
            msg.mention_roles = m.roles;
            msg.mention_everyone = m.everyone;
        }
        if body.get("embeds").is_some() {
            msg.embeds = normalize_embeds(body.get("embeds"));
        }
        if let Some(c) = body.get("components") {
            msg.components = c.as_array().cloned().unwrap_or_default();
        }
        if let Some(f) = body.get("flags").and_then(Value::as_u64) {
            // Only SUPPRESS_EMBEDS (1 << 2) can be toggled on edit.
            msg.flags = (msg.flags & !4) | (f & 4);
        }
        let existing = std::mem::take(&mut msg.attachments);
        msg.attachments = self.build_attachments(
            msg.channel_id,
            &existing,
            body.get("attachments").and_then(Value::as_array),
            uploads,
        );
        msg.flags &= !128; // editing a deferred response clears LOADING
        msg.edited_at = Some(chrono::Utc::now());
    }

    /// Deletes a message as `actor`.
    pub fn delete_message(&mut self, channel_id: u64, id: u64, actor: u64) -> Result<(), ApiError> {
        let ch = self
            .channels
            .get(&channel_id)
            .cloned()
            .ok_or_else(ApiError::unknown_channel)?;
        let msg = self
            .channel_message(channel_id, id)
            .ok_or_else(ApiError::unknown_message)?;
        if msg.author_id != actor {
            if ch.kind == channel_type::DM {
                return Err(ApiError::new(
                    403,
                    50003,
                    "Cannot execute action on a DM channel",
                ));
            }
            if actor == self.bot_user_id && !self.bot_can(&ch, perm::MANAGE_MESSAGES) {
                return Err(ApiError::missing_permissions());
            }
        }
        self.remove_message(channel_id, id);
        Ok(())
    }

    pub(crate) fn remove_message(&mut self, channel_id: u64, id: u64) {
        let Some(msg) = self
            .messages
            .get_mut(&channel_id)
            .and_then(|m| m.remove(&id))
        else {
            return;
        };
        self.message_index.remove(&id);
        let mut data = json!({"id": id.to_string(), "channel_id": channel_id.to_string()});
        let needed = if let Some(g) = msg.guild_id {
            data["guild_id"] = json!(g.to_string());
            intents::GUILD_MESSAGES
        } else {
            intents::DIRECT_MESSAGES
        };
        self.emit(GwEvent::new("MESSAGE_DELETE", needed, data));
    }

    /// `GET /channels/{id}/messages` semantics: newest first; `before`, `after` (the `limit`
    /// messages right after it) or `around`; `limit` 1..=100, default 50.
    pub fn list_messages(
        &self,
        channel_id: u64,
        before: Option<u64>,
        after: Option<u64>,
        around: Option<u64>,
        limit: usize,
    ) -> Vec<&Message> {
        let Some(all) = self.messages.get(&channel_id) else {
            return Vec::new();
        };
        let mut out: Vec<&Message> = if let Some(a) = around {
            let half = limit / 2;
            let mut older: Vec<&Message> =
                all.range(..a).rev().take(half).map(|(_, m)| m).collect();
            let newer: Vec<&Message> = all
                .range(a..)
                .take(limit - older.len().min(limit))
                .map(|(_, m)| m)
                .collect();
            older.reverse();
            older.into_iter().chain(newer).collect()
        } else if let Some(a) = after {
            all.range(a + 1..).take(limit).map(|(_, m)| m).collect()
        } else {
            let upper = before.unwrap_or(u64::MAX);
            let mut v: Vec<&Message> = all
                .range(..upper)
                .rev()
                .take(limit)
                .map(|(_, m)| m)
                .collect();
            v.reverse();
            v
        };
        out.reverse();
        out
    }
}

/// Embeds as Discord stores them: `type: "rich"` unless given.
fn normalize_embeds(embeds: Option<&Value>) -> Vec<Value> {
    embeds
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|e| {
                    let mut e = e.clone();
                    if e.get("type").is_none() {
                        e["type"] = json!("rich");
                    }
                    e
                })
                .collect()
        })
        .unwrap_or_default()
}
