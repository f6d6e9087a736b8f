//! Creating interactions the way Discord does when a human uses the bot's UI: slash commands
//! (options typed by the registered command), button/select clicks and modal submits.

use std::time::Instant;

use serde_json::{json, Map, Value};

use super::messages::Upload;
use super::World;
use crate::sim::gateway::GwEvent;
use crate::sim::model::{channel_type, Interaction};
use crate::sim::payload::attachment_json;

/// A value given to a slash-command option by the simulated human.
#[derive(Clone, Debug)]
pub enum OptionArg {
    /// Text, converted according to the option's registered type (numbers, booleans, users by
    /// id or username, channels and roles by id).
    Text(String),
    /// A file for an attachment option.
    File(Upload),
}

impl World {
    /// The fields every interaction payload shares (`member`/`user`, channel, token, locale...).
    fn interaction_base(&mut self, kind: u8, user: u64, channel: u64) -> (u64, String, Value) {
        let id = self.ids.next();
        let token = format!("aW50ZXJhY3Rpb246{id}:{:016x}", rand::random::<u64>());
        let ch = self.channels.get(&channel).cloned();
        let guild = ch.as_ref().and_then(|c| c.guild_id);
        let mut v = json!({
            "id": id.to_string(),
            "application_id": self.app.id.to_string(),
            "type": kind,
            "channel_id": channel.to_string(),
            "token": token,
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 26_214_400,
        });
        if let Some(c) = &ch {
            let mut pc = self.channel_json(c);
            if let Some(g) = guild {
                pc["permissions"] = json!(self.permissions_string(g, channel, user));
            }
            v["channel"] = pc;
        }
        if let Some(g) = guild {
            {
                v["guild_id"] = json!(g.to_string());
                v["guild_locale"] = json!("en-US");
                v["guild"] = json!({"id": g.to_string(), "locale": "en-US", "features": []});
                v["app_permissions"] = json!(self.permissions_string(g, channel, self.bot_user_id));
                v["authorizing_integration_owners"] = json!({"0": g.to_string()});
                v["context"] = json!(0);
                if let Some(guild) = self.guilds.get(&g) {
                    if let Some(m) = guild.members.get(&user) {
                        let mut mj = self.member_json(guild, m, true, false);
                        mj["permissions"] = json!(self.permissions_string(g, channel, user));
                        v["member"] = mj;
                    }
                }
            }
        } else {
            {
                v["user"] = self.user_json(user);
                v["app_permissions"] = json!("0");
                v["authorizing_integration_owners"] = json!({"0": "0"});
                v["context"] = json!(if ch.is_some_and(|c| c.kind == channel_type::DM) {
                    1
                } else {
                    2
                });
            }
        }
        (id, token, v)
    }

    #[allow(clippy::too_many_arguments)]
    fn register_interaction(
        &mut self,
        id: u64,
        token: String,
        kind: u8,
        user: u64,
        channel: u64,
        message_id: Option<u64>,
        payload: Value,
    ) -> u64 {
        let guild_id = self.channels.get(&channel).and_then(|c| c.guild_id);
        self.interaction_tokens.insert(token.clone(), id);
        self.interactions.insert(
            id,
            Interaction {
                id,
                token,
                kind,
                channel_id: channel,
                guild_id,
                user_id: user,
                created: Instant::now(),
                message_id,
                response: None,
                original_message: None,
                followups: Vec::new(),
                payload: payload.clone(),
            },
        );
        self.emit(GwEvent::new("INTERACTION_CREATE", 0, payload));
        id
    }

    /// `user` runs `/path` (e.g. `"close"` or `"snippet add"`) in `channel` with named options.
    /// Fails if the command (or an option) is not registered.
    pub fn create_slash(
        &mut self,
        user: u64,
        channel: u64,
        path: &str,
        args: Vec<(String, OptionArg)>,
    ) -> Result<u64, String> {
        let guild = self
            .channels
            .get(&channel)
            .ok_or("unknown channel")?
            .guild_id;
        let mut words = path.split_whitespace();
        let name = words.next().ok_or("empty command")?;
        let cmd = self
            .find_command(guild, name, 1)
            .cloned()
            .ok_or_else(|| format!("/{name} is not registered"))?;
        // Walk down subcommand groups/subcommands.
        let mut defs = cmd
            .body
            .get("options")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut chain: Vec<(String, u64)> = Vec::new();
        for sub in words {
            let def = defs
                .iter()
                .find(|o| o["name"] == sub && matches!(o["type"].as_u64(), Some(1 | 2)))
                .cloned()
                .ok_or_else(|| format!("/{path}: no subcommand {sub}"))?;
            chain.push((sub.to_owned(), def["type"].as_u64().unwrap_or(1)));
            defs = def
                .get("options")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
        }
        let mut resolved: Map<String, Value> = Map::new();
        let mut options = Vec::new();
        for (opt_name, arg) in args {
            let def = defs
                .iter()
                .find(|o| o["name"] == opt_name.as_str())
                .ok_or_else(|| format!("/{path}: no option {opt_name}"))?;
            let kind = def["type"].as_u64().unwrap_or(3);
            let value = self.option_value(kind, arg, guild, channel, &mut resolved)?;
            options.push(json!({"name": opt_name, "type": kind, "value": value}));
        }
        for (sub, kind) in chain.into_iter().rev() {
            options = vec![json!({"name": sub, "type": kind, "options": options})];
        }
        let (id, token, mut payload) = self.interaction_base(2, user, channel);
        let mut data = json!({
            "id": cmd.id.to_string(),
            "name": cmd.name,
            "type": 1,
            "options": options,
        });
        if !resolved.is_empty() {
            data["resolved"] = Value::Object(resolved);
        }
        if let Some(g) = cmd.guild_id {
            data["guild_id"] = json!(g.to_string());
        }
        payload["data"] = data;
        Ok(self.register_interaction(id, token, 2, user, channel, None, payload))
    }

