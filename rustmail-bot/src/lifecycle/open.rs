//! Creating a ticket's channel (once, from the user's worker): in the inbox category, or the
//! overflow category when the inbox is full, visible to staff and the bot only, named from the
//! user; then its header (who the user is, their previous tickets and notes).

use rustmail_db::config::NewTicketMention;
use std::time::{Duration, Instant};

use rustmail_db::ids::{ChannelId as DbChannelId, TicketId, UserId as DbUserId};
use rustmail_db::instances::EventClaim;
use rustmail_db::intake::ChannelTurn;
use rustmail_db::notes;
use rustmail_db::tickets::channels::ChannelClaim;
use rustmail_db::tickets::{self, Ticket};
use serenity::all::{
    ChannelId, ChannelType, Colour, CreateAllowedMentions, CreateChannel, CreateEmbed, GuildId,
    Mentionable, PermissionOverwrite, PermissionOverwriteType, Permissions, RoleId, UserId,
};

use crate::discord::{self, nonce, NonceKind};
use crate::error::RelayError;
use crate::naming;
use crate::render::Part;
use crate::state::State;
use crate::strings;

/// Previous tickets listed in a header.
const MAX_PREVIOUS: usize = 10;

/// What staff roles get on a ticket channel.
fn staff_allow() -> Permissions {
    Permissions::VIEW_CHANNEL
        | Permissions::SEND_MESSAGES
        | Permissions::READ_MESSAGE_HISTORY
        | Permissions::EMBED_LINKS
        | Permissions::ATTACH_FILES
        | Permissions::ADD_REACTIONS
}

/// What the bot gets on a ticket channel.
fn bot_allow() -> Permissions {
    Permissions::VIEW_CHANNEL
        | Permissions::SEND_MESSAGES
        | Permissions::READ_MESSAGE_HISTORY
        | Permissions::EMBED_LINKS
        | Permissions::ATTACH_FILES
        | Permissions::MANAGE_MESSAGES
}

/// The overwrites of a ticket channel: hidden from `@everyone`, open to staff (and admin) roles
/// and the bot. `read_only` (archived) takes sending away from staff.
pub fn overwrites(state: &State, read_only: bool) -> Vec<PermissionOverwrite> {
    let servers = &state.config.servers;
    let guild = servers.staff_guild().get();
    let mut out = vec![PermissionOverwrite {
        allow: Permissions::empty(),
        deny: Permissions::VIEW_CHANNEL,
        kind: PermissionOverwriteType::Role(RoleId::new(guild)),
    }];
    let (allow, deny) = if read_only {
        (
            Permissions::VIEW_CHANNEL | Permissions::READ_MESSAGE_HISTORY,
            Permissions::SEND_MESSAGES | Permissions::ADD_REACTIONS,
        )
    } else {
        (staff_allow(), Permissions::empty())
    };
    let mut roles: Vec<u64> = servers.staff_roles.iter().map(|r| r.get()).collect();
    roles.extend(servers.admin_roles.iter().map(|r| r.get()));
    roles.sort_unstable();
    roles.dedup();
    for role in roles {
        out.push(PermissionOverwrite {
            allow,
            deny,
            kind: PermissionOverwriteType::Role(RoleId::new(role)),
        });
    }
    out.push(PermissionOverwrite {
        allow: bot_allow(),
        deny: Permissions::empty(),
        kind: PermissionOverwriteType::Member(state.bot_id()),
    });
    out
}

/// A free channel name for the user in the staff guild.
fn channel_name(state: &State, user_name: &str) -> String {
    let base = naming::sanitise(user_name);
    let guild = GuildId::new(state.config.servers.staff_guild().get());
    let taken: Vec<String> = state
        .cache
        .guild(guild)
        .map(|g| g.channels.values().map(|c| c.name.clone()).collect())
        .unwrap_or_default();
    naming::unique(&base, |candidate| taken.iter().any(|t| t == candidate))
}

