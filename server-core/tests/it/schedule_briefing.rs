//! The daily briefing of a running server follows its settings: a new time or zone saved
//! through `PATCH /api/settings` moves the next briefing at once, without a restart. The
//! server's scheduler runs on a clock the test moves; the test waits on the notifications
//! the server sends, never on sleeps.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone as _;
use chrono_tz::Tz;
use clawchat_server::schedule::ManualClock;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::common::{Options, TZ, TestServer, send};

fn at(tz: &str, y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    let tz: Tz = tz.parse().unwrap();
    tz.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap().timestamp_millis()
}

fn rfc(ms: i64) -> String {
    clawchat_server::infra::time::render(ms, TZ.parse().unwrap())
}

/// The next briefing the server sends to its sockets.
async fn next_briefing(events: &mut broadcast::Receiver<Arc<clawchat_server::bus::ServerEvent>>) -> Value {
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let v = serde_json::to_value(&*events.recv().await.unwrap()).unwrap();
            if v["type"] == "notification" && v["data"]["kind"] == "briefing" {
                return v["data"].clone();
            }
        }
    })
    .await
    .expect("a briefing arrives")
}

/// When each briefing the server keeps was meant to fire, oldest first; and whether any
/// came late.
async fn briefings(server: &TestServer, token: &str) -> (Vec<String>, bool) {
    let page = server.get_ok("/api/notifications", token).await;
    let mut found: Vec<&Value> =
        page["items"].as_array().unwrap().iter().filter(|n| n["kind"] == "briefing").collect();
    found.sort_by_key(|n| n["fire_at"].as_str().unwrap().to_owned());
    let late = found.iter().any(|n| n["late"] != false);
    (found.iter().map(|n| n["fire_at"].as_str().unwrap().to_owned()).collect(), late)
}

async fn patch(server: &TestServer, token: &str, body: Value) -> Value {
    let (status, s) = send(server.patch("/api/settings", token).json(&body)).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    s
}

#[tokio::test]
async fn a_new_briefing_time_or_zone_moves_the_next_briefing_without_a_restart() {
    let clock = Arc::new(ManualClock::new(at(TZ, 2026, 5, 4, 7, 0)));
    let mut server = TestServer::start_with(Options {
        extra_args: ["--enable-scheduler", "true", "--briefing-time", "08:00"].map(String::from).to_vec(),
        clock: Some(clock.clone()),
        ..Options::default()
    })
    .await;
    let token = server.token().await;
    let mut events = server.state.bus.subscribe();
    server.create("/api/todos", &token, json!({"title": "Send the invoice", "due_date": "2026-05-04"})).await;

    let s = patch(&server, &token, json!({"briefing_time": "07:15"})).await;
    assert_eq!(s["briefing_time"], "07:15");
    assert_eq!(s["restart_required"], false, "the briefing's time applies at once");
    // Before the old time of 08:00: only a briefing that moved can come now.
    clock.set(at(TZ, 2026, 5, 4, 7, 15));
    let first = next_briefing(&mut events).await;
    assert!(first["body"].as_str().unwrap().contains("Send the invoice"), "{first}");
    assert_eq!(briefings(&server, &token).await, (vec![rfc(at(TZ, 2026, 5, 4, 7, 15))], false));

    // The old time passes without a second one; the next comes at the new time a day later.
    clock.set(at(TZ, 2026, 5, 4, 8, 0));
    clock.set(at(TZ, 2026, 5, 5, 7, 15));
    next_briefing(&mut events).await;
    let (fired, _) = briefings(&server, &token).await;
    assert_eq!(fired, [rfc(at(TZ, 2026, 5, 4, 7, 15)), rfc(at(TZ, 2026, 5, 5, 7, 15))]);

    // A new zone: 07:15 in New York is 04:15 here.
    patch(&server, &token, json!({"timezone": "America/New_York"})).await;
    clock.set(at(TZ, 2026, 5, 6, 4, 15));
    next_briefing(&mut events).await;
    let (fired, late) = briefings(&server, &token).await;
    assert_eq!(fired.len(), 3, "one briefing a day: {fired:?}");
    assert_eq!(fired[2], rfc(at("America/New_York", 2026, 5, 6, 7, 15)));
    assert!(!late, "each came on time");
    server.stop().await;
}

/// Keeps the briefings it is handed, and says when one came.
#[derive(Default)]
struct Briefings(tokio::sync::watch::Sender<Vec<clawchat_server::schedule::Notification>>);

impl clawchat_server::schedule::Notifier for Briefings {
    fn name(&self) -> &str {
        "briefings"
    }

    fn deliver<'a>(
        &'a self,
        batch: &'a [clawchat_server::schedule::Notification],
    ) -> futures::future::BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            self.0.send_modify(|got| got.extend(batch.iter().filter(|n| n.kind == "briefing").cloned()));
            Ok(())
        })
    }
}

#[tokio::test]
async fn on_the_system_clock_the_cron_scheduler_brings_the_briefing() {
    use clawchat_server::schedule::{Clock as _, Scheduler, SchedulerConfig, SystemClock};
    let dir = tempfile::tempdir().unwrap();
    let db = clawchat_server::infra::db::Db::open(&dir.path().join("c.db")).await.unwrap();
    let tz: Tz = TZ.parse().unwrap();
    // Two seconds from now, to the second: the cron job is registered to the second too.
    let when = SystemClock.now_ms() / 1000 * 1000 + 2000;
    let config = SchedulerConfig { tz, check_interval: Duration::from_secs(60) };
    let got = Arc::new(Briefings::default());
    let bus = clawchat_server::bus::Bus::default();
    let scheduler = Scheduler::new(db.clone(), bus, Arc::new(SystemClock), vec![got.clone()], config);
    let at = clawchat_server::infra::time::from_ms(when, tz).time();
    let handle = crate::schedule::with_briefing(scheduler, &db, None, at).spawn();
    let mut rx = got.0.subscribe();
    let briefings = tokio::time::timeout(Duration::from_secs(30), rx.wait_for(|b| !b.is_empty()))
        .await
        .expect("the briefing comes at its time")
        .unwrap()
        .clone();
    assert_eq!(briefings.len(), 1);
    assert_eq!(briefings[0].fire_at, rfc(when));
    assert!(!briefings[0].late);
    handle.stop().await;
}
