//! Where the scheduler and the failed-attempt limiter read the time. Neither calls the
//! system clock itself, so tests move time with a [`ManualClock`] instead of sleeping.

use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::watch;

/// A source of "now" and a way to wait for a later instant.
pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
    /// Resolves once [`Clock::now_ms`] has reached `at_ms` (at once when it already has).
    fn sleep_until(&self, at_ms: i64) -> BoxFuture<'static, ()>;
    /// True for the system's clock, which the cron scheduler keeps too; jobs on another
    /// clock wait on it instead.
    fn is_system(&self) -> bool {
        false
    }
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        crate::infra::db::now_ms()
    }

    fn sleep_until(&self, at_ms: i64) -> BoxFuture<'static, ()> {
        let wait = u64::try_from(at_ms.saturating_sub(self.now_ms())).unwrap_or(0);
        Box::pin(tokio::time::sleep(Duration::from_millis(wait)))
    }

    fn is_system(&self) -> bool {
        true
    }
}

/// A clock that moves only when told to: `set` and `advance` wake every sleeper whose
/// instant has come.
#[derive(Debug)]
pub struct ManualClock {
    now: watch::Sender<i64>,
}

impl ManualClock {
    pub fn new(start_ms: i64) -> Self {
        Self { now: watch::Sender::new(start_ms) }
    }

    pub fn set(&self, at_ms: i64) {
        self.now.send_replace(at_ms);
    }

    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.now.send_modify(|now| *now = now.saturating_add(by));
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        *self.now.borrow()
    }

    fn sleep_until(&self, at_ms: i64) -> BoxFuture<'static, ()> {
        let mut rx = self.now.subscribe();
        Box::pin(async move {
            // The sender lives as long as the clock; if it is gone, nothing will ever wake us.
            if rx.wait_for(|now| *now >= at_ms).await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_sleeper_wakes_when_time_reaches_it() {
        let clock = ManualClock::new(1_000);
        let sleeper = tokio::spawn(clock.sleep_until(5_000));
        clock.advance(Duration::from_millis(3_000));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        clock.advance(Duration::from_millis(1_000));
        tokio::time::timeout(Duration::from_secs(10), sleeper).await.unwrap().unwrap();
        assert_eq!(clock.now_ms(), 5_000);
    }
}
