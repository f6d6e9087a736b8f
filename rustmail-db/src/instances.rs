//! Bot instances and their heartbeat, so the CLI and TUI can tell whether a bot is online (and
//! will execute queued operator actions) without talking to it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::connection::{write_tx, DbConnection};
use crate::error::DomainResult;
use crate::schema::bot_instances;
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
