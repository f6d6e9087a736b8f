//! Bot instances and their heartbeat, so the CLI and TUI can tell whether a bot is online (and
//! will execute queued operator actions) without talking to it; and the claims that let several
//! instances on one database (same token, or shards) handle each gateway event once.
//!
//! Every process connected with the same token receives the same events. Jobs and operator
//! actions are rows with leases (see [`crate::jobs`], [`crate::actions`]); an event is claimed
//! by key here: [`claim_once`] for things to do at most once (a command message, a button
//! click), [`claim_lease`] for work that must not run twice at the same time but must be
//! retried if its holder dies (creating a ticket's channel).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::connection::{write_tx, DbConnection};
use crate::error::DomainResult;
use crate::schema::{bot_instances, event_claims};
use crate::time::now;

/// How often a running bot writes its heartbeat.
pub const HEARTBEAT_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);
/// A bot whose last heartbeat is older than this is considered offline.
pub const ONLINE_WINDOW: std::time::Duration = std::time::Duration::from_secs(20);

/// A bot process, as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Queryable, Selectable)]
#[diesel(table_name = bot_instances)]
pub struct Instance {
    pub id: String,
    pub hostname: String,
    pub pid: i32,
    pub version: String,
    pub started_at: NaiveDateTime,
    pub last_heartbeat_at: NaiveDateTime,
    pub stopped_at: Option<NaiveDateTime>,
}

