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

fn card(id: &str, card_type: &str) -> Arc<ServerEvent> {
    event(ServerEvent::ActionCard(crate::bus::ActionCard {
        message_id: id.into(),
        card_type: card_type.into(),
        payload: serde_json::json!({}),
        actions: vec![],
    }))
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

/// The next frame, sent by the hub's own tasks.
async fn heard(rx: &mut OutboxReader) -> String {
    let got = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await;
    text(got.expect("a frame in time").expect("open"))
}

/// Two connections, `a` and `b`, on a new hub.
fn two() -> (Arc<Hub>, Bus, [(Registration, Outbox, OutboxReader); 2]) {
    let hub = Arc::new(Hub::default());
    let bus = Bus::new(64);
    let conn = |n: &str| {
        let (tx, rx) = outbox();
        (hub.register(&bus, tx.clone(), name(n)), tx, rx)
    };
    let conns = [conn("a"), conn("b")];
    (hub, bus, conns)
}

#[tokio::test]
async fn a_card_after_its_answer_ended_reaches_every_connection_once_the_asker_too() {
    let (hub, _bus, [(_a, _, mut a_rx), (_b, _, mut b_rx)]) = two();
    let events = [start("m", Some("a")), chunk("m", "hi", Some("a")), end("m"), card("m", "memo_created")];
    // In one run, and with the end's copies already sent before the card comes.
    deliver(&hub, &events).await;
    let f = |i: usize| text(frame(&events[i]));
    assert_eq!(drain(&mut a_rx), [f(0), f(1), f(2), f(3)]);
    assert_eq!(drain(&mut b_rx), [f(0), f(2), f(3)]);
    deliver(&hub, &events[..3]).await;
    drain(&mut a_rx);
    drain(&mut b_rx);
    deliver(&hub, &events[3..]).await;
    assert_eq!(drain(&mut a_rx), [f(3)], "the asker gets the late card too");
    assert_eq!(drain(&mut b_rx), [f(3)]);
}

#[tokio::test]
async fn a_card_after_the_end_is_sent_by_the_hub_own_tasks_without_anything_after_it() {
    let (_hub, bus, [(_a, _, mut a_rx), (_b, _, mut b_rx)]) = two();
    for e in [start("m", Some("a")), chunk("m", "hi", Some("a")), end("m")] {
        bus.publish((*e).clone());
    }
    for _ in 0..3 {
        heard(&mut a_rx).await;
    }
    for _ in 0..2 {
        heard(&mut b_rx).await;
    }
    // The answer has ended and its copies are out; a card for it comes later, alone.
    bus.publish((*card("m", "memo_created")).clone());
    assert!(heard(&mut a_rx).await.contains("memo_created"), "the asker gets it");
    assert!(heard(&mut b_rx).await.contains("memo_created"));
    assert!(a_rx.try_recv().is_none() && b_rx.try_recv().is_none(), "once each");
}

#[tokio::test]
async fn a_card_before_the_end_goes_to_the_asker_once_ahead_of_its_end() {
    let (hub, _bus, [(_a, _, mut a_rx), (_b, _, mut b_rx)]) = two();
    let events = [start("m", Some("a")), card("m", "todo_created"), chunk("m", "hi", Some("a")), end("m")];
    deliver(&hub, &events).await;
    let f = |i: usize| text(frame(&events[i]));
    assert_eq!(drain(&mut a_rx), [f(0), f(1), f(2), f(3)]);
    assert_eq!(drain(&mut b_rx), [f(0), f(1), f(3)]);
}

#[tokio::test]
async fn two_answers_interleaved_each_reach_their_asker_whole_and_the_other_as_copies() {
    let (hub, _bus, [(_a, _, mut a_rx), (_b, _, mut b_rx)]) = two();
    let events = [
        start("m1", Some("a")),
        start("m2", Some("b")),
        chunk("m1", "one", Some("a")),
        chunk("m2", "two", Some("b")),
        card("m2", "todo_created"),
        end("m1"),
        card("m1", "memo_created"),
        end("m2"),
    ];
    deliver(&hub, &events).await;
    let f = |i: usize| text(frame(&events[i]));
    assert_eq!(
        drain(&mut a_rx),
        [f(0), f(2), f(5), f(1), f(4), f(6), f(7)],
        "its answer, then the other's copies and its own card that came after its end"
    );
    assert_eq!(drain(&mut b_rx), [f(1), f(3), f(4), f(7), f(0), f(5), f(6)]);
}

#[tokio::test]
async fn a_connection_with_a_full_queue_is_dropped_and_the_others_still_get_the_card() {
    let (hub, bus, [(_a, _, mut a_rx), (_b, _, mut b_rx)]) = two();
    let (full_tx, _full_rx) = outbox();
    let full = hub.register(&bus, full_tx.clone(), name("full"));
    full_tx.try_push(Message::Text("x".repeat(MAX_QUEUED_BYTES - 8).into())).unwrap();
    let events = [start("m", Some("a")), end("m"), card("m", "memo_created")];
    deliver(&hub, &events).await;
    let f = |i: usize| text(frame(&events[i]));
    assert_eq!(drain(&mut a_rx), [f(0), f(1), f(2)]);
    assert_eq!(drain(&mut b_rx), [f(0), f(1), f(2)]);
    tokio::time::timeout(Duration::from_secs(5), full.too_slow.notified())
        .await
        .expect("the full connection is told to leave");
    assert_eq!(hub.conns().by_id.len(), 2);
}
