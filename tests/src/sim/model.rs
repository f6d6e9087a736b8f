//! The simulator's internal data model: what Discord stores, minus what Rustmail never touches.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::Value;

/// Channel type numbers (Discord's `ChannelType`).
pub mod channel_type {
    /// A guild text channel.
    pub const GUILD_TEXT: u8 = 0;
    /// A direct message between the bot and one user.
    pub const DM: u8 = 1;
    /// A guild category.
    pub const GUILD_CATEGORY: u8 = 4;
}

/// Permission bits used by the simulator's checks.
pub mod perm {
    /// `CREATE_INSTANT_INVITE`.
    pub const CREATE_INSTANT_INVITE: u64 = 1 << 0;
    /// `KICK_MEMBERS`.
    pub const KICK_MEMBERS: u64 = 1 << 1;
    /// `BAN_MEMBERS`.
    pub const BAN_MEMBERS: u64 = 1 << 2;
    /// `ADMINISTRATOR`: implies everything and bypasses overwrites.
    pub const ADMINISTRATOR: u64 = 1 << 3;
    /// `MANAGE_CHANNELS`.
    pub const MANAGE_CHANNELS: u64 = 1 << 4;
    /// `MANAGE_GUILD`.
    pub const MANAGE_GUILD: u64 = 1 << 5;
    /// `ADD_REACTIONS`.
    pub const ADD_REACTIONS: u64 = 1 << 6;
    /// `VIEW_CHANNEL`.
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    /// `SEND_MESSAGES`.
    pub const SEND_MESSAGES: u64 = 1 << 11;
    /// `MANAGE_MESSAGES`.
    pub const MANAGE_MESSAGES: u64 = 1 << 13;
    /// `EMBED_LINKS`.
    pub const EMBED_LINKS: u64 = 1 << 14;
    /// `ATTACH_FILES`.
    pub const ATTACH_FILES: u64 = 1 << 15;
    /// `READ_MESSAGE_HISTORY`.
    pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
    /// `MENTION_EVERYONE`.
    pub const MENTION_EVERYONE: u64 = 1 << 17;
    /// `USE_EXTERNAL_EMOJIS`.
    pub const USE_EXTERNAL_EMOJIS: u64 = 1 << 18;
    /// `MANAGE_ROLES`.
    pub const MANAGE_ROLES: u64 = 1 << 28;
    /// `USE_APPLICATION_COMMANDS`.
    pub const USE_APPLICATION_COMMANDS: u64 = 1 << 31;
    /// `MODERATE_MEMBERS`.
    pub const MODERATE_MEMBERS: u64 = 1 << 40;
    /// Every permission bit Discord currently defines (bits 0..=50).
    pub const ALL: u64 = (1 << 51) - 1;
    /// What a default `@everyone` role gets in a new guild (roughly).
    pub const EVERYONE_DEFAULT: u64 = CREATE_INSTANT_INVITE
        | ADD_REACTIONS
        | VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | USE_EXTERNAL_EMOJIS
        | USE_APPLICATION_COMMANDS;
    /// The bot's managed role: everything a modmail bot needs, but not `ADMINISTRATOR`.
    pub const BOT_DEFAULT: u64 = EVERYONE_DEFAULT
        | MANAGE_CHANNELS
        | MANAGE_MESSAGES
        | MANAGE_ROLES
        | MENTION_EVERYONE
        | KICK_MEMBERS
        | BAN_MEMBERS
        | MODERATE_MEMBERS;
}

/// A Discord user (humans and the bot).
#[derive(Clone, Debug)]
pub struct User {
    pub id: u64,
    pub username: String,
    pub global_name: Option<String>,
    pub bot: bool,
    /// The user has "allow direct messages from server members" turned off.
    pub blocks_dms: bool,
}

/// A guild role.
#[derive(Clone, Debug)]
pub struct Role {
    pub id: u64,
    pub name: String,
    pub permissions: u64,
    pub position: u16,
    pub color: u32,
    pub hoist: bool,
    pub managed: bool,
    pub mentionable: bool,
    /// For a bot's managed role: the bot's user id.
    pub bot_id: Option<u64>,
}

/// A guild member.
#[derive(Clone, Debug)]
pub struct Member {
    pub user_id: u64,
    pub nick: Option<String>,
    pub roles: Vec<u64>,
    pub joined_at: chrono::DateTime<chrono::Utc>,
}

