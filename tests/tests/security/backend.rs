//! The database a security test runs on. Every test of the suite runs twice, on SQLite and on
//! PostgreSQL (`RUSTMAIL_TEST_POSTGRES_URL`): the refusals and "nothing changed" checks go
//! through the domain and its queries, which differ per backend. Without the URL (and without
//! `CI=true`) the Postgres half prints a note and passes; with `CI=true` it fails, and an
//! unreachable server fails it in any case.

use rustmail_tests::harness::{Builder, Harness};

/// Which backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Starts `builder` on `backend`; `None` when Postgres is asked for and not configured
/// (outside CI).
pub async fn start(builder: Builder, backend: Backend) -> Option<Harness> {
    match backend {
        Backend::Sqlite => Some(builder.start().await),
        Backend::Postgres => {
            let h = builder.postgres().try_start().await;
            if h.is_none() {
                eprintln!(
                    "note: RUSTMAIL_TEST_POSTGRES_URL is not set; the Postgres half of this security test does nothing"
                );
            }
            h
        }
    }
}
