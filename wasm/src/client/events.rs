//! Account events for JavaScript, delivered through the core's [`EventHub`] (the one delivery
//! layer of every binding: reconnect, resume by id, no duplicates):
//! - `client.on(type, listener)` returns an unsubscribe function; one hub per client runs
//!   while any listener is added;
//! - `client.events({ after })` is an async iterator over its own hub, which resumes after
//!   `after` without loss (S18) and whose `return()` (`break` in `for await`) stops it.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

use etrid_core::lsp::{EventHub, EventType, HubEvent};
use js_sys::{Function, Object, Promise, Reflect};
use serde::Deserialize;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;

use super::{run_as_promise, Core, JsClient};
use crate::convert::{from_js_or_default, to_js};
use crate::error::{invalid_argument, lsp_error};

/// Items an iterator's hub may hold before it stops reading (the server keeps the rest).
const ITERATOR_QUEUE: usize = 256;

#[wasm_bindgen(typescript_custom_section)]
const TS_EVENTS: &'static str = r#"
/** What `client.on` listens to: one event type, every event (`"*"`), stream errors, or resyncs. */
export type EventName = EventType | "*" | "error" | "resync";

/** Options of `client.events()`. */
export interface EventsOptions {
  /** Resume after this event id (persist `event.id` to continue later without loss). */
  after?: bigint;
}

/**
 * Yielded by `client.events()` when the stream reopened before any event id was known (a
 * live-only iterator dropped before its first event): events in between cannot be replayed,
 * so re-read the state you are watching. Never yielded when `after` was given.
 */
export interface ResyncNotice {
  type: "resync";
}

export interface EventIterator extends AsyncIterableIterator<LspEvent | ResyncNotice> {}

export interface Client {
  /** Listens to one event type; the listener gets that event, typed. */
  on<N extends EventType>(name: N, listener: (event: Extract<LspEvent, { type: N }>) => void): () => void;
  /** Listens to every event. */
  on(name: "*", listener: (event: LspEvent) => void): () => void;
  /** Listens to stream errors (the stream goes on retrying). */
  on(name: "error", listener: (error: EtridError) => void): () => void;
  /** Listens to resync notices: re-read the state you watch. */
  on(name: "resync", listener: (notice: ResyncNotice) => void): () => void;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `console.error(message, value)`: a listener that threw, an error nobody listens to.
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str, value: &JsValue);
}

/// What a listener added with `on` receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    /// Events of one type.
    Type(EventType),
    /// Every event.
    All,
    /// Stream errors.
    Error,
    /// Resync notices.
    Resync,
}

impl Filter {
    fn parse(name: &str) -> Option<Filter> {
        match name {
            "*" => Some(Filter::All),
            "error" => Some(Filter::Error),
            "resync" => Some(Filter::Resync),
            other => EventType::from_name(other).map(Filter::Type),
        }
    }

    /// The value handed to the listener for `item`, if it is for this listener.
    fn value_for(self, item: &HubEvent) -> Option<JsValue> {
        match (self, item) {
            (Filter::All, HubEvent::Event(event)) => to_js(event.as_ref()).ok(),
            (Filter::Type(wanted), HubEvent::Event(event)) if event.event_type() == wanted => {
                to_js(event.as_ref()).ok()
            }
            (Filter::Error, HubEvent::StreamError(error)) => Some(lsp_error(error.clone())),
            (Filter::Resync, HubEvent::Resync) => Some(resync_notice()),
            _ => None,
        }
    }
}

/// `{ type: "resync" }`.
fn resync_notice() -> JsValue {
    let notice = Object::new();
    let _ = Reflect::set(&notice, &"type".into(), &"resync".into());
    notice.into()
}

/// The hub behind `on`, started with the first listener and stopped with the last.
pub(super) struct Listeners {
    client: Core,
    state: Rc<RefCell<ListenerState>>,
}

/// The running hub and how many listeners it has, of which how many take errors.
#[derive(Default)]
struct ListenerState {
    hub: Option<EventHub>,
    count: usize,
    error_listeners: usize,
}

impl Listeners {
    pub(super) fn new(client: Core) -> Listeners {
        Listeners {
            client,
            state: Rc::new(RefCell::new(ListenerState::default())),
        }
    }

    /// Stops the hub; listeners receive nothing more.
    pub(super) fn stop(&self) {
        let mut state = self.state.borrow_mut();
        if let Some(hub) = state.hub.take() {
            hub.stop();
        }
        *state = ListenerState::default();
    }

    /// Adds `listener` for `filter`, starting the hub if needed; returns the unsubscribe
    /// function.
    fn add(&self, filter: Filter, listener: Function) -> Function {
        let mut state = self.state.borrow_mut();
        let hub = match &state.hub {
            Some(hub) => hub.clone(),
            None => {
                // Live events from now on; a reopen before the first event is told as "resync".
                let (hub, pump) = self.client.event_hub(None, 0);
                spawn_local(pump.run());
                // Stream errors nobody listens to are still reported.
                let unheard = Rc::clone(&self.state);
                hub.add_listener(move |item: &HubEvent| {
                    if let HubEvent::StreamError(error) = item {
                        if unheard.borrow().error_listeners == 0 {
                            console_error("etrid: event stream error", &lsp_error(error.clone()));
                        }
                    }
                });
                state.hub = Some(hub.clone());
                hub
            }
        };
        let id = hub.add_listener(move |item: &HubEvent| {
            if let Some(value) = filter.value_for(item) {
                if let Err(thrown) = listener.call1(&JsValue::UNDEFINED, &value) {
                    console_error("etrid: an event listener threw", &thrown);
                }
            }
        });
        state.count += 1;
        if filter == Filter::Error {
            state.error_listeners += 1;
        }
        let shared = Rc::clone(&self.state);
        let mut removed = false;
        let unsubscribe = Closure::<dyn FnMut()>::new(move || {
            if std::mem::replace(&mut removed, true) {
                return;
            }
            let mut state = shared.borrow_mut();
            let Some(current) = state.hub.clone() else {
                return;
            };
            // A listener of a hub stopped meanwhile (by `close`) is already gone.
            if !current.remove_listener(id) {
                return;
            }
            state.count = state.count.saturating_sub(1);
            if filter == Filter::Error {
                state.error_listeners = state.error_listeners.saturating_sub(1);
            }
            if state.count == 0 {
                current.stop();
                state.hub = None;
            }
        });
        Function::from(unsubscribe.into_js_value())
    }
}

