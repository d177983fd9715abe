//! The scheduler: reminders fire at their time and once (also over a restart and with two
//! engines on one file), overdue notices, the daily briefing, repeating events across
//! daylight-saving changes, push to a stand-in Expo server, `.ics` files and the
//! notification routes.
//!
//! Engine tests run a real engine over a real SQLite file with a [`ManualClock`]: time moves
//! when the test says so, and the test waits on the engine's passes, never on sleeps.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{NaiveTime, TimeZone as _};
use chrono_tz::Tz;
use clawchat_server::bus::{Bus, Module};
use clawchat_server::features::briefing::Briefing;
use clawchat_server::features::todos::{NewTodo, insert_todo};
use clawchat_server::infra::db::Db;
use clawchat_server::llm::ModelProvider;
use clawchat_server::schedule::{
    BusNotifier, ExpoPush, ManualClock, Notification, Notifier, Scheduler, SchedulerConfig, SchedulerHandle,
    daily,
};
use futures::future::BoxFuture;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::common::{Options, TZ, TestServer, assert_error, assert_invalid_field, send, str_field};

pub(crate) const MIN: i64 = 60_000;

pub(crate) fn tz() -> Tz {
    TZ.parse().unwrap()
}

pub(crate) fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    tz().with_ymd_and_hms(y, m, d, h, min, 0).earliest().unwrap().timestamp_millis()
}

pub(crate) fn rfc(ms: i64) -> String {
    clawchat_server::infra::time::render(ms, tz())
}

/// `scheduler` with the daily briefing at `at` in the test's zone, written by `model` when
/// one is given, as the app hands it over.
pub(crate) fn with_briefing(
    scheduler: Scheduler,
    db: &Db,
    model: Option<Arc<dyn ModelProvider>>,
    at: NaiveTime,
) -> Scheduler {
    let briefing = Briefing { db: db.clone(), tz: tz(), model };
    scheduler.with_daily(Arc::new(briefing), daily::fixed(at, tz()))
}

/// Keeps every notification it is handed.
#[derive(Default)]
pub(crate) struct Collector {
    got: Mutex<Vec<Notification>>,
    count: watch::Sender<usize>,
}

impl Notifier for Collector {
    fn name(&self) -> &str {
        "collector"
    }

    fn deliver<'a>(&'a self, batch: &'a [Notification]) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let mut got = self.got.lock().unwrap();
            got.extend(batch.iter().cloned());
            self.count.send_replace(got.len());
            Ok(())
        })
    }
}

impl Collector {
    pub(crate) fn all(&self) -> Vec<Notification> {
        self.got.lock().unwrap().clone()
    }

    pub(crate) fn of_kind(&self, kind: &str) -> Vec<Notification> {
        self.all().into_iter().filter(|n| n.kind == kind).collect()
    }

    /// Waits (up to 30 s) until at least `n` notifications arrived.
    pub(crate) async fn wait_for(&self, n: usize) {
        let mut rx = self.count.subscribe();
        tokio::time::timeout(Duration::from_secs(30), rx.wait_for(|c| *c >= n))
            .await
            .unwrap_or_else(|_| panic!("{n} notifications did not arrive; got {:?}", self.all()))
            .unwrap();
    }
}

pub(crate) struct Rig {
    pub(crate) db: Db,
    bus: Bus,
    clock: Arc<ManualClock>,
    pub(crate) collector: Arc<Collector>,
    handle: Option<SchedulerHandle>,
    briefing: Option<NaiveTime>,
}

impl Rig {
    pub(crate) async fn open(
        path: &std::path::Path,
        clock: Arc<ManualClock>,
        briefing: Option<NaiveTime>,
    ) -> Self {
        let db = Db::open(path).await.unwrap();
        let mut rig =
            Self { db, bus: Bus::default(), clock, collector: Arc::default(), handle: None, briefing };
        rig.start().await;
        rig
    }

    fn scheduler(&self) -> Scheduler {
        let config = SchedulerConfig { tz: tz(), check_interval: Duration::from_secs(60) };
        let scheduler = Scheduler::new(
            self.db.clone(),
            self.bus.clone(),
            self.clock.clone(),
            vec![self.collector.clone()],
            config,
        );
        match self.briefing {
            Some(at) => with_briefing(scheduler, &self.db, None, at),
            None => scheduler,
        }
    }

