//! A snapshot of everything the bot keeps in its (SQLite) database: every row of every table as
//! text, except the heartbeat table that changes on its own, so "nothing changed" is one
//! comparison.

use diesel::prelude::*;
use diesel::sql_types::Text;
use rustmail_db::DbConnection;
use rustmail_tests::harness::Harness;

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    row: String,
}

/// Bookkeeping that changes whatever a command does: the bot's heartbeat, and the claims that
/// let one of several bot processes handle each gateway event.
const VOLATILE: [&str; 2] = ["bot_instances", "event_claims"];

fn dump(conn: &mut SqliteConnection) -> Vec<String> {
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         ORDER BY name",
    )
    .load(conn)
    .expect("list tables");
    let mut out = Vec::new();
    for table in tables
        .iter()
        .filter(|t| !VOLATILE.contains(&t.name.as_str()))
    {
        let columns: Vec<Name> = diesel::sql_query(format!(
            "SELECT name FROM pragma_table_info('{}') ORDER BY cid",
            table.name
        ))
        .load(conn)
        .expect("list columns");
        let values: Vec<String> = columns
            .iter()
            .map(|c| format!("quote(\"{}\")", c.name))
            .collect();
        let rows: Vec<Row> = diesel::sql_query(format!(
            "SELECT '{t}: ' || {v} AS row FROM \"{t}\" ORDER BY row",
            t = table.name,
            v = values.join(" || ',' || ")
        ))
        .load(conn)
        .expect("dump a table");
        out.extend(rows.into_iter().map(|r| r.row));
    }
    out
}

/// Every row of the harness's database (SQLite only).
///
/// # Panics
/// On a Postgres harness.
pub fn take(h: &Harness) -> Vec<String> {
    h.query(|c| match c {
        DbConnection::Sqlite(c) => Ok(dump(c)),
        DbConnection::Postgresql(_) => panic!("snapshots are taken on SQLite"),
    })
}

/// `None` when equal, else the first differences.
pub fn diff(before: &[String], after: &[String]) -> Option<String> {
    if before == after {
        return None;
    }
    let gone: Vec<&String> = before
        .iter()
        .filter(|r| !after.contains(r))
        .take(3)
        .collect();
    let new: Vec<&String> = after
        .iter()
        .filter(|r| !before.contains(r))
        .take(3)
        .collect();
    Some(format!("removed or changed: {gone:?}; new: {new:?}"))
}
