//! Seeding the initial world from a [`SimConfig`].

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;

use super::World;
use crate::sim::config::{SeededIds, SimConfig};
use crate::sim::ids::IdGen;
use crate::sim::model::{
    channel_type, perm, Application, Channel, Guild, Member, Overwrite, Role, User,
};

/// Staff-only overwrites: hide from `@everyone`, show to the given roles.
fn private_overwrites(guild: u64, allowed_roles: &[u64]) -> Vec<Overwrite> {
    let mut out = vec![Overwrite {
        id: guild,
        kind: 0,
        allow: 0,
        deny: perm::VIEW_CHANNEL,
    }];
    for role in allowed_roles {
        out.push(Overwrite {
            id: *role,
            kind: 0,
            allow: perm::VIEW_CHANNEL | perm::SEND_MESSAGES | perm::READ_MESSAGE_HISTORY,
            deny: 0,
        });
    }
    out
}

fn role(id: u64, name: &str, permissions: u64, position: u16) -> Role {
    Role {
        id,
        name: name.to_owned(),
        permissions,
        position,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        bot_id: None,
    }
}

fn member(user_id: u64, roles: Vec<u64>) -> Member {
    Member {
        user_id,
        nick: None,
        roles,
        joined_at: Utc::now(),
    }
}

fn channel(id: u64, guild: u64, kind: u8, name: &str, parent: Option<u64>, pos: i64) -> Channel {
    Channel {
        id,
        kind,
        guild_id: Some(guild),
        name: Some(name.to_owned()),
        topic: None,
        parent_id: parent,
        position: pos,
        overwrites: Vec::new(),
        nsfw: false,
        rate_limit_per_user: 0,
        recipient: None,
        last_message_id: None,
    }
}

