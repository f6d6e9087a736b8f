//! `/move_thread category`, `!move_thread NAME`: moves the ticket to another ticket category (by
//! name, case-insensitive; `default` is the inbox). The channel moves to the category's Discord
//! category and takes its permission overwrites (kept hidden from `@everyone`), plus the bot's
//! and those of staff given access to this ticket. A full Discord category is a clear error and
//! changes nothing.

use rustmail_db::categories;
use rustmail_db::ids::UserId as DbUserId;
use rustmail_db::{access, tickets, DomainError};
use serenity::all::{
    ChannelId, EditChannel, GuildId, PermissionOverwrite, PermissionOverwriteType, Permissions,
    RoleId, UserId,
};

use super::text::Text;
use super::{announce, staff, ticket_here, Context};
use crate::error::CommandError;
use crate::state::State;
use crate::strings::workflow as text;

/// Move this ticket to another category (by name; `default` is the inbox).
#[poise::command(slash_command, prefix_command, guild_only, category = "Tickets")]
pub async fn move_thread(
    ctx: Context<'_>,
    #[description = "The category's name"] category: Text,
) -> Result<(), CommandError> {
    let invoker = staff(ctx)?;
    let ticket = ticket_here(ctx).await?;
    let data = ctx.data();
    let wanted = category.0.trim().to_owned();
    let id = ticket.id;
    let target = if wanted.eq_ignore_ascii_case("default") {
        None
    } else {
        let name = wanted.clone();
        match data.db.run(move |c| categories::by_name(c, &name)).await {
            Ok(c) => Some(c),
            Err(DomainError::NotFound { .. }) => {
                let names: Vec<String> = data
                    .db
                    .run(categories::list)
                    .await?
                    .into_iter()
                    .map(|c| c.name)
                    .collect();
                return Err(CommandError::user(text::unknown_category(&wanted, &names)));
            }
            Err(e) => return Err(e.into()),
        }
    };
    let label = target
        .as_ref()
        .map_or(text::DEFAULT_INBOX.to_owned(), |c| c.name.clone());
    if ticket.category_id == target.as_ref().map(|c| c.id) {
        return Err(CommandError::user(text::already_in(&label)));
    }
    let discord = ChannelId::new(
        target
            .as_ref()
            .map_or(data.config.channels.inbox_category_id.get(), |c| {
                c.discord_category().get()
            }),
    );
    let extra = data
        .db
        .run(move |c| access::staff_with_access(c, id))
        .await?;
    let edit = EditChannel::new()
        .category(Some(discord))
        .permissions(overwrites_for(data, discord, &extra));
    if let Err(e) = ctx.channel_id().edit(&*data.http, edit).await {
        if crate::discord::is_category_full(&e) {
            return Err(CommandError::user(text::category_full(&label)));
        }
        return Err(e.into());
    }
    let (category_id, by) = (target.map(|c| c.id), DbUserId(invoker.id.get()));
    data.db
        .run(move |c| tickets::set_category(c, id, category_id, Some(by)))
        .await?;
    announce(ctx, text::moved(&label, invoker.id.get())).await
}

/// The overwrites of a ticket channel in `category`: the category's own (as Discord's "sync"
/// does), never visible to `@everyone`, plus the bot and staff given access to the ticket.
pub fn overwrites_for(
    state: &State,
    category: ChannelId,
    extra: &[DbUserId],
) -> Vec<PermissionOverwrite> {
    let guild = GuildId::new(state.config.servers.staff_guild().get());
    let everyone = RoleId::new(guild.get());
    let synced: Vec<PermissionOverwrite> = state
        .cache
        .guild(guild)
        .and_then(|g| {
            g.channels
                .get(&category)
                .map(|c| c.permission_overwrites.clone())
        })
        .unwrap_or_default();
    let mut out = if synced.is_empty() {
        crate::lifecycle::open::overwrites(state, false)
    } else {
        synced
    };
    match out
        .iter_mut()
        .find(|o| o.kind == PermissionOverwriteType::Role(everyone))
    {
        Some(o) => {
            o.allow.remove(Permissions::VIEW_CHANNEL);
            o.deny.insert(Permissions::VIEW_CHANNEL);
        }
        None => out.push(PermissionOverwrite {
            allow: Permissions::empty(),
            deny: Permissions::VIEW_CHANNEL,
            kind: PermissionOverwriteType::Role(everyone),
        }),
    }
    let bot = PermissionOverwriteType::Member(state.bot_id());
    out.retain(|o| o.kind != bot);
    out.extend(
        crate::lifecycle::open::overwrites(state, false)
            .into_iter()
            .filter(|o| o.kind == bot),
    );
    for staff in extra {
        let member = UserId::new(staff.get());
        out.retain(|o| o.kind != PermissionOverwriteType::Member(member));
        out.push(crate::workflow::access::overwrite(member));
    }
    out
}
