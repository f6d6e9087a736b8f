//! Guild operations: users, members joining/leaving, member roles.

use chrono::Utc;
use serde_json::json;

use super::World;
use crate::sim::error::ApiError;
use crate::sim::gateway::{intents, GwEvent};
use crate::sim::model::{perm, Member, User};

impl World {
    /// The id of the user called `name`, creating the user if needed (no guild membership).
    pub fn ensure_user(&mut self, name: &str) -> u64 {
        if let Some(u) = self.user_by_name(name) {
            return u.id;
        }
        let id = self.ids.next();
        self.users.insert(
            id,
            User {
                id,
                username: name.to_owned(),
                global_name: None,
                bot: false,
                blocks_dms: false,
            },
        );
        id
    }

    /// Sets whether `user` refuses DMs from server members (bots included).
    pub fn set_blocks_dms(&mut self, user: u64, blocks: bool) {
        if let Some(u) = self.users.get_mut(&user) {
            u.blocks_dms = blocks;
        }
    }

    /// `user` joins `guild` with `roles` (no-op if already a member). Emits `GUILD_MEMBER_ADD`.
    pub fn add_member(&mut self, guild: u64, user: u64, roles: Vec<u64>) -> Result<(), ApiError> {
        let g = self
            .guilds
            .get_mut(&guild)
            .ok_or_else(ApiError::unknown_guild)?;
        if g.members.contains_key(&user) {
            return Ok(());
        }
        let m = Member {
            user_id: user,
            nick: None,
            roles,
            joined_at: Utc::now(),
        };
        g.members.insert(user, m.clone());
        let g = &self.guilds[&guild];
        let data = self.member_json(g, &m, true, true);
        self.emit(GwEvent::new(
            "GUILD_MEMBER_ADD",
            intents::GUILD_MEMBERS,
            data,
        ));
        Ok(())
    }

    /// `user` leaves `guild`. Emits `GUILD_MEMBER_REMOVE`.
    pub fn remove_member(&mut self, guild: u64, user: u64) -> Result<(), ApiError> {
        let g = self
            .guilds
            .get_mut(&guild)
            .ok_or_else(ApiError::unknown_guild)?;
        if g.members.remove(&user).is_none() {
            return Err(ApiError::unknown_member());
        }
        let data = json!({"guild_id": guild.to_string(), "user": self.user_json(user)});
        self.emit(GwEvent::new(
            "GUILD_MEMBER_REMOVE",
            intents::GUILD_MEMBERS,
            data,
        ));
        Ok(())
    }

    /// Adds or removes a role of a member. `by_bot` enables `MANAGE_ROLES` and hierarchy checks.
    pub fn set_member_role(
        &mut self,
        guild: u64,
        user: u64,
        role: u64,
        add: bool,
        by_bot: bool,
    ) -> Result<(), ApiError> {
        let g = self
            .guilds
            .get(&guild)
            .ok_or_else(ApiError::unknown_guild)?;
        if !g.members.contains_key(&user) {
            return Err(ApiError::unknown_member());
        }
        let target = g.roles.get(&role).ok_or_else(ApiError::unknown_role)?;
        if by_bot {
            let bot_top = g.members[&self.bot_user_id]
                .roles
                .iter()
                .filter_map(|r| g.roles.get(r))
                .map(|r| r.position)
                .max()
                .unwrap_or(0);
            let admin = self.guild_permissions(guild, self.bot_user_id) & perm::ADMINISTRATOR != 0;
            let can = self.guild_permissions(guild, self.bot_user_id) & perm::MANAGE_ROLES != 0;
            if !can || (!admin && target.position >= bot_top) || target.managed {
                return Err(ApiError::missing_permissions());
            }
        }
        let g = self
            .guilds
            .get_mut(&guild)
            .ok_or_else(ApiError::unknown_guild)?;
        let m = g
            .members
            .get_mut(&user)
            .ok_or_else(ApiError::unknown_member)?;
        let changed = if add {
            !m.roles.contains(&role) && {
                m.roles.push(role);
                true
            }
        } else {
            let before = m.roles.len();
            m.roles.retain(|r| *r != role);
            before != m.roles.len()
        };
        if changed {
            let g = &self.guilds[&guild];
            let data = self.member_json(g, &g.members[&user], true, true);
            self.emit(GwEvent::new(
                "GUILD_MEMBER_UPDATE",
                intents::GUILD_MEMBERS,
                data,
            ));
        }
        Ok(())
    }
}
