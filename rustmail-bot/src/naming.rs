//! Ticket channel names: made from the user's name, sanitised to what Discord allows for text
//! channels, at most 100 characters, and unique in the staff guild.

/// Longest channel name Discord accepts.
pub const MAX_CHANNEL_NAME: usize = 100;
/// Room kept for a `-N` suffix.
const BASE_MAX: usize = MAX_CHANNEL_NAME - 8;

/// Lower-case letters and digits (any script), `-` and `_`; anything else becomes `-`; runs of
/// `-` collapse; no leading or trailing `-`. A name with nothing left becomes `user`.
pub fn sanitise(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = if c.is_alphanumeric() || c == '_' {
            c
        } else {
            '-'
        };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        if out.chars().count() >= BASE_MAX {
            break;
        }
        out.push(c);
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "user".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// `base`, or `base-2`, `base-3`, ... : the first that `taken` does not claim.
pub fn unique(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_owned();
    }
    (2u32..=u32::MAX)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| base.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitises() {
        assert_eq!(sanitise("Alice"), "alice");
        assert_eq!(sanitise("  Bob the Builder!! "), "bob-the-builder");
        assert_eq!(sanitise("___"), "___");
        assert_eq!(sanitise("🦀🦀"), "user");
        assert_eq!(sanitise("Zoë 漢字"), "zoë-漢字");
        assert_eq!(sanitise("@everyone"), "everyone");
        let long = sanitise(&"x".repeat(300));
        assert!(long.chars().count() <= MAX_CHANNEL_NAME);
    }

    #[test]
    fn makes_names_unique() {
        let taken = ["alice", "alice-2"];
        assert_eq!(unique("alice", |n| taken.contains(&n)), "alice-3");
        assert_eq!(unique("bob", |n| taken.contains(&n)), "bob");
        let long = sanitise(&"x".repeat(300));
        let next = unique(&long, |n| n == long);
        assert!(next.chars().count() <= MAX_CHANNEL_NAME);
    }
}
