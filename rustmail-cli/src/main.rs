//! rustmail CLI.
fn main() {}
