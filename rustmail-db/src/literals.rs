//! Fixed predicates on the columns that partial indexes are defined over, written as SQL
//! literals instead of bound parameters.
//!
//! Why: SQLite checks whether a query may use a partial index (`... WHERE status = 'open'`) by
//! comparing the query's `status = ?` with the index predicate, and to do so it reads the bound
//! value and marks the prepared statement to be re-prepared whenever that parameter is bound
//! again. Every execution of a cached statement then parses and plans the SQL anew: measured as
//! ~13% of the bot's CPU on the relay path. A literal `status = 'open'` is proven to match the
//! index once, at prepare time. The texts are constants (no input), and the spelling comes from
//! the same enums as the CHECK constraints.
//!
//! Each predicate is a type of its own rather than diesel's `sql()` literal, because diesel never
//! caches a statement that contains `sql()`: every execution was prepared anew (on Postgres,
//! parsed and planned again by the server).

/// Declares a fixed predicate: its own type (so diesel's statement cache, keyed by query type,
/// never confuses two of them) that writes `$sql` and binds nothing.
macro_rules! predicate {
    ($(#[$doc:meta])* $name:ident => $sql:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, diesel::query_builder::QueryId)]
        pub(crate) struct $name;

        impl diesel::expression::Expression for $name {
            type SqlType = diesel::sql_types::Bool;
        }

        impl<DB: diesel::backend::Backend> diesel::query_builder::QueryFragment<DB> for $name {
            fn walk_ast<'b>(
                &'b self,
                mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
            ) -> diesel::QueryResult<()> {
                out.push_sql($sql);
                Ok(())
            }
        }

        impl<QS> diesel::expression::AppearsOnTable<QS> for $name {}
        impl<QS> diesel::expression::SelectableExpression<QS> for $name {}

        impl<G> diesel::expression::ValidGrouping<G> for $name {
            type IsAggregate = diesel::expression::is_aggregate::Never;
        }
    };
}

predicate! {
    /// `tickets.status = 'open'` (the `tickets_one_open_per_user` partial index).
    TicketIsOpen => "tickets.status = 'open'"
}

predicate! {
    /// `messages.relay_state = 'pending'` (the `messages_relay_open` partial index).
    RelayIsPending => "messages.relay_state = 'pending'"
}

/// `tickets.status = 'open'`.
pub(crate) fn ticket_is_open() -> TicketIsOpen {
    TicketIsOpen
}

/// `messages.relay_state = 'pending'`.
pub(crate) fn relay_is_pending() -> RelayIsPending {
    RelayIsPending
}

#[cfg(test)]
mod tests {
    use crate::messages::RelayState;
    use crate::tickets::TicketStatus;

    #[test]
    fn literals_match_the_stored_spellings() {
        assert_eq!(TicketStatus::Open.as_str(), "open");
        assert_eq!(RelayState::Pending.as_str(), "pending");
    }
}
