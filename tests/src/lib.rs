//! Rustmail's test support: a local Discord simulator ([`sim`]) and validation of requests
//! against Discord's OpenAPI spec ([`spec`]).

pub mod bench;
pub mod chaos;
pub mod harness;
pub mod seed;
pub mod sim;
pub mod spec;