    async fn start(&mut self) {
        let mut handle = self.scheduler().spawn();
        handle.passed(self.now()).await;
        self.handle = Some(handle);
    }

    pub(crate) async fn stop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.stop().await;
        }
    }

    fn now(&self) -> i64 {
        use clawchat_server::schedule::Clock as _;
        self.clock.now_ms()
    }

    /// Moves the clock to `at` and waits until the engine has looked at the store then.
    pub(crate) async fn at(&mut self, at: i64) {
        self.clock.set(at);
        // A change wakes the engine even when nothing is due, so the pass below happens.
        self.bus.data_changed(Module::Todos);
        let handle = self.handle.as_mut().unwrap();
        tokio::time::timeout(Duration::from_secs(30), handle.passed(at))
            .await
            .expect("the engine made a pass");
    }

    pub(crate) async fn todo(&self, body: Value) -> String {
        let new: NewTodo = serde_json::from_value(body).unwrap();
        let todo = insert_todo(&self.db.write, tz(), new).await.unwrap();
        self.bus.data_changed(Module::Todos);
        todo.id
    }

    async fn stored(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM notifications").fetch_one(&self.db.read).await.unwrap()
    }
}

#[tokio::test]
async fn a_reminder_fires_at_its_time_and_only_once() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = local(2026, 5, 4, 9, 0);
    let mut rig = Rig::open(&dir.path().join("c.db"), Arc::new(ManualClock::new(t0)), None).await;
    let due = t0 + 10 * MIN;
    let id = rig.todo(json!({"title": "Call the dentist", "due_date": rfc(due)})).await;
    let early = rig.todo(json!({"title": "Water plants", "due_date": rfc(due), "reminder_minutes": 5})).await;

    rig.at(due - 5 * MIN - 1000).await;
    assert!(rig.collector.all().is_empty(), "nothing is due yet");
    rig.at(due - 5 * MIN).await;
    rig.collector.wait_for(1).await;
    let first = rig.collector.all();
    assert_eq!(first[0].ref_id.as_deref(), Some(early.as_str()), "the 5-minute-early reminder comes first");

    rig.at(due - 1000).await;
    assert_eq!(rig.collector.all().len(), 1);
    rig.at(due).await;
    rig.collector.wait_for(2).await;
    let got = rig.collector.all();
    assert_eq!(got[1].ref_id.as_deref(), Some(id.as_str()));
    assert_eq!(got[1].kind, "reminder");
    assert_eq!(got[1].title, "Call the dentist");
    assert_eq!(got[1].fire_at, rfc(due));
    assert!(!got[1].late);

    for step in 1..=5 {
        rig.at(due + step * 1000).await;
    }
    let reminders: Vec<_> = rig.collector.of_kind("reminder");
    assert_eq!(reminders.len(), 2, "each reminder fired once: {reminders:?}");
    assert_eq!(rig.stored().await, 2);
    rig.stop().await;
}

#[tokio::test]
async fn a_restart_over_the_due_time_delivers_once_marked_late() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let t0 = local(2026, 5, 4, 9, 0);
    let clock = Arc::new(ManualClock::new(t0));
    let mut rig = Rig::open(&path, clock.clone(), None).await;
    let due = t0 + 10 * MIN;
    let id = rig.todo(json!({"title": "Pay rent", "due_date": rfc(due)})).await;
    rig.at(t0 + MIN).await;
    rig.stop().await;

    // The app is closed over the due time.
    clock.set(t0 + 40 * MIN);
    let mut again = Rig::open(&path, clock.clone(), None).await;
    again.collector.wait_for(1).await;
    let got = again.collector.all();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].ref_id.as_deref(), Some(id.as_str()));
    assert!(got[0].late, "a reminder delivered after the app was down is marked late");
    assert_eq!(got[0].fire_at, rfc(due));
    again.at(t0 + 41 * MIN).await;
    again.stop().await;

    // And a third start delivers nothing again.
    let mut third = Rig::open(&path, clock, None).await;
    third.at(t0 + 42 * MIN).await;
    assert!(third.collector.all().is_empty(), "{:?}", third.collector.all());
    assert_eq!(third.stored().await, 1);
    third.stop().await;
}

