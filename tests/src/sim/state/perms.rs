//! Permission computation (base role permissions plus channel overwrites), as Discord does it.

use super::World;
use crate::sim::model::{perm, Channel, Guild};

/// Permissions of `user` in `channel` of `guild`: `@everyone` and role permissions, then
/// `@everyone`, role and member overwrites; the owner and `ADMINISTRATOR` get everything.
pub fn compute_channel_permissions(guild: &Guild, channel: Option<&Channel>, user: u64) -> u64 {
    let base = compute_base_permissions(guild, user);
    if base & perm::ADMINISTRATOR != 0 {
        return perm::ALL;
    }
    let Some(channel) = channel else { return base };
    let Some(member) = guild.members.get(&user) else {
        return 0;
    };
    let mut perms = base;
    if let Some(everyone) = channel.overwrites.iter().find(|o| o.id == guild.id) {
        perms &= !everyone.deny;
        perms |= everyone.allow;
    }
    let (mut allow, mut deny) = (0, 0);
    for o in &channel.overwrites {
        if o.kind == 0 && member.roles.contains(&o.id) {
            allow |= o.allow;
            deny |= o.deny;
        }
    }
    perms &= !deny;
    perms |= allow;
    if let Some(o) = channel
        .overwrites
        .iter()
        .find(|o| o.kind == 1 && o.id == user)
    {
        perms &= !o.deny;
        perms |= o.allow;
    }
    perms
}

/// Guild-wide permissions of `user` (no channel overwrites).
pub fn compute_base_permissions(guild: &Guild, user: u64) -> u64 {
    if guild.owner_id == user {
        return perm::ALL;
    }
    let Some(member) = guild.members.get(&user) else {
        return 0;
    };
    let mut perms = guild.roles.get(&guild.id).map_or(0, |r| r.permissions);
    for role in &member.roles {
        if let Some(r) = guild.roles.get(role) {
            perms |= r.permissions;
        }
    }
    if perms & perm::ADMINISTRATOR != 0 {
        perm::ALL
    } else {
        perms
    }
}

impl World {
    /// Permissions of `user` in guild channel `channel` (0 if either is unknown).
    pub fn permissions_in(&self, channel: u64, user: u64) -> u64 {
        let Some(ch) = self.channels.get(&channel) else {
            return 0;
        };
        let Some(guild) = ch.guild_id.and_then(|g| self.guilds.get(&g)) else {
            return 0;
        };
        compute_channel_permissions(guild, Some(ch), user)
    }

    /// Guild-wide permissions of `user`.
    pub fn guild_permissions(&self, guild: u64, user: u64) -> u64 {
        self.guilds
            .get(&guild)
            .map_or(0, |g| compute_base_permissions(g, user))
    }

    /// Whether the bot has all of `needed` in `channel` (DMs: always).
    pub(crate) fn bot_can(&self, channel: &Channel, needed: u64) -> bool {
        let Some(guild) = channel.guild_id.and_then(|g| self.guilds.get(&g)) else {
            return true;
        };
        compute_channel_permissions(guild, Some(channel), self.bot_user_id) & needed == needed
    }

    /// Whether the bot has all of `needed` guild-wide.
    pub(crate) fn bot_can_in_guild(&self, guild: u64, needed: u64) -> bool {
        self.guild_permissions(guild, self.bot_user_id) & needed == needed
    }
}
