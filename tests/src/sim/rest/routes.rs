//! The REST route table (templates use the OpenAPI spec's parameter names) and matcher.

use axum::http::Method;

use crate::sim::error::ApiError;

/// Every operation the simulator implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Op {
    GetGateway,
    GetGatewayBot,
    GetCurrentUser,
    GetCurrentUserGuilds,
    GetCurrentMember,
    GetUser,
    OpenDm,
    GetApplication,
    ListCommands,
    OverwriteCommands,
    CreateCommand,
    GetCommand,
    EditCommand,
    DeleteCommand,
    GetGuild,
    ListGuildChannels,
    CreateGuildChannel,
    GetMember,
    ListMembers,
    ListRoles,
    AddMemberRole,
    RemoveMemberRole,
    GetChannel,
    ModifyChannel,
    DeleteChannel,
    PutOverwrite,
    DeleteOverwrite,
    ListMessages,
    CreateMessage,
    GetMessage,
    EditMessage,
    DeleteMessage,
    AddOwnReaction,
    DeleteOwnReaction,
    Typing,
    InteractionCallback,
    CreateFollowup,
    GetWebhookMessage,
    EditWebhookMessage,
    DeleteWebhookMessage,
}

/// A route: method, template, operation.
#[derive(Debug)]
pub struct Route {
    pub method: Method,
    pub template: &'static str,
    pub op: Op,
}

macro_rules! routes {
    ($($m:ident $t:literal => $op:ident,)*) => {
        /// The route table, most specific first (`@original` before `{message_id}`).
        pub fn table() -> &'static [Route] {
            static TABLE: std::sync::OnceLock<Vec<Route>> = std::sync::OnceLock::new();
            TABLE.get_or_init(|| vec![$(Route { method: Method::$m, template: $t, op: Op::$op },)*])
        }
    };
}

routes! {
    GET "/gateway" => GetGateway,
    GET "/gateway/bot" => GetGatewayBot,
    GET "/users/@me" => GetCurrentUser,
    GET "/users/@me/guilds" => GetCurrentUserGuilds,
    GET "/users/@me/guilds/{guild_id}/member" => GetCurrentMember,
    POST "/users/@me/channels" => OpenDm,
    GET "/users/{user_id}" => GetUser,
    GET "/oauth2/applications/@me" => GetApplication,
    GET "/applications/@me" => GetApplication,
    GET "/applications/{application_id}/commands" => ListCommands,
    PUT "/applications/{application_id}/commands" => OverwriteCommands,
    POST "/applications/{application_id}/commands" => CreateCommand,
    GET "/applications/{application_id}/commands/{command_id}" => GetCommand,
    PATCH "/applications/{application_id}/commands/{command_id}" => EditCommand,
    DELETE "/applications/{application_id}/commands/{command_id}" => DeleteCommand,
    GET "/applications/{application_id}/guilds/{guild_id}/commands" => ListCommands,
    PUT "/applications/{application_id}/guilds/{guild_id}/commands" => OverwriteCommands,
    POST "/applications/{application_id}/guilds/{guild_id}/commands" => CreateCommand,
    GET "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}" => GetCommand,
    PATCH "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}" => EditCommand,
    DELETE "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}" => DeleteCommand,
    GET "/guilds/{guild_id}" => GetGuild,
    GET "/guilds/{guild_id}/channels" => ListGuildChannels,
    POST "/guilds/{guild_id}/channels" => CreateGuildChannel,
    GET "/guilds/{guild_id}/members" => ListMembers,
    GET "/guilds/{guild_id}/members/{user_id}" => GetMember,
    GET "/guilds/{guild_id}/roles" => ListRoles,
    PUT "/guilds/{guild_id}/members/{user_id}/roles/{role_id}" => AddMemberRole,
    DELETE "/guilds/{guild_id}/members/{user_id}/roles/{role_id}" => RemoveMemberRole,
    GET "/channels/{channel_id}" => GetChannel,
    PATCH "/channels/{channel_id}" => ModifyChannel,
    DELETE "/channels/{channel_id}" => DeleteChannel,
    PUT "/channels/{channel_id}/permissions/{overwrite_id}" => PutOverwrite,
    DELETE "/channels/{channel_id}/permissions/{overwrite_id}" => DeleteOverwrite,
    GET "/channels/{channel_id}/messages" => ListMessages,
    POST "/channels/{channel_id}/messages" => CreateMessage,
    GET "/channels/{channel_id}/messages/{message_id}" => GetMessage,
    PATCH "/channels/{channel_id}/messages/{message_id}" => EditMessage,
    DELETE "/channels/{channel_id}/messages/{message_id}" => DeleteMessage,
    PUT "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me" => AddOwnReaction,
    DELETE "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me" => DeleteOwnReaction,
    POST "/channels/{channel_id}/typing" => Typing,
    POST "/interactions/{interaction_id}/{interaction_token}/callback" => InteractionCallback,
    POST "/webhooks/{webhook_id}/{webhook_token}" => CreateFollowup,
    GET "/webhooks/{webhook_id}/{webhook_token}/messages/@original" => GetWebhookMessage,
    PATCH "/webhooks/{webhook_id}/{webhook_token}/messages/@original" => EditWebhookMessage,
    DELETE "/webhooks/{webhook_id}/{webhook_token}/messages/@original" => DeleteWebhookMessage,
    GET "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}" => GetWebhookMessage,
    PATCH "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}" => EditWebhookMessage,
    DELETE "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}" => DeleteWebhookMessage,
}

