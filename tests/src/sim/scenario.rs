//! The scenario API: simulated humans (users and staff) acting through Discord's UI, and handles
//! on the interactions they trigger.

mod interaction;

use std::sync::Arc;

use axum::body::Bytes;
use serde_json::json;

use super::core::Sim;
use super::error::ApiError;
use super::model::Message;
use super::state::{OptionArg, PostOptions, Upload};

pub use self::interaction::InteractionHandle;

/// A simulated human. Methods act as that person would in the Discord client.
#[derive(Clone, Debug)]
pub struct Actor {
    sim: Arc<Sim>,
    id: u64,
    name: String,
    /// The guild `join_guild`/`leave_guild` refer to.
    home_guild: u64,
}

fn upload(filename: &str, data: impl Into<Bytes>) -> Upload {
    let content_type = match filename
        .rsplit('.')
        .next()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => Some("image/png"),
        Some("jpg" | "jpeg") => Some("image/jpeg"),
        Some("gif") => Some("image/gif"),
        Some("txt" | "log") => Some("text/plain; charset=utf-8"),
        Some("pdf") => Some("application/pdf"),
        _ => None,
    };
    Upload {
        index: 0,
        filename: filename.to_owned(),
        content_type: content_type.map(str::to_owned),
        data: data.into(),
    }
}

impl Actor {
    pub(crate) fn community(sim: Arc<Sim>, name: &str) -> Self {
        let (id, home_guild) = sim.mutate(|w| {
            let guild = w.seeded.community_guild_id;
            let existed = w.user_by_name(name).is_some();
            let id = w.ensure_user(name);
            if !existed {
                w.add_member(guild, id, Vec::new())
                    .expect("community guild exists");
            }
            (id, guild)
        });
        Self {
            sim,
            id,
            name: name.to_owned(),
            home_guild,
        }
    }

    pub(crate) fn staff(sim: Arc<Sim>, name: &str) -> Self {
        let (id, home_guild) = sim.mutate(|w| {
            let (staff_guild, community, role) = (
                w.seeded.staff_guild_id,
                w.seeded.community_guild_id,
                w.seeded.staff_role_id,
            );
            let existed = w.user_by_name(name).is_some();
            let id = w.ensure_user(name);
            if !existed {
                w.add_member(staff_guild, id, vec![role])
                    .expect("staff guild exists");
                if community != staff_guild {
                    w.add_member(community, id, Vec::new())
                        .expect("community guild exists");
                }
            }
            (id, staff_guild)
        });
        Self {
            sim,
            id,
            name: name.to_owned(),
            home_guild,
        }
    }

    /// The user id.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The username.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The DM channel with the bot (opened if needed).
    pub fn dm_channel(&self) -> u64 {
        self.sim
            .mutate(|w| w.open_dm(self.id).map(|c| c.id))
            .expect("user exists")
    }

    /// Sends a DM to the bot; Discord refuses it if the user shares no guild with the bot.
    pub async fn try_dm_with(&self, text: &str, files: Vec<Upload>) -> Result<u64, ApiError> {
        let id = self.id;
        let result = self.sim.mutate(|w| {
            if !w.shares_guild_with_bot(id) {
                return Err(ApiError::cannot_dm());
            }
            let channel = w.open_dm(id)?.id;
            w.create_message(
                channel,
                id,
                &json!({ "content": text }),
                files,
                &PostOptions::default(),
            )
            .map(|m| m.id)
        });
        tokio::task::yield_now().await;
        result
    }

    /// Sends a DM to the bot and returns the message id.
    ///
    /// # Panics
    /// If Discord would refuse the message (no shared guild, empty content...).
    pub async fn dm(&self, text: &str) -> u64 {
        self.try_dm_with(text, Vec::new())
            .await
            .expect("DM the bot")
    }

    /// Sends a DM with one attachment.
    pub async fn dm_with_attachment(
        &self,
        text: &str,
        filename: &str,
        data: impl Into<Bytes>,
    ) -> u64 {
        self.try_dm_with(text, vec![upload(filename, data)])
            .await
            .expect("DM the bot")
    }