#[tokio::test]
async fn two_engines_on_one_file_fire_each_reminder_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let t0 = local(2026, 5, 4, 9, 0);
    let clock = Arc::new(ManualClock::new(t0));
    let mut a = Rig::open(&path, clock.clone(), None).await;
    let mut b = Rig::open(&path, clock.clone(), None).await;
    let mut ids = Vec::new();
    for i in 0..60 {
        ids.push(
            a.todo(json!({"title": format!("Task {i}"), "due_date": rfc(t0 + 5 * MIN + i * 1000)})).await,
        );
    }
    b.bus.data_changed(Module::Todos);
    // Both engines wake for the same instants and race for every claim.
    for step in 0..=70 {
        let at = t0 + 5 * MIN + step * 1000;
        clock.set(at);
        a.bus.data_changed(Module::Todos);
        b.bus.data_changed(Module::Todos);
        a.handle.as_mut().unwrap().passed(at).await;
        b.handle.as_mut().unwrap().passed(at).await;
    }
    let mut all: Vec<String> =
        a.collector.all().into_iter().chain(b.collector.all()).filter_map(|n| n.ref_id).collect();
    assert_eq!(
        all.len(),
        60,
        "every reminder delivered once in all (a: {}, b: {})",
        a.collector.all().len(),
        b.collector.all().len()
    );
    all.sort();
    ids.sort();
    assert_eq!(all, ids);
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn an_open_todo_past_due_is_announced_overdue_once() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = local(2026, 5, 4, 9, 0);
    let mut rig = Rig::open(&dir.path().join("c.db"), Arc::new(ManualClock::new(t0)), None).await;
    let due = t0 + 10 * MIN;
    let open = rig.todo(json!({"title": "File taxes", "due_date": rfc(due)})).await;
    let done = rig.todo(json!({"title": "Buy milk", "due_date": rfc(due)})).await;
    rig.at(due).await;
    rig.collector.wait_for(2).await;
    sqlx::query("UPDATE todos SET status = 'completed' WHERE id = ?")
        .bind(&done)
        .execute(&rig.db.write)
        .await
        .unwrap();
    rig.bus.data_changed(Module::Todos);

    rig.at(due + 59 * MIN).await;
    assert!(rig.collector.of_kind("overdue").is_empty());
    rig.at(due + 60 * MIN).await;
    rig.collector.wait_for(3).await;
    for step in 1..=3 {
        rig.at(due + 60 * MIN + step * 30 * MIN).await;
    }
    let overdue = rig.collector.of_kind("overdue");
    assert_eq!(overdue.len(), 1, "{overdue:?}");
    assert_eq!(overdue[0].ref_id.as_deref(), Some(open.as_str()));
    assert_eq!(overdue[0].title, "Overdue: File taxes");
    rig.stop().await;
}

#[tokio::test]
async fn a_repeating_reminder_keeps_its_local_time_across_daylight_saving_changes() {
    let dir = tempfile::tempdir().unwrap();
    // Los Angeles springs forward on 2026-03-08 and falls back on 2026-11-01.
    for (start, days, hour, minute) in [((2026, 3, 6), 4, 9, 0), ((2026, 10, 30), 4, 1, 30)] {
        let first = local(start.0, start.1, start.2, hour, minute);
        let t0 = first - 60 * MIN;
        let path = dir.path().join(format!("c{}.db", start.1));
        let mut rig = Rig::open(&path, Arc::new(ManualClock::new(t0)), None).await;
        let event = clawchat_server::features::events::insert_event(
            &rig.db.write,
            tz(),
            serde_json::from_value(json!({
                "title": "Stretch", "start_time": rfc(first), "reminder_minutes": 10,
                "recurrence_rule": format!("FREQ=DAILY;COUNT={days}")
            }))
            .unwrap(),
        )
        .await
        .unwrap();
        rig.bus.data_changed(Module::Events);
        // Walk time in 15-minute steps over the whole series.
        let mut at = t0;
        while at < first + (days + 1) * 86_400_000 {
            at += 15 * MIN;
            rig.at(at).await;
        }
        let got = rig.collector.all();
        assert!(got.iter().all(|n| n.ref_id.as_deref() == Some(event.id.as_str())));
        let times: Vec<String> = got
            .iter()
            .map(|n| {
                chrono::DateTime::parse_from_rfc3339(&n.fire_at)
                    .unwrap()
                    .with_timezone(&tz())
                    .format("%m-%d %H:%M")
                    .to_string()
            })
            .collect();
        let expected: Vec<String> = (0..days)
            .map(|d| {
                let day = chrono::NaiveDate::from_ymd_opt(start.0, start.1, start.2).unwrap()
                    + chrono::Days::new(d as u64);
                let t = NaiveTime::from_hms_opt(hour, minute, 0).unwrap() - chrono::Duration::minutes(10);
                format!("{} {}", day.format("%m-%d"), t.format("%H:%M"))
            })
            .collect();
        assert_eq!(times, expected, "one reminder per day at the same local time");
        rig.stop().await;
    }
}

