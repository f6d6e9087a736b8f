//! A value per row, for one `UPDATE` of many rows (set-wise writes, see
//! [`crate::store::writer`]).
//!
//! `CASE key WHEN $1 THEN $2 WHEN $3 THEN $4 ... END`: every row of the update gets the value
//! bound next to its key. diesel's own `case_when` fixes the number of arms in the Rust type;
//! a batch's size is only known at run time. Keys and values are bind parameters, never SQL.
//! The SQL text changes with the number of arms, so the statement is never cached (a cache entry
//! per batch size would pile up prepared statements on the server).

use diesel::backend::Backend;
use diesel::expression::{
    is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping,
};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Nullable};
use diesel::QueryResult;

/// `CASE key WHEN k THEN v ... END` over `BIGINT` keys and nullable `BIGINT` values.
#[derive(Debug, Clone)]
pub struct PerRow<K> {
    key: K,
    arms: Vec<(i64, i64)>,
}

/// The value of `key`'s row is the `v` paired with its `k` (rows whose key is not listed get
/// `NULL`: filter the update to the listed keys).
pub fn per_row<K>(key: K, arms: Vec<(i64, i64)>) -> PerRow<K>
where
    K: Expression<SqlType = BigInt>,
{
    PerRow { key, arms }
}

impl<K> Expression for PerRow<K> {
    type SqlType = Nullable<BigInt>;
}

impl<K> QueryId for PerRow<K> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<K, GroupBy> ValidGrouping<GroupBy> for PerRow<K> {
    type IsAggregate = is_aggregate::Never;
}

impl<K: AppearsOnTable<QS>, QS: ?Sized> AppearsOnTable<QS> for PerRow<K> {}

impl<K: SelectableExpression<QS>, QS: ?Sized> SelectableExpression<QS> for PerRow<K> {}

impl<K, DB> QueryFragment<DB> for PerRow<K>
where
    DB: Backend,
    K: QueryFragment<DB>,
    i64: ToSql<BigInt, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.unsafe_to_cache_prepared();
        out.push_sql("CASE ");
        self.key.walk_ast(out.reborrow())?;
        for (key, value) in &self.arms {
            out.push_sql(" WHEN ");
            out.push_bind_param::<BigInt, _>(key)?;
            out.push_sql(" THEN ");
            out.push_bind_param::<BigInt, _>(value)?;
        }
        out.push_sql(" END");
        Ok(())
    }
}
