//! Staff commands, each one poise definition serving as slash command and prefix command:
//! [`reply`] (`reply`, `anonreply`), [`edit`], [`delete`], [`close`] (`close`, `force_close`)
//! and [`recover`]; the staff workflow: [`new_thread`], [`assignment`] (`take`, `release`),
//! [`staff_access`] (`add_staff`, `remove_staff`), [`reminders`] (`add_reminder`,
//! `remove_reminder`), [`alert`], [`category`], [`move_thread`], [`info`] (`id`, `logs`),
//! [`snippet`] (`snippet`, `s`, `as`), [`block`] (`block`, `unblock`, `blocked`), [`note`],
//! [`rename`] and [`help`]. Commands stay thin: parse, call the domain, render. The central
//! [`on_error`] turns user errors into a short ephemeral (or inline) message and logs the rest.

pub mod alert;
pub mod args;
pub mod assignment;
pub mod block;
pub mod category;
pub mod close;
pub mod delete;
pub mod edit;
pub mod help;
pub mod info;
pub mod move_thread;
pub mod new_thread;
pub mod note;
pub mod pages;
pub mod parse_errors;
pub mod recover;
pub mod reminders;
pub mod rename;
pub mod reply;
pub mod snippet;
pub mod staff_access;
pub mod text;

use poise::CreateReply;
use rustmail_db::ids::ChannelId as DbChannelId;
use rustmail_db::tickets::{self, Ticket};
use serenity::all::{CreateAllowedMentions, GuildId, Permissions, RoleId, UserId};

use crate::checks::{self, MemberView};
use crate::error::CommandError;
use crate::state::Data;
use crate::strings;

/// poise's context with our data and error.
pub type Context<'a> = poise::Context<'a, Data, CommandError>;

/// Every command, each claimed once per invocation (see [`claim_invocation`]).
pub fn all() -> Vec<poise::Command<Data, CommandError>> {
    let mut commands = every_command();
    for command in &mut commands {
        if claims_in_record(&command.name) {
            continue;
        }
        // Top-level only: poise runs the checks of a subcommand's parents too, and a second
        // claim of the same invocation would fail.
        command.checks.push(|ctx| Box::pin(claim_invocation(ctx)));
    }
    commands
}

/// Whether the command `name` claims its invocation in the write that records its reply
/// (`reply`, `anonreply`, `s`, `as`) instead of in a check before it runs: one trip to the
/// database writer fewer per reply, the hot path of staff (BENCHMARKS.md, session 7). Its
/// error paths claim before they answer ([`reply::finished`], [`on_error`]), so a second bot
/// process stays silent there too.
pub fn claims_in_record(name: &str) -> bool {
    crate::recovery::commands::REPLAYED.contains(&name)
}

/// Whether this process may answer an error of the invocation: a command that claims in its
/// record has claimed it, or claims it now (another process may have); any other has passed
/// its claim check.
pub async fn may_answer(ctx: Context<'_>) -> bool {
    !claims_in_record(&ctx.command().name)
        || crate::lifecycle::claims::hold(
            ctx.data(),
            crate::lifecycle::claims::command_key(ctx.id()),
        )
        .await
}

/// Claims the invoking message or interaction for this bot process. With several processes
/// on one database and token, each receives every command: the first to claim it runs it, the
/// others stay silent (no second reply, confirmation or error).
pub async fn claim_invocation(ctx: Context<'_>) -> Result<bool, CommandError> {
    if crate::lifecycle::claims::once(ctx.data(), crate::lifecycle::claims::command_key(ctx.id()))
        .await
    {
        Ok(true)
    } else {
        Err(CommandError::AlreadyHandled)
    }
}

fn every_command() -> Vec<poise::Command<Data, CommandError>> {
    vec![
        reply::reply(),
        reply::anonreply(),
        edit::edit(),
        delete::delete(),
        close::close(),
        close::force_close(),
        recover::recover(),
        new_thread::new_thread(),
        assignment::take(),
        assignment::release(),
        staff_access::add_staff(),
        staff_access::remove_staff(),
        reminders::add_reminder(),
        reminders::remove_reminder(),
        alert::alert(),
        category::category(),
        move_thread::move_thread(),
        info::id(),
        info::logs(),
        snippet::snippet(),
        snippet::s(),
        snippet::anon_snippet(),
        block::block(),
        block::unblock(),
        block::blocked(),
        note::note(),
        rename::rename(),
        help::help(),
    ]
}

