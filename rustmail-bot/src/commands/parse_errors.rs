//! Names the argument behind a prefix command's vague parse errors. poise reports two of them
//! without saying which argument is meant: an optional argument whose word does not fit is
//! skipped, so the word is left over and reported as "too many arguments" (`!logs abc`), and a
//! missing required argument is "too few arguments". [`blame`] re-reads the command's words
//! against its parameter list (each parameter's kind taken from its slash option, the one
//! definition both forms share) the way poise's parser walks it, to find the argument the word
//! was meant for and the form that argument takes.

use poise::serenity_prelude as serenity;
use serde_json::Value;

use super::args::{first_word, is_switch_word, parse_user_ref};
use crate::error::CommandError;
use crate::state::Data;

/// The form a parameter takes, from its slash option type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A mention or an id.
    User,
    /// A switch word (`force`, `cancel`, …) or a yes/no word.
    Switch,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// A channel mention or id.
    Channel,
    /// A role mention or id.
    Role,
    /// A user or role mention or id.
    Mentionable,
    /// An upload on the message (takes no word).
    Attachment,
    /// A word or text.
    Text,
}

impl Kind {
    /// From the slash option's type.
    fn from_option_type(kind: serenity::CommandOptionType) -> Self {
        use serenity::CommandOptionType as T;
        match kind {
            T::Integer => Self::Integer,
            T::Boolean => Self::Switch,
            T::User => Self::User,
            T::Channel => Self::Channel,
            T::Role => Self::Role,
            T::Mentionable => Self::Mentionable,
            T::Number => Self::Number,
            T::Attachment => Self::Attachment,
            _ => Self::Text,
        }
    }

    /// Whether `word` could be read as this kind (without looking anything up).
    fn fits(self, word: &str) -> bool {
        match self {
            Self::User => parse_user_ref(word).is_some(),
            Self::Switch => is_switch_word(word) || is_yes_no(word),
            Self::Integer => word.parse::<i64>().is_ok(),
            Self::Number => word.parse::<f64>().is_ok_and(f64::is_finite),
            Self::Channel => mention_or_id(word, "<#"),
            Self::Role => mention_or_id(word, "<@&"),
            Self::Mentionable => parse_user_ref(word).is_some() || mention_or_id(word, "<@&"),
            Self::Attachment => false,
            Self::Text => true,
        }
    }
}

/// The words poise's `bool` argument reads.
const YES_NO: [&str; 14] = [
    "yes", "y", "true", "t", "1", "enable", "on", "no", "n", "false", "f", "0", "disable", "off",
];

fn is_yes_no(word: &str) -> bool {
    YES_NO.contains(&word.to_ascii_lowercase().as_str())
}

/// `<#123>`-style mention with this opening, or a bare id.
fn mention_or_id(word: &str, open: &str) -> bool {
    let inner = word
        .strip_prefix(open)
        .and_then(|w| w.strip_suffix('>'))
        .unwrap_or(word);
    rustmail_db::ids::parse_snowflake(inner).is_ok()
}

/// One parameter of a command, as [`blame`] needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub kind: Kind,
    pub required: bool,
}

/// The parameters of a command, in order.
pub fn params_of(command: &poise::Command<Data, CommandError>) -> Vec<Param> {
    command
        .parameters
        .iter()
        .map(|p| Param {
            name: p.name.to_string(),
            kind: p
                .create_as_slash_command_option()
                .and_then(|o| serde_json::to_value(o).ok())
                .and_then(|v| v.get("type").and_then(Value::as_u64))
                .and_then(|n| u8::try_from(n).ok())
                .map_or(Kind::Text, |n| Kind::from_option_type(n.into())),
            required: p.required,
        })
        .collect()
}

/// What went wrong with a prefix command's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blame<'a> {
    /// `word` was meant for the optional `param` but does not have its form.
    Misfit { word: &'a str, param: Param },
    /// Words are left after every argument was read.
    Extra { text: &'a str },
    /// The required `param` has no word.
    Missing { param: Param },
}

/// Walks `args` through `params` as poise does (an optional argument whose word does not fit is
/// skipped; an attachment takes no word; text takes one word, or the rest when last) and says
/// what is wrong, or `None` when the words look right (the failure was elsewhere, e.g. a user
/// id that Discord does not know).
pub fn blame<'a>(params: &[Param], args: &'a str) -> Option<Blame<'a>> {
    let mut rest = args.trim_start();
    // The first optional parameter skipped at the current word: the one the word was meant for.
    let mut skipped: Option<&Param> = None;
    for (i, param) in params.iter().enumerate() {
        if param.kind == Kind::Attachment {
            continue;
        }
        let (word, after) = first_word(rest);
        if word.is_empty() {
            if param.required {
                return Some(Blame::Missing {
                    param: param.clone(),
                });
            }
            continue;
        }
        if param.kind.fits(word) {
            let last = params[i + 1..].iter().all(|p| p.kind == Kind::Attachment);
            rest = if param.kind == Kind::Text && last {
                ""
            } else {
                after.trim_start()
            };
            skipped = None;
        } else if param.required {
            // poise reports this one itself, with the word.
            return None;
        } else if skipped.is_none() {
            skipped = Some(param);
        }
    }
    let rest = rest.trim();
    if rest.is_empty() {
        return None;
    }
    Some(match skipped {
        Some(param) => Blame::Misfit {
            word: first_word(rest).0,
            param: param.clone(),
        },
        None => Blame::Extra { text: rest },
    })
}

