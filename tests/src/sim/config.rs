//! Simulator configuration and the ids of everything it seeds.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

/// How the simulator is set up. `SimConfig::default()` is one guild in single-server mode.
#[derive(Clone, Debug)]
#[allow(clippy::struct_excessive_bools, reason = "independent switches")]
pub struct SimConfig {
    /// The bot token REST calls and Identify must carry (without the `Bot ` prefix).
    pub token: String,
    /// Separate community and staff guilds (Rustmail's dual-server mode).
    pub dual_server: bool,
    /// Name of the (community) guild.
    pub guild_name: String,
    /// Name of the staff guild in dual-server mode.
    pub staff_guild_name: String,
    /// The bot's username.
    pub bot_name: String,
    /// Give the bot's managed role `ADMINISTRATOR` (otherwise it gets a realistic set of
    /// permissions and channel overwrites decide what it can see).
    pub bot_administrator: bool,
    /// Extra community members to seed (besides bob and carol).
    pub members: Vec<String>,
    /// Gateway heartbeat interval sent in Hello.
    pub heartbeat_interval: Duration,
    /// How long after `INTERACTION_CREATE` the initial callback is accepted (Discord: 3 s).
    pub interaction_deadline: Duration,
    /// Seed for the fault-injection RNG.
    pub seed: u64,
    /// Discord-like per-channel message rate limit (5 messages / 5 s) for bot posts.
    pub channel_rate_limit: bool,
    /// Failures scripted before anything connects (as [`super::Faults::script`], one each,
    /// in order), for what a bot does first: e.g. a 500 on its slash-command registration.
    pub faults_at_start: Vec<(Option<String>, super::Fault)>,
    /// Keep a log of every REST request (needed by `requests()` and `spec_violations()`).
    pub record_requests: bool,
    /// Keep every gateway event the world produced (for `events()`); turn off in benchmarks.
    pub record_events: bool,
    /// Messages kept per session for gateway resume.
    pub resume_buffer: usize,
    /// Channels a category may hold before Discord's 30013 error (50 on Discord; the 1,000-user
    /// burst benchmark raises it, since one real category could not hold those tickets).
    pub max_channels_per_category: usize,
    /// The shard count `GET /gateway/bot` recommends (sessions may identify with any count).
    pub shard_count: u32,
    /// Give the community guild an id that puts it on this shard of `shard_count` (Discord:
    /// `(guild_id >> 22) % count`); `None` = whatever its id gives. In single-server mode the
    /// one guild follows `staff_guild_shard` when that is set.
    pub community_guild_shard: Option<u32>,
    /// Same for the staff guild (dual-server mode), or the one guild (single-server mode).
    pub staff_guild_shard: Option<u32>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            token: "MTIzNDU2Nzg5MDEyMzQ1Njc4.Sim0ck.rustmail-simulator-token".to_owned(),
            dual_server: false,
            guild_name: "Rustmail Test".to_owned(),
            staff_guild_name: "Rustmail Staff".to_owned(),
            bot_name: "Rustmail".to_owned(),
            bot_administrator: false,
            members: vec!["dave".to_owned(), "erin".to_owned(), "frank".to_owned()],
            heartbeat_interval: Duration::from_millis(41_250),
            interaction_deadline: Duration::from_secs(3),
            seed: 0x5eed,
            channel_rate_limit: false,
            faults_at_start: Vec::new(),
            record_requests: true,
            record_events: true,
            resume_buffer: 100_000,
            max_channels_per_category: crate::sim::state::MAX_CHANNELS_PER_CATEGORY,
            shard_count: 1,
            community_guild_shard: None,
            staff_guild_shard: None,
        }
    }
}

impl SimConfig {
    /// Separate community and staff guilds; staff roles and modmail channels live in the staff
    /// guild, users in the community guild (bob and carol are in both).
    pub fn dual_server() -> Self {
        Self {
            dual_server: true,
            ..Self::default()
        }
    }

    /// Dual-server mode split over two shards, the way a scaled-out bot sees it: the community
    /// guild on shard 0 (with the DMs), the staff guild on shard 1.
    pub fn two_shards() -> Self {
        Self {
            dual_server: true,
            shard_count: 2,
            community_guild_shard: Some(0),
            staff_guild_shard: Some(1),
            ..Self::default()
        }
    }
}

/// The ids of everything the simulator seeded, for writing a bot config.
///
/// In single-server mode `community_guild_id == staff_guild_id`.
#[derive(Clone, Debug, Serialize)]
pub struct SeededIds {
    pub application_id: u64,
    pub bot_user_id: u64,
    /// The bot's managed role in the staff guild.
    pub bot_role_id: u64,
    /// The bot's managed role in the community guild (same as `bot_role_id` in single mode).
    pub community_bot_role_id: u64,
    /// Where users are.
    pub community_guild_id: u64,
    /// Where staff, the inbox and logs are.
    pub staff_guild_id: u64,
    /// `@everyone` of the community guild (its id is the guild id).
    pub community_everyone_role_id: u64,
    /// `@everyone` of the staff guild.
    pub staff_everyone_role_id: u64,
    /// The "Staff" role (staff guild).
    pub staff_role_id: u64,
    /// The "Admin" role (staff guild).
    pub admin_role_id: u64,
    /// Category where ticket channels are created (staff guild).
    pub inbox_category_id: u64,
    /// Log channel (staff guild).
    pub log_channel_id: u64,
    /// Category closed tickets may be moved to (staff guild).
    pub archive_category_id: u64,
    /// A public text channel in the community guild.
    pub general_channel_id: u64,
    /// A text channel in the staff guild, outside the inbox (where staff type commands).
    pub staff_channel_id: u64,
    /// Staff member "bob" (Staff role).
    pub staff_user_id: u64,
    /// Admin "carol" (Admin role; owns the guilds).
    pub admin_user_id: u64,
    /// Every seeded human by username (bob, carol and the extra members).
    pub users: BTreeMap<String, u64>,
}