#[tokio::test]
async fn the_daily_briefing_comes_at_the_configured_local_time() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = local(2026, 5, 4, 7, 0);
    let briefing = NaiveTime::from_hms_opt(7, 30, 0);
    let mut rig = Rig::open(&dir.path().join("c.db"), Arc::new(ManualClock::new(t0)), briefing).await;
    rig.todo(json!({"title": "Send the invoice", "due_date": "2026-05-04"})).await;
    rig.at(local(2026, 5, 4, 7, 29)).await;
    assert!(rig.collector.all().is_empty());
    rig.at(local(2026, 5, 4, 7, 30)).await;
    rig.collector.wait_for(1).await;
    let got = rig.collector.all();
    assert_eq!(got[0].kind, "briefing");
    assert!(
        got[0].body.contains("Send the invoice"),
        "the built-in summary lists today's todo: {}",
        got[0].body
    );
    assert!(got[0].body.contains("Monday May 4"), "{}", got[0].body);
    let conversation = got[0].conversation_id.clone().expect("the briefing names its conversation");
    let (title, kind): (String, String) =
        sqlx::query_as("SELECT title, kind FROM conversations WHERE id = ?")
            .bind(&conversation)
            .fetch_one(&rig.db.read)
            .await
            .unwrap();
    assert_eq!((title.as_str(), kind.as_str()), ("Briefings", "briefings"));
    let content: String =
        sqlx::query_scalar("SELECT content FROM messages WHERE conversation_id = ? AND role = 'assistant'")
            .bind(&conversation)
            .fetch_one(&rig.db.read)
            .await
            .unwrap();
    assert_eq!(content, got[0].body);

    rig.at(local(2026, 5, 4, 12, 0)).await;
    rig.at(local(2026, 5, 5, 7, 29)).await;
    assert_eq!(rig.collector.of_kind("briefing").len(), 1, "one briefing a day");
    // The day-level todo's day ended undone at midnight.
    let overdue = rig.collector.of_kind("overdue");
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0].fire_at, rfc(local(2026, 5, 5, 0, 0)));
    rig.at(local(2026, 5, 5, 7, 30)).await;
    rig.collector.wait_for(3).await;
    let briefings = rig.collector.of_kind("briefing");
    assert_eq!(briefings.len(), 2);
    assert!(briefings[1].body.contains("Tuesday May 5"), "{}", briefings[1].body);
    assert!(briefings[1].body.contains("1 todo is overdue: Send the invoice"), "{}", briefings[1].body);
    rig.stop().await;
}

