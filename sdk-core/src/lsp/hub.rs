//! [`EventHub`]: account events delivered once, for every binding. An [`EventPump`] drives one
//! resumable [`EventSubscription`] (reconnect, resume by id, no duplicates) and hands each event
//! to the listeners added to the hub and, when polling is on, to a bounded queue that a game
//! loop drains with [`EventHub::poll_events`] each frame without blocking.
//!
//! Bindings never reimplement reconnect or resume: they run the pump on their runtime (a tokio
//! task in the C ABI, `spawn_local` in the browser) and only move what the hub delivers to the
//! application's thread.
//!
//! Nothing is lost when the application polls slowly: a full queue stops the pump reading, the
//! server keeps the events, and the subscription resumes from the last id it delivered.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures_util::future::{select, Either};

use super::events::EventSubscription;
use super::{LspClient, LspError, LspEvent};
use crate::platform::{MaybeSend, MaybeSync};
use crate::timer::Timer;
use crate::transport::Transport;

/// How long the pump waits before looking again at a full poll queue.
const FULL_QUEUE_WAIT: Duration = Duration::from_millis(20);

/// Identifies a listener added to an [`EventHub`], to remove it later.
pub type ListenerId = u64;

/// What the hub delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HubEvent {
    /// An account event: in id order, each exactly once.
    Event(Box<LspEvent>),
    /// The stream reopened before any event id was known (a live-only subscription dropped
    /// before its first event), so events in between cannot be replayed: re-read the state
    /// you are watching (say, the invoice you wait for).
    Resync,
    /// The stream failed (it gave up after its reconnect attempts, or sent a message that is
    /// not a valid event). The pump goes on trying with backoff; nothing already delivered is
    /// delivered again.
    StreamError(LspError),
}

/// Receives what an [`EventHub`] delivers, on the thread or task that runs its
/// [`EventPump`]. Closures `Fn(&HubEvent)` are listeners.
///
/// A listener may add or remove listeners, poll or stop the hub from within `on_event`.
pub trait EventListener: MaybeSend + MaybeSync {
    /// Called once per delivered item, in order.
    fn on_event(&self, event: &HubEvent);
}

impl<F: Fn(&HubEvent) + MaybeSend + MaybeSync> EventListener for F {
    fn on_event(&self, event: &HubEvent) {
        self(event)
    }
}

/// The listeners and the poll queue, shared by the hub's handles and its pump.
struct Shared {
    listeners: Mutex<Vec<(ListenerId, Arc<dyn EventListener>)>>,
    queue: Mutex<VecDeque<HubEvent>>,
    /// Most items the poll queue holds; 0 when polling is off.
    poll_capacity: usize,
    next_listener: AtomicU64,
    /// The id of the last event delivered, 0 before the first.
    last_id: AtomicU64,
    stopped: AtomicBool,
    /// Woken by [`EventHub::stop`]: the pump waiting for an event.
    stop_wakers: Mutex<Vec<Waker>>,
}

/// Locks `mutex`, also after a panic elsewhere poisoned it (the data stays consistent: every
/// critical section here is a single push, pop or retain).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The application's side of event delivery: add and remove listeners, poll, stop. Cheap to
/// clone; clones share listeners and queue.
#[derive(Clone)]
pub struct EventHub {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for EventHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventHub")
            .field("listeners", &lock(&self.shared.listeners).len())
            .field("queued", &lock(&self.shared.queue).len())
            .field("last_id", &self.last_event_id())
            .field("stopped", &self.is_stopped())
            .finish()
    }
}

