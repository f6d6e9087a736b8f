//! Values that must never reach logs: the bot token ([`Secret`]) and database URL passwords
//! ([`redact_url`]).

use std::fmt;

use serde::Deserialize;

/// A secret string (the bot token). `Debug` and `Display` print `[redacted]`; call
/// [`Secret::expose`] at the one place that needs the real value.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string (not configured).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// A database URL safe to show: the password of `scheme://user:pass@host/...` becomes `***`,
/// as does the value of any `password=` query parameter. Anything else is returned unchanged.
///
/// When in doubt (an `@` inside the path, say) it redacts more rather than less.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return redact_password_params(url);
    };
    let (scheme, rest) = url.split_at(scheme_end + 3);
    // The last `@` ends the user info, so passwords containing `@` or `/` are still covered.
    let redacted = match rest.rfind('@') {
        Some(at) => {
            let userinfo = &rest[..at];
            match userinfo.find(':') {
                Some(colon) if !userinfo[..colon].contains('/') => {
                    format!("{}:***{}", &rest[..colon], &rest[at..])
                }
                _ => rest.to_owned(),
            }
        }
        None => rest.to_owned(),
    };
    redact_password_params(&format!("{scheme}{redacted}"))
}

/// Replaces the value of every `password=` parameter (any case) with `***`.
fn redact_password_params(url: &str) -> String {
    const KEY: &str = "password=";
    let lower = url.to_ascii_lowercase();
    let mut out = String::with_capacity(url.len());
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = lower[search..].find(KEY) {
        let start = search + found;
        let at_param_start =
            start == 0 || matches!(url.as_bytes()[start - 1], b'?' | b'&' | b';' | b' ');
        let value_start = start + KEY.len();
        let value_end = url[value_start..]
            .find(['&', ';', ' ', '#'])
            .map_or(url.len(), |i| value_start + i);
        if at_param_start && value_end > value_start {
            out.push_str(&url[copied..value_start]);
            out.push_str("***");
            copied = value_end;
        }
        search = value_start;
    }
    out.push_str(&url[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn redacts_passwords() {
        let cases = [
            (
                "postgres://user:pass@host/db",
                "postgres://user:***@host/db",
            ),
            (
                "postgresql://u:p%40ss@db.example:5432/rm",
                "postgresql://u:***@db.example:5432/rm",
            ),
            ("postgres://u:pa/ss@host/db", "postgres://u:***@host/db"),
            ("postgres://u:p@ss@host/db", "postgres://u:***@host/db"),
            ("postgres://user@host/db", "postgres://user@host/db"),
            ("postgres://host:5432/db", "postgres://host:5432/db"),
            ("sqlite://rustmail.db", "sqlite://rustmail.db"),
            ("rustmail.db", "rustmail.db"),
            (
                "postgres://u@h/db?password=secret&x=1",
                "postgres://u@h/db?password=***&x=1",
            ),
            (
                "host=h user=u password=secret",
                "host=h user=u password=***",
            ),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(redact_url(input), expected, "input {input:?}");
        }
    }
}
