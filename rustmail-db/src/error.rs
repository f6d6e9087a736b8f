//! Error types of the data layer.
//!
//! [`DbError`] is about reaching the database (URL, connection, pool, migrations);
//! [`DomainError`] is what a domain operation can refuse or fail with. Both name what went wrong
//! in words an operator or a staff member can act on.

use crate::ids::TicketId;

/// Reaching or preparing the database failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database.url `{url}` {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("cannot connect to {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("no database connection available: {0}")]
    Pool(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("database task failed: {0}")]
    Task(String),
}

/// A domain operation refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The thing asked for does not exist (`what` is e.g. "ticket", `key` its id or name).
    #[error("{what} {key} not found")]
    NotFound { what: &'static str, key: String },
    /// The user already has an open ticket.
    #[error("the user already has an open ticket (#{0})")]
    AlreadyOpen(TicketId),
    /// `/take` on a ticket someone else has.
    #[error("ticket #{ticket} is already taken by <@{staff}>")]
    AlreadyAssigned {
        ticket: TicketId,
        staff: crate::ids::UserId,
    },
    /// The ticket is closed (or otherwise not open) and the operation needs it open.
    #[error("ticket #{0} is not open")]
    NotOpen(TicketId),
    /// The operation does not apply in the current state.
    #[error("{0}")]
    InvalidTransition(String),
    /// An argument is unacceptable; `field` names it.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The caller may not do this (e.g. editing someone else's reply).
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// A unique rule was hit (e.g. a category name already taken).
    #[error("{0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl DomainError {
    pub fn not_found(what: &'static str, key: impl std::fmt::Display) -> Self {
        Self::NotFound {
            what,
            key: key.to_string(),
        }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            message: message.into(),
        }
    }

    /// True for errors caused by the caller's input or the state of things, as opposed to
    /// infrastructure failures worth logging as internal errors.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Self::Database(_) | Self::Db(_))
    }

    /// True when running the same operation again may well succeed: the database gave up on it
    /// only because of other transactions (a PostgreSQL deadlock or serialization failure,
    /// SQLite busy or locked). Such an operation changed nothing.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Database(e) => is_retryable(e),
            _ => false,
        }
    }
}

/// True when a diesel error is the database giving up on a transaction because of others (see
/// [`DomainError::is_retryable`]).
pub fn is_retryable(err: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match err {
        Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        // diesel has no kind for these: PostgreSQL's 40P01 and SQLite's SQLITE_BUSY/LOCKED.
        Error::DatabaseError(_, info) => {
            let message = info.message();
            message.contains("deadlock detected")
                || message.contains("database is locked")
                || message.contains("database table is locked")
        }
        _ => false,
    }
}

/// True when a diesel error is a unique-constraint violation.
pub fn is_unique_violation(err: &diesel::result::Error) -> bool {
    matches!(
        err,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Result of a domain operation.
pub type DomainResult<T> = Result<T, DomainError>;

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error};

    fn db_error(kind: DatabaseErrorKind, message: &str) -> DomainError {
        DomainError::Database(Error::DatabaseError(kind, Box::new(message.to_owned())))
    }

    #[test]
    fn contention_is_retryable_and_nothing_else() {
        assert!(db_error(
            DatabaseErrorKind::SerializationFailure,
            "could not serialize"
        )
        .is_retryable());
        assert!(db_error(DatabaseErrorKind::Unknown, "deadlock detected").is_retryable());
        assert!(db_error(DatabaseErrorKind::Unknown, "database is locked").is_retryable());
        assert!(!db_error(DatabaseErrorKind::UniqueViolation, "duplicate key").is_retryable());
        assert!(!DomainError::Database(Error::NotFound).is_retryable());
        assert!(!DomainError::invalid("content", "empty").is_retryable());
    }
}
