//! Fuzzes `Config::from_toml_str`, the whole loader: TOML parsing, the `[thread]` second step,
//! environment overrides and validation. It must never panic; an invalid configuration lists one
//! problem per line; a loaded configuration validates again; and the bot token never shows in an
//! error (Display or Debug) or in the `Debug` of a loaded configuration.
//!
//! The input is a TOML text in which every `@T` stands for a fixed, realistic-looking token, so
//! the fuzzer can move the token around (table, inline table, dotted key, odd quoting, broken
//! lines). The leak check runs only when the token is a token: in a valid TOML document, every
//! occurrence is (part of) the string value of a `token` key; in a broken one, every occurrence
//! follows `token =` at the start of a line (or `bot.token =`), which is how people write it.
//! A token pasted into, say, `prefix` may rightly be quoted back. Without any `@T`, the token
//! comes from `RUSTMAIL_TOKEN` instead and must not appear anywhere.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rustmail_db::config::{Config, ConfigError, ENV_TOKEN};

const PLACEHOLDER: &str = "@T";
const TOKEN: &str = "MTE5ODc2NTQzMjEwOTg3NjU0.GzFuZz.tokenSecretValue_0123456789";

/// Where TOKEN occurs in a parsed document: (as a `token` key's string value, anywhere else).
fn count_in_value(key: Option<&str>, value: &toml::Value, counts: &mut (usize, usize)) {
    match value {
        toml::Value::String(s) if s.contains(TOKEN) => {
            if key == Some("token") {
                counts.0 += 1;
            } else {
                counts.1 += 1;
            }
        }
        toml::Value::Array(items) => {
            for item in items {
                count_in_value(None, item, counts);
            }
        }
        toml::Value::Table(table) => {
            for (k, v) in table {
                if k.contains(TOKEN) {
                    counts.1 += 1;
                }
                count_in_value(Some(k), v, counts);
            }
        }
        _ => {}
    }
}

/// Whether the text at `at` follows `token =` (or `bot.token =`, key quoted or not) at the start
/// of its line, with at most an opening quote (`"`, `'`, `"""` or `'''`) in between.
fn is_token_line(text: &str, at: usize) -> bool {
    let line = &text[text[..at].rfind('\n').map_or(0, |i| i + 1)..at];
    let before = line.trim_end_matches(['"', '\'']);
    if !matches!(line.len() - before.len(), 0 | 1 | 3) {
        return false;
    }
    let Some(key) = before.trim_end().strip_suffix('=') else {
        return false;
    };
    let key = key.trim();
    let key = key.strip_prefix("bot.").unwrap_or(key);
    matches!(key, "token" | "\"token\"" | "'token'")
}

/// Whether every TOKEN in `text` is the bot token (see the module docs).
fn token_only_as_token(text: &str) -> bool {
    match text.parse::<toml::Table>() {
        Ok(table) => {
            let mut counts = (0, 0);
            count_in_value(None, &toml::Value::Table(table), &mut counts);
            // Only in comments (counts.0 == 0) is not a token either.
            counts.0 > 0 && counts.1 == 0
        }
        Err(_) => text
            .match_indices(TOKEN)
            .all(|(at, _)| is_token_line(text, at)),
    }
}

fn check_error(error: &ConfigError) {
    let display = error.to_string();
    match error {
        ConfigError::Invalid(problems) => {
            assert!(!problems.is_empty());
            // A header line, then exactly one line per problem.
            for problem in problems {
                let line = problem.to_string();
                assert!(
                    !line.contains(['\n', '\r']),
                    "problem spans lines: {line:?}"
                );
                assert!(!problem.key.is_empty() && !problem.message.is_empty());
            }
            assert_eq!(display.lines().count(), problems.len() + 1, "{display:?}");
        }
        ConfigError::Parse { message } => assert!(!message.is_empty()),
        ConfigError::Read { .. } => panic!("nothing is read from disk here"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(template) = std::str::from_utf8(data) else {
        return;
    };
    // A text that already holds the token without the placeholder is not a leak test.
    if template.contains(TOKEN) {
        return;
    }
    let text = template.replace(PLACEHOLDER, TOKEN);
    let from_env = !template.contains(PLACEHOLDER);
    let watched = from_env || token_only_as_token(&text);
    let env = |name: &str| (from_env && name == ENV_TOKEN).then(|| format!(" {TOKEN} "));

    match Config::from_toml_str(&text, &env) {
        Ok(config) => {
            assert!(config.problems().is_empty(), "{:?}", config.problems());
            if watched {
                assert!(!format!("{config:?}").contains(TOKEN), "token in Debug");
                assert!(config.bot.token.expose().contains(TOKEN), "token lost");
            }
            if from_env {
                // Overrides are trimmed.
                assert_eq!(config.bot.token.expose(), TOKEN);
            }
        }
        Err(error) => {
            check_error(&error);
            if watched {
                let display = error.to_string();
                assert!(!display.contains(TOKEN), "token in the error: {display}");
                assert!(
                    !format!("{error:?}").contains(TOKEN),
                    "token in the error's Debug"
                );
            }
        }
    }
});
