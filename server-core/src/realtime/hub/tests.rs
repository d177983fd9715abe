use std::time::Duration;

use super::super::outbox::{MAX_QUEUED_BYTES, OutboxReader, outbox};
use super::*;

fn text(m: Message) -> String {
    match m {
        Message::Text(t) => t.as_str().to_owned(),
        other => panic!("expected text, got {other:?}"),
    }
}

fn drain(rx: &mut OutboxReader) -> Vec<String> {
    std::iter::from_fn(|| rx.try_recv()).map(text).collect()
}

fn name(s: &str) -> ConnectionId {
    ConnectionId::from(s)
}

fn event(e: ServerEvent) -> Arc<ServerEvent> {
    Arc::new(e)
}

fn start(id: &str, to: Option<&str>) -> Arc<ServerEvent> {
    event(ServerEvent::StreamStart { message_id: id.into(), conversation_id: "c".into(), to: to.map(name) })
}

fn chunk(id: &str, content: &str, to: Option<&str>) -> Arc<ServerEvent> {
    event(ServerEvent::chunk(id, content.into(), 0, to.map(name).as_ref()))
}

fn end(id: &str) -> Arc<ServerEvent> {
    event(ServerEvent::StreamEnd { message_id: id.into(), full_content: "all".into(), intent: "i".into() })
}

fn changed() -> Arc<ServerEvent> {
    event(ServerEvent::ModuleDataChanged { module: crate::bus::Module::Todos })
}

/// What `events` send each connection once routed and the copies sent.
async fn deliver(hub: &Hub, events: &[Arc<ServerEvent>]) {
    hub.route(events);
    hub.send_copies().await;
}

#[tokio::test]
async fn every_connection_gets_each_event_once_and_a_full_queue_is_dropped() {
    let bus = Bus::new(1024);
    let hub = Arc::new(Hub::default());
    let (fast_tx, mut fast_rx) = outbox();
    let (slow_tx, _slow_rx) = outbox();
    let _fast = hub.register(&bus, fast_tx, name("fast"));
    let slow = hub.register(&bus, slow_tx, name("slow"));
    // Each frame is about 1 KiB; the slow reader never reads, so it overflows after
    // MAX_QUEUED_BYTES, while the fast one takes every frame.
    let filler = "x".repeat(1024);
    let frames = MAX_QUEUED_BYTES / 1024 + 8;
    let expected = filler.clone();
    let reader = tokio::spawn(async move {
        for i in 0..frames {
            let got = tokio::time::timeout(Duration::from_secs(5), fast_rx.recv()).await;
            let got = text(got.expect("frame in time").expect("open"));
            assert!(got.contains(&format!("\"{i}{expected}\"")), "frame {i} in order");
        }
    });
    for i in 0..frames {
        bus.publish(ServerEvent::Error { code: "x".into(), detail: format!("{i}{filler}") });
        if i % 32 == 0 {
            tokio::task::yield_now().await;
        }
    }
    reader.await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), slow.too_slow.notified())
        .await
        .expect("the slow connection is told to leave");
    assert_eq!(hub.conns().by_id.len(), 1, "only the fast connection stays");
}

#[tokio::test]
async fn a_dropped_registration_leaves_the_hub() {
    let bus = Bus::new(8);
    let hub = Arc::new(Hub::default());
    let (tx, _rx) = outbox();
    let reg = hub.register(&bus, tx, name("a"));
    assert_eq!(hub.conns().by_id.len(), 1);
    drop(reg);
    assert_eq!(hub.conns().by_id.len(), 0);
    assert!(hub.conns().by_name.is_empty());
}

#[tokio::test]
async fn a_run_reaches_every_connection_whole_and_in_order() {
    let hub = Arc::new(Hub::default());
    let bus = Bus::new(8);
    let (a_tx, mut a_rx) = outbox();
    let (b_tx, mut b_rx) = outbox();
    let _a = hub.register(&bus, a_tx.clone(), name("a"));
    let _b = hub.register(&bus, b_tx, name("b"));
    let events: Vec<_> = (0..5).map(|i| start(&format!("m{i}"), None)).collect();
    deliver(&hub, &events).await;
    let frames: Vec<String> = events.iter().map(|e| text(frame(e))).collect();
    assert_eq!(a_tx.queued_bytes(), frames.iter().map(String::len).sum::<usize>());
    assert_eq!(drain(&mut a_rx), frames);
    assert_eq!(drain(&mut b_rx), frames);
    assert_eq!(a_tx.queued_bytes(), 0, "what was taken is no longer counted");
}

