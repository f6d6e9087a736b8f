//! Discord's sharding rules, as the gateway applies them: a session that identified with
//! `shard: [id, count]` gets the events of the guilds with `(guild_id >> 22) % count == id`, and
//! shard 0 also gets everything that belongs to no guild (DMs). A session without a shard gets
//! everything (as a single shard would).

use serde_json::Value;

/// A session's `[shard_id, shard_count]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard.
    pub id: u64,
    /// Shards in total.
    pub count: u64,
}

impl Shard {
    /// Reads Identify's `shard` field; `None` when absent or malformed (the session then gets
    /// every event, like an unsharded connection).
    pub fn from_identify(shard: Option<&Value>) -> Option<Self> {
        let pair = shard?.as_array()?;
        let (id, count) = (pair.first()?.as_u64()?, pair.get(1)?.as_u64()?);
        (count > 0 && id < count).then_some(Self { id, count })
    }

    /// The shard a guild's events go to.
    pub fn of_guild(guild: u64, count: u64) -> u64 {
        if count == 0 {
            0
        } else {
            (guild >> 22) % count
        }
    }

    /// Whether this shard gets the events of `guild` (`None`: no guild, i.e. DMs → shard 0).
    pub fn owns(self, guild: Option<u64>) -> bool {
        match guild {
            Some(g) => Self::of_guild(g, self.count) == self.id,
            None => self.id == 0,
        }
    }
}

/// Whether a session with `shard` gets an event about `guild`.
pub fn receives(shard: Option<Shard>, guild: Option<u64>) -> bool {
    shard.is_none_or(|s| s.owns(guild))
}

/// The guild a dispatch belongs to: its `guild_id`, or for `GUILD_*` events without one, the
/// guild object's own `id`. `None` for DMs and DM channels.
pub fn event_guild(name: &str, data: &Value) -> Option<u64> {
    let id = |v: &Value| match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    };
    if let Some(g) = data.get("guild_id").and_then(id) {
        return Some(g);
    }
    if name.starts_with("GUILD_") {
        return data.get("id").and_then(id);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn guild_and_dm_routing() {
        let zero = Shard::from_identify(Some(&json!([0, 2]))).expect("valid");
        let one = Shard::from_identify(Some(&json!([1, 2]))).expect("valid");
        let odd = 3u64 << 22;
        assert!(one.owns(Some(odd)) && !zero.owns(Some(odd)));
        assert!(zero.owns(Some(4 << 22)) && !one.owns(Some(4 << 22)));
        assert!(zero.owns(None) && !one.owns(None));
        assert!(receives(None, Some(odd)) && receives(None, None));
        assert_eq!(Shard::from_identify(Some(&json!([2, 2]))), None);
        assert_eq!(Shard::from_identify(None), None);
    }

    #[test]
    fn event_guilds() {
        let data = json!({"guild_id": "4194304", "id": "1"});
        assert_eq!(event_guild("MESSAGE_CREATE", &data), Some(1 << 22));
        assert_eq!(event_guild("MESSAGE_CREATE", &json!({"id": "9"})), None);
        assert_eq!(event_guild("GUILD_CREATE", &json!({"id": "9"})), Some(9));
    }
}
