//! Instants are stored as UTC milliseconds since the epoch (see the migrations' conventions).

use chrono::{DateTime, TimeZone, Utc};

/// The stored form of an instant.
pub fn to_ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// An instant from its stored form (out-of-range values clamp to the epoch).
pub fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}