#[tokio::test]
async fn the_asker_gets_its_answer_first_and_whole_the_others_a_copy_without_chunks() {
    let hub = Arc::new(Hub::default());
    let bus = Bus::new(8);
    let (a_tx, mut a_rx) = outbox();
    let (b_tx, mut b_rx) = outbox();
    let _a = hub.register(&bus, a_tx, name("a"));
    let _b = hub.register(&bus, b_tx, name("b"));
    let events = [
        changed(),
        start("m1", Some("a")),
        chunk("m1", "one", Some("a")),
        start("m2", None),
        chunk("m1", "two", Some("a")),
        chunk("m2", "gone", Some("left")),
        chunk("m2", "nobody", None),
        end("m1"),
    ];
    deliver(&hub, &events).await;
    let f = |i: usize| text(frame(&events[i]));
    assert_eq!(
        drain(&mut a_rx),
        [f(1), f(2), f(4), f(7), f(0), f(3)],
        "its own answer first, in order, then the news of others, without a second copy"
    );
    assert_eq!(drain(&mut b_rx), [f(0), f(1), f(3), f(7)], "no chunk of another's answer");
}

#[tokio::test]
async fn an_answer_keeps_its_asker_when_another_connection_takes_its_name() {
    let hub = Arc::new(Hub::default());
    let bus = Bus::new(8);
    let (old_tx, mut old_rx) = outbox();
    let (new_tx, mut new_rx) = outbox();
    let old = hub.register(&bus, old_tx, name("page"));
    hub.route(&[start("m", Some("page"))]);
    let _new = hub.register(&bus, new_tx, name("page"));
    drop(old);
    let events = [chunk("m", "hi", Some("page")), end("m")];
    deliver(&hub, &events).await;
    assert_eq!(drain(&mut old_rx).len(), 1, "the start, before it left");
    assert_eq!(
        drain(&mut new_rx),
        [text(frame(&events[1]))],
        "the newer connection gets the answer whole, never a chunk before its start"
    );
}

#[tokio::test]
async fn a_chunk_without_a_start_goes_to_the_latest_connection_of_its_name() {
    let hub = Arc::new(Hub::default());
    let bus = Bus::new(8);
    let (old_tx, mut old_rx) = outbox();
    let (new_tx, mut new_rx) = outbox();
    let old = hub.register(&bus, old_tx, name("page"));
    let _new = hub.register(&bus, new_tx, name("page"));
    drop(old);
    deliver(&hub, &[chunk("m", "hi", Some("page"))]).await;
    assert!(drain(&mut old_rx).is_empty());
    assert_eq!(drain(&mut new_rx).len(), 1, "the older connection leaving keeps the newer one's name");
}

#[tokio::test]
async fn a_connection_gets_only_the_copies_held_after_it_joined() {
    let hub = Arc::new(Hub::default());
    let bus = Bus::new(8);
    let (a_tx, mut a_rx) = outbox();
    let (b_tx, mut b_rx) = outbox();
    let _a = hub.register(&bus, a_tx, name("a"));
    hub.route(&[start("m1", None)]);
    let _b = hub.register(&bus, b_tx, name("b"));
    let events = [start("m1", None), end("m1")];
    deliver(&hub, &events[1..]).await;
    assert_eq!(drain(&mut a_rx), [text(frame(&events[0])), text(frame(&events[1]))]);
    assert_eq!(drain(&mut b_rx), [text(frame(&events[1]))]);
}

#[tokio::test]
async fn copies_wait_while_a_message_waits_for_its_answer_to_start() {
    let bus = Bus::new(64);
    let hub = Arc::new(Hub::default());
    let (a_tx, mut a_rx) = outbox();
    let (b_tx, mut b_rx) = outbox();
    let _a = hub.register(&bus, a_tx, name("a"));
    let _b = hub.register(&bus, b_tx, name("b"));
    let waiting = bus.waiting().hold();
    bus.publish(ServerEvent::StreamStart {
        message_id: "m1".into(),
        conversation_id: "c".into(),
        to: Some(name("a")),
    });
    let own = tokio::time::timeout(Duration::from_secs(5), a_rx.recv()).await.expect("the asker's start");
    assert!(text(own.expect("open")).contains("m1"));
    assert!(b_rx.try_recv().is_none(), "the copy waits while another message waits for its start");
    drop(waiting);
    let copy =
        tokio::time::timeout(Duration::from_secs(5), b_rx.recv()).await.expect("the copy once none waits");
    assert!(text(copy.expect("open")).contains("m1"));
    assert!(a_rx.try_recv().is_none(), "the asker gets its start once");
}
