//! The duration grammar shared by `!close 2h`, reminders, blocks and the configuration file.
//!
//! A duration is one or more `<number><unit>` groups with units `w`, `d`, `h`, `m` and `s`
//! (case-insensitive), largest unit first, each unit at most once, optionally separated by
//! whitespace: `30m`, `2h`, `1d`, `1d12h`, `1h 30m`, `90s`. The total must be positive and at
//! most [`MAX_DURATION`] (365 days). [`format_duration`] writes the canonical short form back.

use std::time::Duration;

/// The longest duration the grammar accepts: 365 days.
pub const MAX_DURATION: Duration = Duration::from_secs(365 * SECONDS_PER_DAY);

const SECONDS_PER_DAY: u64 = 86_400;

/// Units in the order they must appear, with their length in seconds.
const UNITS: [(char, u64); 5] = [
    ('w', 7 * SECONDS_PER_DAY),
    ('d', SECONDS_PER_DAY),
    ('h', 3_600),
    ('m', 60),
    ('s', 1),
];

/// Inputs longer than this are shortened when quoted in an error message.
const QUOTE_LIMIT: usize = 40;

/// Why a text is not a duration. Every message quotes the input and shows the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("an empty text is not a duration: use forms like 30m, 2h, 1d or 1d12h")]
    Empty,
    #[error(
        "`{input}` is not a duration: it must not be negative; use forms like 30m, 2h, 1d or 1d12h"
    )]
    Negative { input: String },
    #[error("`{input}` is not a duration: `{number}` has no unit (s, m, h, d or w); use forms like 30m, 2h, 1d or 1d12h")]
    MissingUnit { input: String, number: String },
    #[error("`{input}` is not a duration: fractions are not supported, combine units instead (1h30m, not 1.5h)")]
    Fraction { input: String },
    #[error("`{input}` is not a duration: `{unit}` is not a unit (use s, m, h, d or w); use forms like 30m, 2h, 1d or 1d12h")]
    UnknownUnit { input: String, unit: String },
    #[error(
        "`{input}` is not a duration: unexpected `{found}`; use forms like 30m, 2h, 1d or 1d12h"
    )]
    Unexpected { input: String, found: char },
    #[error("`{input}` is not a duration: the unit `{unit}` appears twice; use forms like 30m, 2h, 1d or 1d12h")]
    RepeatedUnit { input: String, unit: char },
    #[error("`{input}` is not a duration: `{unit}` must come before `{after}` (largest unit first, e.g. 1d12h)")]
    OutOfOrder {
        input: String,
        unit: char,
        after: char,
    },
    #[error("`{input}` is not a duration: it must be longer than zero; use forms like 30m, 2h, 1d or 1d12h")]
    Zero { input: String },
    #[error("`{input}` is not a duration: the number is far too large; durations are limited to 365 days (e.g. 30d or 52w)")]
    Overflow { input: String },
    #[error("`{input}` is too long: durations are limited to 365 days (e.g. 30d or 52w)")]
    TooLong { input: String },
}

/// Parses a duration such as `30m`, `2h`, `1d12h` or `1h 30m`. See the module docs for the
/// grammar.
pub fn parse_duration(s: &str) -> Result<Duration, DurationError> {
    let text = s.trim();
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    let input = quote(text);
    if text.starts_with('-') {
        return Err(DurationError::Negative { input });
    }

    let mut rest = text;
    let mut total: u64 = 0;
    // Index into UNITS of the previous group's unit.
    let mut previous: Option<usize> = None;

    loop {
        rest = rest.trim_start();
        let Some(first) = rest.chars().next() else {
            break;
        };
        if !first.is_ascii_digit() {
            return Err(if first == '-' {
                DurationError::Negative { input }
            } else {
                DurationError::Unexpected {
                    input,
                    found: first,
                }
            });
        }

        let digits_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (number, after_number) = rest.split_at(digits_end);
        let unit_end = after_number
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(after_number.len());
        let (unit, after_unit) = after_number.split_at(unit_end);

        if unit.is_empty() {
            return Err(match after_number.chars().next() {
                Some('.' | ',') => DurationError::Fraction { input },
                _ => DurationError::MissingUnit {
                    input,
                    number: quote(number),
                },
            });
        }

        let mut unit_chars = unit.chars();
        let rank = match (unit_chars.next(), unit_chars.next()) {
            (Some(c), None) => UNITS
                .iter()
                .position(|&(name, _)| name == c.to_ascii_lowercase()),
            _ => None,
        };
        let Some(rank) = rank else {
            return Err(DurationError::UnknownUnit {
                input,
                unit: quote(unit),
            });
        };
        let (unit_name, unit_seconds) = UNITS[rank];
        if let Some(prev) = previous {
            if prev == rank {
                return Err(DurationError::RepeatedUnit {
                    input,
                    unit: unit_name,
                });
            }
            if prev > rank {
                return Err(DurationError::OutOfOrder {
                    input,
                    unit: unit_name,
                    after: UNITS[prev].0,
                });
            }
        }
        previous = Some(rank);

        // Only digits here, so a parse failure can only mean the number is too large.
        let value = number
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(unit_seconds))
            .and_then(|secs| secs.checked_add(total));
        let Some(value) = value else {
            return Err(DurationError::Overflow { input });
        };
        total = value;
        rest = after_unit;
    }

    if total == 0 {
        return Err(DurationError::Zero { input });
    }
    let duration = Duration::from_secs(total);
    if duration > MAX_DURATION {
        return Err(DurationError::TooLong { input });
    }
    Ok(duration)
}

