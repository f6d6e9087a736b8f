//! Newtype identifiers.
//!
//! Discord snowflakes are `u64` on the wire and `i64` (BIGINT) in the database; the newtypes keep
//! a user id from being passed where a channel id is expected, and do the conversion in one place.
//! Database-assigned ids (`TicketId`, `MessageRecordId`, ...) are plain `i64` row ids.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a text could not be read as a Discord snowflake.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnowflakeParseError {
    #[error("is empty")]
    Empty,
    #[error("`{0}` is not a Discord id (expected digits, e.g. 123456789012345678)")]
    NotANumber(String),
    #[error("`{0}` is out of range for a Discord id")]
    OutOfRange(String),
}

macro_rules! snowflake {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            /// The id as stored in the database (BIGINT). Snowflakes fit in 63 bits.
            pub fn to_db(self) -> i64 {
                self.0 as i64
            }

            /// The id from its database form.
            pub fn from_db(value: i64) -> Self {
                Self(value as u64)
            }

            /// The raw snowflake.
            pub fn get(self) -> u64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl FromStr for $name {
            type Err = SnowflakeParseError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_snowflake(s).map(Self)
            }
        }

        impl From<u64> for $name {
            fn from(value: u64) -> Self {
                Self(value)
            }
        }
    };
}

/// Parses a snowflake from digits, tolerating surrounding whitespace. Zero is rejected: Discord
/// never assigns it, so it is always a mistake in config or input.
pub fn parse_snowflake(s: &str) -> Result<u64, SnowflakeParseError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(SnowflakeParseError::Empty);
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SnowflakeParseError::NotANumber(s.to_owned()));
    }
    match s.parse::<u64>() {
        Ok(v) if v != 0 && i64::try_from(v).is_ok() => Ok(v),
        _ => Err(SnowflakeParseError::OutOfRange(s.to_owned())),
    }
}

snowflake!(
    /// A Discord user id.
    UserId
);
snowflake!(
    /// A Discord guild (server) id.
    GuildId
);
snowflake!(
    /// A Discord channel id (text channel, category or DM channel).
    ChannelId
);
snowflake!(
    /// A Discord message id.
    MessageId
);
snowflake!(
    /// A Discord role id.
    RoleId
);
snowflake!(
    /// A Discord attachment id.
    AttachmentId
);

macro_rules! row_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().trim_start_matches('#').parse::<i64>().map(Self)
            }
        }
    };
}

row_id!(
    /// A ticket's database id (shown to staff as `#N`).
    TicketId
);
row_id!(
    /// A recorded message's database id.
    MessageRecordId
);
row_id!(
    /// A ticket category's database id.
    CategoryId
);
row_id!(
    /// A scheduled job's database id.
    JobId
);
row_id!(
    /// An operator action's database id.
    ActionId
);
row_id!(
    /// A reminder's database id.
    ReminderId
);
row_id!(
    /// A snippet's database id.
    SnippetId
);
row_id!(
    /// A user note's database id.
    NoteId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_snowflakes_and_rejects_junk() {
        assert_eq!(
            "123456789012345678".parse::<UserId>().unwrap().get(),
            123_456_789_012_345_678
        );
        assert_eq!(" 42 ".parse::<ChannelId>().unwrap().get(), 42);
        assert!(matches!(
            "".parse::<UserId>(),
            Err(SnowflakeParseError::Empty)
        ));
        assert!(matches!(
            "12a".parse::<UserId>(),
            Err(SnowflakeParseError::NotANumber(_))
        ));
        assert!(matches!(
            "-5".parse::<UserId>(),
            Err(SnowflakeParseError::NotANumber(_))
        ));
        assert!(matches!(
            "0".parse::<UserId>(),
            Err(SnowflakeParseError::OutOfRange(_))
        ));
        assert!(matches!(
            "99999999999999999999".parse::<UserId>(),
            Err(SnowflakeParseError::OutOfRange(_))
        ));
    }

    #[test]
    fn db_round_trip() {
        let id = UserId(u64::try_from(i64::MAX).unwrap());
        assert_eq!(UserId::from_db(id.to_db()), id);
    }
}
