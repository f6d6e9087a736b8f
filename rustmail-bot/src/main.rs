//! rustmail-bot binary.
fn main() {}