    fn option_value(
        &mut self,
        kind: u64,
        arg: OptionArg,
        guild: Option<u64>,
        channel: u64,
        resolved: &mut Map<String, Value>,
    ) -> Result<Value, String> {
        let mut put = |bucket: &str, id: u64, v: Value| {
            resolved
                .entry(bucket.to_owned())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .map(|m| m.insert(id.to_string(), v));
        };
        let text = match arg {
            OptionArg::File(up) => {
                if kind != 11 {
                    return Err("a file was given for a non-attachment option".into());
                }
                let att = self.store_upload(channel, up, None);
                put("attachments", att.id, attachment_json(&att));
                return Ok(json!(att.id.to_string()));
            }
            OptionArg::Text(t) => t,
        };
        Ok(match kind {
            4 => json!(text.parse::<i64>().map_err(|e| format!("{text}: {e}"))?),
            5 => json!(matches!(text.as_str(), "true" | "yes" | "1")),
            10 => json!(text.parse::<f64>().map_err(|e| format!("{text}: {e}"))?),
            6 | 9 => {
                let uid = text
                    .parse::<u64>()
                    .ok()
                    .or_else(|| self.user_by_name(&text).map(|u| u.id));
                if let Some(role) = uid
                    .filter(|_| kind == 9)
                    .and_then(|r| guild.and_then(|g| self.guilds.get(&g)?.roles.get(&r)))
                {
                    put("roles", role.id, crate::sim::payload::role_json(role));
                    return Ok(json!(role.id.to_string()));
                }
                let uid = uid.ok_or_else(|| format!("unknown user {text}"))?;
                put("users", uid, self.user_json(uid));
                if let Some((g, m)) = guild
                    .and_then(|g| self.guilds.get(&g))
                    .and_then(|g| Some((g, g.members.get(&uid)?)))
                {
                    let mut mj = self.member_json(g, m, false, false);
                    mj["permissions"] = json!(self.permissions_string(g.id, channel, uid));
                    put("members", uid, mj);
                }
                json!(uid.to_string())
            }
            7 => {
                let cid = text.parse::<u64>().map_err(|e| format!("{text}: {e}"))?;
                let c = self
                    .channels
                    .get(&cid)
                    .ok_or_else(|| format!("unknown channel {cid}"))?;
                let mut cj = json!({"id": cid.to_string(), "type": c.kind, "name": c.name,
                                    "parent_id": c.parent_id.map(|p| p.to_string())});
                if let Some(g) = c.guild_id {
                    cj["permissions"] = json!(self.permissions_string(g, cid, self.bot_user_id));
                }
                put("channels", cid, cj);
                json!(cid.to_string())
            }
            8 => {
                let rid = text.parse::<u64>().map_err(|e| format!("{text}: {e}"))?;
                let role = guild
                    .and_then(|g| self.guilds.get(&g)?.roles.get(&rid))
                    .ok_or_else(|| format!("unknown role {rid}"))?;
                put("roles", rid, crate::sim::payload::role_json(role));
                json!(rid.to_string())
            }
            _ => json!(text),
        })
    }

    /// `user` clicks a button (`values: None`) or picks select-menu `values` on `message`.
    pub fn create_component(
        &mut self,
        user: u64,
        message: u64,
        custom_id: &str,
        values: Option<Vec<String>>,
    ) -> Result<u64, String> {
        let msg = self.message(message).cloned().ok_or("unknown message")?;
        let component = msg
            .components
            .iter()
            .flat_map(|row| {
                row.get("components")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            })
            .find(|c| c.get("custom_id").and_then(Value::as_str) == Some(custom_id))
            .ok_or_else(|| format!("message has no component {custom_id}"))?;
        let component_type = component.get("type").and_then(Value::as_u64).unwrap_or(2);
        let (id, token, mut payload) = self.interaction_base(3, user, msg.channel_id);
        let mut data = json!({"custom_id": custom_id, "component_type": component_type});
        if let Some(v) = values {
            data["values"] = json!(v);
        }
        payload["data"] = data;
        payload["message"] = self.message_json(&msg, false);
        Ok(self.register_interaction(id, token, 3, user, msg.channel_id, Some(message), payload))
    }

    /// `user` submits the modal the bot opened in response to `interaction`, with
    /// `(text input custom_id, value)` pairs.
    pub fn create_modal_submit(
        &mut self,
        interaction: u64,
        values: &[(&str, &str)],
    ) -> Result<u64, String> {
        let parent = self
            .interactions
            .get(&interaction)
            .cloned()
            .ok_or("unknown interaction")?;
        let resp = parent
            .response
            .as_ref()
            .filter(|r| r.kind == 9)
            .ok_or("the bot did not open a modal")?;
        let custom_id = resp.data.get("custom_id").cloned().unwrap_or(json!(""));
        let rows: Vec<Value> = values
            .iter()
            .map(|(cid, val)| json!({"type": 1, "components": [{"type": 4, "custom_id": cid, "value": val}]}))
            .collect();
        let (id, token, mut payload) = self.interaction_base(5, parent.user_id, parent.channel_id);
        payload["data"] = json!({"custom_id": custom_id, "components": rows});
        if let Some(m) = parent.message_id.and_then(|m| self.message(m)) {
            payload["message"] = self.message_json(m, false);
        }
        Ok(self.register_interaction(
            id,
            token,
            5,
            parent.user_id,
            parent.channel_id,
            parent.message_id,
            payload,
        ))
    }
}
