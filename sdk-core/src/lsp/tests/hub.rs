//! The event hub: listeners added and removed by id, in-order exactly-once delivery across a
//! reconnect, the bounded poll queue a game loop drains (backpressure, nothing lost), resync
//! and stream errors reported, stop.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::*;
use crate::lsp::{HubEvent, LspError};
use crate::transport::TransportError;

fn paid(id: u64) -> String {
    event_text(
        id,
        "invoice.paid",
        invoice_value(&format!("inv_{id}"), "paid", T0 + 60),
    )
}

fn reset() -> TransportError {
    TransportError::Io {
        url: "wss://lsp.test".into(),
        reason: "reset".into(),
    }
}

/// The ids of the `Event` items.
fn ids(items: &[HubEvent]) -> Vec<u64> {
    items
        .iter()
        .filter_map(|item| match item {
            HubEvent::Event(e) => Some(e.id),
            _ => None,
        })
        .collect()
}

#[test]
fn listeners_get_every_event_once_in_order_across_a_reconnect() {
    let (client, transport, _) = client();
    transport.push_stream(vec![Ok(paid(1)), Ok(paid(2)), Err(reset())]);
    transport.push_stream(vec![Ok(paid(2)), Ok(paid(3)), Ok(paid(1)), Ok(paid(4))]);
    let (hub, pump) = client.event_hub(None, 0);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let also = Arc::new(Mutex::new(Vec::new()));
    let (seen_in, hub_in) = (Arc::clone(&seen), hub.clone());
    hub.add_listener(move |item: &HubEvent| {
        let mut seen = seen_in.lock().unwrap();
        seen.push(item.clone());
        if ids(&seen).len() == 4 {
            hub_in.stop();
        }
    });
    let also_in = Arc::clone(&also);
    let second =
        hub.add_listener(move |item: &HubEvent| also_in.lock().unwrap().push(item.clone()));
    run(pump.run());
    assert_eq!(ids(&seen.lock().unwrap()), vec![1, 2, 3, 4]);
    assert_eq!(ids(&also.lock().unwrap()), vec![1, 2, 3, 4]);
    assert_eq!(hub.last_event_id(), Some(4));
    assert!(hub.remove_listener(second));
    assert!(!hub.remove_listener(second));
    // Resumed from the last id delivered.
    assert!(transport.opened_streams()[1].0.ends_with("?after=2"));
    // Polling was off: nothing queued.
    assert!(hub.poll_events(10).is_empty());
}

#[test]
fn a_removed_listener_hears_nothing_more_and_ids_are_unique() {
    let (client, transport, _) = client();
    transport.push_stream(vec![Ok(paid(1)), Ok(paid(2)), Ok(paid(3))]);
    let (hub, pump) = client.event_hub(None, 0);
    let removed = Arc::new(Mutex::new(Vec::new()));
    let removed_in = Arc::clone(&removed);
    let first =
        hub.add_listener(move |item: &HubEvent| removed_in.lock().unwrap().push(item.clone()));
    // A listener that removes the first after event 1 and stops the hub after event 3.
    let hub_in = hub.clone();
    let second = hub.add_listener(move |item: &HubEvent| {
        if let HubEvent::Event(e) = item {
            if e.id == 1 {
                assert!(hub_in.remove_listener(first));
            }
            if e.id == 3 {
                hub_in.stop();
            }
        }
    });
    assert_ne!(first, second);
    run(pump.run());
    assert_eq!(ids(&removed.lock().unwrap()), vec![1]);
}

#[test]
fn a_game_loop_polls_a_bounded_queue_and_loses_nothing() {
    let (client, transport, _) = client();
    transport.push_stream((1..=5).map(|id| Ok(paid(id))).collect());
    transport.push_stream((6..=9).map(|id| Ok(paid(id))).collect());
    let (hub, pump) = client.event_hub(None, 2);
    // The "game loop": another thread draining one item per frame.
    let game = {
        let hub = hub.clone();
        std::thread::spawn(move || {
            let mut got = Vec::new();
            let mut most_queued = 0;
            while ids(&got).len() < 9 {
                most_queued = most_queued.max(hub.pending());
                got.extend(hub.poll_events(1));
                std::thread::sleep(Duration::from_millis(1));
            }
            hub.stop();
            (got, most_queued)
        })
    };
    run(pump.run());
    let (got, most_queued) = game.join().unwrap();
    assert_eq!(ids(&got), (1..=9).collect::<Vec<_>>());
    assert!(most_queued <= 2, "the queue held {most_queued} items");
}

#[test]
fn a_live_only_hub_reports_a_gap_as_resync_and_bad_messages_as_stream_errors() {
    let (client, transport, _) = client();
    // Dropped before any event: the gap cannot be replayed.
    transport.push_stream(vec![Err(reset())]);
    transport.push_stream(vec![Ok("not an event".into()), Ok(paid(7))]);
    let (hub, pump) = client.event_hub(None, 10);
    let hub_in = hub.clone();
    hub.add_listener(move |item: &HubEvent| {
        if matches!(item, HubEvent::Event(_)) {
            hub_in.stop();
        }
    });
    run(pump.run());
    let items = hub.poll_events(10);
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[0], HubEvent::Resync);
    assert!(matches!(
        items[1],
        HubEvent::StreamError(LspError::Decode { .. })
    ));
    assert_eq!(ids(&items), vec![7]);
}

#[test]
fn a_hub_keeps_trying_after_the_stream_gives_up_and_stops_when_told() {
    let (client, transport, timer) = client();
    // No stream can be opened at all.
    let (hub, pump) = client.event_hub(Some(41), 0);
    assert_eq!(hub.last_event_id(), Some(41));
    let gave_up = Arc::new(Mutex::new(0));
    let (gave_up_in, hub_in) = (Arc::clone(&gave_up), hub.clone());
    hub.add_listener(move |item: &HubEvent| {
        if let HubEvent::StreamError(LspError::StreamGaveUp { .. }) = item {
            let mut n = gave_up_in.lock().unwrap();
            *n += 1;
            if *n == 2 {
                hub_in.stop();
            }
        }
    });
    run(pump.run());
    assert_eq!(*gave_up.lock().unwrap(), 2);
    // It resumed from the given id every time, with backoff between attempts.
    assert!(transport
        .opened_streams()
        .iter()
        .all(|(url, _)| url.ends_with("?after=41")));
    assert!(!timer.sleeps().is_empty());
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_pump_runs_on_multi_threaded_runtimes() {
    fn assert_send<F: std::future::Future + Send>(_: &F) {}
    let (client, _, _) = client();
    let (hub, pump) = client.event_hub(None, 1);
    let future = pump.run();
    assert_send(&future);
    fn assert_send_sync<T: Send + Sync>(_: &T) {}
    assert_send_sync(&hub);
}