/// A guild.
#[derive(Clone, Debug)]
pub struct Guild {
    pub id: u64,
    pub name: String,
    pub owner_id: u64,
    pub roles: BTreeMap<u64, Role>,
    pub members: BTreeMap<u64, Member>,
    pub joined_at: chrono::DateTime<chrono::Utc>,
}

/// A permission overwrite on a channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overwrite {
    pub id: u64,
    /// 0 = role, 1 = member.
    pub kind: u8,
    pub allow: u64,
    pub deny: u64,
}

/// A channel: guild text, guild category, or DM.
#[derive(Clone, Debug)]
pub struct Channel {
    pub id: u64,
    pub kind: u8,
    pub guild_id: Option<u64>,
    pub name: Option<String>,
    pub topic: Option<String>,
    pub parent_id: Option<u64>,
    pub position: i64,
    pub overwrites: Vec<Overwrite>,
    pub nsfw: bool,
    pub rate_limit_per_user: u64,
    /// For DMs: the human on the other side.
    pub recipient: Option<u64>,
    pub last_message_id: Option<u64>,
}

/// A stored attachment (bytes are kept in [`StoredFile`]).
#[derive(Clone, Debug)]
pub struct Attachment {
    pub id: u64,
    pub filename: String,
    pub size: u64,
    pub content_type: Option<String>,
    pub url: String,
    pub description: Option<String>,
}

/// Bytes behind an attachment URL.
#[derive(Clone, Debug)]
pub struct StoredFile {
    pub filename: String,
    pub content_type: Option<String>,
    pub data: axum::body::Bytes,
}

/// A message.
#[derive(Clone, Debug)]
pub struct Message {
    pub id: u64,
    pub channel_id: u64,
    pub guild_id: Option<u64>,
    pub author_id: u64,
    pub content: String,
    /// Embeds as Discord returns them (`type: "rich"` added).
    pub embeds: Vec<Value>,
    pub attachments: Vec<Attachment>,
    /// Component rows as sent.
    pub components: Vec<Value>,
    /// `message_reference` as Discord returns it.
    pub message_reference: Option<Value>,
    pub edited_at: Option<chrono::DateTime<chrono::Utc>>,
    pub tts: bool,
    pub mention_everyone: bool,
    pub mentions: Vec<u64>,
    pub mention_roles: Vec<u64>,
    pub nonce: Option<Value>,
    pub flags: u64,
    /// Message type: 0 default, 19 reply, 20 chat input command, ...
    pub kind: u8,
    pub interaction_metadata: Option<Value>,
    pub webhook_id: Option<u64>,
    pub application_id: Option<u64>,
    pub pinned: bool,
    /// Reactions: emoji (`"👍"` or `"name:id"`) and who reacted, in order.
    pub reactions: Vec<(String, Vec<u64>)>,
    /// Sticker items (`{id, name, format_type}`) the author sent.
    pub sticker_items: Vec<Value>,
}

/// A registered application command.
#[derive(Clone, Debug)]
pub struct Command {
    pub id: u64,
    pub guild_id: Option<u64>,
    pub name: String,
    /// 1 chat input, 2 user, 3 message.
    pub kind: u8,
    pub version: u64,
    /// The command as Discord returns it (registered body plus ids).
    pub body: Value,
}

/// What the bot answered to an interaction's callback.
#[derive(Clone, Debug)]
pub struct InteractionResponse {
    /// Callback type (4 message, 5 deferred, 6 deferred update, 7 update, 9 modal...).
    pub kind: u8,
    /// The callback's `data`.
    pub data: Value,
    pub at: Instant,
}

/// An interaction the simulator created (a slash command, click, modal submit...).
#[derive(Clone, Debug)]
pub struct Interaction {
    pub id: u64,
    pub token: String,
    /// 2 application command, 3 message component, 4 autocomplete, 5 modal submit.
    pub kind: u8,
    pub channel_id: u64,
    pub guild_id: Option<u64>,
    pub user_id: u64,
    pub created: Instant,
    /// The component's message, for component interactions.
    pub message_id: Option<u64>,
    pub response: Option<InteractionResponse>,
    pub original_message: Option<u64>,
    pub followups: Vec<u64>,
    /// The full payload dispatched in `INTERACTION_CREATE`.
    pub payload: Value,
}

/// The bot's application.
#[derive(Clone, Debug)]
pub struct Application {
    pub id: u64,
    pub name: String,
    pub owner_id: u64,
    pub flags: u64,
}
