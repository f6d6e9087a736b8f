//! Fuzzes the pure parsing behind the prefix commands (`!close 2h`, `!block @user 1d spam`,
//! `!category create Name | Description | 💳`, `!logs <@id>`, ticket numbers such as `#12`) and
//! the button ids the bot reads back. Nothing may panic, and each parser's promises are checked:
//! words never contain whitespace, accepted ids are valid snowflakes that round-trip through
//! every accepted spelling, durations stay in range, and the split parts are trimmed.

#![no_main]

use std::str::FromStr;

use libfuzzer_sys::fuzz_target;
use rustmail_bot::commands::args::{first_word, is_switch_word, parse_user_ref};
use rustmail_bot::commands::block::duration_and_reason;
use rustmail_bot::commands::category::split_create;
use rustmail_bot::commands::close::{parse_close, CloseMode};
use rustmail_bot::workflow::{logs, prompt};
use rustmail_db::duration::{parse_duration, MAX_DURATION};
use rustmail_db::ids::{parse_snowflake, TicketId};

const SILENT_WORDS: [&str; 3] = ["-s", "--silent", "silent"];
const CANCEL_WORDS: [&str; 3] = ["-c", "--cancel", "cancel"];

/// `first_word` splits exactly one whitespace-free word off the trimmed start.
fn check_first_word(args: &str) -> (&str, &str) {
    let (word, rest) = first_word(args);
    assert!(!word.contains(char::is_whitespace), "{word:?}");
    assert_eq!(format!("{word}{rest}"), args.trim_start());
    assert!(
        rest.is_empty() || rest.starts_with(char::is_whitespace),
        "{rest:?}"
    );
    assert_eq!(word.is_empty(), args.trim().is_empty());
    (word, rest)
}

/// One word as the id-like arguments read it.
fn check_word(word: &str) {
    if let Some(id) = parse_user_ref(word) {
        let raw = id.get();
        assert!(raw != 0 && i64::try_from(raw).is_ok(), "{word:?} → {raw}");
        for spelling in [raw.to_string(), format!("<@{raw}>"), format!("<@!{raw}>")] {
            assert_eq!(parse_user_ref(&spelling), Some(id), "{spelling:?}");
        }
    }
    // A bare snowflake is always a user reference.
    if let Ok(raw) = parse_snowflake(word) {
        assert_eq!(
            parse_user_ref(word).map(|id| id.get()),
            Some(raw),
            "{word:?}"
        );
    }
    assert_eq!(
        is_switch_word(word),
        is_switch_word(&word.to_ascii_uppercase())
    );
    if let Ok(ticket) = TicketId::from_str(word) {
        assert_eq!(TicketId::from_str(&ticket.to_string()), Ok(ticket));
        assert_eq!(TicketId::from_str(&format!("#{ticket}")), Ok(ticket));
    }
}

/// `!close`'s words: flags anywhere, the rest is one duration.
fn check_close(text: &str) {
    let words: Vec<String> = text
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let cancel = words.iter().any(|w| CANCEL_WORDS.contains(&w.as_str()));
    let silent = words.iter().any(|w| SILENT_WORDS.contains(&w.as_str()));
    let others = words
        .iter()
        .any(|w| !CANCEL_WORDS.contains(&w.as_str()) && !SILENT_WORDS.contains(&w.as_str()));
    match parse_close(None, None, Some(text)) {
        Ok(CloseMode::Cancel) => assert!(cancel, "{text:?}"),
        Ok(CloseMode::Now { silent: s }) => {
            assert!(!cancel && !others, "{text:?}");
            assert_eq!(s, silent, "{text:?}");
        }
        Ok(CloseMode::Later { after, silent: s }) => {
            assert!(!cancel && others, "{text:?}");
            assert_eq!(s, silent, "{text:?}");
            assert!(
                !after.is_zero() && after <= MAX_DURATION,
                "{text:?} → {after:?}"
            );
        }
        Err(e) => {
            assert!(!cancel && others, "{text:?}: {e}");
        }
    }
    // The slash options win over the words.
    assert_eq!(
        parse_close(None, Some(true), Some(text)),
        Ok(CloseMode::Cancel)
    );
    if let Ok(CloseMode::Now { silent } | CloseMode::Later { silent, .. }) =
        parse_close(Some(true), None, Some(text))
    {
        assert!(silent, "{text:?}");
    }
}

/// `!block USER [DURATION] [REASON]`: what follows the user, as poise hands it over.
fn check_block(args: &str) {
    let (word, rest) = first_word(args);
    let duration = (!word.is_empty()).then(|| word.to_owned());
    let result = duration_and_reason(duration, Some(rest.to_owned()), true);
    match &result {
        Ok((Some(d), reason)) => {
            assert!(word.starts_with(|c: char| c.is_ascii_digit()), "{args:?}");
            assert_eq!(parse_duration(word).as_ref(), Ok(d));
            assert_eq!(reason, rest.trim());
        }
        Ok((None, reason)) => {
            assert!(!word.starts_with(|c: char| c.is_ascii_digit()), "{args:?}");
            assert_eq!(reason.trim(), reason, "{args:?}");
        }
        Err(message) => {
            assert!(parse_duration(word).is_err(), "{args:?}");
            assert!(!message.is_empty());
        }
    }
}

/// `!category create NAME | DESCRIPTION | EMOJI`.
fn check_split_create(text: &str) {
    let (name, description, emoji) = split_create(text, None, None);
    assert!(!name.contains('|'), "{name:?}");
    assert_eq!(name.trim(), name);
    assert_eq!(description.trim(), description);
    if let Some(emoji) = &emoji {
        assert!(!emoji.trim().is_empty());
    }
    if !text.contains('|') {
        assert_eq!(name, text.trim());
        assert!(description.is_empty() && emoji.is_none());
    }
}

/// Button ids: `rm:cat:<ticket>:<category|default>` and the logs pages `<user>:<page>`.
fn check_buttons(text: &str) {
    if let Some(pick) = prompt::parse(text) {
        let category = pick
            .category
            .map_or("default".to_owned(), |c| c.to_string());
        assert_eq!(
            prompt::parse(&format!("{}:{category}", pick.ticket)),
            Some(pick)
        );
    }
    if let Some((user, page)) = logs::parse_page(text) {
        assert_eq!(
            logs::parse_page(&format!("{user}:{page}")),
            Some((user, page))
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Pop every word the way the argument types do.
    let mut rest = text;
    loop {
        let (word, after) = check_first_word(rest);
        if word.is_empty() {
            break;
        }
        check_word(word);
        rest = after;
    }
    check_close(text);
    check_block(text);
    check_split_create(text);
    check_buttons(text);
});
