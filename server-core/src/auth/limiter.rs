//! Failed-attempt limiting for PIN and one-time codes.
//!
//! Not a request-rate limiter (tower_governor does that well): what we want is a lock that
//! grows with each consecutive *failure* and resets on success, per client and per account,
//! so guessing a 6-digit code is hopeless while a user who mistypes twice is not punished.
//! No crate does this shape, so it is written here; it is small and fully tested.
//!
//! Time comes from a [`Clock`]: the system's, or a [`crate::infra::clock::ManualClock`] a test
//! moves past a lock instead of sleeping through it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use crate::infra::clock::{Clock, SystemClock};

pub struct Limiter {
    entries: Mutex<HashMap<String, Entry>>,
    free_failures: u32,
    base: Duration,
    max: Duration,
    /// Swappable after start, because the limiter is built with the app's state and a
    /// test's clock comes later; read once per call.
    clock: RwLock<Arc<dyn Clock>>,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter").field("free_failures", &self.free_failures).finish_non_exhaustive()
    }
}

/// Instants are milliseconds on the limiter's clock.
#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    blocked_until: Option<i64>,
    last: i64,
}

/// Entries idle this long (ms) are forgotten, which also bounds memory under a spray of
/// keys.
const FORGET_AFTER: i64 = 3_600_000;
const MAX_ENTRIES: usize = 100_000;

impl Default for Limiter {
    fn default() -> Self {
        Self::new(5, Duration::from_secs(1), Duration::from_secs(15 * 60))
    }
}

impl Limiter {
    /// `free_failures` mistakes cost nothing; each further one locks the key for
    /// `base * 2^(n - free_failures)`, at most `max`.
    pub fn new(free_failures: u32, base: Duration, max: Duration) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            free_failures,
            base,
            max,
            clock: RwLock::new(Arc::new(SystemClock)),
        }
    }

    /// Reads the time from `clock` from now on.
    pub fn use_clock(&self, clock: Arc<dyn Clock>) {
        *self.clock.write().unwrap_or_else(|p| p.into_inner()) = clock;
    }

    fn now(&self) -> i64 {
        self.clock.read().unwrap_or_else(|p| p.into_inner()).now_ms()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // A poisoned map only means another thread panicked mid-update of a counter; the
        // counts are still usable, and refusing every login over it would be worse.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Err(seconds)` while any of `keys` is locked.
    pub fn check(&self, keys: &[&str]) -> Result<(), u64> {
        let now = self.now();
        let map = self.lock();
        let wait = keys
            .iter()
            .filter_map(|k| map.get(*k)?.blocked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max();
        match wait.and_then(|ms| u64::try_from(ms).ok()) {
            // Whole seconds, rounded up: a client that waits that long finds the lock gone.
            Some(ms) => Err(ms.div_ceil(1000)),
            None => Ok(()),
        }
    }

    pub fn fail(&self, keys: &[&str]) {
        let now = self.now();
        let mut map = self.lock();
        if map.len() > MAX_ENTRIES {
            map.retain(|_, e| now - e.last < FORGET_AFTER);
        }
        for key in keys {
            let entry =
                map.entry((*key).to_owned()).or_insert(Entry { failures: 0, blocked_until: None, last: now });
            if now - entry.last > FORGET_AFTER {
                entry.failures = 0;
            }
            entry.failures = entry.failures.saturating_add(1);
            entry.last = now;
            if entry.failures >= self.free_failures {
                let exp = (entry.failures - self.free_failures).min(20);
                let lock = self.base.saturating_mul(1u32 << exp).min(self.max);
                entry.blocked_until =
                    Some(now.saturating_add(i64::try_from(lock.as_millis()).unwrap_or(i64::MAX)));
            }
        }
    }

    pub fn succeed(&self, keys: &[&str]) {
        let mut map = self.lock();
        for key in keys {
            map.remove(*key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mistakes_below_the_allowance_cost_nothing() {
        let l = Limiter::new(3, Duration::from_secs(10), Duration::from_secs(60));
        l.fail(&["a"]);
        l.fail(&["a"]);
        assert_eq!(l.check(&["a"]), Ok(()));
    }

    #[test]
    fn locks_grow_with_each_failure_and_are_capped() {
        let l = Limiter::new(2, Duration::from_secs(10), Duration::from_secs(35));
        l.fail(&["a"]);
        l.fail(&["a"]);
        assert_eq!(l.check(&["a"]), Err(10));
        l.fail(&["a"]);
        assert_eq!(l.check(&["a"]), Err(20));
        l.fail(&["a"]);
        assert_eq!(l.check(&["a"]), Err(35));
    }

    #[test]
    fn a_lock_ends_when_its_time_has_passed_on_the_clock() {
        let clock = Arc::new(crate::infra::clock::ManualClock::new(1_000_000));
        let l = Limiter::new(1, Duration::from_secs(10), Duration::from_secs(60));
        l.use_clock(clock.clone());
        l.fail(&["a"]);
        assert_eq!(l.check(&["a"]), Err(10));
        clock.advance(Duration::from_millis(9_500));
        assert_eq!(l.check(&["a"]), Err(1), "half a second left is a whole second to wait");
        clock.advance(Duration::from_millis(500));
        assert_eq!(l.check(&["a"]), Ok(()));
    }

    #[test]
    fn success_clears_the_key_and_keys_are_independent() {
        let l = Limiter::new(1, Duration::from_secs(10), Duration::from_secs(60));
        l.fail(&["client", "account"]);
        assert!(l.check(&["other"]).is_ok());
        assert!(l.check(&["account"]).is_err());
        l.succeed(&["client", "account"]);
        assert!(l.check(&["client", "account"]).is_ok());
    }
}
