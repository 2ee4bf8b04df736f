//! The injectable clock: production reads the system time, tests drive weeks in milliseconds.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

/// A source of the current instant. Everything time-dependent takes one.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant, in UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until told to move; clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    /// A clock standing at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(Arc::new(Mutex::new(at)))
    }

    /// Moves the clock to `at` (backwards too, to simulate a skewed replica).
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A clock set for a test of the real process: it starts at a chosen instant and runs
/// `speed` times as fast as real time (`DOCKET_CLOCK`, `DOCKET_CLOCK_SPEED`), so a harness can
/// start `docket run` just before a deadline, a DST change or after a long downtime and watch
/// a week pass in seconds.
#[derive(Debug, Clone)]
pub struct ScaledClock {
    started: std::time::Instant,
    at: DateTime<Utc>,
    speed: f64,
}

impl ScaledClock {
    /// A clock reading `at` now and advancing `speed` virtual seconds per real second.
    pub fn new(at: DateTime<Utc>, speed: f64) -> Self {
        ScaledClock {
            started: std::time::Instant::now(),
            at,
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
        }
    }

    /// Reads `DOCKET_CLOCK` (an RFC 3339 instant) and `DOCKET_CLOCK_SPEED` (a positive
    /// number, default 1) through `var`; `Ok(None)` when `DOCKET_CLOCK` is unset.
    ///
    /// # Errors
    /// A message naming the variable and the value that does not parse.
    pub fn from_env(var: &dyn Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let Some(at) = var("DOCKET_CLOCK").filter(|v| !v.trim().is_empty()) else {
            return Ok(None);
        };
        let at = DateTime::parse_from_rfc3339(at.trim())
            .map_err(|e| format!("DOCKET_CLOCK: {at}: not an RFC 3339 instant ({e})"))?
            .with_timezone(&Utc);
        let speed = match var("DOCKET_CLOCK_SPEED").filter(|v| !v.trim().is_empty()) {
            None => 1.0,
            Some(s) => match s.trim().parse::<f64>() {
                Ok(v) if v.is_finite() && v > 0.0 && v <= 1_000_000.0 => v,
                _ => {
                    return Err(format!(
                        "DOCKET_CLOCK_SPEED: {s}: expected a number above 0 and at most 1000000"
                    ));
                }
            },
        };
        Ok(Some(ScaledClock::new(at, speed)))
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> DateTime<Utc> {
        let real = self.started.elapsed().as_secs_f64() * self.speed;
        let millis = (real * 1000.0).min(i64::MAX as f64 / 2.0) as i64;
        self.at + chrono::Duration::milliseconds(millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_clock_reads_its_variables() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(ScaledClock::from_env(&env(&[])).unwrap().is_none());
        let c = ScaledClock::from_env(&env(&[
            ("DOCKET_CLOCK", "2024-09-27T17:59:58+08:00"),
            ("DOCKET_CLOCK_SPEED", "3600"),
        ]))
        .unwrap()
        .unwrap();
        let start: DateTime<Utc> = "2024-09-27T09:59:58Z".parse().unwrap();
        let now = c.now();
        assert!(
            now >= start && now < start + chrono::Duration::hours(1),
            "{now}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(
            c.now() - now >= chrono::Duration::seconds(60),
            "runs 3600 times as fast"
        );
        let e = ScaledClock::from_env(&env(&[("DOCKET_CLOCK", "friday")])).unwrap_err();
        assert!(e.contains("DOCKET_CLOCK: friday"), "{e}");
        let e = ScaledClock::from_env(&env(&[
            ("DOCKET_CLOCK", "2024-09-27T17:59:58+08:00"),
            ("DOCKET_CLOCK_SPEED", "-1"),
        ]))
        .unwrap_err();
        assert!(e.contains("DOCKET_CLOCK_SPEED"), "{e}");
    }
}
