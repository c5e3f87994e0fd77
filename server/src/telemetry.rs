//! Structured logs: human-readable by default, JSON with LOG_FORMAT=json; RUST_LOG filters.
use tracing_subscriber::{fmt, EnvFilter};

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,mongodb=warn"));
    let builder = fmt().with_env_filter(filter).with_target(false);
    // try_init: tests start several servers in one process.
    let _ =
        if json { builder.json().flatten_event(true).with_current_span(true).try_init() } else { builder.try_init() };
}