/// The ticket's channel, created (with its header) if the ticket has none yet. Several bot
/// processes on one database may get here for the same ticket (each receives the user's DM):
/// they take turns through a lease, and the others wait for the channel rather than create one.
pub async fn ensure_channel(state: &State, ticket: &Ticket) -> Result<ChannelId, RelayError> {
    if let Some(c) = ticket.channel_id {
        return Ok(ChannelId::new(c.get()));
    }
    let id = ticket.id;
    let key = ChannelTurn::key(id);
    // The intake that opened the ticket took the turn in its own transaction: nobody can have
    // held it before, so there is nothing to wait for or read again.
    let (ticket, no_history) = if let Some(no_history) = state.turn_held(id.0, CREATE_LEASE / 2) {
        (Box::new(ticket.clone()), no_history)
    } else {
        match take_turn(state, id, &key).await? {
            Turn::Exists(channel) => return Ok(channel),
            Turn::Ours(ticket) => (ticket, false),
        }
    };
    create_channel(state, &ticket, key, no_history).await
}

/// How long one process may spend creating a ticket's channel before another may try.
pub const CREATE_LEASE: Duration = Duration::from_secs(30);
/// How often a waiting process looks whether the channel exists yet.
const CREATE_POLL: Duration = Duration::from_millis(100);

enum Turn {
    /// The ticket has a channel (made by another process while this one waited).
    Exists(ChannelId),
    /// This process holds the lease; the ticket as read after taking it.
    Ours(Box<Ticket>),
}

fn closed_before(id: TicketId) -> RelayError {
    RelayError::Permanent {
        code: None,
        message: format!("ticket #{id} was closed before its channel was created"),
    }
}

/// Takes the lease on creating the ticket's channel, or waits while another process holds it
/// (until the channel exists, or the lease expires and can be taken over).
async fn take_turn(state: &State, id: TicketId, key: &str) -> Result<Turn, RelayError> {
    let deadline = Instant::now() + CREATE_LEASE + CREATE_LEASE / 2;
    loop {
        let ticket = state.db.run(move |c| tickets::get(c, id)).await?;
        if let Some(c) = ticket.channel_id {
            return Ok(Turn::Exists(ChannelId::new(c.get())));
        }
        if !ticket.is_open() {
            return Err(closed_before(id));
        }
        if crate::lifecycle::claims::lease(state, key.to_owned(), CREATE_LEASE).await? {
            // Read again: the previous holder may have finished just before we took over.
            let ticket = state.db.run(move |c| tickets::get(c, id)).await?;
            return match ticket.channel_id {
                Some(c) => Ok(Turn::Exists(ChannelId::new(c.get()))),
                None if !ticket.is_open() => Err(closed_before(id)),
                None => Ok(Turn::Ours(Box::new(ticket))),
            };
        }
        if Instant::now() >= deadline || !state.sleep(CREATE_POLL).await {
            return Err(RelayError::Transient(format!(
                "another bot process is creating the channel of ticket #{id}"
            )));
        }
    }
}

/// Creates the channel of a ticket that has none (the caller holds the lease, `key`, which this
/// gives up once the channel is recorded, or on failure). `no_history`: the user is known to have
/// no earlier ticket and no note (the header needs no read).
async fn create_channel(
    state: &State,
    ticket: &Ticket,
    key: String,
    no_history: bool,
) -> Result<ChannelId, RelayError> {
    let created = create_and_claim(state, ticket, &key, no_history).await;
    if created.is_err() {
        crate::lifecycle::claims::release(state, key).await;
    }
    created
}

async fn create_and_claim(
    state: &State,
    ticket: &Ticket,
    key: &str,
    no_history: bool,
) -> Result<ChannelId, RelayError> {
    let id = ticket.id;
    // The header's history is read while Discord creates the channel.
    let history = async {
        if no_history {
            (Vec::new(), Vec::new())
        } else {
            header_history(state, ticket).await
        }
    };
    let (created, history) = tokio::join!(create_in_categories(state, ticket), history);
    let channel = created?;
    let db_channel = DbChannelId(channel.get());
    let user = UserId::new(ticket.user_id.get());
    // The turn is given up in the same write: the channel is known from then on.
    let claim = ChannelClaim {
        ticket: id,
        channel: db_channel,
        turn: Some(EventClaim {
            key: key.to_owned(),
            worker: state.worker_id.clone(),
        }),
    };
    match state.db.record_channel(DbUserId(user.get()), claim).await {
        Ok(claimed) if claimed.channel_id == Some(db_channel) => {
            post_header_with(state, ticket, channel, history).await;
            Ok(channel)
        }
        Ok(claimed) => {
            // Another bot process created one first: ours is surplus.
            let _ = channel.delete(&*state.http).await;
            Ok(claimed
                .channel_id
                .map_or(channel, |c| ChannelId::new(c.get())))
        }
        Err(e) => {
            // Closed meanwhile: the channel is surplus.
            let _ = channel.delete(&*state.http).await;
            Err(e.into())
        }
    }
}

