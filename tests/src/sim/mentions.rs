//! Who a message pings: content mentions filtered through `allowed_mentions`, as Discord does.

use serde_json::Value;

/// The result of mention resolution.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mentions {
    pub users: Vec<u64>,
    pub roles: Vec<u64>,
    pub everyone: bool,
}

/// Ids in `<@123>`, `<@!123>` (users) and `<@&123>` (roles) mentions, in order, deduplicated.
pub fn parse_mentions(content: &str) -> (Vec<u64>, Vec<u64>) {
    let (mut users, mut roles) = (Vec::new(), Vec::new());
    let mut rest = content;
    while let Some(start) = rest.find("<@") {
        rest = &rest[start + 2..];
        let (is_role, body) = match rest.as_bytes().first() {
            Some(b'&') => (true, &rest[1..]),
            Some(b'!') => (false, &rest[1..]),
            _ => (false, rest),
        };
        let Some(end) = body.find('>') else { break };
        if let Ok(id) = body[..end].parse::<u64>() {
            let list = if is_role { &mut roles } else { &mut users };
            if !list.contains(&id) {
                list.push(id);
            }
        }
    }
    (users, roles)
}

/// Resolves mentions. `allowed` is the request's `allowed_mentions` (absent = parse everything);
/// `replied_author` is the author of the referenced message for replies; `user_exists` and
/// `role_exists` filter out ids Discord would not resolve.
pub fn resolve(
    content: &str,
    allowed: Option<&Value>,
    replied_author: Option<u64>,
    user_exists: impl Fn(u64) -> bool,
    role_exists: impl Fn(u64) -> bool,
) -> Mentions {
    let (users, roles) = parse_mentions(content);
    let everyone_in_text = content.contains("@everyone") || content.contains("@here");
    let allowed = allowed.filter(|v| v.is_object());
    let ids = |key: &str| -> Vec<u64> {
        allowed
            .and_then(|a| a.get(key))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str()?.parse().ok()).collect())
            .unwrap_or_default()
    };
    let (parse_users, parse_roles, parse_everyone, allowed_users, allowed_roles, replied_user) =
        match allowed {
            None => (true, true, true, Vec::new(), Vec::new(), true),
            Some(a) => {
                let parse: Vec<&str> = a
                    .get("parse")
                    .and_then(Value::as_array)
                    .map(|p| p.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                (
                    parse.contains(&"users"),
                    parse.contains(&"roles"),
                    parse.contains(&"everyone"),
                    ids("users"),
                    ids("roles"),
                    a.get("replied_user")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                )
            }
        };
    let mut out = Mentions {
        users: users
            .into_iter()
            .filter(|u| user_exists(*u) && (parse_users || allowed_users.contains(u)))
            .collect(),
        roles: roles
            .into_iter()
            .filter(|r| role_exists(*r) && (parse_roles || allowed_roles.contains(r)))
            .collect(),
        everyone: everyone_in_text && parse_everyone,
    };
    if let Some(author) = replied_author.filter(|_| replied_user) {
        if !out.users.contains(&author) {
            out.users.push(author);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn default_parses_everything_and_empty_parse_pings_nobody() {
        let text = "hi <@1> <@!2> <@&3> @everyone";
        let all = resolve(text, None, None, |_| true, |_| true);
        assert_eq!(
            all,
            Mentions {
                users: vec![1, 2],
                roles: vec![3],
                everyone: true
            }
        );
        let none = resolve(
            text,
            Some(&json!({"parse": []})),
            Some(9),
            |_| true,
            |_| true,
        );
        assert_eq!(none, Mentions::default());
        let some = resolve(
            text,
            Some(&json!({"users": ["2"], "replied_user": true})),
            Some(9),
            |_| true,
            |_| true,
        );
        assert_eq!(some.users, vec![2, 9]);
    }
}
