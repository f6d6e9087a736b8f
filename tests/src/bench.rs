//! The benchmark driver behind `just bench`: runs the real `rustmail-bot` binary as a separate
//! process against the in-process simulator and measures relay latency, throughput, ordering,
//! REST requests, CPU time and memory, on SQLite and on PostgreSQL.
//!
//! Latency is measured from the simulator dispatching a user's `MESSAGE_CREATE` to the simulator
//! receiving the bot's POST into the ticket channel (both clocks are the simulator's). CPU time and
//! RSS come from `/proc/<pid>` of the bot process.

pub mod data;
pub mod process;
pub mod stats;
pub mod workloads;

use serde::Serialize;

/// One workload's measurements.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Measurement {
    pub name: String,
    pub backend: String,
    pub operations: u64,
    pub seconds: f64,
    pub throughput_per_s: f64,
    pub latency_ms: stats::Percentiles,
    pub lost: u64,
    /// A few of the lost operations as `user-seq`, to chase them.
    pub lost_samples: Vec<String>,
    pub duplicated: u64,
    pub out_of_order_users: u64,
    pub rest_requests: u64,
    pub rest_per_operation: f64,
    pub cpu_ms_per_operation: f64,
    pub rss_mib_after: f64,
    pub peak_rss_mib: f64,
    /// Anything workload-specific (targets, notes).
    pub extra: serde_json::Value,
}
