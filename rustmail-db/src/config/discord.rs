//! The `[servers]` and `[channels]` sections: which Discord guilds, roles and channels Rustmail
//! works with.

use serde::Deserialize;

use super::Problems;
use crate::ids::{ChannelId, GuildId, RoleId};

/// `[servers]`: single-server mode (`guild_id`) or dual-server mode (`community_guild_id` +
/// `staff_guild_id`), and who counts as staff.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServersConfig {
    /// The one guild, in single-server mode.
    pub guild_id: Option<GuildId>,
    /// Where users are members, in dual-server mode.
    pub community_guild_id: Option<GuildId>,
    /// Where tickets live, in dual-server mode.
    pub staff_guild_id: Option<GuildId>,
    /// Roles whose members may answer tickets (at least one).
    pub staff_roles: Vec<RoleId>,
    /// Roles allowed admin commands; empty = members with Discord's Administrator permission.
    pub admin_roles: Vec<RoleId>,
}

impl ServersConfig {
    /// The guild whose members may open tickets.
    ///
    /// # Panics
    /// On an unvalidated config that names no guild.
    pub fn community_guild(&self) -> GuildId {
        self.guild_id
            .or(self.community_guild_id)
            .expect("validated config names servers.guild_id or servers.community_guild_id")
    }

    /// The guild holding ticket channels and staff.
    ///
    /// # Panics
    /// On an unvalidated config that names no guild.
    pub fn staff_guild(&self) -> GuildId {
        self.guild_id
            .or(self.staff_guild_id)
            .expect("validated config names servers.guild_id or servers.staff_guild_id")
    }

    /// Whether users and staff are in different guilds.
    pub fn is_dual_server(&self) -> bool {
        self.guild_id.is_none()
            && self.community_guild_id.is_some()
            && self.staff_guild_id.is_some()
    }

    pub(crate) fn check(&self, p: &mut Problems) {
        for (key, id) in [
            ("servers.guild_id", self.guild_id),
            ("servers.community_guild_id", self.community_guild_id),
            ("servers.staff_guild_id", self.staff_guild_id),
        ] {
            if id.is_some_and(|id| id.get() == 0) {
                p.push(key, "must be a Discord id, not 0");
            }
        }

        match (self.guild_id, self.community_guild_id, self.staff_guild_id) {
            (Some(_), None, None) => {}
            (None, Some(community), Some(staff)) => {
                if community == staff {
                    p.push(
                        "servers.staff_guild_id",
                        "must differ from servers.community_guild_id (for one guild, set only servers.guild_id)",
                    );
                }
            }
            (Some(_), _, _) => p.push(
                "servers.guild_id",
                "cannot be combined with servers.community_guild_id or servers.staff_guild_id: use guild_id alone (single server) or the other two (dual server)",
            ),
            (None, Some(_), None) => p.push(
                "servers.staff_guild_id",
                "is required when servers.community_guild_id is set (dual-server mode)",
            ),
            (None, None, Some(_)) => p.push(
                "servers.community_guild_id",
                "is required when servers.staff_guild_id is set (dual-server mode)",
            ),
            (None, None, None) => p.push(
                "servers.guild_id",
                "is required: set servers.guild_id (single server), or both servers.community_guild_id and servers.staff_guild_id (dual server)",
            ),
        }

        if self.staff_roles.is_empty() {
            p.push("servers.staff_roles", "must list at least one role id");
        }
        for (key, roles) in [
            ("servers.staff_roles", &self.staff_roles),
            ("servers.admin_roles", &self.admin_roles),
        ] {
            if roles.iter().any(|r| r.get() == 0) {
                p.push(key, "must contain Discord role ids, not 0");
            }
            // A repeated id is almost always a copy-paste slip where another role was meant.
            if let Some(twice) = roles
                .iter()
                .enumerate()
                .find_map(|(i, r)| roles[..i].contains(r).then_some(r))
            {
                p.push(key, format!("lists role {twice} twice"));
            }
        }
    }
}

/// `[channels]`: where ticket channels and logs go.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelsConfig {
    /// Category new ticket channels are created in.
    pub inbox_category_id: ChannelId,
    /// Category used when the inbox is full (Discord allows 50 channels per category).
    #[serde(default)]
    pub overflow_category_id: Option<ChannelId>,
    /// Text channel for ticket open/close logs.
    pub log_channel_id: ChannelId,
    /// Closed tickets are moved here read-only; unset = the channel is deleted.
    #[serde(default)]
    pub archive_category_id: Option<ChannelId>,
}

impl ChannelsConfig {
    pub(crate) fn check(&self, p: &mut Problems) {
        let all = [
            ("channels.inbox_category_id", Some(self.inbox_category_id)),
            ("channels.overflow_category_id", self.overflow_category_id),
            ("channels.log_channel_id", Some(self.log_channel_id)),
            ("channels.archive_category_id", self.archive_category_id),
        ];
        for (i, (key, id)) in all.iter().enumerate() {
            let Some(id) = id else { continue };
            if id.get() == 0 {
                p.push(key, "must be a Discord id, not 0");
                continue;
            }
            if let Some((earlier, _)) = all[..i].iter().find(|(_, other)| *other == Some(*id)) {
                p.push(key, format!("must differ from {earlier} (both are {id})"));
            }
        }
    }
}
