//! The admin's view of the service's health: accounts, the engine's queues, and Meta lately.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub instances: u32,
    pub connected: u32,
    pub in_error: u32,
    /// Connected instances whose token expires within 7 days.
    pub expiring_soon: u32,
    pub intake: QueueHealth,
    pub outbox: QueueHealth,
    pub dead_letters: QueueHealth,
    /// Calls to Meta over the last `meta_minutes` minutes, by endpoint.
    pub meta: Vec<MetaCalls>,
    pub meta_minutes: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueHealth {
    pub items: i64,
    pub oldest_seconds: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaCalls {
    /// A route like `POST /{ig-id}/messages`.
    pub endpoint: String,
    pub ok: i64,
    /// Meta said no (4xx): a closed window, a dead token, a limit.
    pub refused: i64,
    /// Meta failed (5xx), did not answer in time, or could not be reached.
    pub failed: i64,
}

impl Health {
    /// Meta is failing lately: more than a tenth of the calls of the window failed.
    pub fn meta_degraded(&self) -> bool {
        let (failed, all) = self.meta.iter().fold((0, 0), |(f, a), m| (f + m.failed, a + m.ok + m.refused + m.failed));
        all > 0 && failed * 10 > all
    }
}