/// Path parameters captured by a template.
#[derive(Clone, Debug, Default)]
pub struct Params(pub Vec<(&'static str, String)>);

impl Params {
    /// A raw parameter (`"@original"` for literal segments is not captured).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A snowflake parameter; a non-numeric value is a `50035` like on Discord.
    pub fn id(&self, name: &str) -> Result<u64, ApiError> {
        let raw = self.get(name).unwrap_or_default();
        raw.parse().map_err(|_| {
            ApiError::field(
                name,
                "NUMBER_TYPE_COERCE",
                &format!("Value \"{raw}\" is not snowflake."),
            )
        })
    }
}

/// The result of matching a request path.
#[derive(Debug)]
pub enum Match {
    Found(&'static Route, Params),
    /// The path exists but not with this method.
    WrongMethod,
    NotFound,
}

fn match_template(template: &'static str, path: &str) -> Option<Params> {
    let mut params = Vec::new();
    let mut t = template.split('/');
    let mut p = path.trim_end_matches('/').split('/');
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(Params(params)),
            (Some(ts), Some(ps)) => {
                if let Some(name) = ts.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    if ps.is_empty() {
                        return None;
                    }
                    params.push((name, ps.to_owned()));
                } else if ts != ps {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

/// Finds the route for `method path` (path relative to `/api/v10`).
pub fn match_route(method: &Method, path: &str) -> Match {
    let mut path_exists = false;
    for route in table() {
        if let Some(params) = match_template(route.template, path) {
            if route.method == method {
                return Match::Found(route, params);
            }
            path_exists = true;
        }
    }
    if path_exists {
        Match::WrongMethod
    } else {
        Match::NotFound
    }
}

/// The template a concrete path matches, for any method.
pub fn template_of(path: &str) -> Option<&'static str> {
    table()
        .iter()
        .find(|r| match_template(r.template, path).is_some())
        .map(|r| r.template)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_segments_win() {
        let Match::Found(r, p) = match_route(&Method::PATCH, "/webhooks/1/tok/messages/@original")
        else {
            panic!("no match")
        };
        assert_eq!(r.op, Op::EditWebhookMessage);
        assert_eq!(p.get("message_id"), None);
        let Match::Found(r, _) = match_route(&Method::GET, "/users/@me") else {
            panic!("no match")
        };
        assert_eq!(r.op, Op::GetCurrentUser);
        assert!(matches!(
            match_route(&Method::POST, "/users/@me"),
            Match::WrongMethod
        ));
        assert!(matches!(
            match_route(&Method::GET, "/nope"),
            Match::NotFound
        ));
    }
}