/// The text shown for a prefix command's "too many" or "too few arguments" error, naming the
/// argument; `None` to fall back to poise's own error.
pub fn explain(
    command: &poise::Command<Data, CommandError>,
    args: &str,
    usage: Option<&str>,
) -> Option<String> {
    let params = params_of(command);
    let what = match blame(&params, args)? {
        Blame::Misfit { word, param } => {
            crate::strings::workflow::misfit_argument(word, &param.name, &expected(&param))
        }
        Blame::Extra { text } => crate::strings::workflow::extra_text(text),
        Blame::Missing { param } => {
            crate::strings::workflow::missing_argument(&param.name, &expected(&param))
        }
    };
    Some(match usage {
        Some(u) => format!("⚠️ {what}\nUsage: `{u}`"),
        None => format!("⚠️ {what}"),
    })
}

/// The form a parameter takes, in words.
fn expected(param: &Param) -> String {
    use crate::strings::workflow as text;
    match param.kind {
        Kind::User => text::EXPECT_USER.to_owned(),
        Kind::Switch => text::expect_switch(&param.name, is_switch_word(&param.name)),
        Kind::Integer => text::EXPECT_INTEGER.to_owned(),
        Kind::Number => text::EXPECT_NUMBER.to_owned(),
        Kind::Channel => text::EXPECT_CHANNEL.to_owned(),
        Kind::Role => text::EXPECT_ROLE.to_owned(),
        Kind::Mentionable => text::EXPECT_MENTIONABLE.to_owned(),
        Kind::Attachment => text::EXPECT_ATTACHMENT.to_owned(),
        Kind::Text => text::EXPECT_TEXT.to_owned(),
    }
}

/// Whether a prefix command's parse error is one of the two poise leaves unexplained.
pub fn is_vague(error: &(dyn std::error::Error + Send + Sync + 'static)) -> bool {
    error.is::<poise::TooManyArguments>() || error.is::<poise::TooFewArguments>()
}

/// The command's words after its name, for a prefix invocation.
pub fn prefix_args<'a>(ctx: &poise::Context<'a, Data, CommandError>) -> Option<&'a str> {
    match ctx {
        poise::Context::Prefix(p) => Some(p.args),
        poise::Context::Application(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, kind: Kind, required: bool) -> Param {
        Param {
            name: name.to_owned(),
            kind,
            required,
        }
    }

    #[test]
    fn a_word_that_does_not_fit_an_optional_argument_is_blamed_on_it() {
        let logs = [p("user", Kind::User, false)];
        assert_eq!(
            blame(&logs, "abc"),
            Some(Blame::Misfit {
                word: "abc",
                param: logs[0].clone()
            })
        );
        assert_eq!(blame(&logs, "<@123>"), None);
        assert_eq!(blame(&logs, ""), None);
        let alert = [p("cancel", Kind::Switch, false)];
        assert_eq!(
            blame(&alert, " nope  more"),
            Some(Blame::Misfit {
                word: "nope",
                param: alert[0].clone()
            })
        );
    }

    #[test]
    fn words_after_every_argument_are_extra_text() {
        assert_eq!(
            blame(&[], "abc def"),
            Some(Blame::Extra { text: "abc def" })
        );
        let logs = [p("user", Kind::User, false)];
        assert_eq!(
            blame(&logs, "123 more"),
            Some(Blame::Extra { text: "more" })
        );
    }

    #[test]
    fn a_missing_required_argument_is_named() {
        let edit = [
            p("message_id", Kind::Integer, true),
            p("new_content", Kind::Text, true),
        ];
        assert_eq!(
            blame(&edit, ""),
            Some(Blame::Missing {
                param: edit[0].clone()
            })
        );
        assert_eq!(
            blame(&edit, "3"),
            Some(Blame::Missing {
                param: edit[1].clone()
            })
        );
        assert_eq!(blame(&edit, "3 some new text"), None);
        // A word of the wrong form for a required argument: poise names the word itself.
        assert_eq!(blame(&edit, "abc text"), None);
    }

    #[test]
    fn attachments_take_no_word_and_last_text_takes_the_rest() {
        let reply = [
            p("content", Kind::Text, false),
            p("attachment", Kind::Attachment, false),
            p("anonymous", Kind::Switch, false),
        ];
        // Text before other words takes one word, as poise's `String` does.
        assert_eq!(blame(&reply, "hello yes"), None);
        let note = [
            p("content", Kind::Text, true),
            p("file", Kind::Attachment, false),
        ];
        assert_eq!(blame(&note, "a long text"), None);
    }

    #[test]
    fn forms_are_read_like_the_arguments_read_them() {
        assert!(Kind::User.fits("<@!42>"));
        assert!(!Kind::User.fits("<@&42>"));
        assert!(Kind::Role.fits("<@&42>"));
        assert!(Kind::Channel.fits("<#42>"));
        assert!(Kind::Channel.fits("42"));
        assert!(!Kind::Channel.fits("general"));
        assert!(Kind::Switch.fits("FORCE"));
        assert!(Kind::Switch.fits("off"));
        assert!(!Kind::Switch.fits("abc"));
        assert!(Kind::Integer.fits("-3"));
        assert!(!Kind::Integer.fits("1.5"));
        assert!(Kind::Number.fits("1.5"));
        assert!(!Kind::Number.fits("NaN"));
    }

    #[test]
    fn the_commands_parameters_are_read_with_their_kinds() {
        let logs = super::super::info::logs();
        assert_eq!(params_of(&logs), vec![p("user", Kind::User, false)]);
        let edit = super::super::edit::edit();
        assert_eq!(
            params_of(&edit),
            vec![
                p("message_id", Kind::Integer, true),
                p("new_content", Kind::Text, true)
            ]
        );
        let alert = super::super::alert::alert();
        assert_eq!(params_of(&alert), vec![p("cancel", Kind::Switch, false)]);
    }
}
