//! A snapshot of everything the bot keeps in its database (SQLite or PostgreSQL): every row of
//! every table as text, except the heartbeat table that changes on its own, so "nothing changed"
//! is one comparison.

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

fn dump_sqlite(conn: &mut SqliteConnection) -> Vec<String> {
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

fn dump_postgres(conn: &mut PgConnection) -> Vec<String> {
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY name",
    )
    .load(conn)
    .expect("list tables");
    let mut out = Vec::new();
    for table in tables
        .iter()
        .filter(|t| !VOLATILE.contains(&t.name.as_str()))
    {
        // One JSON object per row: every column, typed values, stable key order.
        let rows: Vec<Row> = diesel::sql_query(format!(
            "SELECT '{t}: ' || row_to_json(r)::text AS row FROM \"{t}\" r ORDER BY row",
            t = table.name
        ))
        .load(conn)
        .expect("dump a table");
        out.extend(rows.into_iter().map(|r| r.row));
    }
    out
}

/// Every row of the harness's database.
pub fn take(h: &Harness) -> Vec<String> {
    h.query(|c| {
        Ok(match c {
            DbConnection::Sqlite(c) => dump_sqlite(c),
            DbConnection::Postgresql(c) => dump_postgres(c),
        })
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
