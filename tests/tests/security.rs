//! Security end-to-end tests (issue #7), through the simulator with the real bot: every staff
//! command refuses non-staff (slash and prefix) and admin-only commands refuse plain staff, with
//! the database unchanged; relayed and echoed text never pings; a corpus of bad command
//! arguments gets clear errors and changes nothing. The harness also searches all captured logs
//! for the token at every shutdown (`rustmail_tests::harness::logs`). Every end-to-end test runs
//! on SQLite and on PostgreSQL ([`security::backend`]).

mod security {
    pub mod backend;
    pub mod bad_args;
    pub mod bad_args_table;
    pub mod commands;
    pub mod mentions;
    pub mod snapshot;
}
