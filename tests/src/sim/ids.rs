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

    /// The next snowflake whose timestamp puts it on `shard` of `count` (Discord routes a guild
    /// to shard `(id >> 22) % count`): up to `count - 1` ms ahead of the clock.
    pub fn next_on_shard(&self, shard: u32, count: u32) -> u64 {
        let count = u64::from(count.max(1));
        let shard = u64::from(shard) % count;
        loop {
            let base = self.next();
            let ms = base >> 22;
            let skip = (shard + count - ms % count) % count;
            if skip == 0 {
                return base;
            }
            let candidate = (ms + skip) << 22;
            // Only ours if no other id was handed out meanwhile (keeps ids unique and monotonic).
            if self
                .last
                .compare_exchange(base, candidate, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                return candidate;
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

    #[test]
    fn placed_on_a_shard() {
        let gen = IdGen::new();
        for shard in [1, 0, 3, 2] {
            let before = gen.next();
            let id = gen.next_on_shard(shard, 4);
            assert_eq!((id >> 22) % 4, u64::from(shard));
            assert!(id > before && gen.next() > id);
        }
    }
}
