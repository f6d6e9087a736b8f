//! A logical dump of a SQLite database: every row of every table (except the bot's heartbeat,
//! which changes on its own) as text, so "nothing changed" is one comparison.

use diesel::prelude::*;
use diesel::sql_types::Text;

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

/// Every row of the database at `url` (`sqlite://PATH`), as `table: v1,v2,...`, sorted.
pub fn sqlite(url: &str) -> Vec<String> {
    let path = url.strip_prefix("sqlite://").unwrap_or(url);
    let mut conn = SqliteConnection::establish(path).expect("open the database to dump it");
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> 'bot_instances' ORDER BY name",
    )
    .load(&mut conn)
    .expect("list tables");
    let mut out = Vec::new();
    for table in tables {
        let columns: Vec<Name> = diesel::sql_query(format!(
            "SELECT name FROM pragma_table_info('{}') ORDER BY cid",
            table.name
        ))
        .load(&mut conn)
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
        .load(&mut conn)
        .expect("dump a table");
        out.extend(rows.into_iter().map(|r| r.row));
    }
    out
}

/// The first row that differs between two dumps, for a failure message.
pub fn first_difference(before: &[String], after: &[String]) -> String {
    let gone = before.iter().find(|r| !after.contains(r));
    let new = after.iter().find(|r| !before.contains(r));
    format!("first removed/changed row: {gone:?}; first new row: {new:?}")
}
