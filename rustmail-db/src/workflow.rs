//! Staff workflow rules that span several tables: opening a ticket for a user from the staff
//! side ([`open`]: `new_thread`, a channel created in the inbox), taking and releasing tickets
//! ([`assign`]), and what `/logs` shows about a ticket and a user's history ([`history`]).

pub mod assign;
pub mod history;
pub mod open;
