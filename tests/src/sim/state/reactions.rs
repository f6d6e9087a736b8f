//! Reactions: the bot's own (`PUT/DELETE .../reactions/{emoji}/@me`) and simulated humans'.

use serde_json::{json, Value};

use super::World;
use crate::sim::error::ApiError;
use crate::sim::gateway::GwEvent;
use crate::sim::model::{channel_type, perm};

/// `GUILD_MESSAGE_REACTIONS`.
const GUILD_MESSAGE_REACTIONS: u64 = 1 << 10;
/// `DIRECT_MESSAGE_REACTIONS`.
const DIRECT_MESSAGE_REACTIONS: u64 = 1 << 13;

/// Decodes `%XX` escapes of a path segment (emoji are percent-encoded in URLs).
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The emoji object for `"👍"` or `"name:id"`.
pub(crate) fn emoji_json(emoji: &str) -> Value {
    match emoji.rsplit_once(':') {
        Some((name, id)) if id.parse::<u64>().is_ok() => json!({"id": id, "name": name}),
        _ => json!({"id": null, "name": emoji}),
    }
}

impl World {
    /// `user` adds (or removes) `emoji` on a message. `by_bot` enables permission checks.
    pub fn react(
        &mut self,
        channel: u64,
        message: u64,
        emoji: &str,
        user: u64,
        add: bool,
        by_bot: bool,
    ) -> Result<(), ApiError> {
        let ch = self
            .channels
            .get(&channel)
            .cloned()
            .ok_or_else(ApiError::unknown_channel)?;
        if by_bot && ch.kind != channel_type::DM {
            if !self.bot_can(&ch, perm::VIEW_CHANNEL) {
                return Err(ApiError::missing_access());
            }
            if !self.bot_can(&ch, perm::ADD_REACTIONS | perm::READ_MESSAGE_HISTORY) {
                return Err(ApiError::missing_permissions());
            }
        }
        let msg = self
            .messages
            .get_mut(&channel)
            .and_then(|m| m.get_mut(&message))
            .ok_or_else(ApiError::unknown_message)?;
        let author = msg.author_id;
        let pos = msg.reactions.iter().position(|(e, _)| e == emoji);
        let changed = match (add, pos) {
            (true, Some(p)) => {
                let users = &mut msg.reactions[p].1;
                !users.contains(&user) && {
                    users.push(user);
                    true
                }
            }
            (true, None) => {
                msg.reactions.push((emoji.to_owned(), vec![user]));
                true
            }
            (false, Some(p)) => {
                let users = &mut msg.reactions[p].1;
                let before = users.len();
                users.retain(|u| *u != user);
                let changed = users.len() != before;
                if users.is_empty() {
                    msg.reactions.remove(p);
                }
                changed
            }
            (false, None) => false,
        };
        if !changed {
            return Ok(());
        }
        let mut data = json!({
            "user_id": user.to_string(),
            "channel_id": channel.to_string(),
            "message_id": message.to_string(),
            "emoji": emoji_json(emoji),
            "burst": false,
            "type": 0,
        });
        if add {
            data["message_author_id"] = json!(author.to_string());
            data["burst_colors"] = json!([]);
        }
        let intents = if let Some(g) = ch.guild_id {
            data["guild_id"] = json!(g.to_string());
            if let Some((guild, m)) = self
                .guilds
                .get(&g)
                .and_then(|gd| Some((gd, gd.members.get(&user)?)))
            {
                if add {
                    data["member"] = self.member_json(guild, m, true, false);
                }
            }
            GUILD_MESSAGE_REACTIONS
        } else {
            DIRECT_MESSAGE_REACTIONS
        };
        let name = if add {
            "MESSAGE_REACTION_ADD"
        } else {
            "MESSAGE_REACTION_REMOVE"
        };
        self.emit(GwEvent::new(name, intents, data));
        Ok(())
    }
}