    /// Edits one of the user's DMs.
    pub async fn edit_dm(&self, message: u64, text: &str) {
        let id = self.id;
        self.sim
            .mutate(|w| {
                let channel = w.open_dm(id)?.id;
                w.edit_message(
                    channel,
                    message,
                    id,
                    &json!({ "content": text }),
                    Vec::new(),
                )
            })
            .expect("edit DM");
        tokio::task::yield_now().await;
    }

    /// Deletes one of the user's DMs.
    pub async fn delete_dm(&self, message: u64) {
        let id = self.id;
        self.sim
            .mutate(|w| {
                let channel = w.open_dm(id)?.id;
                w.delete_message(channel, message, id)
            })
            .expect("delete DM");
        tokio::task::yield_now().await;
    }

    /// Leaves the home guild (`GUILD_MEMBER_REMOVE`).
    pub async fn leave_guild(&self) {
        let (g, id) = (self.home_guild, self.id);
        self.sim
            .mutate(|w| w.remove_member(g, id))
            .expect("leave guild");
        tokio::task::yield_now().await;
    }

    /// Joins the home guild again (`GUILD_MEMBER_ADD`).
    pub async fn join_guild(&self) {
        let (g, id) = (self.home_guild, self.id);
        self.sim
            .mutate(|w| w.add_member(g, id, Vec::new()))
            .expect("join guild");
        tokio::task::yield_now().await;
    }

    /// Turns "allow direct messages from server members" off (`true`) or on.
    pub async fn block_dms(&self, blocks: bool) {
        let id = self.id;
        self.sim.mutate(|w| w.set_blocks_dms(id, blocks));
        tokio::task::yield_now().await;
    }

    /// Starts typing in the DM with the bot.
    pub async fn typing(&self) {
        let channel = self.dm_channel();
        self.typing_in(channel).await;
    }

    /// Starts typing in a channel.
    pub async fn typing_in(&self, channel: u64) {
        let id = self.id;
        self.sim.mutate(|w| w.typing(channel, id)).expect("typing");
        tokio::task::yield_now().await;
    }

    /// Posts in a guild channel (e.g. a prefix command) and returns the message id.
    pub async fn say(&self, channel: u64, text: &str) -> u64 {
        self.post(channel, json!({ "content": text }), Vec::new())
            .await
    }

    /// Posts in a guild channel with an attachment.
    pub async fn say_with_attachment(
        &self,
        channel: u64,
        text: &str,
        filename: &str,
        data: impl Into<Bytes>,
    ) -> u64 {
        self.post(
            channel,
            json!({ "content": text }),
            vec![upload(filename, data)],
        )
        .await
    }

    /// Sends a DM with a sticker (`id`, shown with `name`) and optional text.
    pub async fn dm_with_sticker(&self, id: u64, name: &str, text: &str) -> u64 {
        let channel = self.dm_channel();
        let body = json!({"content": text, "sticker_ids": [format!("{id}:{name}")]});
        self.post(channel, body, Vec::new()).await
    }

    /// Replies to `message` in `channel`.
    pub async fn reply(&self, channel: u64, message: u64, text: &str) -> u64 {
        let body =
            json!({"content": text, "message_reference": {"message_id": message.to_string()}});
        self.post(channel, body, Vec::new()).await
    }

    async fn post(&self, channel: u64, body: serde_json::Value, files: Vec<Upload>) -> u64 {
        let id = self.id;
        let msg = self
            .sim
            .mutate(|w| w.create_message(channel, id, &body, files, &PostOptions::default()))
            .expect("post message");
        tokio::task::yield_now().await;
        msg.id
    }

    /// Runs a slash command (`"close"`, or `"group sub"` for subcommands) in `channel` with
    /// `(option, value)` pairs typed by the registered command's option types.
    ///
    /// # Panics
    /// If the command or an option is not registered.
    pub async fn slash(
        &self,
        channel: u64,
        command: &str,
        args: &[(&str, &str)],
    ) -> InteractionHandle {
        let args = args
            .iter()
            .map(|(k, v)| ((*k).to_owned(), OptionArg::Text((*v).to_owned())))
            .collect();
        self.slash_with(channel, command, args).await
    }

