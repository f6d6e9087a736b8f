//! Interaction responses: the initial callback, follow-ups and `@original`, with Discord's rules
//! (3 s deadline, single acknowledgement, 15 min token lifetime, ephemeral messages).

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::messages::{PostOptions, Upload};
use super::World;
use crate::sim::error::ApiError;
use crate::sim::limits::validate_message;
use crate::sim::model::{Interaction, InteractionResponse, Message};

/// Interaction tokens (and their webhooks) expire after 15 minutes.
const TOKEN_TTL: Duration = Duration::from_secs(15 * 60);

impl World {
    fn interaction_by_token(&self, app: u64, token: &str) -> Result<Interaction, ApiError> {
        if app != self.app.id {
            return Err(ApiError::unknown_webhook());
        }
        let i = self
            .interaction_tokens
            .get(token)
            .and_then(|id| self.interactions.get(id))
            .filter(|i| i.created.elapsed() < TOKEN_TTL)
            .ok_or_else(ApiError::unknown_webhook)?;
        Ok(i.clone())
    }

    fn interaction_metadata(&self, i: &Interaction) -> Value {
        let mut meta = json!({
            "id": i.id.to_string(),
            "type": i.kind,
            "user": self.user_json(i.user_id),
            "authorizing_integration_owners": i.payload.get("authorizing_integration_owners").cloned().unwrap_or(json!({})),
        });
        if let Some(name) = i.payload.pointer("/data/name") {
            meta["name"] = name.clone();
        }
        if let Some(m) = i.message_id {
            meta["interacted_message_id"] = json!(m.to_string());
        }
        meta
    }

    fn post_as_interaction(
        &mut self,
        i: &Interaction,
        data: &Value,
        uploads: Vec<Upload>,
        extra_flags: u64,
    ) -> Result<Message, ApiError> {
        let flags = data.get("flags").and_then(Value::as_u64).unwrap_or(0);
        let opts = PostOptions {
            as_bot: false,
            kind: Some(if i.kind == 2 { 20 } else { 0 }),
            interaction_metadata: Some(self.interaction_metadata(i)),
            webhook_id: Some(self.app.id),
            ephemeral: flags & 64 != 0,
            extra_flags,
            allow_empty: false,
        };
        let bot = self.bot_user_id;
        self.create_message(i.channel_id, bot, data, uploads, &opts)
    }

    /// `POST /interactions/{id}/{token}/callback`.
    pub fn interaction_callback(
        &mut self,
        id: u64,
        token: &str,
        body: &Value,
        uploads: Vec<Upload>,
    ) -> Result<(), ApiError> {
        let i = self
            .interactions
            .get(&id)
            .filter(|i| i.token == token)
            .cloned()
            .ok_or_else(ApiError::unknown_interaction)?;
        if i.response.is_some() {
            return Err(ApiError::already_acknowledged());
        }
        if i.created.elapsed() > self.interaction_deadline {
            return Err(ApiError::unknown_interaction());
        }
        let kind = body
            .get("type")
            .and_then(Value::as_u64)
            .and_then(|k| u8::try_from(k).ok())
            .unwrap_or(0);
        let data = body
            .get("data")
            .cloned()
            .filter(|d| !d.is_null())
            .unwrap_or(json!({}));
        let original = match kind {
            4 => {
                validate_message(&data, uploads.len(), true)?;
                Some(self.post_as_interaction(&i, &data, uploads, 0)?.id)
            }
            5 => {
                let flags = data.get("flags").and_then(Value::as_u64).unwrap_or(0) & 64;
                let bot = self.bot_user_id;
                let opts = PostOptions {
                    kind: Some(if i.kind == 2 { 20 } else { 0 }),
                    interaction_metadata: Some(self.interaction_metadata(&i)),
                    webhook_id: Some(self.app.id),
                    ephemeral: flags != 0,
                    extra_flags: 128,
                    allow_empty: true,
                    ..PostOptions::default()
                };
                let loading = json!({"content": "", "flags": flags});
                let msg = self.create_message(i.channel_id, bot, &loading, Vec::new(), &opts)?;
                Some(msg.id)
            }
            6 | 7 => {
                let mid = i.message_id.ok_or_else(|| {
                    ApiError::new(400, 50035, "Invalid Form Body: not a component interaction")
                })?;
                if kind == 7 {
                    validate_message(&data, uploads.len(), false)?;
                    let mut msg = self
                        .message(mid)
                        .cloned()
                        .ok_or_else(ApiError::unknown_message)?;
                    self.apply_edit(&mut msg, &data, uploads);
                    self.replace_message(&msg);
                    if msg.flags & 64 == 0 {
                        self.emit_message_event("MESSAGE_UPDATE", &msg);
                    }
                }
                Some(mid)
            }
            1 | 8 | 9 => None,
            _ => {
                return Err(ApiError::field(
                    "type",
                    "BASE_TYPE_CHOICES",
                    "Value must be one of {1, 4, 5, 6, 7, 8, 9, 10, 12}.",
                ));
            }
        };
        if let Some(stored) = self.interactions.get_mut(&id) {
            stored.response = Some(InteractionResponse {
                kind,
                data,
                at: Instant::now(),
            });
            stored.original_message = original;
        }
        Ok(())
    }

