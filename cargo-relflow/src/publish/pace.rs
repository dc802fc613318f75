//! Pacing for crates.io's documented publish rate limits: new crates, a burst of 5 then one
//! every 10 minutes; new versions of existing crates, a burst of 30 then one a minute. relflow
//! warns before a run would go over them and spaces the publishes out instead of failing (a 429
//! that still comes, because of publishes made before the run, is waited out by `run`).

use std::time::{Duration, Instant};

/// crates.io's limit on new crates.
pub const NEW_CRATES: Limit = Limit {
    burst: 5,
    interval: Duration::from_secs(10 * 60),
};

/// crates.io's limit on new versions of existing crates.
pub const NEW_VERSIONS: Limit = Limit {
    burst: 30,
    interval: Duration::from_secs(60),
};

/// A rate limit: `burst` publishes at once, then one every `interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// How many may go at once.
    pub burst: u32,
    /// How often one more may go after that.
    pub interval: Duration,
}

impl Limit {
    /// How long `count` publishes take at least under this limit.
    pub fn minimum_time(&self, count: u32) -> Duration {
        self.interval * count.saturating_sub(self.burst)
    }
}

/// A token bucket for one [`Limit`], full at the start of the run.
#[derive(Debug, Clone)]
pub struct Bucket {
    limit: Limit,
    /// Publishes that may still go at `at` (negative: already promised to waiting publishes).
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// A full bucket at `now`.
    pub fn new(limit: Limit, now: Instant) -> Bucket {
        Bucket {
            limit,
            tokens: f64::from(limit.burst),
            at: now,
        }
    }

    /// Takes one publish at `now` and returns how long it must wait first.
    pub fn take(&mut self, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        let per_second = 1.0 / self.limit.interval.as_secs_f64();
        self.tokens = (self.tokens + elapsed * per_second).min(f64::from(self.limit.burst));
        self.at = now;
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / per_second)
        }
    }
}

/// The two crates.io buckets of one run.
#[derive(Debug, Clone)]
pub struct Pacer {
    new_crates: Bucket,
    new_versions: Bucket,
}

impl Pacer {
    /// Full buckets at `now`.
    pub fn new(now: Instant) -> Pacer {
        Pacer {
            new_crates: Bucket::new(NEW_CRATES, now),
            new_versions: Bucket::new(NEW_VERSIONS, now),
        }
    }

    /// Takes a publish of a new crate (or a new version) at `now`; returns the wait before it.
    pub fn take(&mut self, new_crate: bool, now: Instant) -> Duration {
        if new_crate {
            self.new_crates.take(now)
        } else {
            self.new_versions.take(now)
        }
    }
}

/// The warning for a run of `new_crates` new crates and `new_versions` new versions to crates.io,
/// when that goes over a burst.
pub fn warning(new_crates: u32, new_versions: u32) -> Option<String> {
    let wait = NEW_CRATES
        .minimum_time(new_crates)
        .max(NEW_VERSIONS.minimum_time(new_versions));
    if wait.is_zero() {
        return None;
    }
    Some(format!(
        "{new_crates} new crates and {new_versions} new versions go over crates.io's rate limits \
         (new crates: {} at once, then 1 every {} minutes; new versions: {} at once, then 1 a \
         minute): relflow spaces them out, which takes at least {} minutes",
        NEW_CRATES.burst,
        NEW_CRATES.interval.as_secs() / 60,
        NEW_VERSIONS.burst,
        wait.as_secs().div_ceil(60)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_per_interval() {
        let start = Instant::now();
        let mut bucket = Bucket::new(
            Limit {
                burst: 2,
                interval: Duration::from_secs(10),
            },
            start,
        );
        assert_eq!(bucket.take(start), Duration::ZERO);
        assert_eq!(bucket.take(start), Duration::ZERO);
        // The third waits one interval, the fourth two: the waits are promised in order.
        assert_eq!(bucket.take(start), Duration::from_secs(10));
        assert_eq!(bucket.take(start), Duration::from_secs(20));
        // Much later the bucket is full again, never fuller.
        let later = start + Duration::from_secs(1000);
        assert_eq!(bucket.take(later), Duration::ZERO);
        assert_eq!(bucket.take(later), Duration::ZERO);
        assert_eq!(bucket.take(later), Duration::from_secs(10));
    }

    #[test]
    fn crates_io_limits() {
        let start = Instant::now();
        let mut pacer = Pacer::new(start);
        for _ in 0..5 {
            assert_eq!(pacer.take(true, start), Duration::ZERO);
        }
        assert_eq!(pacer.take(true, start), Duration::from_secs(600));
        // New versions have their own bucket.
        for _ in 0..30 {
            assert_eq!(pacer.take(false, start), Duration::ZERO);
        }
        assert_eq!(pacer.take(false, start), Duration::from_secs(60));
    }

    #[test]
    fn warns_only_past_a_burst() {
        assert_eq!(warning(5, 30), None);
        let text = warning(7, 0).unwrap();
        assert!(
            text.starts_with("7 new crates and 0 new versions"),
            "{text}"
        );
        assert!(text.ends_with("at least 20 minutes"), "{text}");
        assert!(warning(0, 32).unwrap().ends_with("at least 2 minutes"));
    }
}