impl World {
    /// Builds the seeded world for `config`, serving attachments under `base_url`.
    pub(crate) fn seed(config: &SimConfig, base_url: String) -> World {
        let ids = IdGen::new();
        let mut users = HashMap::new();
        let mut add_user = |name: &str, bot: bool| {
            let id = ids.next();
            users.insert(
                id,
                User {
                    id,
                    username: name.to_owned(),
                    global_name: if bot { None } else { Some(capitalize(name)) },
                    bot,
                    blocks_dms: false,
                },
            );
            id
        };
        let application_id = ids.next();
        let bot = add_user(&config.bot_name, true);
        let carol = add_user("carol", false);
        let bob = add_user("bob", false);
        let mut names = BTreeMap::from([("bob".to_owned(), bob), ("carol".to_owned(), carol)]);
        let extras: Vec<u64> = config
            .members
            .iter()
            .map(|n| {
                let id = add_user(n, false);
                names.insert(n.clone(), id);
                id
            })
            .collect();

        let bot_perms = if config.bot_administrator {
            perm::BOT_DEFAULT | perm::ADMINISTRATOR
        } else {
            perm::BOT_DEFAULT
        };
        let mut channels = HashMap::new();

        // Community guild: everyone is here.
        let on_shard = |shard: Option<u32>| match shard {
            Some(s) => ids.next_on_shard(s, config.shard_count),
            None => ids.next(),
        };
        let community = if config.dual_server {
            on_shard(config.community_guild_shard)
        } else {
            on_shard(config.staff_guild_shard.or(config.community_guild_shard))
        };
        let community_bot_role = ids.next();
        let mut cg = Guild {
            id: community,
            name: config.guild_name.clone(),
            owner_id: carol,
            roles: BTreeMap::new(),
            members: BTreeMap::new(),
            joined_at: Utc::now(),
        };
        cg.roles.insert(
            community,
            role(community, "@everyone", perm::EVERYONE_DEFAULT, 0),
        );
        let mut bot_role = role(community_bot_role, &config.bot_name, bot_perms, 4);
        bot_role.managed = true;
        bot_role.bot_id = Some(bot);
        cg.roles.insert(community_bot_role, bot_role.clone());
        cg.members
            .insert(bot, member(bot, vec![community_bot_role]));
        for id in &extras {
            cg.members.insert(*id, member(*id, Vec::new()));
        }
        let general = ids.next();
        channels.insert(
            general,
            channel(
                general,
                community,
                channel_type::GUILD_TEXT,
                "general",
                None,
                0,
            ),
        );

        // Staff guild: the community guild itself in single-server mode.
        let mut sg_owned = if config.dual_server {
            let id = on_shard(config.staff_guild_shard);
            let mut g = Guild {
                id,
                name: config.staff_guild_name.clone(),
                owner_id: carol,
                roles: BTreeMap::new(),
                members: BTreeMap::new(),
                joined_at: Utc::now(),
            };
            g.roles
                .insert(id, role(id, "@everyone", perm::EVERYONE_DEFAULT, 0));
            let rid = ids.next();
            let mut r = bot_role.clone();
            r.id = rid;
            g.roles.insert(rid, r);
            g.members.insert(bot, member(bot, vec![rid]));
            // Staff are in the community guild too, without roles there.
            cg.members.insert(bob, member(bob, Vec::new()));
            cg.members.insert(carol, member(carol, Vec::new()));
            Some((g, rid))
        } else {
            None
        };
        let (sg, staff_bot_role): (&mut Guild, u64) = match sg_owned.as_mut() {
            Some((g, rid)) => (g, *rid),
            None => (&mut cg, community_bot_role),
        };
        let staff_role = ids.next();
        let admin_role = ids.next();
        sg.roles.insert(
            staff_role,
            role(staff_role, "Staff", perm::EVERYONE_DEFAULT, 2),
        );
        sg.roles.insert(
            admin_role,
            role(admin_role, "Admin", perm::ADMINISTRATOR, 3),
        );
        sg.members.insert(bob, member(bob, vec![staff_role]));
        sg.members.insert(carol, member(carol, vec![admin_role]));
        let sgid = sg.id;
        let private = private_overwrites(sgid, &[staff_role, admin_role, staff_bot_role]);
        let mut add = |kind: u8, name: &str, pos: i64| {
            let id = ids.next();
            let mut c = channel(id, sgid, kind, name, None, pos);
            c.overwrites.clone_from(&private);
            channels.insert(id, c);
            id
        };
        let staff_channel = add(channel_type::GUILD_TEXT, "staff-chat", 1);
        let log_channel = add(channel_type::GUILD_TEXT, "modmail-log", 2);
        let inbox = add(channel_type::GUILD_CATEGORY, "Modmail", 3);
        let archive = add(channel_type::GUILD_CATEGORY, "Closed Tickets", 4);

        let mut guilds = BTreeMap::new();
        guilds.insert(community, cg);
        let staff_guild = if let Some((g, _)) = sg_owned {
            let id = g.id;
            guilds.insert(id, g);
            id
        } else {
            community
        };

        let seeded = SeededIds {
            application_id,
            bot_user_id: bot,
            bot_role_id: staff_bot_role,
            community_bot_role_id: community_bot_role,
            community_guild_id: community,
            staff_guild_id: staff_guild,
            community_everyone_role_id: community,
            staff_everyone_role_id: staff_guild,
            staff_role_id: staff_role,
            admin_role_id: admin_role,
            inbox_category_id: inbox,
            log_channel_id: log_channel,
            archive_category_id: archive,
            general_channel_id: general,
            staff_channel_id: staff_channel,
            staff_user_id: bob,
            admin_user_id: carol,
            users: names,
        };
        World {
            ids,
            base_url,
            users,
            guilds,
            channels,
            messages: HashMap::new(),
            message_index: HashMap::new(),
            ephemeral: HashMap::new(),
            dm_channels: HashMap::new(),
            app: Application {
                id: application_id,
                name: config.bot_name.clone(),
                owner_id: carol,
                flags: (1 << 15) | (1 << 19) | (1 << 23),
            },
            bot_user_id: bot,
            commands: BTreeMap::new(),
            interactions: HashMap::new(),
            interaction_tokens: HashMap::new(),
            files: HashMap::new(),
            nonces: HashMap::new(),
            bot_typing: Vec::new(),
            channel_posts: HashMap::new(),
            seeded,
            interaction_deadline: config.interaction_deadline,
            max_channels_per_category: config.max_channels_per_category,
            outbox: Vec::new(),
        }
    }
}

fn capitalize(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}