/// Registers a starting bot process (its id should be unique per process).
pub fn register(
    conn: &mut DbConnection,
    id: &str,
    hostname: &str,
    pid: i32,
    version: &str,
) -> DomainResult<()> {
    write_tx(conn, |conn| {
        let at = now();
        diesel::delete(bot_instances::table.filter(bot_instances::id.eq(id))).execute(conn)?;
        diesel::insert_into(bot_instances::table)
            .values((
                bot_instances::id.eq(id),
                bot_instances::hostname.eq(hostname),
                bot_instances::pid.eq(pid),
                bot_instances::version.eq(version),
                bot_instances::started_at.eq(at),
                bot_instances::last_heartbeat_at.eq(at),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Records that the bot is alive.
pub fn heartbeat(conn: &mut DbConnection, id: &str) -> DomainResult<()> {
    diesel::update(bot_instances::table.filter(bot_instances::id.eq(id)))
        .set(bot_instances::last_heartbeat_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

/// Records a clean shutdown.
pub fn stopped(conn: &mut DbConnection, id: &str) -> DomainResult<()> {
    diesel::update(bot_instances::table.filter(bot_instances::id.eq(id)))
        .set(bot_instances::stopped_at.eq(Some(now())))
        .execute(conn)?;
    Ok(())
}

/// Instances with a recent heartbeat and no clean stop.
pub fn online(conn: &mut DbConnection) -> DomainResult<Vec<Instance>> {
    let since = now() - chrono::Duration::from_std(ONLINE_WINDOW).unwrap_or(chrono::Duration::MAX);
    Ok(bot_instances::table
        .filter(bot_instances::stopped_at.is_null())
        .filter(bot_instances::last_heartbeat_at.ge(since))
        .order(bot_instances::started_at.asc())
        .select(Instance::as_select())
        .load(conn)?)
}

/// How long a [`claim_once`] claim is kept (a gateway event is not replayed after this).
pub const CLAIM_RETENTION: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

fn insert_claim(
    conn: &mut DbConnection,
    key: &str,
    worker: &str,
    keep: std::time::Duration,
) -> DomainResult<bool> {
    // `ON CONFLICT DO NOTHING` on the connection inside (the `MultiConnection` has no upserts):
    // a taken key inserts nothing instead of failing, so no savepoint is needed inside the
    // bot's batched writes (on Postgres a unique violation aborts the enclosing transaction
    // unless rolled back to one; each savepoint is two more round trips).
    let row = (
        event_claims::key.eq(key),
        event_claims::claimed_by.eq(worker),
        event_claims::claimed_at.eq(now()),
        event_claims::expires_at.eq(crate::time::after(keep)),
    );
    let inserted = crate::on_backend!(conn, |c| diesel::insert_into(event_claims::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(inserted == 1)
}

/// A claim by key for a bot process: of the event that caused a write (a command's
/// invocation), or a lease to give up (the turn to create a ticket's channel).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventClaim {
    pub key: String,
    pub worker: String,
}

/// Claims `key` for `worker`, once: `true` for the first caller, `false` for everyone after
/// (including `worker` itself), until the claim is pruned after [`CLAIM_RETENTION`].
pub fn claim_once(conn: &mut DbConnection, key: &str, worker: &str) -> DomainResult<bool> {
    insert_claim(conn, key, worker, CLAIM_RETENTION)
}

/// Claims `key` for `worker` once, or finds it `worker`'s already: `true` when `worker` holds it
/// (for an error path that does not know whether its write claimed the key before it failed).
pub fn claim_or_own(conn: &mut DbConnection, key: &str, worker: &str) -> DomainResult<bool> {
    if insert_claim(conn, key, worker, CLAIM_RETENTION)? {
        return Ok(true);
    }
    Ok(claim_holder(conn, key)?.is_some_and(|(holder, _)| holder == worker))
}

/// [`claim_once`] for many keys at once, inside the caller's transaction (the writer's set-wise
/// batch): whether each was won, in order. On Postgres one statement (`INSERT ... ON CONFLICT DO
/// NOTHING RETURNING key`: the keys inserted are the ones won); diesel runs SQLite's multi-row
/// inserts row by row anyway, so there each key is claimed alone. A key listed twice is won at
/// most once, by its first listing.
pub fn claim_many_once(
    conn: &mut DbConnection,
    keys: &[&str],
    worker: &str,
) -> DomainResult<Vec<bool>> {
    let mut first = std::collections::HashSet::new();
    let distinct: Vec<&str> = keys.iter().copied().filter(|k| first.insert(*k)).collect();
    let won: std::collections::HashSet<String> = match conn {
        DbConnection::Postgresql(pg) => {
            let (at, expires) = (now(), crate::time::after(CLAIM_RETENTION));
            let rows: Vec<_> = distinct
                .iter()
                .map(|key| {
                    (
                        event_claims::key.eq(*key),
                        event_claims::claimed_by.eq(worker),
                        event_claims::claimed_at.eq(at),
                        event_claims::expires_at.eq(expires),
                    )
                })
                .collect();
            diesel::insert_into(event_claims::table)
                .values(&rows)
                .on_conflict_do_nothing()
                .returning(event_claims::key)
                .get_results::<String>(pg)?
                .into_iter()
                .collect()
        }
        DbConnection::Sqlite(_) => {
            let mut won = std::collections::HashSet::new();
            for key in distinct {
                if insert_claim(conn, key, worker, CLAIM_RETENTION)? {
                    won.insert(key.to_owned());
                }
            }
            won
        }
    };
    let mut taken = std::collections::HashSet::new();
    Ok(keys
        .iter()
        .map(|key| won.contains(*key) && taken.insert(*key))
        .collect())
}

/// Claims `key` for `worker` until `now + lease`: `true` when it was free, expired, or already
/// `worker`'s (renewed). A conditional update, so two workers cannot both take an expired lease.
pub fn claim_lease(
    conn: &mut DbConnection,
    key: &str,
    worker: &str,
    lease: std::time::Duration,
) -> DomainResult<bool> {
    if insert_claim(conn, key, worker, lease)? {
        return Ok(true);
    }
    let at = now();
    let taken = crate::connection::cached::update(
        &event_claims::table,
        event_claims::key.eq(key).and(
            event_claims::expires_at
                .lt(at)
                .or(event_claims::claimed_by.eq(worker)),
        ),
        (
            event_claims::claimed_by.eq(worker),
            event_claims::claimed_at.eq(at),
            event_claims::expires_at.eq(crate::time::after(lease)),
        ),
    )
    .execute(conn)?;
    Ok(taken == 1)
}

/// Gives up `worker`'s claim on `key` (a lease whose work is done or failed), so another worker
/// need not wait for it to expire.
pub fn release_claim(conn: &mut DbConnection, key: &str, worker: &str) -> DomainResult<()> {
    diesel::delete(
        event_claims::table
            .filter(event_claims::key.eq(key))
            .filter(event_claims::claimed_by.eq(worker)),
    )
    .execute(conn)?;
    Ok(())
}

/// The holder written on a command's claim once the command has run to its end (answered, if
/// only with an error): recovery never replays such a command.
pub const FINISHED: &str = "finished";

/// Marks `key` as finished (claiming it first if nobody did, e.g. a check refused the command
/// before its claim).
pub fn finish_claim(conn: &mut DbConnection, key: &str) -> DomainResult<()> {
    if insert_claim(conn, key, FINISHED, CLAIM_RETENTION)? {
        return Ok(());
    }
    crate::connection::cached::update(
        &event_claims::table,
        event_claims::key.eq(key),
        event_claims::claimed_by.eq(FINISHED),
    )
    .execute(conn)?;
    Ok(())
}

/// The instance registered as `id`, if any.
pub fn find(conn: &mut DbConnection, id: &str) -> DomainResult<Option<Instance>> {
    Ok(bot_instances::table
        .filter(bot_instances::id.eq(id))
        .select(Instance::as_select())
        .first(conn)
        .optional()?)
}

/// The `limit` instances heard from most recently, newest first (recovery picks the previous
/// process among them).
pub fn most_recent(conn: &mut DbConnection, limit: i64) -> DomainResult<Vec<Instance>> {
    Ok(bot_instances::table
        .order(bot_instances::last_heartbeat_at.desc())
        .limit(limit)
        .select(Instance::as_select())
        .load(conn)?)
}

/// Who holds `key` and until when, if anyone (tests, diagnostics).
pub fn claim_holder(
    conn: &mut DbConnection,
    key: &str,
) -> DomainResult<Option<(String, NaiveDateTime)>> {
    Ok(event_claims::table
        .filter(event_claims::key.eq(key))
        .select((event_claims::claimed_by, event_claims::expires_at))
        .first(conn)
        .optional()?)
}

/// Deletes expired claims; returns how many.
pub fn prune_claims(conn: &mut DbConnection) -> DomainResult<usize> {
    Ok(
        diesel::delete(event_claims::table.filter(event_claims::expires_at.lt(now())))
            .execute(conn)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestDatabase;

    fn claims_on(t: &TestDatabase) {
        t.db.with_conn(|c| {
            assert!(claim_once(c, "cmd:1", "a")?);
            assert!(!claim_once(c, "cmd:1", "b")?);
            assert!(!claim_once(c, "cmd:1", "a")?);
            assert_eq!(claim_holder(c, "cmd:1")?.map(|h| h.0), Some("a".to_owned()));

            let long = std::time::Duration::from_secs(60);
            assert!(claim_lease(c, "open:1", "a", long)?);
            assert!(!claim_lease(c, "open:1", "b", long)?);
            assert!(claim_lease(c, "open:1", "a", long)?, "the holder renews");
            release_claim(c, "open:1", "b")?;
            assert!(
                !claim_lease(c, "open:1", "b", long)?,
                "only the holder releases"
            );
            release_claim(c, "open:1", "a")?;
            assert!(claim_lease(c, "open:1", "b", std::time::Duration::ZERO)?);
            // Expired at once: anyone may take it, and pruning removes it.
            std::thread::sleep(std::time::Duration::from_millis(5));
            assert!(claim_lease(c, "open:1", "a", std::time::Duration::ZERO)?);
            std::thread::sleep(std::time::Duration::from_millis(5));
            assert_eq!(prune_claims(c)?, 1);
            assert_eq!(claim_holder(c, "open:1")?, None);
            assert!(claim_holder(c, "cmd:1")?.is_some(), "live claims stay");
            Ok::<(), crate::DomainError>(())
        })
        .expect("claims");
    }

    fn finished_claims_and_previous_lives_on(t: &TestDatabase) {
        t.db.with_conn(|c| {
            // A command claimed by a process that then answered it.
            assert!(claim_once(c, "cmd:7", "a")?);
            finish_claim(c, "cmd:7")?;
            assert_eq!(
                claim_holder(c, "cmd:7")?.map(|h| h.0),
                Some(FINISHED.to_owned())
            );
            // A command refused before anyone claimed it.
            finish_claim(c, "cmd:8")?;
            assert_eq!(
                claim_holder(c, "cmd:8")?.map(|h| h.0),
                Some(FINISHED.to_owned())
            );
            assert!(
                !claim_once(c, "cmd:8", "b")?,
                "a finished command is not run again"
            );

            assert!(most_recent(c, 5)?.is_empty());
            register(c, "before", "host", 1, "0")?;
            std::thread::sleep(std::time::Duration::from_millis(5));
            register(c, "now", "host", 2, "0")?;
            let before = find(c, "before")?.expect("registered");
            assert_eq!(before.pid, 1);
            assert_eq!(find(c, "nobody")?, None);
            let ids: Vec<String> = most_recent(c, 5)?.into_iter().map(|i| i.id).collect();
            assert_eq!(ids, ["now", "before"]);
            assert_eq!(most_recent(c, 1)?.len(), 1);
            Ok::<(), crate::DomainError>(())
        })
        .expect("finished claims");
    }

    #[test]
    fn finished_claims_and_previous_lives_sqlite() {
        finished_claims_and_previous_lives_on(&TestDatabase::sqlite());
    }

    #[test]
    fn finished_claims_and_previous_lives_postgres() {
        if let Some(url) = TestDatabase::postgres_url() {
            finished_claims_and_previous_lives_on(&TestDatabase::postgres(&url));
        }
    }

    #[test]
    fn claims_sqlite() {
        claims_on(&TestDatabase::sqlite());
    }

    #[test]
    fn claims_postgres() {
        if let Some(url) = TestDatabase::postgres_url() {
            claims_on(&TestDatabase::postgres(&url));
        }
    }
}
