//! `bot.shard_count` and `bot.shards`: how many gateway shards the bot uses in total, and which
//! of them this process runs. One process runs every shard by default; to scale out, start
//! several processes on the same database, each with its own `shards` range (Discord sends a
//! guild's events to shard `(guild_id >> 22) % shard_count`, and DMs to shard 0).

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

use super::Problems;

/// Default `bot.shard_count`.
pub const DEFAULT_SHARD_COUNT: u32 = 1;
/// Largest `bot.shard_count` accepted (far above what a modmail bot needs; catches typos).
pub const MAX_SHARD_COUNT: u32 = 4096;

/// The shards this process runs: `first..=last` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardPlan {
    pub first: u32,
    pub last: u32,
    pub count: u32,
}

impl ShardPlan {
    /// Whether this process runs every shard (the default, unsharded deployment).
    pub fn is_all(&self) -> bool {
        self.first == 0 && self.last + 1 == self.count
    }
}

impl fmt::Display for ShardPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "shard {} of {}", self.first, self.count)
        } else {
            write!(f, "shards {}-{} of {}", self.first, self.last, self.count)
        }
    }
}

/// Parses `bot.shards`: `"N"` or `"A-B"` (inclusive, `A <= B`). Errors say what is wrong.
pub fn parse_range(text: &str) -> Result<(u32, u32), String> {
    let text = text.trim();
    let number = |s: &str| {
        s.trim()
            .parse::<u32>()
            .map_err(|_| format!("`{text}` is not a shard id or range like \"0\" or \"0-3\""))
    };
    let (first, last) = if let Some((a, b)) = text.split_once('-') {
        (number(a)?, number(b)?)
    } else {
        let n = number(text)?;
        (n, n)
    };
    if first > last {
        return Err(format!(
            "`{text}` is an empty range: the first shard must not exceed the last"
        ));
    }
    Ok((first, last))
}

/// Checks the two keys together; pushes problems naming the key at fault.
pub(crate) fn check(count: u32, shards: Option<&str>, p: &mut Problems) {
    if !(1..=MAX_SHARD_COUNT).contains(&count) {
        p.push(
            "bot.shard_count",
            format!("must be between 1 and {MAX_SHARD_COUNT}, got {count}"),
        );
        return;
    }
    let Some(shards) = shards else { return };
    match parse_range(shards) {
        Err(message) => p.push("bot.shards", message),
        Ok((_, last)) if last >= count => p.push(
            "bot.shards",
            format!(
                "`{}` names shard {last}, but bot.shard_count = {count} allows shards 0 to {}",
                shards.trim(),
                count - 1
            ),
        ),
        Ok(_) => {}
    }
}

/// The plan of a validated configuration (every shard when `shards` is unset).
pub(crate) fn plan(count: u32, shards: Option<&str>) -> ShardPlan {
    let count = count.max(1);
    let (first, last) = shards
        .and_then(|s| parse_range(s).ok())
        .unwrap_or((0, count - 1));
    ShardPlan {
        first: first.min(count - 1),
        last: last.min(count - 1),
        count,
    }
}

/// Reads `bot.shards` written as a string (`"0-1"`) or, for one shard, a bare integer (`1`).
pub(crate) fn deserialize_shards<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    struct ShardsVisitor;

    impl Visitor<'_> for ShardsVisitor {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a shard id (1) or range (\"0-3\")")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
    }

    d.deserialize_any(ShardsVisitor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(count: u32, shards: Option<&str>) -> Vec<String> {
        let mut p = Problems::default();
        check(count, shards, &mut p);
        p.0.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_range("2"), Ok((2, 2)));
        assert_eq!(parse_range(" 0 - 3 "), Ok((0, 3)));
        assert!(parse_range("3-1").unwrap_err().contains("empty range"));
        assert!(parse_range("a").unwrap_err().contains("not a shard id"));
        assert!(parse_range("-1").is_err());
    }

    #[test]
    fn validation_names_the_key() {
        assert!(problems(2, Some("0-1")).is_empty());
        assert!(problems(1, None).is_empty());
        assert_eq!(
            problems(2, Some("2")),
            ["bot.shards: `2` names shard 2, but bot.shard_count = 2 allows shards 0 to 1"]
        );
        assert_eq!(
            problems(0, Some("0")),
            ["bot.shard_count: must be between 1 and 4096, got 0"]
        );
        assert!(problems(4, Some("x"))[0].starts_with("bot.shards: `x` is not"));
    }

    const BASE: &str = r#"
[bot]
token = "abc.def.ghi"
{bot}
[servers]
guild_id = 1
staff_roles = [2]
[channels]
inbox_category_id = 3
log_channel_id = 4
"#;

    fn load(bot: &str, env: &[(&str, &str)]) -> Result<crate::config::Config, Vec<String>> {
        let env = |name: &str| {
            env.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        };
        crate::config::Config::from_toml_str(&BASE.replace("{bot}", bot), &env)
            .map_err(|e| e.problems().iter().map(ToString::to_string).collect())
    }

    #[test]
    fn from_the_file_and_the_environment() {
        let plain = load("", &[]).expect("valid");
        assert!(plain.bot.shard_plan().is_all());
        let file = load("shard_count = 2\nshards = 1", &[]).expect("valid");
        assert_eq!(file.bot.shard_plan().to_string(), "shard 1 of 2");
        let file = load("shard_count = 4\nshards = \"2-3\"", &[]).expect("valid");
        assert_eq!(file.bot.shard_plan().to_string(), "shards 2-3 of 4");
        let env = load(
            "shard_count = 4\nshards = \"2-3\"",
            &[("RUSTMAIL_SHARD_COUNT", " 2 "), ("RUSTMAIL_SHARDS", "0")],
        )
        .expect("valid");
        assert_eq!(env.bot.shard_plan().to_string(), "shard 0 of 2");
        assert_eq!(
            load("shard_count = 2\nshards = \"0-2\"", &[]).unwrap_err(),
            ["bot.shards: `0-2` names shard 2, but bot.shard_count = 2 allows shards 0 to 1"]
        );
        assert_eq!(
            load("", &[("RUSTMAIL_SHARD_COUNT", "two")]).unwrap_err(),
            ["bot.shard_count: RUSTMAIL_SHARD_COUNT = `two` is not a number"]
        );
        assert!(
            crate::config::Config::from_toml_str(&BASE.replace("{bot}", "shard = 1"), &|_| None)
                .is_err()
        );
    }

    #[test]
    fn plans() {
        let all = plan(1, None);
        assert_eq!(
            all,
            ShardPlan {
                first: 0,
                last: 0,
                count: 1
            }
        );
        assert!(all.is_all());
        let one = plan(2, Some("1"));
        assert_eq!((one.first, one.last, one.count), (1, 1, 2));
        assert!(!one.is_all());
        assert_eq!(one.to_string(), "shard 1 of 2");
        assert_eq!(plan(4, Some("0-1")).to_string(), "shards 0-1 of 4");
    }
}
