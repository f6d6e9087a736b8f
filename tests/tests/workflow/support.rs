//! Helpers shared by the workflow tests.

use std::time::Duration;

use rustmail_db::tickets::Ticket;
use rustmail_tests::harness::{text_of, Harness, WAIT};
use rustmail_tests::sim::{Actor, InteractionHandle};
use serde_json::json;

/// Opens a ticket for `name` by DM and returns (user, channel, ticket).
pub async fn open(h: &Harness, name: &str) -> (Actor, u64, Ticket) {
    let user = h.sim.user(name);
    user.dm(&format!("hello from {name}")).await;
    let channel = h.ticket_channel(user.id()).await;
    h.wait_bot_message(channel, &format!("hello from {name}"))
        .await;
    let ticket = h.open_ticket(user.id()).expect("open ticket");
    (user, channel, ticket)
}

/// The slash command's answer text.
pub async fn answer(i: &InteractionHandle) -> String {
    i.wait_content(WAIT).await.expect("the bot answered")
}

/// Creates a Discord category in the staff guild and returns its id.
pub fn discord_category(h: &Harness, name: &str) -> u64 {
    let guild = h.sim.ids().staff_guild_id;
    h.sim
        .mutate(|w| w.create_channel(guild, &json!({"name": name, "type": 4}), false))
        .expect("create category")
        .id
}

/// Waits until the bot's cache knows `channel` (a `CHANNEL_CREATE` it has processed).
pub async fn wait_cached(h: &Harness, channel: u64) {
    let data = h.bot().data().clone();
    let guild = serenity::all::GuildId::new(h.sim.ids().staff_guild_id);
    let id = serenity::all::ChannelId::new(channel);
    h.sim
        .wait_for(
            || {
                data.cache
                    .guild(guild)
                    .is_some_and(|g| g.channels.contains_key(&id))
            },
            WAIT,
        )
        .await
        .expect("the bot saw the channel");
}

/// Whether a bot message in `channel` contains `needle`.
pub fn bot_said(h: &Harness, channel: u64, needle: &str) -> bool {
    h.bot_messages(channel)
        .iter()
        .any(|m| text_of(m).contains(needle))
}

/// How many bot messages in `channel` contain `needle`.
pub fn bot_count(h: &Harness, channel: u64, needle: &str) -> usize {
    h.bot_messages(channel)
        .iter()
        .filter(|m| text_of(m).contains(needle))
        .count()
}

/// Gives the bot a moment to (not) act: for asserting that nothing happens.
pub async fn settle() {
    tokio::time::sleep(Duration::from_millis(600)).await;
}

/// Creates a ticket category in the database whose tickets go to `discord` (enabled).
pub fn ticket_category(h: &Harness, name: &str, discord: u64) -> rustmail_db::categories::Category {
    let new = rustmail_db::categories::NewCategory {
        name: name.to_owned(),
        description: format!("{name} questions"),
        emoji: None,
        discord_category_id: rustmail_db::ids::ChannelId(discord),
    };
    h.query(|c| rustmail_db::categories::create(c, &new))
}

/// Turns the category prompt on with this timeout.
pub fn prompt_on(h: &Harness, timeout_seconds: i64) {
    h.query(|c| {
        rustmail_db::categories::set_prompt_enabled(c, true)?;
        rustmail_db::categories::set_prompt_timeout(c, timeout_seconds)
    });
}
