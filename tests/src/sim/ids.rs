//! Snowflake ids with real timestamps, as Discord generates them.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, TimeZone, Utc};

/// Discord's epoch (2015-01-01T00:00:00Z) in Unix milliseconds.
pub const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// Generates strictly increasing snowflakes: `(ms - epoch) << 22 | counter`.
#[derive(Debug, Default)]
pub struct IdGen {
    last: AtomicU64,
}

impl IdGen {
    /// Creates a generator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns the next snowflake. Ids are unique and monotonic even when many are generated in
    /// the same millisecond (the low 22 bits count up, spilling into the timestamp if needed).
    pub fn next(&self) -> u64 {
        let base = (now_ms().saturating_sub(DISCORD_EPOCH_MS)) << 22;
        let mut prev = self.last.load(Ordering::Relaxed);
        loop {
            let candidate = base.max(prev + 1);
            match self.last.compare_exchange_weak(
                prev,
                candidate,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return candidate,
                Err(actual) => prev = actual,
            }
        }
    }
}

/// Current Unix time in milliseconds.
pub fn now_ms() -> u64 {
    u64::try_from(Utc::now().timestamp_millis()).unwrap_or(0)
}

/// The creation time encoded in a snowflake.
pub fn snowflake_time(id: u64) -> DateTime<Utc> {
    let ms = (id >> 22) + DISCORD_EPOCH_MS;
    Utc.timestamp_millis_opt(i64::try_from(ms).unwrap_or(i64::MAX))
        .single()
        .unwrap_or_else(Utc::now)
}

/// The smallest snowflake that could have been created at `time` (for `before`/`after` queries).
pub fn snowflake_at(time: DateTime<Utc>) -> u64 {
    let ms = u64::try_from(time.timestamp_millis()).unwrap_or(0);
    ms.saturating_sub(DISCORD_EPOCH_MS) << 22
}

/// ISO-8601 timestamp as Discord formats it (`2024-01-01T00:00:00.000000+00:00`).
pub fn iso(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotonic_and_timestamped() {
        let gen = IdGen::new();
        let a = gen.next();
        let b = gen.next();
        assert!(b > a);
        let age = Utc::now() - snowflake_time(b);
        assert!(age.num_seconds().abs() < 5);
    }
}
