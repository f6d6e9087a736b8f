//! Small helpers around Discord's REST API: error codes and their classification, idempotency
//! nonces, and the REST base URL.

use serenity::all::{HttpError, Nonce};

use crate::error::RelayError;

/// "Unknown Channel".
pub const UNKNOWN_CHANNEL: isize = 10003;
/// "Unknown Member".
pub const UNKNOWN_MEMBER: isize = 10007;
/// "Unknown Message".
pub const UNKNOWN_MESSAGE: isize = 10008;
/// "Unknown User".
pub const UNKNOWN_USER: isize = 10013;
/// "Maximum number of channels reached" (the inbox category is full).
pub const MAX_CHANNELS: isize = 30013;
/// "Cannot send messages to this user" (DMs closed, no shared guild, blocked the bot).
pub const CANNOT_DM: isize = 50007;

/// Discord's JSON error code of a failed request, if any.
pub fn json_code(err: &serenity::Error) -> Option<isize> {
    match err {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => Some(r.error.code),
        _ => None,
    }
}

/// The HTTP status of a failed request, if any.
pub fn status(err: &serenity::Error) -> Option<u16> {
    match err {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => Some(r.status_code.as_u16()),
        _ => None,
    }
}

/// Whether the error says the thing is gone (unknown channel, message, member or user, or 404).
pub fn is_gone(err: &serenity::Error) -> bool {
    matches!(
        json_code(err),
        Some(UNKNOWN_CHANNEL | UNKNOWN_MEMBER | UNKNOWN_MESSAGE | UNKNOWN_USER)
    ) || status(err) == Some(404)
}

/// Whether the error says the category has no room for another channel.
pub fn is_category_full(err: &serenity::Error) -> bool {
    match err {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            r.error.code == MAX_CHANNELS
                || r.error.message.contains("channels in category")
                || r.error
                    .errors
                    .iter()
                    .any(|e| e.code == "CHANNEL_PARENT_MAX_CHANNELS")
        }
        _ => false,
    }
}

/// Sorts a failure into "try again later" or "will not work".
pub fn classify(err: &serenity::Error) -> RelayError {
    let message = describe(err);
    let transient = match err {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            let status = r.status_code.as_u16();
            status == 429 || status >= 500 || r.error.code == MAX_CHANNELS
        }
        serenity::Error::Http(HttpError::Request(_)) | serenity::Error::Io(_) => true,
        _ => false,
    };
    if transient {
        RelayError::Transient(message)
    } else {
        RelayError::Permanent {
            code: json_code(err),
            message,
        }
    }
}

/// A one-line description of a Discord failure, for logs and for the relay's recorded error.
pub fn describe(err: &serenity::Error) -> String {
    match err {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => format!(
            "HTTP {} (code {}): {}",
            r.status_code.as_u16(),
            r.error.code,
            r.error.message
        ),
        other => other.to_string(),
    }
}

/// Which copy a nonce is for; part of the nonce so that each copy has its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceKind {
    /// A relayed message's copy in the ticket channel.
    Inbox,
    /// A relayed message's copy in the user's DMs.
    Dm,
    /// The header of a new ticket channel.
    Header,
    /// The welcome message of a new ticket.
    Welcome,
    /// The close message of a ticket.
    Close,
    /// The transcript of a closed ticket.
    Transcript,
}

/// A nonce for `enforce_nonce`, derived from what the message is (so a retried POST of the
/// same copy is recognised by Discord and not posted twice). At most 25 characters.
pub fn nonce(kind: NonceKind, id: i64, part: i32) -> Nonce {
    let tag = match kind {
        NonceKind::Inbox => 'i',
        NonceKind::Dm => 'd',
        NonceKind::Header => 'h',
        NonceKind::Welcome => 'w',
        NonceKind::Close => 'c',
        NonceKind::Transcript => 't',
    };
    Nonce::String(format!(
        "rm{tag}{}.{}",
        base36(id.unsigned_abs()),
        base36(u64::from(part.unsigned_abs()))
    ))
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The base serenity's `HttpBuilder::proxy` expects (scheme and host, no `/api/vN`): a configured
/// `http://host:port/api/v10` works as well as `http://host:port`.
pub fn proxy_base(api_base_url: &str) -> String {
    let mut base = api_base_url.trim().trim_end_matches('/');
    for suffix in ["/api/v10", "/api/v9", "/api"] {
        if let Some(stripped) = base.strip_suffix(suffix) {
            base = stripped;
            break;
        }
    }
    base.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_base_strips_the_api_path() {
        assert_eq!(
            proxy_base("http://127.0.0.1:8080/api/v10"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            proxy_base("http://127.0.0.1:8080/"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            proxy_base("https://proxy.example/api"),
            "https://proxy.example"
        );
    }

    #[test]
    fn nonces_fit_discord_limit() {
        let Nonce::String(n) = nonce(NonceKind::Transcript, i64::MAX, i32::MAX) else {
            panic!("string nonce")
        };
        assert!(n.len() <= 25, "{n}");
        let Nonce::String(n) = nonce(NonceKind::Inbox, 123_456_789, 3) else {
            panic!("string nonce")
        };
        assert!(n.len() <= 25, "{n}");
    }
}