    /// Stores an updated copy of a message (channel or ephemeral) without emitting events.
    pub(crate) fn replace_message(&mut self, msg: &Message) {
        if let Some(m) = self.ephemeral.get_mut(&msg.id) {
            m.clone_from(msg);
        } else if let Some(m) = self
            .messages
            .get_mut(&msg.channel_id)
            .and_then(|m| m.get_mut(&msg.id))
        {
            m.clone_from(msg);
        }
    }

    fn webhook_message_id(i: &Interaction, message: &str) -> Result<u64, ApiError> {
        let id = if message == "@original" {
            i.original_message.ok_or_else(ApiError::unknown_message)?
        } else {
            message
                .parse::<u64>()
                .map_err(|_| ApiError::unknown_message())?
        };
        if Some(id) == i.original_message || i.followups.contains(&id) {
            Ok(id)
        } else {
            Err(ApiError::unknown_message())
        }
    }

    /// `POST /webhooks/{app}/{token}`: a follow-up message. While a deferred response is still
    /// "thinking", the first follow-up replaces it (as on Discord).
    pub fn create_followup(
        &mut self,
        app: u64,
        token: &str,
        body: &Value,
        uploads: Vec<Upload>,
    ) -> Result<Message, ApiError> {
        let i = self.interaction_by_token(app, token)?;
        let Some(resp) = &i.response else {
            return Err(ApiError::unknown_webhook());
        };
        validate_message(body, uploads.len(), true)?;
        if resp.kind == 5 {
            if let Some(orig) = i
                .original_message
                .and_then(|m| self.message(m))
                .filter(|m| m.flags & 128 != 0)
            {
                let orig_id = orig.id;
                return self.edit_webhook_message(app, token, &orig_id.to_string(), body, uploads);
            }
        }
        let msg = self.post_as_interaction(&i, body, uploads, 0)?;
        if let Some(stored) = self.interactions.get_mut(&i.id) {
            stored.followups.push(msg.id);
        }
        Ok(msg)
    }

    /// `GET /webhooks/{app}/{token}/messages/{id|@original}`.
    pub fn get_webhook_message(
        &self,
        app: u64,
        token: &str,
        message: &str,
    ) -> Result<Message, ApiError> {
        let i = self.interaction_by_token(app, token)?;
        let id = Self::webhook_message_id(&i, message)?;
        self.message(id)
            .cloned()
            .ok_or_else(ApiError::unknown_message)
    }

    /// `PATCH /webhooks/{app}/{token}/messages/{id|@original}`.
    pub fn edit_webhook_message(
        &mut self,
        app: u64,
        token: &str,
        message: &str,
        body: &Value,
        uploads: Vec<Upload>,
    ) -> Result<Message, ApiError> {
        let i = self.interaction_by_token(app, token)?;
        let id = Self::webhook_message_id(&i, message)?;
        validate_message(body, uploads.len(), false)?;
        let mut msg = self
            .message(id)
            .cloned()
            .ok_or_else(ApiError::unknown_message)?;
        self.apply_edit(&mut msg, body, uploads);
        self.replace_message(&msg);
        if msg.flags & 64 == 0 {
            self.emit_message_event("MESSAGE_UPDATE", &msg);
        }
        Ok(msg)
    }

    /// `DELETE /webhooks/{app}/{token}/messages/{id|@original}`.
    pub fn delete_webhook_message(
        &mut self,
        app: u64,
        token: &str,
        message: &str,
    ) -> Result<(), ApiError> {
        let i = self.interaction_by_token(app, token)?;
        let id = Self::webhook_message_id(&i, message)?;
        if self.ephemeral.remove(&id).is_none() {
            let channel = self
                .message_index
                .get(&id)
                .copied()
                .ok_or_else(ApiError::unknown_message)?;
            self.remove_message(channel, id);
        }
        Ok(())
    }
}
