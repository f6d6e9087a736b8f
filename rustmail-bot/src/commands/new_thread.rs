//! `/new_thread user`, `!new_thread USER_ID|@mention`: opens a ticket for a user without waiting
//! for their DM (refused for bots, blocked users, and users with an open ticket, which is linked),
//! creates its channel with the header, and sends the user `thread.new_thread_message` when
//! `thread.new_thread_notify_user` is on.

use rustmail_db::ids::UserId as DbUserId;
use rustmail_db::tickets::{self, OpenedVia, Ticket};
use rustmail_db::workflow::open::{open_for_user, StaffOpen};
use rustmail_db::DomainError;
use serenity::all::{ChannelId, UserId};

use super::args::UserArg;
use super::{answer, staff, Context};
use crate::discord::{nonce, NonceKind};
use crate::error::CommandError;
use crate::render::Part;
use crate::state::State;
use crate::strings::workflow as text;

/// Open a ticket with a user (they get the new-ticket message).
#[poise::command(slash_command, prefix_command, guild_only, category = "Tickets")]
pub async fn new_thread(
    ctx: Context<'_>,
    #[description = "The user to open a ticket with"] user: UserArg,
) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    let data = ctx.data();
    let user = user.0;
    let request = StaffOpen {
        user_id: DbUserId(user.id.get()),
        user_name: user.name.clone(),
        is_bot: user.bot,
        guild_id: data.config.servers.staff_guild(),
        via: OpenedVia::StaffCommand,
        by: DbUserId(invoker.id.get()),
    };
    ctx.defer_ephemeral().await?;
    let ticket = match data.db.run(move |c| open_for_user(c, &request)).await {
        Ok(t) => t,
        Err(DomainError::AlreadyOpen(id)) => {
            let open = data.db.run(move |c| tickets::get(c, id)).await?;
            let channel = open.channel_id.map(rustmail_db::ids::ChannelId::get);
            return Err(CommandError::user(text::already_open(id.0, channel)));
        }
        Err(e) => return Err(e.into()),
    };
    let channel = crate::lifecycle::open::ensure_channel(data, &ticket).await?;
    let notified = notify_user(data, &ticket, channel).await;
    crate::lifecycle::post_notice(
        data,
        channel,
        &text::opened_by_staff(invoker.id.get(), notified),
    )
    .await;
    answer(ctx, text::thread_opened(channel.get())).await
}

/// Sends the user `thread.new_thread_message` when configured; says in the ticket channel when
/// it cannot. Returns whether the user was told.
pub async fn notify_user(state: &State, ticket: &Ticket, channel: ChannelId) -> bool {
    if !state.config.thread.new_thread_notify_user {
        return false;
    }
    let user = UserId::new(ticket.user_id.get());
    let part = Part {
        content: Some(state.config.thread.new_thread_message.clone()),
        embed: None,
    };
    let sent = match crate::relay::reply::dm_channel(state, user).await {
        Ok(dm) => {
            crate::relay::post(
                state,
                dm,
                &part,
                &[],
                &nonce(NonceKind::Welcome, ticket.id.0, 0),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match sent {
        Ok(_) => true,
        Err(e) => {
            let reason = match &e {
                crate::error::RelayError::Permanent { code, message } => {
                    crate::strings::dm_failure_reason(*code, message)
                }
                other => other.to_string(),
            };
            crate::lifecycle::post_notice(state, channel, &text::notify_failed(&reason)).await;
            false
        }
    }
}
