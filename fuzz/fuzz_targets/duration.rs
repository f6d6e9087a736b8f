//! Fuzzes `rustmail_db::duration`: `parse_duration` must never panic, must agree with a small
//! independent reference implementation of the grammar (same accept/reject, same value), and
//! every accepted duration must survive `format_duration` → `parse_duration` unchanged.

#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use rustmail_db::duration::{
    format_duration, format_duration_humane, parse_duration, MAX_DURATION,
};

/// Units, largest first, as the grammar orders them.
const UNITS: [(char, u128); 5] = [
    ('w', 604_800),
    ('d', 86_400),
    ('h', 3_600),
    ('m', 60),
    ('s', 1),
];

/// The grammar written a second way: groups of ASCII digits followed by exactly one unit letter
/// (any case), separated by optional whitespace, units strictly decreasing. Arithmetic saturates
/// in u128 so no input can overflow it; the value is checked against the 365-day limit.
fn reference(input: &str) -> Option<u64> {
    let chars: Vec<char> = input.trim().chars().collect();
    let mut i = 0;
    let mut total: u128 = 0;
    let mut last_rank: Option<usize> = None;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let mut number: u128 = 0;
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            let digit = u128::from(chars[i].to_digit(10)?);
            number = number.saturating_mul(10).saturating_add(digit);
            i += 1;
        }
        if i == start {
            return None;
        }
        // The unit is the run of letters after the number; only a single letter can be one.
        let unit_start = i;
        while i < chars.len() && chars[i].is_alphabetic() {
            i += 1;
        }
        if i - unit_start != 1 {
            return None;
        }
        let letter = chars[unit_start].to_ascii_lowercase();
        let rank = UNITS.iter().position(|&(u, _)| u == letter)?;
        if last_rank.is_some_and(|last| last >= rank) {
            return None;
        }
        last_rank = Some(rank);
        total = total.saturating_add(number.saturating_mul(UNITS[rank].1));
    }
    let max = u128::from(MAX_DURATION.as_secs());
    (total > 0 && total <= max).then(|| u64::try_from(total).expect("at most 365 days"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = parse_duration(input);
    assert_eq!(
        parsed.as_ref().ok().map(Duration::as_secs),
        reference(input),
        "parse_duration and the reference disagree on {input:?}: {parsed:?}"
    );
    match parsed {
        Ok(d) => {
            assert!(d > Duration::ZERO && d <= MAX_DURATION, "{input:?} → {d:?}");
            assert_eq!(d.subsec_nanos(), 0, "{input:?} → {d:?}");
            // The canonical form parses back to the same value and is a fixed point.
            let short = format_duration(d);
            assert_eq!(parse_duration(&short), Ok(d), "{input:?} → {short:?}");
            assert_eq!(format_duration(parse_duration(&short).unwrap()), short);
            assert!(!format_duration_humane(d).is_empty());
            // Letter case and surrounding whitespace do not matter.
            assert_eq!(
                parse_duration(&input.to_ascii_uppercase()),
                Ok(d),
                "{input:?}"
            );
            assert_eq!(
                parse_duration(&format!(" \t{input}\n ")),
                Ok(d),
                "{input:?}"
            );
        }
        Err(e) => {
            let message = e.to_string();
            assert!(!message.is_empty());
            // Inputs are quoted shortened: a huge input never makes a huge message.
            assert!(
                message.chars().count() < 300,
                "{} chars: {message}",
                message.len()
            );
            // A message is one line unless the input itself had a line break inside it.
            if !input.trim().contains(['\n', '\r']) {
                assert!(!message.contains(['\n', '\r']), "{message:?}");
            }
        }
    }
});
