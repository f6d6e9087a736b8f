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
use diesel::sql_types::{is_nullable, BigInt, HasSqlType, Nullable, SingleValue, SqlType};
use diesel::QueryResult;

/// `CASE key WHEN k THEN v ... END` over `BIGINT` keys and nullable values of SQL type `ST`
/// (`BIGINT` unless said otherwise).
#[derive(Debug, Clone)]
pub struct PerRow<K, V = i64, ST = BigInt> {
    key: K,
    arms: Vec<(i64, V)>,
    value_type: std::marker::PhantomData<ST>,
}

/// The value of `key`'s row is the `v` paired with its `k` (rows whose key is not listed get
/// `NULL`: filter the update to the listed keys).
pub fn per_row<K, V, ST>(key: K, arms: Vec<(i64, V)>) -> PerRow<K, V, ST>
where
    K: Expression<SqlType = BigInt>,
{
    PerRow {
        key,
        arms,
        value_type: std::marker::PhantomData,
    }
}

impl<K, V, ST: SqlType<IsNull = is_nullable::NotNull> + SingleValue> Expression
    for PerRow<K, V, ST>
{
    type SqlType = Nullable<ST>;
}

impl<K, V, ST> QueryId for PerRow<K, V, ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<K, V, ST, GroupBy> ValidGrouping<GroupBy> for PerRow<K, V, ST> {
    type IsAggregate = is_aggregate::Never;
}

impl<K, V, ST, QS> AppearsOnTable<QS> for PerRow<K, V, ST>
where
    K: AppearsOnTable<QS>,
    ST: SqlType<IsNull = is_nullable::NotNull> + SingleValue,
    QS: ?Sized,
{
}

impl<K, V, ST, QS> SelectableExpression<QS> for PerRow<K, V, ST>
where
    K: SelectableExpression<QS>,
    ST: SqlType<IsNull = is_nullable::NotNull> + SingleValue,
    QS: ?Sized,
{
}

impl<K, V, ST, DB> QueryFragment<DB> for PerRow<K, V, ST>
where
    DB: Backend,
    K: QueryFragment<DB>,
    i64: ToSql<BigInt, DB>,
    V: ToSql<ST, DB>,
    DB: HasSqlType<ST>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.unsafe_to_cache_prepared();
        out.push_sql("CASE ");
        self.key.walk_ast(out.reborrow())?;
        for (key, value) in &self.arms {
            out.push_sql(" WHEN ");
            out.push_bind_param::<BigInt, _>(key)?;
            out.push_sql(" THEN ");
            out.push_bind_param::<ST, _>(value)?;
        }
        out.push_sql(" END");
        Ok(())
    }
}
