//! Failed-attempt limiting for PIN and one-time codes.
//!
//! Not a request-rate limiter (tower_governor does that well): what we want is a lock that
//! grows with each consecutive *failure* and resets on success, per client and per account,
//! so guessing a 6-digit code is hopeless while a user who mistypes twice is not punished.
//! No crate does this shape, so it is written here; it is small and fully tested.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Limiter {
    entries: Mutex<HashMap<String, Entry>>,
    free_failures: u32,
    base: Duration,
    max: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    blocked_until: Option<Instant>,
    last: Instant,
}

/// Entries idle this long are forgotten, which also bounds memory under a spray of keys.
const FORGET_AFTER: Duration = Duration::from_secs(3600);
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
        Self { entries: Mutex::new(HashMap::new()), free_failures, base, max }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // A poisoned map only means another thread panicked mid-update of a counter; the
        // counts are still usable, and refusing every login over it would be worse.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Err(seconds)` while any of `keys` is locked.
    pub fn check(&self, keys: &[&str]) -> Result<(), u64> {
        let now = Instant::now();
        let map = self.lock();
        let wait = keys
            .iter()
            .filter_map(|k| map.get(*k)?.blocked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max();
        match wait {
            Some(d) => Err(d.as_secs() + u64::from(d.subsec_nanos() > 0)),
            None => Ok(()),
        }
    }

    pub fn fail(&self, keys: &[&str]) {
        let now = Instant::now();
        let mut map = self.lock();
        if map.len() > MAX_ENTRIES {
            map.retain(|_, e| now.duration_since(e.last) < FORGET_AFTER);
        }
        for key in keys {
            let entry =
                map.entry((*key).to_owned()).or_insert(Entry { failures: 0, blocked_until: None, last: now });
            if now.duration_since(entry.last) > FORGET_AFTER {
                entry.failures = 0;
            }
            entry.failures = entry.failures.saturating_add(1);
            entry.last = now;
            if entry.failures >= self.free_failures {
                let exp = (entry.failures - self.free_failures).min(20);
                let lock = self.base.saturating_mul(1u32 << exp).min(self.max);
                entry.blocked_until = Some(now + lock);
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
    fn success_clears_the_key_and_keys_are_independent() {
        let l = Limiter::new(1, Duration::from_secs(10), Duration::from_secs(60));
        l.fail(&["client", "account"]);
        assert!(l.check(&["other"]).is_ok());
        assert!(l.check(&["account"]).is_err());
        l.succeed(&["client", "account"]);
        assert!(l.check(&["client", "account"]).is_ok());
    }
}
