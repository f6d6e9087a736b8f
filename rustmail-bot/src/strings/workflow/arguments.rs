//! Argument errors of prefix commands that name the argument and the form it takes
//! (`crate::commands::parse_errors`).

pub const EXPECT_USER: &str = "a mention (@someone) or a Discord id (123456789012345678)";
pub const EXPECT_INTEGER: &str = "a whole number";
pub const EXPECT_NUMBER: &str = "a number";
pub const EXPECT_CHANNEL: &str = "a channel mention (#channel) or a channel id";
pub const EXPECT_ROLE: &str = "a role mention (@role) or a role id";
pub const EXPECT_MENTIONABLE: &str = "a mention (@someone, @role) or an id";
pub const EXPECT_ATTACHMENT: &str = "an upload on the message";
pub const EXPECT_TEXT: &str = "some text";

/// The form of an on/off argument: its own name when that is the word that turns it on
/// (`!alert cancel`, `!take force`), else a yes/no word.
pub fn expect_switch(name: &str, name_is_the_word: bool) -> String {
    if name_is_the_word {
        format!("the word `{name}`, or nothing")
    } else {
        "`yes` or `no`, or nothing".to_owned()
    }
}

/// A word that does not have the form of the (optional) argument it was meant for.
pub fn misfit_argument(word: &str, name: &str, expected: &str) -> String {
    format!(
        "`{}` is not a valid `{name}`: it takes {expected}.",
        shown(word)
    )
}

/// Words after every argument was read.
pub fn extra_text(text: &str) -> String {
    format!("`{}` is unexpected extra text.", shown(text))
}

/// A required argument with no word.
pub fn missing_argument(name: &str, expected: &str) -> String {
    format!("The `{name}` argument is missing: it takes {expected}.")
}

/// At most 100 characters of what the invoker wrote, with no backtick to break the code span.
fn shown(text: &str) -> String {
    text.chars().filter(|c| *c != '`').take(100).collect()
}