/// A stand-in for Expo's push endpoint: answers the first request 503, then one ticket per
/// message in Expo's shapes, `DeviceNotRegistered` for tokens that contain "Gone".
async fn expo_stand_in() -> (String, Arc<Mutex<Vec<Value>>>) {
    use axum::routing::post;
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let log = seen.clone();
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let app = axum::Router::new().route(
        "/--/api/v2/push/send",
        post(move |axum::Json(body): axum::Json<Value>| {
            let log = log.clone();
            let calls = calls.clone();
            async move {
                log.lock().unwrap().push(body.clone());
                let first = calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0;
                if first {
                    return (axum::http::StatusCode::SERVICE_UNAVAILABLE, axum::Json(json!({"errors": [{"code": "INTERNAL", "message": "busy"}]})));
                }
                let data: Vec<Value> = body
                    .as_array()
                    .unwrap()
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        let to = m["to"].as_str().unwrap();
                        if to.contains("Gone") {
                            json!({"status": "error", "message": format!("\"{to}\" is not a registered push notification recipient"), "details": {"error": "DeviceNotRegistered"}})
                        } else {
                            json!({"status": "ok", "id": format!("ticket-{i}")})
                        }
                    })
                    .collect();
                (axum::http::StatusCode::OK, axum::Json(json!({ "data": data })))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/--/api/v2/push/send"), seen)
}

#[tokio::test]
async fn push_goes_to_expo_in_batches_retries_and_drops_unregistered_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("c.db")).await.unwrap();
    for token in ["ExponentPushToken[aaa]", "ExponentPushToken[bbb]", "ExponentPushToken[Gone1]"] {
        sqlx::query("INSERT INTO push_tokens (token, created_at, updated_at) VALUES (?, 0, 0)")
            .bind(token)
            .execute(&db.write)
            .await
            .unwrap();
    }
    let (url, seen) = expo_stand_in().await;
    let mut push = ExpoPush::new(db.clone(), url);
    push.backoff = Duration::from_millis(20);
    let batch: Vec<Notification> = (0..50)
        .map(|i| Notification {
            id: format!("n{i}"),
            kind: "reminder".into(),
            title: format!("Task {i}"),
            body: "Due now".into(),
            ref_id: Some(format!("t{i}")),
            conversation_id: None,
            occurrence_at: None,
            fire_at: "2026-05-04T09:00:00-07:00".into(),
            late: false,
            created_at: "2026-05-04T09:00:00-07:00".into(),
            read: false,
        })
        .collect();
    let report = push.send(&batch).await.unwrap();

    let requests = seen.lock().unwrap().clone();
    assert_eq!(requests.len(), 3, "150 messages: a batch of 100 (sent twice after a 503) and one of 50");
    let sizes: Vec<usize> = requests.iter().map(|r| r.as_array().unwrap().len()).collect();
    assert_eq!(sizes, vec![100, 100, 50]);
    assert_eq!(requests[0], requests[1], "the refused batch is sent again as it was");
    assert_eq!(requests[1][0]["title"], "Task 0");
    assert_eq!(requests[1][0]["data"]["notification_id"], "n0");
    assert_eq!(report.accepted, 100);
    assert_eq!(report.removed, vec!["ExponentPushToken[Gone1]".to_owned()]);
    let left: Vec<String> =
        sqlx::query_scalar("SELECT token FROM push_tokens ORDER BY token").fetch_all(&db.read).await.unwrap();
    assert_eq!(left, vec!["ExponentPushToken[aaa]", "ExponentPushToken[bbb]"]);

    // The next send goes only to the tokens that are left.
    seen.lock().unwrap().clear();
    push.send(&batch[..1]).await.unwrap();
    let again = seen.lock().unwrap().clone();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].as_array().unwrap().len(), 2);
}

/// With the real clock: a todo due two seconds ahead reaches a connected WebSocket client
/// within a second of its due time.
#[tokio::test]
async fn a_reminder_reaches_a_websocket_client_on_time() {
    use futures::StreamExt as _;
    use tokio_tungstenite::tungstenite::Message;
    let mut server = TestServer::start_with(Options {
        extra_args: vec!["--enable-scheduler".into(), "true".into()],
        ..Options::default()
    })
    .await;
    let token = server.token().await;
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("ws://{}/ws?token={token}", server.addr)).await.unwrap();
    // Whole seconds, two to three ahead.
    let due = (chrono::Utc::now().timestamp() + 3) * 1000;
    let todo = server.create("/api/todos", &token, json!({"title": "Stand up", "due_date": rfc(due)})).await;
    let id = str_field(&todo, "id");
    let frame = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            if let Some(Ok(Message::Text(text))) = ws.next().await {
                let v: Value = serde_json::from_str(&text).unwrap();
                if v["type"] == "notification" && v["data"]["ref_id"] == id.as_str() {
                    return v;
                }
            }
        }
    })
    .await
    .expect("the reminder arrives");
    let arrived = chrono::Utc::now().timestamp_millis();
    assert_eq!(frame["data"]["kind"], "reminder");
    assert_eq!(frame["data"]["title"], "Stand up");
    assert!(arrived >= due, "not before its time ({} ms early)", due - arrived);
    assert!(arrived - due <= 1000, "within a second of due, was {} ms late", arrived - due);

    // It is listed, and can be marked read.
    let page = server.get_ok("/api/notifications", &token).await;
    assert_eq!(page["total"], 1);
    let n = &page["items"][0];
    assert_eq!(n["ref_id"], id.as_str());
    assert_eq!(n["read"], false);
    let nid = str_field(n, "id");
    let (status, read) = send(server.post(&format!("/api/notifications/{nid}/read"), &token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["read"], true);
    assert_eq!(server.get_ok("/api/notifications?unread=true", &token).await["total"], 0);
    let (status, body) = send(server.post("/api/notifications/nope/read", &token)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND);
    let (status, body) = send(server.get("/api/notifications?unread=maybe", &token)).await;
    assert_invalid_field(status, &body, "unread");
    let (status, body) = send(server.get("/api/notifications?limit=1000", &token)).await;
    assert_invalid_field(status, &body, "limit");
    server.stop().await;
}