/// The canonical short form: days, hours, minutes and seconds, largest first, zero parts left
/// out (`1d12h`, `30m`, `90s` becomes `1m30s`). Sub-second parts are dropped; a duration under
/// one second formats as `0s`. The output parses back with [`parse_duration`] when it is in range.
pub fn format_duration(d: Duration) -> String {
    let parts = split(d);
    let mut out = String::new();
    for (value, unit) in parts.iter().zip(['d', 'h', 'm', 's']) {
        if *value > 0 {
            out.push_str(&value.to_string());
            out.push(unit);
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

/// A form for people: `1 day 12 hours`, `30 minutes`, `1 minute 30 seconds`.
pub fn format_duration_humane(d: Duration) -> String {
    let parts = split(d);
    let words = [
        ("day", "days"),
        ("hour", "hours"),
        ("minute", "minutes"),
        ("second", "seconds"),
    ];
    let text: Vec<String> = parts
        .iter()
        .zip(words)
        .filter(|(value, _)| **value > 0)
        .map(|(value, (one, many))| format!("{value} {}", if *value == 1 { one } else { many }))
        .collect();
    if text.is_empty() {
        "0 seconds".to_owned()
    } else {
        text.join(" ")
    }
}

/// Days, hours, minutes, seconds.
fn split(d: Duration) -> [u64; 4] {
    let secs = d.as_secs();
    [
        secs / SECONDS_PER_DAY,
        secs % SECONDS_PER_DAY / 3_600,
        secs % 3_600 / 60,
        secs % 60,
    ]
}

/// The input as quoted in errors, shortened if very long.
fn quote(text: &str) -> String {
    if text.chars().count() <= QUOTE_LIMIT {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(QUOTE_LIMIT).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: u64 = 60;
    const HOUR: u64 = 3_600;
    const DAY: u64 = 86_400;

    #[test]
    fn accepts_good_durations() {
        let cases: &[(&str, u64)] = &[
            ("30m", 30 * MIN),
            ("2h", 2 * HOUR),
            ("1d", DAY),
            ("1d12h", DAY + 12 * HOUR),
            ("1h 30m", HOUR + 30 * MIN),
            ("90s", 90),
            ("1s", 1),
            ("1w", 7 * DAY),
            ("2w3d", 17 * DAY),
            ("1w1d1h1m1s", 8 * DAY + HOUR + MIN + 1),
            ("2H", 2 * HOUR),
            ("1D12H", DAY + 12 * HOUR),
            ("  45m  ", 45 * MIN),
            ("1d   6h\t30m", DAY + 6 * HOUR + 30 * MIN),
            ("0h30m", 30 * MIN),
            ("365d", 365 * DAY),
            ("52w1d", 365 * DAY),
            ("8760h", 365 * DAY),
            ("007m", 7 * MIN),
            ("100000s", 100_000),
            ("1h0m", HOUR),
            ("12h30m15s", 12 * HOUR + 30 * MIN + 15),
        ];
        for (input, secs) in cases {
            assert_eq!(
                parse_duration(input),
                Ok(Duration::from_secs(*secs)),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn rejects_bad_durations() {
        use DurationError as E;
        type Check = fn(&DurationError) -> bool;
        let cases: &[(&str, Check)] = &[
            ("", |e| matches!(e, E::Empty)),
            ("   ", |e| matches!(e, E::Empty)),
            ("30", |e| matches!(e, E::MissingUnit { .. })),
            ("1h30", |e| matches!(e, E::MissingUnit { .. })),
            ("1 h", |e| matches!(e, E::MissingUnit { .. })),
            ("2x", |e| matches!(e, E::UnknownUnit { .. })),
            ("2hr", |e| matches!(e, E::UnknownUnit { .. })),
            ("5min", |e| matches!(e, E::UnknownUnit { .. })),
            ("3y", |e| matches!(e, E::UnknownUnit { .. })),
            ("1ms", |e| matches!(e, E::UnknownUnit { .. })),
            ("0s", |e| matches!(e, E::Zero { .. })),
            ("0d0h", |e| matches!(e, E::Zero { .. })),
            ("-1h", |e| matches!(e, E::Negative { .. })),
            ("1h-30m", |e| matches!(e, E::Negative { .. })),
            ("99999999999999999999s", |e| matches!(e, E::Overflow { .. })),
            ("3000000000000000w", |e| matches!(e, E::Overflow { .. })),
            ("1h1h", |e| matches!(e, E::RepeatedUnit { .. })),
            ("1m 2M", |e| matches!(e, E::RepeatedUnit { .. })),
            ("30m1h", |e| matches!(e, E::OutOfOrder { .. })),
            ("1s1d", |e| matches!(e, E::OutOfOrder { .. })),
            ("366d", |e| matches!(e, E::TooLong { .. })),
            ("53w", |e| matches!(e, E::TooLong { .. })),
            ("365d1s", |e| matches!(e, E::TooLong { .. })),
            ("1.5h", |e| matches!(e, E::Fraction { .. })),
            ("1,5h", |e| matches!(e, E::Fraction { .. })),
            ("h", |e| matches!(e, E::Unexpected { found: 'h', .. })),
            ("+1h", |e| matches!(e, E::Unexpected { found: '+', .. })),
            ("1h,30m", |e| matches!(e, E::Unexpected { found: ',', .. })),
            ("1h and", |e| matches!(e, E::Unexpected { .. })),
            ("soon", |e| matches!(e, E::Unexpected { .. })),
        ];
        for (input, check) in cases {
            let result = parse_duration(input);
            match &result {
                Err(e) => assert!(check(e), "input {input:?} gave {e:?}"),
                Ok(d) => panic!("input {input:?} parsed as {d:?}"),
            }
        }
    }

    #[test]
    fn messages_quote_the_input_and_show_an_example() {
        let message = parse_duration("2x").unwrap_err().to_string();
        assert_eq!(
            message,
            "`2x` is not a duration: `x` is not a unit (use s, m, h, d or w); use forms like 30m, 2h, 1d or 1d12h"
        );
        for bad in [
            "30",
            "0m",
            "1h1h",
            "30m1h",
            "-2h",
            "1.5h",
            "400d",
            "?",
            "99999999999999999999d",
        ] {
            let message = parse_duration(bad).unwrap_err().to_string();
            assert!(message.contains(&format!("`{bad}`")), "{message}");
            assert!(!message.contains('\n'), "{message}");
        }
        assert!(parse_duration("").unwrap_err().to_string().contains("30m"));
    }

    #[test]
    fn long_inputs_are_shortened_in_messages() {
        let long = format!("1h{}", "x".repeat(500));
        let message = parse_duration(&long).unwrap_err().to_string();
        assert!(message.len() < 200, "{message}");
        assert!(message.contains('…'));
    }

    #[test]
    fn formats_canonically_and_round_trips() {
        let cases: &[(u64, &str, &str)] = &[
            (30 * MIN, "30m", "30 minutes"),
            (2 * HOUR, "2h", "2 hours"),
            (DAY + 12 * HOUR, "1d12h", "1 day 12 hours"),
            (90, "1m30s", "1 minute 30 seconds"),
            (14 * DAY, "14d", "14 days"),
            (DAY + 1, "1d1s", "1 day 1 second"),
            (0, "0s", "0 seconds"),
        ];
        for (secs, short, humane) in cases {
            let d = Duration::from_secs(*secs);
            assert_eq!(format_duration(d), *short);
            assert_eq!(format_duration_humane(d), *humane);
            if *secs > 0 {
                assert_eq!(parse_duration(short), Ok(d));
            }
        }
        assert_eq!(format_duration(Duration::from_millis(61_500)), "1m1s");
        assert_eq!(format_duration(MAX_DURATION), "365d");
    }
}
