//! Small typed values read from configuration strings: embed colours, the transcript format and
//! who to ping on a new ticket.

use std::fmt;
use std::str::FromStr;

use crate::ids::{parse_snowflake, RoleId};

/// An RGB embed colour, written `#RRGGBB` in the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Colour(pub u32);

impl Colour {
    /// Discord blurple, the default colour of user messages.
    pub const BLURPLE: Self = Self(0x58_65F2);
    /// Discord green, the default colour of staff replies.
    pub const GREEN: Self = Self(0x57_F287);

    /// The colour as `0xRRGGBB`.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:06X}", self.0)
    }
}

impl FromStr for Colour {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let digits = s.strip_prefix('#').unwrap_or("");
        if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            u32::from_str_radix(digits, 16)
                .map(Self)
                .map_err(|e| e.to_string())
        } else {
            Err(format!(
                "`{s}` is not a colour: use #RRGGBB hex, e.g. #5865F2"
            ))
        }
    }
}

/// How ticket transcripts are rendered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum TranscriptFormat {
    #[default]
    Markdown,
    Html,
}

impl TranscriptFormat {
    /// The config spelling: `markdown` or `html`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Markdown => "markdown",
            Self::Html => "html",
        }
    }
}

impl fmt::Display for TranscriptFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TranscriptFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "markdown" | "md" => Ok(Self::Markdown),
            "html" => Ok(Self::Html),
            _ => Err(format!(
                "`{s}` is not a transcript format: use \"markdown\" or \"html\""
            )),
        }
    }
}

/// Who is pinged in a new ticket channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum NewTicketMention {
    /// Nobody.
    #[default]
    None,
    /// `@here`.
    Here,
    /// One role.
    Role(RoleId),
}

impl fmt::Display for NewTicketMention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("none"),
            Self::Here => f.write_str("here"),
            Self::Role(role) => write!(f, "{role}"),
        }
    }
}

impl FromStr for NewTicketMention {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        match trimmed.to_ascii_lowercase().as_str() {
            "none" => Ok(Self::None),
            "here" => Ok(Self::Here),
            _ => parse_snowflake(trimmed)
                .map(|id| Self::Role(RoleId(id)))
                .map_err(|_| {
                    format!(
                        "`{s}` is not \"here\", \"none\" or a role id like \"222222222222222222\""
                    )
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours() {
        assert_eq!("#5865F2".parse::<Colour>(), Ok(Colour::BLURPLE));
        assert_eq!("#57f287".parse::<Colour>(), Ok(Colour::GREEN));
        assert_eq!(Colour(0xAB).to_string(), "#0000AB");
        for bad in [
            "", "5865F2", "#5865F", "#5865F2F", "#GGGGGG", "red", "#+12345",
        ] {
            assert!(bad.parse::<Colour>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn transcript_formats_and_mentions() {
        assert_eq!("HTML".parse(), Ok(TranscriptFormat::Html));
        assert_eq!("markdown".parse(), Ok(TranscriptFormat::Markdown));
        assert!("pdf".parse::<TranscriptFormat>().is_err());
        assert_eq!("here".parse(), Ok(NewTicketMention::Here));
        assert_eq!("None".parse(), Ok(NewTicketMention::None));
        assert_eq!(
            "222222222222222222".parse(),
            Ok(NewTicketMention::Role(RoleId(222_222_222_222_222_222)))
        );
        assert!("everyone".parse::<NewTicketMention>().is_err());
        assert!("0".parse::<NewTicketMention>().is_err());
    }
}