/// Creates a ticket channel in the ticket's category, or the inbox, or the overflow category.
async fn create_in_categories(state: &State, ticket: &Ticket) -> Result<ChannelId, RelayError> {
    let channels = &state.config.channels;
    let guild = GuildId::new(state.config.servers.staff_guild().get());
    let name = channel_name(state, &ticket.user_name);
    let topic = strings::workflow::topic(ticket.id.0, ticket.user_id.get(), None);
    let mut created = None;
    // The ticket's category (picked in the prompt, or moved) first, then the inbox and overflow.
    let chosen = crate::workflow::header::discord_category(state, ticket).await;
    for category in chosen
        .into_iter()
        .chain(std::iter::once(channels.inbox_category_id))
        .chain(channels.overflow_category_id)
    {
        let builder = CreateChannel::new(name.clone())
            .kind(ChannelType::Text)
            .category(ChannelId::new(category.get()))
            .topic(topic.clone())
            .permissions(overwrites(state, false));
        match guild.create_channel(&*state.http, builder).await {
            Ok(channel) => {
                created = Some(channel.id);
                break;
            }
            Err(e) if discord::is_category_full(&e) => {
                tracing::warn!(category = %category, "ticket category is full");
            }
            Err(e) if Some(category) == chosen && !discord::classify(&e).is_transient() => {
                tracing::warn!(category = %category, error = %discord::describe(&e), "cannot create a ticket channel in its category; using the inbox");
            }
            Err(e) => return Err(e.into()),
        }
    }
    let Some(channel) = created else {
        if state.first_inbox_full_alert(ticket.id.0) {
            let log = ChannelId::new(channels.log_channel_id.get());
            crate::lifecycle::post_notice(state, log, &strings::inbox_full(ticket.user_id.get()))
                .await;
        }
        return Err(RelayError::Transient(
            "the inbox category is full".to_owned(),
        ));
    };
    Ok(channel)
}

fn unix(ts: serenity::all::Timestamp) -> i64 {
    ts.unix_timestamp()
}

/// What a header lists from the database: the user's tickets and notes.
type HeaderHistory = (Vec<Ticket>, Vec<rustmail_db::notes::Note>);

/// Reads what the header of `ticket`'s channel lists (nothing, with a warning, if it cannot).
async fn header_history(state: &State, ticket: &Ticket) -> HeaderHistory {
    let db_user = DbUserId(ticket.user_id.get());
    let current = ticket.id;
    let loaded = state
        .db
        .run(move |c| Ok((tickets::history(c, db_user)?, notes::for_user(c, db_user)?)))
        .await;
    loaded.unwrap_or_else(|e| {
        tracing::warn!(ticket = current.0, error = %e, "cannot load the header's history");
        (Vec::new(), Vec::new())
    })
}

/// Posts the header of a new ticket channel.
pub async fn post_header(state: &State, ticket: &Ticket, channel: ChannelId) {
    let history = header_history(state, ticket).await;
    post_header_with(state, ticket, channel, history).await;
}

