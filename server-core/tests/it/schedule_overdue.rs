//! The overdue sweep, a job on the cron scheduler: an open todo past its overdue instant is
//! announced once, the sweep's last run is recorded, and a restart neither repeats a notice
//! nor skips one that fell due while the app was closed. One test runs on the system clock,
//! so the notice comes from the cron job itself (it waits for the next whole minute).

use std::sync::Arc;
use std::time::Duration;

use clawchat_server::bus::Bus;
use clawchat_server::features::todos::{NewTodo, insert_todo};
use clawchat_server::infra::db::Db;
use clawchat_server::schedule::{Clock as _, ManualClock, Scheduler, SchedulerConfig, SystemClock};
use serde_json::json;

use crate::schedule::{Collector, MIN, Rig, local, rfc, tz};

async fn recorded(db: &Db) -> Option<i64> {
    sqlx::query_scalar("SELECT value FROM scheduler_state WHERE key = 'job.overdue'")
        .fetch_optional(&db.read)
        .await
        .unwrap()
}

async fn overdue_stored(db: &Db) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE kind = 'overdue'")
        .fetch_one(&db.read)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_sweep_records_its_run_so_a_restart_neither_repeats_nor_skips_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let t0 = local(2026, 5, 4, 9, 0);
    let clock = Arc::new(ManualClock::new(t0));
    let mut rig = Rig::open(&path, clock.clone(), None).await;
    let first = rig.todo(json!({"title": "Renew the passport", "due_date": rfc(t0 + 10 * MIN)})).await;
    let second = rig.todo(json!({"title": "Book the vet", "due_date": rfc(t0 + 30 * MIN)})).await;

    // An hour after its due time, the first is overdue; the sweep of that minute says so.
    rig.at(t0 + 69 * MIN).await;
    assert!(rig.collector.of_kind("overdue").is_empty());
    rig.at(t0 + 70 * MIN).await;
    let got = rig.collector.of_kind("overdue");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].ref_id.as_deref(), Some(first.as_str()));
    assert_eq!(got[0].fire_at, rfc(t0 + 70 * MIN));
    assert!(!got[0].late);
    assert_eq!(recorded(&rig.db).await, Some(t0 + 70 * MIN), "the sweep's run is recorded");
    rig.stop().await;

    // Closed while the second becomes overdue (10:30): the next start announces it once,
    // late, and not the first again.
    clock.set(t0 + 2 * 60 * MIN);
    let mut again = Rig::open(&path, clock.clone(), None).await;
    let got = again.collector.of_kind("overdue");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].ref_id.as_deref(), Some(second.as_str()));
    assert_eq!(got[0].fire_at, rfc(t0 + 90 * MIN));
    assert!(got[0].late, "a notice that fell due while the app was closed is marked late");
    assert_eq!(recorded(&again.db).await, Some(t0 + 2 * 60 * MIN));
    again.at(t0 + 2 * 60 * MIN + 5 * MIN).await;
    again.stop().await;

    // A third start finds nothing left to announce.
    let mut third = Rig::open(&path, clock, None).await;
    third.at(t0 + 3 * 60 * MIN).await;
    assert!(third.collector.of_kind("overdue").is_empty(), "{:?}", third.collector.all());
    assert_eq!(overdue_stored(&third.db).await, 2);
    third.stop().await;
}

fn engine(db: &Db, collector: &Arc<Collector>) -> Scheduler {
    let config = SchedulerConfig { tz: tz(), check_interval: Duration::from_secs(60) };
    Scheduler::new(db.clone(), Bus::default(), Arc::new(SystemClock), vec![collector.clone()], config)
}

#[tokio::test]
async fn on_the_system_clock_the_cron_job_announces_an_overdue_todo_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let db = Db::open(&path).await.unwrap();
    // The todo becomes overdue at the next whole minute at least two seconds away; nothing
    // but the sweep's cron job can announce it then.
    let now = SystemClock.now_ms();
    let mut overdue_at = now - now.rem_euclid(MIN) + MIN;
    if overdue_at - now < 2_000 {
        overdue_at += MIN;
    }
    let new: NewTodo =
        serde_json::from_value(json!({"title": "Send the report", "due_date": rfc(overdue_at - 60 * MIN)}))
            .unwrap();
    let todo = insert_todo(&db.write, tz(), new).await.unwrap();

    let collector = Arc::new(Collector::default());
    let handle = engine(&db, &collector).spawn();
    tokio::time::timeout(Duration::from_secs(90), async {
        while collector.of_kind("overdue").is_empty() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the overdue notice comes at the next minute");
    let got = collector.of_kind("overdue");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].ref_id.as_deref(), Some(todo.id.as_str()));
    assert_eq!(got[0].title, "Overdue: Send the report");
    assert_eq!(got[0].fire_at, rfc(overdue_at));
    assert!(!got[0].late, "announced within the minute, not late");
    assert!(recorded(&db).await.is_some_and(|at| at >= overdue_at), "the cron run is recorded");
    handle.stop().await;

    // Started again: the first sweep looks from the recorded run and announces nothing.
    let again = Arc::new(Collector::default());
    let mut handle = engine(&db, &again).spawn();
    handle.passed(SystemClock.now_ms()).await;
    assert!(again.all().is_empty(), "{:?}", again.all());
    assert_eq!(overdue_stored(&db).await, 1);
    handle.stop().await;
}