    /// Runs a slash command with an attachment option.
    pub async fn slash_with_file(
        &self,
        channel: u64,
        command: &str,
        args: &[(&str, &str)],
        file_option: &str,
        filename: &str,
        data: impl Into<Bytes>,
    ) -> InteractionHandle {
        let mut list: Vec<(String, OptionArg)> = args
            .iter()
            .map(|(k, v)| ((*k).to_owned(), OptionArg::Text((*v).to_owned())))
            .collect();
        list.push((
            file_option.to_owned(),
            OptionArg::File(upload(filename, data)),
        ));
        self.slash_with(channel, command, list).await
    }

    /// Runs a slash command with fully specified option values.
    pub async fn slash_with(
        &self,
        channel: u64,
        command: &str,
        args: Vec<(String, OptionArg)>,
    ) -> InteractionHandle {
        let id = self.id;
        let interaction = self
            .sim
            .mutate(|w| w.create_slash(id, channel, command, args))
            .unwrap_or_else(|e| panic!("/{command}: {e}"));
        tokio::task::yield_now().await;
        InteractionHandle::new(Arc::clone(&self.sim), interaction)
    }

    /// Clicks the button with `custom_id` on `message`.
    pub async fn click(&self, message: u64, custom_id: &str) -> InteractionHandle {
        self.component(message, custom_id, None).await
    }

    /// Picks `values` in the select menu `custom_id` on `message`.
    pub async fn select(
        &self,
        message: u64,
        custom_id: &str,
        values: &[&str],
    ) -> InteractionHandle {
        let values = values.iter().map(|v| (*v).to_owned()).collect();
        self.component(message, custom_id, Some(values)).await
    }

    async fn component(
        &self,
        message: u64,
        custom_id: &str,
        values: Option<Vec<String>>,
    ) -> InteractionHandle {
        let id = self.id;
        let interaction = self
            .sim
            .mutate(|w| w.create_component(id, message, custom_id, values))
            .unwrap_or_else(|e| panic!("click {custom_id}: {e}"));
        tokio::task::yield_now().await;
        InteractionHandle::new(Arc::clone(&self.sim), interaction)
    }

    /// Clicks the button `custom_id` on the newest message in the DM with the bot that has it.
    ///
    /// # Panics
    /// If no DM message has that component.
    pub async fn click_latest(&self, custom_id: &str) -> InteractionHandle {
        let message = self
            .dm_messages()
            .into_iter()
            .rev()
            .find(|m| {
                m.components.iter().any(|row| {
                    row.get("components")
                        .and_then(serde_json::Value::as_array)
                        .is_some_and(|cs| {
                            cs.iter().any(|c| {
                                c.get("custom_id").and_then(serde_json::Value::as_str)
                                    == Some(custom_id)
                            })
                        })
                })
            })
            .unwrap_or_else(|| panic!("no DM message has a component {custom_id}"))
            .id;
        self.click(message, custom_id).await
    }

    /// Adds a reaction (`"👍"`, or `"name:id"` for custom emoji) to a message.
    pub async fn react(&self, channel: u64, message: u64, emoji: &str) {
        let id = self.id;
        self.sim
            .mutate(|w| w.react(channel, message, emoji, id, true, false))
            .expect("react");
        tokio::task::yield_now().await;
    }

    /// Creates a guild channel by hand (as a staff member with Manage Channels would).
    pub async fn create_channel(&self, category: u64, name: &str) -> u64 {
        let ch = self
            .sim
            .mutate(|w| {
                let guild = w
                    .channel(category)
                    .and_then(|c| c.guild_id)
                    .ok_or_else(ApiError::unknown_channel)?;
                w.create_channel(
                    guild,
                    &json!({"name": name, "type": 0, "parent_id": category.to_string()}),
                    false,
                )
            })
            .expect("create channel");
        tokio::task::yield_now().await;
        ch.id
    }

    /// Deletes a guild channel by hand.
    pub async fn delete_channel(&self, channel: u64) {
        self.sim
            .mutate(|w| w.delete_channel(channel, false))
            .expect("delete channel");
        tokio::task::yield_now().await;
    }

    /// Messages between this user and the bot, oldest first.
    pub fn dm_messages(&self) -> Vec<Message> {
        self.sim
            .world()
            .dm_messages(self.id)
            .into_iter()
            .cloned()
            .collect()
    }
}