/// `client.events()`'s options.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsOptions {
    #[serde(default)]
    after: Option<u64>,
}

/// An async iterator over the account's events (`for await (const e of client.events())`):
/// each event once, in id order, resuming after drops; `return()` stops it.
#[wasm_bindgen]
pub struct EventIterator {
    hub: EventHub,
    waker: Rc<RefCell<Option<Waker>>>,
    /// The id of the last event yielded (the hub reads ahead into its queue).
    yielded: Rc<Cell<Option<u64>>>,
}

#[wasm_bindgen]
impl EventIterator {
    /// The next event: resolves `{ value, done: false }`, or `{ done: true }` once stopped.
    /// Rejects with an `EtridError` when the stream fails for good (`lsp_stream_gave_up`); the
    /// iterator is stopped then, and a new one from `lastEventId` continues without loss.
    #[wasm_bindgen(
        unchecked_return_type = "Promise<IteratorResult<LspEvent | ResyncNotice, undefined>>"
    )]
    pub fn next(&self) -> Promise {
        let hub = self.hub.clone();
        let waker = Rc::clone(&self.waker);
        let yielded = Rc::clone(&self.yielded);
        run_as_promise(Box::pin(async move {
            let item = poll_fn(|cx| {
                if let Some(item) = hub.poll_events(1).pop() {
                    return Poll::Ready(Some(item));
                }
                if hub.is_stopped() {
                    return Poll::Ready(None);
                }
                *waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            })
            .await;
            match item {
                None => Ok(iterator_result(JsValue::UNDEFINED, true)),
                Some(HubEvent::Event(event)) => {
                    yielded.set(Some(event.id));
                    Ok(iterator_result(to_js(event.as_ref())?, false))
                }
                Some(HubEvent::Resync) => Ok(iterator_result(resync_notice(), false)),
                Some(HubEvent::StreamError(error)) => {
                    hub.stop();
                    Err(lsp_error(error))
                }
                Some(_) => Ok(iterator_result(JsValue::UNDEFINED, true)),
            }
        }))
    }

    /// Stops the iterator (what `break` in `for await` calls): closes the stream.
    #[wasm_bindgen(
        js_name = "return",
        unchecked_return_type = "Promise<IteratorResult<LspEvent | ResyncNotice, undefined>>"
    )]
    pub fn stop(&self) -> Promise {
        self.hub.stop();
        if let Some(waker) = self.waker.borrow_mut().take() {
            waker.wake();
        }
        Promise::resolve(&iterator_result(JsValue::UNDEFINED, true))
    }

    /// The id of the last event yielded (or the `after` it started from): give it as `after`
    /// to a new iterator to continue without loss.
    #[wasm_bindgen(getter, js_name = lastEventId)]
    pub fn last_event_id(&self) -> Option<u64> {
        self.yielded.get()
    }
}

/// `{ value, done }`.
fn iterator_result(value: JsValue, done: bool) -> JsValue {
    let result = Object::new();
    let _ = Reflect::set(&result, &"value".into(), &value);
    let _ = Reflect::set(&result, &"done".into(), &JsValue::from_bool(done));
    result.into()
}

#[wasm_bindgen(js_class = Client)]
impl JsClient {
    /// Calls `listener` for every item of `name` (an event type such as `"invoice.paid"`, `"*"`
    /// for every event, `"error"`, `"resync"`) from now on, on the JavaScript event loop.
    /// Returns a function that removes the listener. Throws `invalid_argument` for an unknown
    /// name. (Typed by the overloads of `interface Client` above.)
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, name: &str, listener: Function) -> Result<Function, JsValue> {
        let filter = Filter::parse(name).ok_or_else(|| {
            invalid_argument(&format!(
                "unknown event name {name:?}: expected an event type such as \"invoice.paid\", \"*\", \"error\" or \"resync\""
            ))
        })?;
        Ok(self.events.add(filter, listener))
    }

    /// The account's events as an async iterator, after `options.after` when given (else from
    /// now on). Throws `invalid_argument` for malformed options.
    pub fn events(
        &self,
        #[wasm_bindgen(unchecked_param_type = "EventsOptions | undefined")] options: JsValue,
    ) -> Result<EventIterator, JsValue> {
        let options: EventsOptions = from_js_or_default(options, "events options")?;
        let (hub, pump) = self.inner.event_hub(options.after, ITERATOR_QUEUE);
        let waker: Rc<RefCell<Option<Waker>>> = Rc::new(RefCell::new(None));
        let to_wake = Rc::clone(&waker);
        hub.add_listener(move |_: &HubEvent| {
            if let Some(waker) = to_wake.borrow_mut().take() {
                waker.wake();
            }
        });
        spawn_local(pump.run());
        Ok(EventIterator {
            hub,
            waker,
            yielded: Rc::new(Cell::new(options.after)),
        })
    }
}