/// Who runs a command, as the checks and the records need it.
#[derive(Debug, Clone)]
pub struct Invoker {
    pub id: UserId,
    /// Server nickname, display name or username.
    pub name: String,
    /// Their highest role in the staff guild (shown to users on replies).
    pub top_role: Option<String>,
    pub staff: bool,
    pub admin: bool,
}

/// The invoking member's roles, nickname and whether they have Administrator, from the message
/// or interaction (no fetch).
fn member_info(ctx: Context<'_>) -> Option<(Vec<RoleId>, Option<String>, Option<Permissions>)> {
    match ctx {
        poise::Context::Prefix(p) => p
            .msg
            .member
            .as_ref()
            .map(|m| (m.roles.clone(), m.nick.clone(), None)),
        poise::Context::Application(a) => a
            .interaction
            .member
            .as_ref()
            .map(|m| (m.roles.clone(), m.nick.clone(), m.permissions)),
    }
}

/// The invoker in the staff guild; `None` anywhere else (DMs, the community guild).
pub fn invoker(ctx: Context<'_>) -> Option<Invoker> {
    let data = ctx.data();
    let staff_guild = GuildId::new(data.config.servers.staff_guild().get());
    if ctx.guild_id() != Some(staff_guild) {
        return None;
    }
    let (roles, nick, permissions) = member_info(ctx)?;
    let author = ctx.author();
    let (administrator, top_role) = match data.cache.guild(staff_guild) {
        Some(guild) => {
            let everyone = RoleId::new(staff_guild.get());
            let perms = roles
                .iter()
                .chain(std::iter::once(&everyone))
                .filter_map(|r| guild.roles.get(r).map(|role| role.permissions));
            let admin = checks::has_administrator(perms, guild.owner_id == author.id);
            let top = roles
                .iter()
                .filter_map(|r| guild.roles.get(r))
                .max_by_key(|r| r.position)
                .map(|r| r.name.clone());
            (admin, top)
        }
        None => (false, None),
    };
    let administrator = administrator || permissions.is_some_and(Permissions::administrator);
    let view = MemberView {
        roles: &roles,
        administrator,
    };
    let servers = &data.config.servers;
    Some(Invoker {
        id: author.id,
        name: nick
            .or_else(|| author.global_name.clone())
            .unwrap_or_else(|| author.name.clone()),
        top_role,
        staff: checks::is_staff(servers, view),
        admin: checks::is_admin(servers, view),
    })
}

/// The invoker, who must be staff (the framework's check already made sure).
pub fn staff(ctx: Context<'_>) -> Result<Invoker, CommandError> {
    match invoker(ctx) {
        Some(i) if i.staff => Ok(i),
        Some(_) => Err(CommandError::user(strings::NOT_STAFF)),
        None => Err(CommandError::user(strings::NOT_IN_GUILD)),
    }
}

/// The open ticket of the channel the command runs in.
pub async fn ticket_here(ctx: Context<'_>) -> Result<Ticket, CommandError> {
    let channel = DbChannelId(ctx.channel_id().get());
    match ctx
        .data()
        .db
        .run(move |c| tickets::find_by_channel(c, channel))
        .await?
    {
        Some(t) if t.is_open() => {
            tracing::Span::current().record("ticket", t.id.0);
            Ok(t)
        }
        _ => Err(CommandError::user(strings::NOT_A_TICKET)),
    }
}

/// The id of the invoking message or interaction (the idempotency key of what it records).
pub fn source_id(ctx: Context<'_>) -> rustmail_db::ids::MessageId {
    rustmail_db::ids::MessageId(ctx.id())
}

/// Answers the invoker: ephemeral for slash commands, a reply for prefix commands.
pub async fn answer(ctx: Context<'_>, text: impl Into<String>) -> Result<(), CommandError> {
    ctx.send(
        CreateReply::default()
            .content(text)
            .ephemeral(true)
            .allowed_mentions(CreateAllowedMentions::new()),
    )
    .await?;
    Ok(())
}

