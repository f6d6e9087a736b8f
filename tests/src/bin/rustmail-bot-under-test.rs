//! The bot binary as the tests crate's own binary, so integration tests can run it as a separate
//! process (`env!("CARGO_BIN_EXE_rustmail-bot-under-test")` only names the tests crate's
//! binaries) and kill it with SIGKILL: `tests/tests/chaos.rs`. It is `rustmail-bot/src/main.rs`
//! itself, compiled as a module of this binary.

#[path = "../../../rustmail-bot/src/main.rs"]
mod bot;

fn main() -> std::process::ExitCode {
    bot::main()
}
