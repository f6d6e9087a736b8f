//! Statements of a fixed shape that diesel would otherwise prepare anew on every execution.
//!
//! diesel never caches an `UPDATE`, nor an `INSERT` with an `Option` field (it writes `DEFAULT`
//! for `None`), because their SQL can vary while their Rust type does not, and its cache is
//! keyed by type. Every execution then parses, analyses and plans the statement again: on
//! Postgres an unnamed `Parse` per statement, on SQLite a `sqlite3_prepare`. Measured in
//! session 5, every write of the relay path (the DM's insert, the ticket's activity, the DM
//! channel's last-seen message, the settled relay) was prepared anew; parsing and planning were
//! about a sixth of the Postgres server's work per relayed DM (`perf`, BENCHMARKS.md).
//!
//! The two forms here are cached by their SQL text (and bind types) instead, which is always
//! sound: the prepared statement is exactly that SQL. Use them only for statements whose SQL
//! takes a few shapes (not an `IN` list of any length), so the cache stays small.
//!
//! - [`update`]: an `UPDATE` written by us, so that walking it never reports "unsafe to cache"
//!   (diesel often asks through a `&T`, which walks the statement rather than asking `T`; the
//!   `MultiConnection` and every `execute` do).
//! - [`Cached`] (`.cached()`): any statement *loaded by value* on the concrete connection (an
//!   `INSERT ... RETURNING` through `on_backend!`), where diesel asks the statement itself.

use diesel::backend::Backend;
use diesel::expression::{AppearsOnTable, Expression};
use diesel::pg::PgConnection;
use diesel::query_builder::{AsChangeset, AstPass, Query, QueryFragment, QueryId};
use diesel::query_source::Table;
use diesel::sql_types::BoolOrNullableBool;
use diesel::sqlite::SqliteConnection;
use diesel::{QueryResult, RunQueryDsl};

/// `UPDATE table SET changes WHERE filter`, cached by its SQL; see the module docs.
#[derive(Debug, Clone)]
pub struct Update<F, C, W> {
    from: F,
    changes: C,
    filter: W,
}

/// `UPDATE table SET changes WHERE filter` (as `diesel::update(table.filter(filter))
/// .set(changes)`), prepared once per connection.
pub fn update<T, V, W>(table: &T, filter: W, changes: V) -> Update<T::FromClause, V::Changeset, W>
where
    T: Table,
    V: AsChangeset<Target = T>,
    W: Expression + AppearsOnTable<T>,
    W::SqlType: BoolOrNullableBool,
{
    Update {
        from: table.from_clause(),
        changes: changes.as_changeset(),
        filter,
    }
}

impl<F, C, W> QueryId for Update<F, C, W> {
    // Keyed by SQL, not by type: a changeset type may write different SQL.
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<F, C, W, DB> QueryFragment<DB> for Update<F, C, W>
where
    DB: Backend,
    F: QueryFragment<DB>,
    C: QueryFragment<DB>,
    W: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE ");
        self.from.walk_ast(out.reborrow())?;
        out.push_sql(" SET ");
        self.changes.walk_ast(out.reborrow())?;
        out.push_sql(" WHERE ");
        self.filter.walk_ast(out.reborrow())
    }
}

impl<F, C, W, Conn> RunQueryDsl<Conn> for Update<F, C, W> {}

impl<F, C, W> Update<F, C, W> {
    /// `... RETURNING column` (one column of the updated row).
    pub fn returning<R>(self, _column: R) -> UpdateReturning<F, C, W, R>
    where
        R: diesel::Column,
    {
        UpdateReturning {
            update: self,
            column: std::marker::PhantomData,
        }
    }
}

/// [`Update`] with `RETURNING column`.
#[derive(Debug, Clone)]
pub struct UpdateReturning<F, C, W, R> {
    update: Update<F, C, W>,
    column: std::marker::PhantomData<R>,
}

impl<F, C, W, R> QueryId for UpdateReturning<F, C, W, R> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<F, C, W, R: diesel::Column> Query for UpdateReturning<F, C, W, R> {
    type SqlType = R::SqlType;
}

impl<F, C, W, R, DB> QueryFragment<DB> for UpdateReturning<F, C, W, R>
where
    DB: Backend,
    F: QueryFragment<DB>,
    C: QueryFragment<DB>,
    W: QueryFragment<DB>,
    R: diesel::Column,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.update.walk_ast(out.reborrow())?;
        // The bare column name: SQLite's RETURNING takes no table-qualified names.
        out.push_sql(" RETURNING ");
        out.push_identifier(R::NAME)
    }
}

impl<F, C, W, R, Conn> RunQueryDsl<Conn> for UpdateReturning<F, C, W, R> {}

/// A statement loaded by value on the concrete connection, prepared once per connection and SQL
/// text; see the module docs.
#[derive(Debug, Clone, Copy)]
pub struct Cached<Q>(Q);

/// Marks a fixed-shape statement as cacheable by its SQL.
pub trait CachedDsl: Sized {
    fn cached(self) -> Cached<Self> {
        Cached(self)
    }
}

impl<Q> CachedDsl for Q {}

impl<Q> QueryId for Cached<Q> {
    // No type key: the same type can write different SQL (see the module docs).
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Cached<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, DB> QueryFragment<DB> for Cached<Q>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &DB) -> QueryResult<bool> {
        Ok(true)
    }
}

// Only the concrete connections: on the `DbConnection` diesel would ask through a reference and
// not cache it.
impl<Q> RunQueryDsl<PgConnection> for Cached<Q> {}
impl<Q> RunQueryDsl<SqliteConnection> for Cached<Q> {}
