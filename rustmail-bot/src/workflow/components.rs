//! The bot's buttons, dispatched by their id's prefix: the category prompt (`rm:cat:`, the
//! ticket's user in their DMs), `/logs` pages (`rm:logs:`) and transcripts (`rm:logt:`), staff
//! only. Buttons carry everything they need, so they keep working across restarts.

use rustmail_db::ids::TicketId;
use serenity::all::{
    ComponentInteraction, CreateInteractionResponse, CreateInteractionResponseMessage, GuildId,
    Interaction, Permissions, RoleId,
};

use super::{logs, prompt};
use crate::checks::{self, MemberView};
use crate::error::CommandError;
use crate::state::Data;
use crate::strings;

/// Handles a component interaction if it is one of ours.
pub async fn handle(data: &Data, interaction: &Interaction) {
    let Interaction::Component(click) = interaction else {
        return;
    };
    let id = click.data.custom_id.as_str();
    if !is_ours(id) || !crate::lifecycle::claims::once(data, format!("click:{}", click.id)).await {
        // Not our button, or another bot process on this database answers it.
        return;
    }
    if let Some(pick) = id.strip_prefix(prompt::PREFIX).and_then(prompt::parse) {
        prompt::on_click(data, click, pick).await;
    } else if let Some((user, page)) = id
        .strip_prefix(logs::PAGE_PREFIX)
        .and_then(logs::parse_page)
    {
        let response = if is_staff(data, click) {
            logs::page(data, user, page)
                .await
                .map(|p| CreateInteractionResponse::UpdateMessage(p.into_update()))
        } else {
            Err(CommandError::user(strings::workflow::NOT_YOUR_BUTTON))
        };
        respond(data, click, response).await;
    } else if let Some(ticket) = id
        .strip_prefix(logs::TRANSCRIPT_PREFIX)
        .and_then(|t| t.parse::<i64>().ok())
    {
        let response = if is_staff(data, click) {
            logs::transcript(data, TicketId(ticket))
                .await
                .map(CreateInteractionResponse::Message)
        } else {
            Err(CommandError::user(strings::workflow::NOT_YOUR_BUTTON))
        };
        respond(data, click, response).await;
    }
}

/// Whether a button id is one of the bot's.
fn is_ours(id: &str) -> bool {
    [prompt::PREFIX, logs::PAGE_PREFIX, logs::TRANSCRIPT_PREFIX]
        .iter()
        .any(|p| id.starts_with(p))
}

/// Sends the response, or the error as an ephemeral message.
async fn respond(
    data: &Data,
    click: &ComponentInteraction,
    response: Result<CreateInteractionResponse, CommandError>,
) {
    let response = response.unwrap_or_else(|e| {
        let text = e.user_message().unwrap_or_else(|| {
            tracing::error!(error = %e, button = %click.data.custom_id, "button failed");
            strings::INTERNAL_ERROR.to_owned()
        });
        CreateInteractionResponse::Message(
            CreateInteractionResponseMessage::new()
                .content(text)
                .ephemeral(true),
        )
    });
    if let Err(e) = click.create_response(&*data.http, response).await {
        tracing::info!(error = %crate::discord::describe(&e), "cannot answer a button");
    }
}

/// Whether the member who clicked is staff in the staff guild.
fn is_staff(data: &Data, click: &ComponentInteraction) -> bool {
    let staff_guild = GuildId::new(data.config.servers.staff_guild().get());
    let Some(member) = click
        .member
        .as_ref()
        .filter(|_| click.guild_id == Some(staff_guild))
    else {
        return false;
    };
    let everyone = RoleId::new(staff_guild.get());
    let administrator = member.permissions.is_some_and(Permissions::administrator)
        || data.cache.guild(staff_guild).is_some_and(|g| {
            let perms = member
                .roles
                .iter()
                .chain(std::iter::once(&everyone))
                .filter_map(|r| g.roles.get(r).map(|role| role.permissions));
            checks::has_administrator(perms, g.owner_id == member.user.id)
        });
    checks::is_staff(
        &data.config.servers,
        MemberView {
            roles: &member.roles,
            administrator,
        },
    )
}