#[tokio::test]
async fn the_bus_notifier_reaches_the_server_sockets() {
    // The engine over a running server's own store and bus, with a clock the test moves.
    let mut server = TestServer::start().await;
    let token = server.token().await;
    let state = server.state.clone();
    let mut events = state.bus.subscribe();
    let t0 = local(2026, 5, 4, 9, 0);
    let clock = Arc::new(ManualClock::new(t0));
    let config = SchedulerConfig { tz: tz(), check_interval: Duration::from_secs(60) };
    let mut handle = Scheduler::new(
        state.db.clone(),
        state.bus.clone(),
        clock.clone(),
        vec![Arc::new(BusNotifier(state.bus.clone()))],
        config,
    )
    .spawn();
    handle.passed(t0).await;
    let event = server
        .create(
            "/api/events",
            &token,
            json!({"title": "Team sync", "start_time": rfc(t0 + 30 * MIN), "reminder_minutes": 15, "location": "Room 4"}),
        )
        .await;
    clock.set(t0 + 15 * MIN);
    let frame = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let e = events.recv().await.unwrap();
            let v = serde_json::to_value(&*e).unwrap();
            if v["type"] == "notification" {
                return v;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(frame["data"]["ref_id"], event["id"]);
    assert_eq!(frame["data"]["title"], "Team sync");
    assert!(frame["data"]["body"].as_str().unwrap().contains("Room 4"));
    let page = server.get_ok("/api/notifications", &token).await;
    assert_eq!(page["items"][0]["fire_at"], rfc(t0 + 15 * MIN).as_str());
    handle.stop().await;
    server.stop().await;
}

#[tokio::test]
async fn completing_a_repeating_todo_rolls_it_to_the_next_occurrence() {
    let mut server = TestServer::start().await;
    let token = server.token().await;
    let todo = server
        .create(
            "/api/todos",
            &token,
            json!({"title": "Take out bins", "due_date": "2026-03-05T19:00:00-08:00", "recurrence_rule": "RRULE:FREQ=WEEKLY", "reminder_minutes": 30}),
        )
        .await;
    assert_eq!(todo["recurrence_rule"], "FREQ=WEEKLY");
    assert_eq!(todo["reminder_minutes"], 30);
    let id = str_field(&todo, "id");
    let (status, done) = send(server.post(&format!("/api/todos/{id}/complete"), &token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(done["status"], "pending", "a repeating todo stays open");
    // A week later, at 19:00 local time although the clocks changed in between.
    assert_eq!(done["due_date"], "2026-03-12T19:00:00-07:00");
    assert_eq!(done["completed_at"], Value::Null);

    let (status, body) =
        send(server.post("/api/todos", &token).json(&json!({"title": "x", "recurrence_rule": "FREQ=DAILY"})))
            .await;
    assert_invalid_field(status, &body, "recurrence_rule");
    let (status, body) = send(
        server
            .post("/api/todos", &token)
            .json(&json!({"title": "x", "due_date": "2026-03-05", "recurrence_rule": "FREQ=SOMETIMES"})),
    )
    .await;
    assert_invalid_field(status, &body, "recurrence_rule");
    let (status, body) =
        send(server.patch(&format!("/api/todos/{id}"), &token).json(&json!({"reminder_minutes": -5}))).await;
    assert_invalid_field(status, &body, "reminder_minutes");
    assert_eq!(server.total("/api/todos", &token).await, 1, "bad input stored nothing");
    server.stop().await;
}

const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other Calendar//EN\r\n\
BEGIN:VEVENT\r\nUID:weekly-1@other.example\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Piano lesson\r\n\
DESCRIPTION:Bring the Czerny book\\, too\r\nLOCATION:Music school\r\n\
DTSTART;TZID=America/New_York:20260303T170000\r\nDTEND;TZID=America/New_York:20260303T180000\r\n\
RRULE:FREQ=WEEKLY;BYDAY=TU\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Piano\r\nTRIGGER:-PT30M\r\nEND:VALARM\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:trip-2@other.example\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Trip\r\n\
DTSTART;VALUE=DATE:20260320\r\nDTEND;VALUE=DATE:20260323\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

#[tokio::test]
async fn a_calendar_file_imports_exports_and_reimports_without_doubling() {
    let mut server = TestServer::start().await;
    let token = server.token().await;
    let import = |body: &'static str| {
        server.post("/api/events/import", &token).header("content-type", "text/calendar").body(body)
    };
    let (status, out) = send(import(ICS)).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["created"], 2);
    let piano = server.get_ok(&format!("/api/events/{}", out["ids"][0].as_str().unwrap()), &token).await;
    assert_eq!(piano["title"], "Piano lesson");
    assert_eq!(piano["description"], "Bring the Czerny book, too");
    assert_eq!(piano["location"], "Music school");
    assert_eq!(piano["start_time"], "2026-03-03T14:00:00-08:00", "17:00 in New York");
    assert_eq!(piano["end_time"], "2026-03-03T15:00:00-08:00");
    assert_eq!(piano["recurrence_rule"], "FREQ=WEEKLY;BYDAY=TU");
    assert_eq!(piano["reminder_minutes"], 30);
    let trip = server.get_ok(&format!("/api/events/{}", out["ids"][1].as_str().unwrap()), &token).await;
    assert_eq!(trip["is_all_day"], true);
    assert_eq!(trip["start_time"], "2026-03-20T00:00:00-07:00");
    // The occurrences expand when listing a range: Tuesdays in March after the change.
    let march = server.get_ok("/api/events?start_after=2026-03-09&start_before=2026-03-25", &token).await;
    let pianos: Vec<&str> = march["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["title"] == "Piano lesson")
        .map(|e| e["start_time"].as_str().unwrap())
        .collect();
    assert_eq!(
        pianos,
        vec!["2026-03-10T14:00:00-07:00", "2026-03-17T14:00:00-07:00", "2026-03-24T14:00:00-07:00"]
    );

    // The same file again updates instead of doubling.
    let (status, again) = send(import(ICS)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((again["created"].as_i64(), again["updated"].as_i64()), (Some(0), Some(2)));
    assert_eq!(server.total("/api/events", &token).await, 2);

    // Export, and the export imported back changes nothing.
    let answer = server.get("/api/events.ics", &token).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let text = answer.text().await.unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR"));
    assert!(text.contains("RRULE:FREQ=WEEKLY;BYDAY=TU"), "{text}");
    assert!(text.contains("SUMMARY:Piano lesson"));
    assert!(text.contains("UID:weekly-1@other.example"));
    assert!(text.contains("DTSTART;VALUE=DATE:20260320"), "{text}");
    assert!(text.contains("BEGIN:VALARM") && text.contains("TRIGGER:-PT1800S"), "{text}");
    let text: &'static str = Box::leak(text.into_boxed_str());
    let (status, back) = send(import(text)).await;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert_eq!(back["created"], 0);
    assert_eq!(server.total("/api/events", &token).await, 2);
    let piano_again =
        server.get_ok(&format!("/api/events/{}", out["ids"][0].as_str().unwrap()), &token).await;
    assert_eq!(piano_again["start_time"], piano["start_time"]);
    assert_eq!(piano_again["reminder_minutes"], 30);
    server.stop().await;
}

#[tokio::test]
async fn a_malformed_calendar_file_is_refused_and_imports_nothing() {
    let mut server = TestServer::start().await;
    let token = server.token().await;
    let bad_second = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
BEGIN:VEVENT\r\nUID:ok-1\r\nSUMMARY:Fine\r\nDTSTART:20260303T170000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:bad-2\r\nSUMMARY:Broken\r\nDTSTART:20260303T170000Z\r\nRRULE:FREQ=FORTNIGHTLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    for body in ["this is not a calendar", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", bad_second]
    {
        let (status, err) = send(
            server.post("/api/events/import", &token).header("content-type", "text/calendar").body(body),
        )
        .await;
        assert_invalid_field(status, &err, "file");
    }
    let (_, err) = send(
        server.post("/api/events/import", &token).header("content-type", "text/calendar").body(bad_second),
    )
    .await;
    assert!(err["detail"].as_str().unwrap().contains("Broken"), "the error names the event: {err}");
    let huge = format!("BEGIN:VCALENDAR\r\n{}", "X-PAD:0123456789abcdef\r\n".repeat(60_000));
    let (status, err) =
        send(server.post("/api/events/import", &token).header("content-type", "text/calendar").body(huge))
            .await;
    assert_error(status, &err, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(server.total("/api/events", &token).await, 0, "nothing was imported");
    server.stop().await;
}

#[tokio::test]
async fn asking_for_the_briefing_stores_it_where_today_shows_it() {
    let mut server = TestServer::start().await;
    let token = server.token().await;
    server.create("/api/todos", &token, json!({"title": "Renew passport", "due_date": crate::common::now_local().date_naive().to_string()})).await;
    assert_eq!(server.get_ok("/api/today", &token).await["briefing"], Value::Null);
    let text = server
        .post("/api/chat/stream", &token)
        .json(&json!({ "content": "give me my briefing" }))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("Renew passport"), "the answer is the briefing: {text}");
    let today = server.get_ok("/api/today", &token).await;
    let briefing = &today["briefing"];
    assert!(briefing["content"].as_str().unwrap().contains("Due today: Renew passport."), "{today}");
    let conversations = server.get_ok("/api/chat/conversations", &token).await;
    assert!(
        conversations["items"].as_array().unwrap().iter().any(|c| c["title"] == "Briefings"),
        "{conversations}"
    );
    server.stop().await;
}

/// The briefing job over a running server's store, with its configured model, at 07:30
/// on a clock the test moves; returns the briefing notification.
async fn briefing_with_model_of(server: &TestServer) -> Notification {
    let state = server.state.clone();
    let t0 = local(2026, 5, 4, 7, 0);
    let clock = Arc::new(ManualClock::new(t0));
    let collector = Arc::new(Collector::default());
    let config = SchedulerConfig { tz: tz(), check_interval: Duration::from_secs(60) };
    let scheduler =
        Scheduler::new(state.db.clone(), state.bus.clone(), clock.clone(), vec![collector.clone()], config);
    let model = state.brain.engine.model.as_ref().map(|m| m.provider.clone());
    let at = NaiveTime::from_hms_opt(7, 30, 0).unwrap();
    let mut handle = with_briefing(scheduler, &state.db, model, at).spawn();
    handle.passed(t0).await;
    clock.set(local(2026, 5, 4, 7, 30));
    collector.wait_for(1).await;
    handle.stop().await;
    collector.all().remove(0)
}

#[tokio::test]
async fn the_model_writes_the_briefing_when_it_answers_and_the_summary_stands_in_when_not() {
    let (url, seen) =
        crate::model::stand_in(crate::model::words("Morning! One thing today: send the invoice.")).await;
    let mut server = TestServer::start_with(Options {
        extra_args: vec!["--ai-provider".into(), "openai".into(), "--ai-base-url".into(), url],
        ..Options::default()
    })
    .await;
    let token = server.token().await;
    server.create("/api/todos", &token, json!({"title": "Send the invoice", "due_date": "2026-05-04"})).await;
    let briefing = briefing_with_model_of(&server).await;
    assert_eq!(briefing.body, "Morning! One thing today: send the invoice.");
    let asked = seen.lock().unwrap().clone();
    assert_eq!(asked.len(), 1);
    assert!(
        asked[0].to_string().contains("Send the invoice"),
        "the model is given today's todos: {}",
        asked[0]
    );
    server.stop().await;

    // A model that cannot be reached: the built-in summary, still on time.
    let mut server = TestServer::start_with(Options {
        extra_args: vec![
            "--ai-provider".into(),
            "openai".into(),
            "--ai-base-url".into(),
            "http://127.0.0.1:9".into(),
        ],
        ..Options::default()
    })
    .await;
    let token = server.token().await;
    server.create("/api/todos", &token, json!({"title": "Send the invoice", "due_date": "2026-05-04"})).await;
    let briefing = briefing_with_model_of(&server).await;
    assert!(briefing.body.starts_with("Good morning. Today is Monday May 4."), "{}", briefing.body);
    assert!(briefing.body.contains("Due today: Send the invoice."), "{}", briefing.body);
    server.stop().await;
}
