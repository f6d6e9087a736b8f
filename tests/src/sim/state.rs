//! The simulated Discord's state (`World`): guilds, channels, messages, users, interactions.
//!
//! Every mutation lives in a `World` method (see the `ops` modules); mutations queue the gateway
//! events Discord would send in `outbox`, which the simulator flushes to connected sessions while
//! still holding the state lock, so event order always matches state order.

mod attachments;
mod channels;
mod commands;
mod guilds;
mod interactions;
mod messages;
mod perms;
mod reactions;
mod responses;
mod seed;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use super::config::SeededIds;
use super::gateway::GwEvent;
use super::ids::IdGen;
use super::model::{
    Application, Channel, Command, Guild, Interaction, Member, Message, StoredFile, User,
};

pub(crate) use channels::snowflake;
pub use channels::MAX_CHANNELS_PER_CATEGORY;
pub use interactions::OptionArg;
pub use messages::{PostOptions, Upload};
pub use perms::compute_channel_permissions;
pub(crate) use reactions::{emoji_json, percent_decode};

/// Everything the simulated Discord knows. Tests read it through [`super::SimHandle::world`] and
/// [`super::SimHandle::wait_until`].
#[derive(Debug)]
pub struct World {
    pub(crate) ids: IdGen,
    pub(crate) base_url: String,
    pub(crate) users: HashMap<u64, User>,
    pub(crate) guilds: BTreeMap<u64, Guild>,
    pub(crate) channels: HashMap<u64, Channel>,
    /// Per channel, messages ordered by id (i.e. by time).
    pub(crate) messages: HashMap<u64, BTreeMap<u64, Message>>,
    /// Message id -> channel id (non-ephemeral messages).
    pub(crate) message_index: HashMap<u64, u64>,
    /// Ephemeral interaction messages: visible only through the interaction's webhook routes.
    pub(crate) ephemeral: HashMap<u64, Message>,
    /// Bot <-> user DM channel by user id.
    pub(crate) dm_channels: HashMap<u64, u64>,
    pub(crate) app: Application,
    pub(crate) bot_user_id: u64,
    pub(crate) commands: BTreeMap<u64, Command>,
    pub(crate) interactions: HashMap<u64, Interaction>,
    pub(crate) interaction_tokens: HashMap<String, u64>,
    pub(crate) files: HashMap<u64, StoredFile>,
    /// `(channel, nonce)` -> (message id, when).
    pub(crate) nonces: HashMap<(u64, String), (u64, Instant)>,
    /// Bot typing indicators: (channel, when).
    pub(crate) bot_typing: Vec<(u64, Instant)>,
    /// Per-channel timestamps of recent bot posts (for the optional channel rate limit).
    pub(crate) channel_posts: HashMap<u64, VecDeque<Instant>>,
    pub(crate) seeded: SeededIds,
    pub(crate) interaction_deadline: Duration,
    /// Channels a category may hold before 30013 (Discord: 50; benchmarks raise it).
    pub(crate) max_channels_per_category: usize,
    /// Gateway events produced by the current mutation, not yet dispatched.
    pub(crate) outbox: Vec<GwEvent>,
}

impl World {
    /// The ids of everything seeded at start.
    pub fn seeded(&self) -> &SeededIds {
        &self.seeded
    }

    /// The bot's user id.
    pub fn bot_user_id(&self) -> u64 {
        self.bot_user_id
    }

    /// A user by id.
    pub fn user(&self, id: u64) -> Option<&User> {
        self.users.get(&id)
    }

    /// A user by username.
    pub fn user_by_name(&self, name: &str) -> Option<&User> {
        self.users.values().find(|u| u.username == name)
    }

    /// A guild by id.
    pub fn guild(&self, id: u64) -> Option<&Guild> {
        self.guilds.get(&id)
    }

    /// A guild member.
    pub fn member(&self, guild: u64, user: u64) -> Option<&Member> {
        self.guilds.get(&guild)?.members.get(&user)
    }

    /// A channel by id (guild channel or DM).
    pub fn channel(&self, id: u64) -> Option<&Channel> {
        self.channels.get(&id)
    }

    /// Guild channels whose parent is `category`, ordered by position then id.
    pub fn channels_in_category(&self, category: u64) -> Vec<&Channel> {
        let mut out: Vec<&Channel> = self
            .channels
            .values()
            .filter(|c| c.parent_id == Some(category))
            .collect();
        out.sort_by_key(|c| (c.position, c.id));
        out
    }

    /// All channels of a guild, ordered by position then id.
    pub fn guild_channels(&self, guild: u64) -> Vec<&Channel> {
        let mut out: Vec<&Channel> = self
            .channels
            .values()
            .filter(|c| c.guild_id == Some(guild))
            .collect();
        out.sort_by_key(|c| (c.position, c.id));
        out
    }

    /// Messages of a channel, oldest first (ephemeral messages excluded).
    pub fn channel_messages(&self, channel: u64) -> Vec<&Message> {
        self.messages
            .get(&channel)
            .map(|m| m.values().collect())
            .unwrap_or_default()
    }

    /// The DM channel between the bot and `user`, if one was opened.
    pub fn dm_channel_of(&self, user: u64) -> Option<u64> {
        self.dm_channels.get(&user).copied()
    }

    /// Messages in the DM channel between the bot and `user`, oldest first.
    pub fn dm_messages(&self, user: u64) -> Vec<&Message> {
        self.dm_channel_of(user)
            .map(|c| self.channel_messages(c))
            .unwrap_or_default()
    }

    /// A message by id, including ephemeral interaction messages.
    pub fn message(&self, id: u64) -> Option<&Message> {
        self.ephemeral.get(&id).or_else(|| {
            let channel = self.message_index.get(&id)?;
            self.messages.get(channel)?.get(&id)
        })
    }

    /// A message in a given channel.
    pub fn channel_message(&self, channel: u64, id: u64) -> Option<&Message> {
        self.messages.get(&channel)?.get(&id)
    }

    /// Registered application commands (global and guild).
    pub fn registered_commands(&self) -> Vec<&Command> {
        self.commands.values().collect()
    }

    /// An interaction by id.
    pub fn interaction(&self, id: u64) -> Option<&Interaction> {
        self.interactions.get(&id)
    }

    /// Times the bot triggered a typing indicator in `channel`.
    pub fn bot_typing_count(&self, channel: u64) -> usize {
        self.bot_typing
            .iter()
            .filter(|(c, _)| *c == channel)
            .count()
    }

    /// Whether `user` shares at least one guild with the bot.
    pub fn shares_guild_with_bot(&self, user: u64) -> bool {
        self.guilds
            .values()
            .any(|g| g.members.contains_key(&user) && g.members.contains_key(&self.bot_user_id))
    }

    /// URL at which an uploaded file is served.
    pub(crate) fn attachment_url(&self, channel: u64, id: u64, filename: &str) -> String {
        format!("{}/attachments/{channel}/{id}/{filename}", self.base_url)
    }

    /// Queue a gateway event.
    pub(crate) fn emit(&mut self, event: GwEvent) {
        self.outbox.push(event);
    }
}
