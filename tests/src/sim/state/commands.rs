//! Application command registration (global and guild), as Discord stores and returns it.

use serde_json::{json, Map, Value};

use super::World;
use crate::sim::error::ApiError;
use crate::sim::model::Command;

fn validate_command(body: &Value) -> Result<(), ApiError> {
    let kind = body.get("type").and_then(Value::as_u64).unwrap_or(1);
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    let name_ok = !name.is_empty()
        && name.chars().count() <= 32
        && (kind != 1
            || name
                .chars()
                .all(|c| c == '-' || c == '_' || c.is_alphanumeric() && !c.is_uppercase()));
    if !name_ok {
        return Err(ApiError::field(
            "name",
            "APPLICATION_COMMAND_INVALID_NAME",
            "Command name is invalid",
        ));
    }
    let desc = body
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if kind == 1 && (desc.is_empty() || desc.chars().count() > 100) {
        return Err(ApiError::field(
            "description",
            "BASE_TYPE_BAD_LENGTH",
            "Must be between 1 and 100 in length.",
        ));
    }
    if body
        .get("options")
        .and_then(Value::as_array)
        .is_some_and(|o| o.len() > 25)
    {
        return Err(ApiError::field(
            "options",
            "BASE_TYPE_MAX_LENGTH",
            "Must be 25 or fewer in length.",
        ));
    }
    Ok(())
}

impl World {
    fn command_json(&self, id: u64, version: u64, guild: Option<u64>, body: &Value) -> Value {
        let mut out = Map::new();
        out.insert("id".into(), json!(id.to_string()));
        out.insert("application_id".into(), json!(self.app.id.to_string()));
        out.insert("version".into(), json!(version.to_string()));
        out.insert("type".into(), body.get("type").cloned().unwrap_or(json!(1)));
        out.insert(
            "name".into(),
            body.get("name").cloned().unwrap_or(json!("")),
        );
        out.insert(
            "description".into(),
            body.get("description").cloned().unwrap_or(json!("")),
        );
        out.insert(
            "options".into(),
            body.get("options")
                .cloned()
                .filter(|v| !v.is_null())
                .unwrap_or(json!([])),
        );
        out.insert(
            "default_member_permissions".into(),
            body.get("default_member_permissions")
                .cloned()
                .unwrap_or(Value::Null),
        );
        out.insert(
            "nsfw".into(),
            body.get("nsfw").cloned().unwrap_or(json!(false)),
        );
        out.insert(
            "contexts".into(),
            body.get("contexts")
                .cloned()
                .filter(|v| !v.is_null())
                .unwrap_or(json!([0, 1, 2])),
        );
        out.insert(
            "integration_types".into(),
            body.get("integration_types")
                .cloned()
                .filter(|v| !v.is_null())
                .unwrap_or(json!([0])),
        );
        for key in ["name_localizations", "description_localizations"] {
            if let Some(v) = body.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        if let Some(g) = guild {
            out.insert("guild_id".into(), json!(g.to_string()));
        } else {
            out.insert(
                "dm_permission".into(),
                body.get("dm_permission").cloned().unwrap_or(json!(true)),
            );
        }
        Value::Object(out)
    }

    fn upsert_command(&mut self, guild: Option<u64>, body: &Value) -> (Command, bool) {
        let kind = body
            .get("type")
            .and_then(Value::as_u64)
            .and_then(|k| u8::try_from(k).ok())
            .unwrap_or(1);
        let name = body
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let existing = self
            .commands
            .values()
            .find(|c| c.guild_id == guild && c.name == name && c.kind == kind)
            .cloned();
        let (id, created) = existing
            .as_ref()
            .map_or_else(|| (self.ids.next(), true), |c| (c.id, false));
        let version = match &existing {
            Some(c) if self.command_json(c.id, c.version, guild, body) == c.body => c.version,
            _ => self.ids.next(),
        };
        let cmd = Command {
            id,
            guild_id: guild,
            name,
            kind,
            version,
            body: self.command_json(id, version, guild, body),
        };
        self.commands.insert(id, cmd.clone());
        (cmd, created)
    }

    /// `PUT .../commands`: replaces all commands of the scope (global when `guild` is `None`).
    pub fn overwrite_commands(
        &mut self,
        guild: Option<u64>,
        list: &Value,
    ) -> Result<Vec<Value>, ApiError> {
        let list = list
            .as_array()
            .ok_or_else(|| ApiError::field("_", "BASE_TYPE_ARRAY", "Must be an array"))?;
        for body in list {
            validate_command(body)?;
        }
        let kept: Vec<u64> = list
            .iter()
            .map(|b| self.upsert_command(guild, b).0.id)
            .collect();
        self.commands
            .retain(|id, c| c.guild_id != guild || kept.contains(id));
        Ok(kept
            .iter()
            .map(|id| self.commands[id].body.clone())
            .collect())
    }

    /// `POST .../commands`: creates or updates one command; `true` when newly created.
    pub fn create_command(
        &mut self,
        guild: Option<u64>,
        body: &Value,
    ) -> Result<(Value, bool), ApiError> {
        validate_command(body)?;
        let (cmd, created) = self.upsert_command(guild, body);
        Ok((cmd.body, created))
    }

    /// `GET .../commands`.
    pub fn list_commands(&self, guild: Option<u64>) -> Vec<Value> {
        self.commands
            .values()
            .filter(|c| c.guild_id == guild)
            .map(|c| c.body.clone())
            .collect()
    }

    /// `GET .../commands/{id}`.
    pub fn get_command(&self, guild: Option<u64>, id: u64) -> Result<Value, ApiError> {
        self.commands
            .get(&id)
            .filter(|c| c.guild_id == guild)
            .map(|c| c.body.clone())
            .ok_or_else(ApiError::unknown_command)
    }

    /// `PATCH .../commands/{id}`.
    pub fn edit_command(
        &mut self,
        guild: Option<u64>,
        id: u64,
        patch: &Value,
    ) -> Result<Value, ApiError> {
        let cmd = self
            .commands
            .get(&id)
            .filter(|c| c.guild_id == guild)
            .cloned()
            .ok_or_else(ApiError::unknown_command)?;
        let mut body = cmd.body.clone();
        if let (Some(b), Some(p)) = (body.as_object_mut(), patch.as_object()) {
            for (k, v) in p {
                b.insert(k.clone(), v.clone());
            }
        }
        validate_command(&body)?;
        let version = self.ids.next();
        let json = self.command_json(id, version, guild, &body);
        let name = body
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        self.commands.insert(
            id,
            Command {
                name,
                version,
                body: json.clone(),
                ..cmd
            },
        );
        Ok(json)
    }

    /// `DELETE .../commands/{id}`.
    pub fn delete_command(&mut self, guild: Option<u64>, id: u64) -> Result<(), ApiError> {
        match self.commands.get(&id) {
            Some(c) if c.guild_id == guild => {
                self.commands.remove(&id);
                Ok(())
            }
            _ => Err(ApiError::unknown_command()),
        }
    }

    /// Finds a command by name for an interaction in `guild` (guild commands first).
    pub fn find_command(&self, guild: Option<u64>, name: &str, kind: u8) -> Option<&Command> {
        let mut matching = self
            .commands
            .values()
            .filter(|c| c.name == name && c.kind == kind);
        let all: Vec<&Command> = matching.by_ref().collect();
        all.iter()
            .find(|c| guild.is_some() && c.guild_id == guild)
            .or_else(|| all.iter().find(|c| c.guild_id.is_none()))
            .copied()
    }
}
