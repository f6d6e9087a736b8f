//! Who may do what: pure functions over a member's roles and the `[servers]` configuration, so
//! they are tested without Discord.
//!
//! Staff are members with a role in `servers.staff_roles`, and admins. Admins are members with a
//! role in `servers.admin_roles`; when that list is empty, members with Discord's Administrator
//! permission (or the guild owner) are admins.

use rustmail_db::config::ServersConfig;
use serenity::all::{Permissions, RoleId};

/// What the checks need to know about the invoking member.
#[derive(Debug, Clone, Copy)]
pub struct MemberView<'a> {
    /// The member's roles in the staff guild.
    pub roles: &'a [RoleId],
    /// Whether the member has Discord's Administrator permission (or owns the guild).
    pub administrator: bool,
}

fn has_any(roles: &[RoleId], wanted: &[rustmail_db::ids::RoleId]) -> bool {
    roles
        .iter()
        .any(|r| wanted.iter().any(|w| w.get() == r.get()))
}

/// Whether the member is an admin (may edit or delete anyone's reply, ...).
pub fn is_admin(servers: &ServersConfig, member: MemberView<'_>) -> bool {
    if servers.admin_roles.is_empty() {
        member.administrator
    } else {
        has_any(member.roles, &servers.admin_roles)
    }
}

/// Whether the member is staff (may use the ticket commands). Admins are staff.
pub fn is_staff(servers: &ServersConfig, member: MemberView<'_>) -> bool {
    has_any(member.roles, &servers.staff_roles) || is_admin(servers, member)
}

/// Whether a member with roles granting `role_permissions` (the `@everyone` role included) has
/// the Administrator permission; the owner always has it.
pub fn has_administrator(
    role_permissions: impl IntoIterator<Item = Permissions>,
    is_owner: bool,
) -> bool {
    is_owner || role_permissions.into_iter().any(Permissions::administrator)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustmail_db::ids::{GuildId, RoleId as ConfigRole};

    const STAFF: u64 = 10;
    const ADMIN: u64 = 20;
    const OTHER: u64 = 30;

    fn servers(admin_roles: Vec<ConfigRole>) -> ServersConfig {
        ServersConfig {
            guild_id: Some(GuildId(1)),
            staff_roles: vec![ConfigRole(STAFF)],
            admin_roles,
            ..ServersConfig::default()
        }
    }

    fn member(roles: &[RoleId], administrator: bool) -> MemberView<'_> {
        MemberView {
            roles,
            administrator,
        }
    }

    #[test]
    fn staff_role_makes_staff_not_admin() {
        let s = servers(vec![ConfigRole(ADMIN)]);
        let roles = [RoleId::new(STAFF)];
        assert!(is_staff(&s, member(&roles, false)));
        assert!(!is_admin(&s, member(&roles, false)));
    }

    #[test]
    fn admin_role_makes_admin_and_staff() {
        let s = servers(vec![ConfigRole(ADMIN)]);
        let roles = [RoleId::new(ADMIN)];
        assert!(is_admin(&s, member(&roles, false)));
        assert!(is_staff(&s, member(&roles, false)));
        // With admin roles configured, the Administrator permission alone is not enough.
        let none = [RoleId::new(OTHER)];
        assert!(!is_admin(&s, member(&none, true)));
        assert!(!is_staff(&s, member(&none, true)));
    }

    #[test]
    fn empty_admin_roles_means_administrator_permission() {
        let s = servers(Vec::new());
        let none = [RoleId::new(OTHER)];
        assert!(is_admin(&s, member(&none, true)));
        assert!(is_staff(&s, member(&none, true)));
        assert!(!is_admin(&s, member(&none, false)));
        assert!(!is_staff(&s, member(&[], false)));
    }

    #[test]
    fn administrator_from_roles_or_ownership() {
        let perms = [Permissions::SEND_MESSAGES, Permissions::ADMINISTRATOR];
        assert!(has_administrator(perms, false));
        assert!(!has_administrator([Permissions::SEND_MESSAGES], false));
        assert!(has_administrator([], true));
    }
}