/// Posts the header of a new ticket channel, from its history as read.
async fn post_header_with(
    state: &State,
    ticket: &Ticket,
    channel: ChannelId,
    (history, notes): HeaderHistory,
) {
    let user = UserId::new(ticket.user_id.get());
    let current = ticket.id;
    let community = GuildId::new(state.config.servers.community_guild().get());
    let (joined, roles) = state
        .cache
        .guild(community)
        .and_then(|g| {
            let member = g.members.get(&user)?;
            let mut roles: Vec<(u16, String)> = member
                .roles
                .iter()
                .filter_map(|r| {
                    g.roles
                        .get(r)
                        .map(|role| (role.position, role.name.clone()))
                })
                .collect();
            roles.sort_by_key(|r| std::cmp::Reverse(r.0));
            Some((
                member.joined_at,
                roles.into_iter().map(|(_, n)| n).collect::<Vec<_>>(),
            ))
        })
        .unwrap_or((None, Vec::new()));
    let created = unix(user.created_at());
    let previous: Vec<&Ticket> = history.iter().filter(|t| t.id != current).collect();
    let mut previous_text: Vec<String> = previous
        .iter()
        .take(MAX_PREVIOUS)
        .map(|t| {
            let link = t.channel_id.map(|c| format!("<#{c}>"));
            strings::previous_ticket(
                t.id.0,
                &t.opened_at.format("%Y-%m-%d").to_string(),
                link.as_deref(),
            )
        })
        .collect();
    if previous.len() > MAX_PREVIOUS {
        previous_text.push(strings::and_more(previous.len() - MAX_PREVIOUS));
    }
    let previous_field = if previous_text.is_empty() {
        strings::NONE.to_owned()
    } else {
        format!("{}: {}", previous.len(), previous_text.join("\n"))
    };
    let notes_text: Vec<String> = notes
        .iter()
        .map(|n| format!("• {} — {}", n.content, n.author_name))
        .collect();
    let joined_field = joined.map_or_else(
        || strings::UNKNOWN.to_owned(),
        |j| format!("<t:{0}:f> (<t:{0}:R>)", unix(j)),
    );
    let roles_field = if roles.is_empty() {
        strings::NONE.to_owned()
    } else {
        roles.join(", ")
    };
    let mut fields = vec![
        (
            strings::HEADER_USER,
            format!("{} (`{}`)", user.mention(), user),
        ),
        (
            strings::HEADER_ACCOUNT_AGE,
            format!("<t:{created}:f> (<t:{created}:R>)"),
        ),
        (strings::HEADER_JOINED, joined_field),
        (strings::HEADER_ROLES, roles_field),
        (strings::HEADER_PREVIOUS, previous_field),
    ];
    if let Some(opened_by) = crate::workflow::header::opened_by(ticket) {
        fields.push((strings::workflow::HEADER_OPENED_BY, opened_by));
    }
    let mut embed = CreateEmbed::new()
        .title(strings::header_title(&ticket.user_name))
        .colour(Colour::new(state.config.thread.user_colour.get()));
    for (name, value) in fields {
        let value = crate::split::split(&value, 1024)
            .into_iter()
            .next()
            .unwrap_or_default();
        embed = embed.field(name, value, false);
    }
    let notes_joined = notes_text.join("\n");
    let note_pieces = crate::split::split(&notes_joined, 4000);
    if let Some(first) = note_pieces.first() {
        embed = embed.description(format!("**{}**\n{first}", strings::HEADER_NOTES));
    }
    let (content, mentions) = match state.config.thread.mention_on_new_ticket {
        NewTicketMention::None => (None, CreateAllowedMentions::new()),
        NewTicketMention::Here => (
            Some("@here".to_owned()),
            CreateAllowedMentions::new().everyone(true),
        ),
        NewTicketMention::Role(role) => (
            Some(format!("<@&{role}>")),
            CreateAllowedMentions::new().roles([RoleId::new(role.get())]),
        ),
    };
    let part = Part {
        content,
        embed: Some(embed),
    };
    let builder = part
        .to_create()
        .allowed_mentions(mentions)
        .nonce(nonce(NonceKind::Header, ticket.id.0, 0))
        .enforce_nonce(true);
    if let Err(e) = channel.send_message(&*state.http, builder).await {
        tracing::warn!(ticket = ticket.id.0, error = %discord::describe(&e), "cannot post the ticket header");
    }
    for piece in note_pieces.iter().skip(1) {
        crate::lifecycle::post_notice(state, channel, piece).await;
    }
}
