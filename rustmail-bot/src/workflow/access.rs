//! Per-ticket staff access on Discord: a member overwrite on the ticket channel for each staff
//! member given access (`/add_staff`), removed by `/remove_staff`, and put back when the channel's
//! overwrites are replaced (`/move_thread`).

use serenity::all::{ChannelId, PermissionOverwrite, PermissionOverwriteType, Permissions, UserId};

use crate::state::State;

/// What a staff member given access gets on the ticket channel.
pub fn allow() -> Permissions {
    Permissions::VIEW_CHANNEL
        | Permissions::SEND_MESSAGES
        | Permissions::READ_MESSAGE_HISTORY
        | Permissions::EMBED_LINKS
        | Permissions::ATTACH_FILES
        | Permissions::ADD_REACTIONS
}

/// The overwrite giving `staff` access.
pub fn overwrite(staff: UserId) -> PermissionOverwrite {
    PermissionOverwrite {
        allow: allow(),
        deny: Permissions::empty(),
        kind: PermissionOverwriteType::Member(staff),
    }
}

/// Gives `staff` access to the channel.
pub async fn grant(
    state: &State,
    channel: ChannelId,
    staff: UserId,
) -> Result<(), serenity::Error> {
    channel
        .create_permission(&*state.http, overwrite(staff))
        .await
}

/// Takes `staff`'s access away (a channel or overwrite already gone counts as done).
pub async fn revoke(
    state: &State,
    channel: ChannelId,
    staff: UserId,
) -> Result<(), serenity::Error> {
    match channel
        .delete_permission(&*state.http, PermissionOverwriteType::Member(staff))
        .await
    {
        Err(e) if crate::discord::is_gone(&e) => Ok(()),
        other => other,
    }
}
