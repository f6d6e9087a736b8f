//! Time helpers: every stored time is UTC, truncated to microseconds so that SQLite (which would
//! keep nanoseconds) and Postgres (microseconds) store and compare the same values.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

/// Now, in UTC, as stored in the database.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A stored time as a UTC instant.
pub fn to_utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// `now() + d`, saturating rather than panicking on absurd durations.
pub fn after(d: std::time::Duration) -> NaiveDateTime {
    let delta = chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
    now()
        .checked_add_signed(delta)
        .unwrap_or(NaiveDateTime::MAX)
}