/// Answers in the channel for everyone to see (both kinds of command).
pub async fn announce(ctx: Context<'_>, text: impl Into<String>) -> Result<(), CommandError> {
    ctx.send(
        CreateReply::default()
            .content(text)
            .allowed_mentions(CreateAllowedMentions::new()),
    )
    .await?;
    Ok(())
}

/// Acknowledges a prefix command by deleting the invoking message, a slash command with an
/// ephemeral note.
pub async fn done(ctx: Context<'_>, slash_text: impl Into<String>) -> Result<(), CommandError> {
    match ctx {
        poise::Context::Prefix(p) => {
            // Before the call: the deletion event may arrive before the call returns.
            ctx.data().deleting_own(p.msg.id);
            if let Err(e) = p.msg.delete(&*ctx.data().http).await {
                ctx.data().deleted_own(p.msg.id);
                tracing::debug!(error = %crate::discord::describe(&e), "cannot delete a command message");
            }
            Ok(())
        }
        poise::Context::Application(_) => answer(ctx, slash_text).await,
    }
}

/// The framework's check before every command: staff in the staff guild only. Prefix commands
/// from anyone else are ignored; slash commands get a refusal (see [`on_error`]).
pub fn command_check(ctx: Context<'_>) -> bool {
    invoker(ctx).is_some_and(|i| i.staff)
}

/// The central error handler.
pub async fn on_error(error: poise::FrameworkError<'_, Data, CommandError>) {
    match error {
        poise::FrameworkError::Command {
            error: CommandError::AlreadyHandled,
            ctx,
            ..
        } => {
            tracing::debug!(command = %ctx.command().qualified_name, id = ctx.id(), "command handled by another bot process");
        }
        poise::FrameworkError::Command { error, ctx, .. } => {
            let text = if let Some(text) = error.user_message() {
                text
            } else {
                tracing::error!(
                    command = %ctx.command().qualified_name,
                    channel = %ctx.channel_id(),
                    user = %ctx.author().id,
                    error = %error,
                    "command failed"
                );
                strings::INTERNAL_ERROR.to_owned()
            };
            if let Err(e) = answer(ctx, text).await {
                tracing::warn!(error = %e, "cannot report a command error");
            }
        }
        poise::FrameworkError::CommandCheckFailed {
            error: Some(CommandError::AlreadyHandled),
            ctx,
            ..
        } => {
            tracing::debug!(command = %ctx.command().qualified_name, id = ctx.id(), "command handled by another bot process");
        }
        poise::FrameworkError::CommandCheckFailed { error, ctx, .. } => {
            if let Some(e) = error {
                tracing::error!(command = %ctx.command().qualified_name, error = %e, "command check failed");
            }
            if let poise::Context::Application(_) = ctx {
                let text = if invoker(ctx).is_some() {
                    strings::NOT_STAFF
                } else {
                    strings::NOT_IN_GUILD
                };
                let _ = answer(ctx, text).await;
            }
        }
        poise::FrameworkError::ArgumentParse {
            error, input, ctx, ..
        } => {
            if invoker(ctx).is_some_and(|i| i.staff) && may_answer(ctx).await {
                let usage = strings::usage(&ctx.command().qualified_name);
                // poise's "too many/too few arguments" name no argument: find which one.
                let named = parse_errors::prefix_args(&ctx)
                    .filter(|_| parse_errors::is_vague(error.as_ref()))
                    .and_then(|args| parse_errors::explain(ctx.command(), args, usage));
                let text = named.unwrap_or_else(|| {
                    strings::bad_argument(&error.to_string(), input.as_deref(), usage)
                });
                let _ = answer(ctx, text).await;
            }
        }
        poise::FrameworkError::UnknownCommand { .. }
        | poise::FrameworkError::GuildOnly { .. }
        | poise::FrameworkError::NonCommandMessage { .. } => {}
        poise::FrameworkError::EventHandler { error, event, .. } => {
            tracing::error!(event = event.snake_case_name(), error = %error, "event handler failed");
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!(error = %e, "error while handling an error");
            }
        }
    }
}
