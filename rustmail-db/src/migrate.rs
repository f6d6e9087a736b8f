//! Embedded migrations for both backends (`migrations/sqlite`, `migrations/postgres`; identical
//! version names), run by `rustmail db migrate` and at bot start-up.

use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::sqlite::Sqlite;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::connection::DbConnection;
use crate::error::DbError;

const SQLITE: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// One migration and whether it is applied.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MigrationState {
    pub version: String,
    pub applied: bool,
}

/// Applies every pending migration; returns the versions applied now.
pub fn run_pending(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE).map(|v| versions(&v)),
        DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES).map(|v| versions(&v)),
    };
    applied.map_err(|e| DbError::Migration(e.to_string()))
}

/// Every known migration in order, with whether it is applied.
pub fn status(conn: &mut DbConnection) -> Result<Vec<MigrationState>, DbError> {
    let (all, applied) = match conn {
        DbConnection::Sqlite(c) => (
            names::<Sqlite>(&SQLITE)?,
            c.applied_migrations()
                .map_err(|e| DbError::Migration(e.to_string()))?,
        ),
        DbConnection::Postgresql(c) => (
            names::<Pg>(&POSTGRES)?,
            c.applied_migrations()
                .map_err(|e| DbError::Migration(e.to_string()))?,
        ),
    };
    let applied: Vec<String> = applied.iter().map(ToString::to_string).collect();
    Ok(all
        .into_iter()
        .map(|version| MigrationState {
            applied: applied.contains(&version),
            version,
        })
        .collect())
}

/// The version names of the embedded migrations of one backend.
fn names<DB: diesel::backend::Backend>(source: &EmbeddedMigrations) -> Result<Vec<String>, DbError>
where
    EmbeddedMigrations: MigrationSource<DB>,
{
    let migrations =
        MigrationSource::<DB>::migrations(source).map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(migrations
        .iter()
        .map(|m| m.name().version().to_string())
        .collect())
}

fn versions(applied: &[diesel::migration::MigrationVersion<'_>]) -> Vec<String> {
    applied.iter().map(ToString::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_versions() {
        assert_eq!(
            names::<Sqlite>(&SQLITE).unwrap(),
            names::<Pg>(&POSTGRES).unwrap()
        );
    }
}
