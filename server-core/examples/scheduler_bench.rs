//! Scheduler figures for BENCHMARKS.md, over a store of 100,000 todos with due dates:
//! the time to find the next due item, the engine's CPU use while nothing is due, and how
//! long 10,000 reminders due in the same instant take to be delivered.
//!
//! `cargo run --release -p clawchat-server --example scheduler_bench`

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clawchat_server::bus::{Bus, ServerEvent};
use clawchat_server::infra::db::{Db, now_ms};
use clawchat_server::schedule::{
    BusNotifier, Notification, Notifier, Scheduler, SchedulerConfig, SystemClock,
};
use futures::future::BoxFuture;

const TODOS: i64 = 100_000;
const BURST: i64 = 10_000;

/// Notes when each notification arrived.
#[derive(Default)]
struct Arrivals(Mutex<Vec<(i64, i64)>>);

impl Notifier for Arrivals {
    fn name(&self) -> &str {
        "arrivals"
    }

    fn deliver<'a>(&'a self, batch: &'a [Notification]) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let now = now_ms();
            let mut got = self.0.lock().unwrap();
            for n in batch {
                let due = chrono::DateTime::parse_from_rfc3339(&n.fire_at).unwrap().timestamp_millis();
                got.push((due, now));
            }
            Ok(())
        })
    }
}

/// User and system CPU time of this process, in clock ticks (1/100 s on Linux).
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of the whole line are the 12th and 13th after the ")".
    fields.get(11).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0)
        + fields.get(12).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0)
}

async fn plant(db: &Db, n: i64, first_due: i64, step_ms: i64, prefix: &str) {
    let now = now_ms();
    sqlx::query(
        "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < ?1)
         INSERT INTO todos (id, title, due_at, created_at, updated_at)
         SELECT ?4 || i, 'Todo ' || i, ?2 + i * ?3, ?5, ?5 FROM k",
    )
    .bind(n)
    .bind(first_due)
    .bind(step_ms)
    .bind(prefix)
    .bind(now)
    .execute(&db.write)
    .await
    .unwrap();
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = Db::open(&dir.path().join("bench.db")).await?;
    let bus = Bus::default();
    // 100,000 todos due from an hour from now on, spread over a year.
    let start = now_ms() + 3_600_000;
    let t = Instant::now();
    plant(&db, TODOS, start, 365 * 86_400_000 / TODOS, "a").await;
    println!("planted {TODOS} todos in {:.1} s", t.elapsed().as_secs_f64());

    let arrivals = Arc::new(Arrivals::default());
    let config = SchedulerConfig { tz: chrono_tz::Tz::UTC, check_interval: Duration::from_secs(60) };
    let notifiers: Vec<Arc<dyn Notifier>> = vec![Arc::new(BusNotifier(bus.clone())), arrivals.clone()];
    let scheduler = Scheduler::new(db.clone(), bus.clone(), Arc::new(SystemClock), notifiers, config);

    // Next due item.
    let mut samples = Vec::new();
    for _ in 0..2_000 {
        let t = Instant::now();
        let next = scheduler.next_due(now_ms()).await?;
        samples.push(t.elapsed());
        assert_eq!(next, Some(start));
    }
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1e6;
    println!(
        "next due item among {TODOS} todos: median {:.0} µs, p99 {:.0} µs, max {:.0} µs (2000 lookups)",
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "EXPLAIN QUERY PLAN SELECT min(remind_at) FROM todos WHERE status != 'completed' AND remind_at > ?",
    )
    .bind(now_ms())
    .fetch_all(&db.read)
    .await?;
    println!("query plan: {}", plan.iter().map(|p| p.3.as_str()).collect::<Vec<_>>().join("; "));

    // Idle: nothing due for an hour; the engine sleeps until the interval says look again.
    let mut handle = scheduler.clone().spawn();
    handle.passed(now_ms() - 1).await;
    let idle_secs = std::env::var("IDLE_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(65u64);
    let before = cpu_ticks();
    tokio::time::sleep(Duration::from_secs(idle_secs)).await;
    let used = cpu_ticks() - before;
    println!(
        "idle: {used} CPU ticks (1 tick = 10 ms) of the whole process in {idle_secs} s with the engine waiting \
         (one {}-second interval pass included)",
        60
    );

    // 10,000 reminders due at the same instant, 3 s from now, delivered to the bus and a
    // notifier; a bus subscriber counts what reaches it.
    let mut rx = bus.subscribe();
    let heard = tokio::spawn(async move {
        let mut n = 0;
        let mut lagged = 0;
        loop {
            match rx.recv().await {
                Ok(e) if matches!(&*e, ServerEvent::Notification { .. }) => {
                    n += 1;
                    if n == BURST {
                        break;
                    }
                }
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(k)) => lagged += k,
                Err(_) => break,
            }
            if n + lagged as i64 >= BURST {
                break;
            }
        }
        (n, lagged, now_ms())
    });
    let due = (now_ms() / 1000 + 3) * 1000;
    plant(&db, BURST, due, 0, "b").await;
    bus.data_changed(clawchat_server::bus::Module::Todos);
    let wait = Instant::now();
    while arrivals.0.lock().unwrap().len() < BURST as usize && wait.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let got = arrivals.0.lock().unwrap().clone();
    let last = got.iter().map(|(_, at)| *at).max().unwrap_or(0);
    let first = got.iter().map(|(_, at)| *at).min().unwrap_or(0);
    println!(
        "burst: {} of {BURST} reminders delivered; first {} ms after due, last {} ms after due",
        got.len(),
        first - due,
        last - due
    );
    let (n, lagged, at) = tokio::time::timeout(Duration::from_secs(30), heard).await??;
    println!("bus subscriber: heard {n}, lost {lagged} to lag, last at {} ms after due", at - due);
    let claimed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications").fetch_one(&db.read).await?;
    println!("stored notifications: {claimed}");
    handle.stop().await;
    db.close().await;
    Ok(())
}