impl EventHub {
    /// A hub whose poll queue holds up to `poll_capacity` items (0: polling off, listeners
    /// only).
    // Natively `Shared` is Send and Sync (listeners are `MaybeSend + MaybeSync`); on wasm
    // there is one thread and the Arc only makes clones cheap.
    #[allow(clippy::arc_with_non_send_sync)]
    fn new(poll_capacity: usize, after: Option<u64>) -> EventHub {
        EventHub {
            shared: Arc::new(Shared {
                listeners: Mutex::new(Vec::new()),
                queue: Mutex::new(VecDeque::new()),
                poll_capacity,
                next_listener: AtomicU64::new(1),
                last_id: AtomicU64::new(after.unwrap_or(0)),
                stopped: AtomicBool::new(false),
                stop_wakers: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Adds a listener; it receives everything delivered from now on. Returns its id.
    pub fn add_listener(&self, listener: impl EventListener + 'static) -> ListenerId {
        let id = self.shared.next_listener.fetch_add(1, Ordering::Relaxed);
        lock(&self.shared.listeners).push((id, Arc::new(listener)));
        id
    }

    /// Removes a listener; `false` if no listener has this id. A listener removed while an
    /// item is being delivered may still receive that item.
    pub fn remove_listener(&self, id: ListenerId) -> bool {
        let mut listeners = lock(&self.shared.listeners);
        let before = listeners.len();
        listeners.retain(|(listener_id, _)| *listener_id != id);
        listeners.len() != before
    }

    /// Takes up to `max` delivered items from the poll queue, oldest first, without waiting:
    /// call it from a game loop each frame. Empty when polling is off.
    pub fn poll_events(&self, max: usize) -> Vec<HubEvent> {
        let mut queue = lock(&self.shared.queue);
        let n = max.min(queue.len());
        queue.drain(..n).collect()
    }

    /// Items waiting in the poll queue.
    pub fn pending(&self) -> usize {
        lock(&self.shared.queue).len()
    }

    /// The id of the last event delivered (or the `after` the hub started from): persist it to
    /// resume with [`LspClient::event_hub`] after a restart.
    pub fn last_event_id(&self) -> Option<u64> {
        match self.shared.last_id.load(Ordering::Acquire) {
            0 => None,
            id => Some(id),
        }
    }

    /// Stops delivery: the pump closes the stream and returns within a moment. Items already
    /// queued can still be polled.
    pub fn stop(&self) {
        self.shared.stopped.store(true, Ordering::Release);
        for waker in std::mem::take(&mut *lock(&self.shared.stop_wakers)) {
            waker.wake();
        }
    }

    /// Whether [`stop`](Self::stop) was called.
    pub fn is_stopped(&self) -> bool {
        self.shared.stopped.load(Ordering::Acquire)
    }

    /// Completes once the hub is stopped.
    fn stopped(&self) -> Stopped<'_> {
        Stopped { hub: self }
    }

    /// Whether the poll queue has room for one more item (always, with polling off).
    fn has_room(&self) -> bool {
        self.shared.poll_capacity == 0 || lock(&self.shared.queue).len() < self.shared.poll_capacity
    }

    /// Puts `item` in the poll queue, then hands it to every listener (outside the lock, so
    /// listeners may change the list). Queue first, so a listener that wakes a poller (the C
    /// ABI's `etrid_client_wait`) finds the item already there.
    fn deliver(&self, item: HubEvent) {
        if let HubEvent::Event(event) = &item {
            self.shared.last_id.store(event.id, Ordering::Release);
        }
        if self.shared.poll_capacity > 0 {
            lock(&self.shared.queue).push_back(item.clone());
        }
        let listeners: Vec<Arc<dyn EventListener>> = lock(&self.shared.listeners)
            .iter()
            .map(|(_, listener)| Arc::clone(listener))
            .collect();
        for listener in listeners {
            listener.on_event(&item);
        }
    }
}

/// The future of [`EventHub::stopped`].
struct Stopped<'a> {
    hub: &'a EventHub,
}

impl Future for Stopped<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.hub.is_stopped() {
            return Poll::Ready(());
        }
        lock(&self.hub.shared.stop_wakers).push(cx.waker().clone());
        // Stopped between the check and the registration: the waker may have been missed.
        if self.hub.is_stopped() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// Drives an [`EventHub`]: reads the subscription and delivers. Run [`run`](Self::run) on
/// the platform's runtime; it returns after [`EventHub::stop`].
pub struct EventPump<T, M> {
    subscription: EventSubscription<T, M>,
    client: LspClient<T, M>,
    hub: EventHub,
}

impl<T, M> std::fmt::Debug for EventPump<T, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventPump")
            .field("subscription", &self.subscription)
            .field("hub", &self.hub)
            .finish()
    }
}

impl<T: Transport, M: Timer> EventPump<T, M> {
    /// Delivers events until the hub is stopped, then closes the stream.
    pub async fn run(mut self) {
        let timer = self.client.timer();
        while !self.hub.is_stopped() {
            if !self.hub.has_room() {
                // Backpressure: the server keeps the events while the application catches up.
                let wait = timer.sleep(FULL_QUEUE_WAIT);
                let _ = select(wait, pin!(self.hub.stopped())).await;
                continue;
            }
            let outcome = {
                let next = pin!(self.subscription.next_before(Duration::MAX));
                match select(next, pin!(self.hub.stopped())).await {
                    Either::Left((outcome, _)) => outcome,
                    Either::Right(((), _)) => break,
                }
            };
            match outcome {
                Ok(Some(event)) => self.hub.deliver(HubEvent::Event(Box::new(event))),
                Ok(None) => {
                    if self.subscription.take_gap() {
                        self.hub.deliver(HubEvent::Resync);
                    }
                }
                Err(error) => self.hub.deliver(HubEvent::StreamError(error)),
            }
        }
        self.subscription.close().await;
    }
}

impl<T: Transport, M: Timer> LspClient<T, M> {
    /// An event hub for the account's events after `after` (only live ones when `None`) and
    /// the pump that feeds it. `poll_capacity` bounds the queue [`EventHub::poll_events`]
    /// drains (0: no polling, listeners only).
    pub fn event_hub(
        &self,
        after: Option<u64>,
        poll_capacity: usize,
    ) -> (EventHub, EventPump<T, M>) {
        let hub = EventHub::new(poll_capacity, after);
        let pump = EventPump {
            subscription: self.subscribe_events(after),
            client: self.clone(),
            hub: hub.clone(),
        };
        (hub, pump)
    }
}
