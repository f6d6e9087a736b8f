//! `discord-sim`: runs the Discord simulator standalone and prints a bot config snippet.

use anyhow::Context;
use clap::Parser;
use rustmail_tests::sim::{self, SeededIds, SimConfig};

/// Local Discord simulator (REST v10 + gateway) for running Rustmail without Discord.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Port to listen on (127.0.0.1).
    #[arg(long, default_value_t = 8089)]
    port: u16,
    /// Separate community and staff guilds.
    #[arg(long)]
    dual_server: bool,
    /// Bot token to accept.
    #[arg(long)]
    token: Option<String>,
    /// Give the bot ADMINISTRATOR.
    #[arg(long)]
    admin_bot: bool,
}

/// A bot config snippet in the shape of `config.example.toml`.
fn config_snippet(api_url: &str, token: &str, ids: &SeededIds, dual: bool) -> String {
    let servers = if dual {
        format!(
            "community_guild_id = {}\nstaff_guild_id = {}",
            ids.community_guild_id, ids.staff_guild_id
        )
    } else {
        format!("guild_id = {}", ids.community_guild_id)
    };
    let mut out = format!(
        "[bot]\n\
         token = \"{token}\"\n\
         api_base_url = \"{api_url}\"\n\
         \n\
         [servers]\n\
         {servers}\n\
         staff_roles = [{staff_role}]\n\
         admin_roles = [{admin_role}]\n\
         \n\
         [channels]\n\
         inbox_category_id = {inbox}\n\
         log_channel_id = {log}\n\
         archive_category_id = {archive}\n\
         \n\
         # seeded ids\n\
         # application_id = {app}\n\
         # bot_user_id = {bot}\n\
         # staff_channel_id = {staff_channel}\n\
         # general_channel_id = {general}\n",
        staff_role = ids.staff_role_id,
        admin_role = ids.admin_role_id,
        inbox = ids.inbox_category_id,
        log = ids.log_channel_id,
        archive = ids.archive_category_id,
        app = ids.application_id,
        bot = ids.bot_user_id,
        staff_channel = ids.staff_channel_id,
        general = ids.general_channel_id,
    );
    for (name, id) in &ids.users {
        out.push_str("# user ");
        out.push_str(name);
        out.push_str(" = ");
        out.push_str(&id.to_string());
        out.push('\n');
    }
    out
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut config = if args.dual_server {
        SimConfig::dual_server()
    } else {
        SimConfig::default()
    };
    if let Some(t) = args.token {
        config.token = t;
    }
    config.bot_administrator = args.admin_bot;
    // A long-running simulator should not grow without bound.
    config.record_events = false;
    config.record_requests = false;
    let handle = sim::start_on(config, args.port)
        .await
        .context("bind the simulator port")?;
    println!("# discord-sim listening on {}", handle.api_base());
    println!(
        "# serenity: HttpBuilder::new(token).proxy(\"{}\").ratelimiter_disabled(true)",
        handle.api_base()
    );
    println!("# gateway: {}", handle.gateway_url());
    println!(
        "{}",
        config_snippet(
            &handle.api_url(),
            handle.token(),
            handle.ids(),
            args.dual_server
        )
    );
    tokio::signal::ctrl_c().await.context("wait for Ctrl-C")?;
    handle.shutdown().await;
    Ok(())
}
