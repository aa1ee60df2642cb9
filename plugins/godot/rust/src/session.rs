//! The engine-independent half of the extension: one LSP client, its requests running on the
//! extension's runtime, and what they and the account's event stream deliver, queued until the
//! game loop drains it. Godot objects are not `Send`, so nothing here calls into the engine:
//! the `LightningClient` node drains [`Session::poll`] and [`Session::poll_events`] in
//! `_process` and emits its signals on the main thread.
//!
//! Everything a node does goes through here, which is why the tests drive this type against a
//! real LSP on the devnet (S10–S20): the node only converts JSON to Godot values and back.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use etrid_core::lsp::{error_json, EventHub, HubEvent, LspClient, LspConfig, Operation};
use etrid_core::native::{ReqwestTransport, TokioTimer};
use serde_json::Value;
use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinHandle;

use crate::error::GodotError;

/// The client the session drives.
type Client = LspClient<ReqwestTransport, TokioTimer>;

/// Worker threads of the extension's runtime: the work is I/O (HTTP requests, WebSockets).
const WORKER_THREADS: usize = 2;

/// Events queued for the game loop at most; past that the stream waits (the server keeps the
/// events, nothing is lost).
const EVENT_QUEUE: usize = 1024;

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// The extension's one runtime, started on first use and kept for the life of the process
/// (a runtime cannot be shut down from inside the engine's threads safely).
fn runtime() -> Result<&'static Runtime, GodotError> {
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(WORKER_THREADS)
                .thread_name("etrid-godot")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|reason| GodotError::Runtime {
            reason: reason.clone(),
        })
}

/// A finished request, as the game loop receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// The id [`Session::call`] returned.
    pub request_id: u64,
    /// What was asked.
    pub operation: Operation,
    /// The API's JSON answer, or the error JSON every binding shares (`{"code", "message",
    /// "retryable", "http_status", …}`; `code` is `cancelled` for a cancelled request).
    pub outcome: Result<Value, Value>,
}

/// Requests finished and not yet drained, and the tasks still running.
#[derive(Default)]
struct Requests {
    done: VecDeque<Completion>,
    running: HashMap<u64, (Operation, JoinHandle<()>)>,
}

/// One client of one LSP with one API key, for one node.
pub struct Session {
    client: Client,
    requests: Arc<Mutex<Requests>>,
    next_id: u64,
    events: Option<EventStream>,
}

/// The account's event stream: its hub and the task pumping it.
struct EventStream {
    hub: EventHub,
    pump: JoinHandle<()>,
}

impl Session {
    /// A session from the client configuration JSON every binding takes: `{"base_url",
    /// "api_key", "network", "request_timeout_ms"?, "payment_policy"?, "reconnect"?}`.
    ///
    /// # Errors
    /// [`GodotError::Config`] naming what is wrong; [`GodotError::Runtime`] when the runtime
    /// cannot start.
    pub fn new(config_json: &str) -> Result<Session, GodotError> {
        let config = LspConfig::from_json(config_json).map_err(|e| GodotError::Config {
            reason: e.to_string(),
        })?;
        // The transport's HTTP client is built inside the runtime (it needs its reactor).
        let _entered = runtime()?.enter();
        let client = etrid_core::native::client(config).map_err(|e| GodotError::Config {
            reason: e.to_string(),
        })?;
        Ok(Session {
            client,
            requests: Arc::default(),
            next_id: 1,
            events: None,
        })
    }

    fn requests(&self) -> MutexGuard<'_, Requests> {
        lock(&self.requests)
    }

    /// Starts `operation` with `arguments` (a JSON object of the API's snake_case fields);
    /// its [`Completion`] comes out of [`Session::poll`] under the returned id. Arguments that
    /// do not fit are answered there too, as an `invalid_argument` error, with nothing sent.
    ///
    /// # Errors
    /// [`GodotError::Runtime`] when the runtime is gone.
    pub fn call(&mut self, operation: Operation, arguments: Value) -> Result<u64, GodotError> {
        let request_id = self.next_id;
        self.next_id += 1;
        let client = self.client.clone();
        let requests = Arc::clone(&self.requests);
        let runtime = runtime()?;
        // Held across the spawn, so the task cannot finish before it is registered.
        let mut guard = self.requests();
        let task = runtime.spawn(async move {
            let outcome = client
                .run_json(operation, &arguments)
                .await
                .map_err(|e| e.to_json());
            let mut requests = lock(&requests);
            if requests.running.remove(&request_id).is_some() {
                requests.done.push_back(Completion {
                    request_id,
                    operation,
                    outcome,
                });
            }
        });
        guard.running.insert(request_id, (operation, task));
        Ok(request_id)
    }

    /// As [`Session::call`], the operation given by its snake_case name (`create_invoice`).
    ///
    /// # Errors
    /// [`GodotError::UnknownOperation`]; as [`Session::call`].
    pub fn call_named(&mut self, name: &str, arguments: Value) -> Result<u64, GodotError> {
        let operation = Operation::from_name(name).ok_or_else(|| GodotError::UnknownOperation {
            name: name.to_owned(),
        })?;
        self.call(operation, arguments)
    }

    /// Cancels request `request_id`: it completes at once as `cancelled` (a payment already
    /// sent to the LSP may still be made there; read it back by its idempotency key). `false`
    /// when it is not running.
    pub fn cancel(&mut self, request_id: u64) -> bool {
        let mut requests = self.requests();
        let Some((operation, task)) = requests.running.remove(&request_id) else {
            return false;
        };
        task.abort();
        requests.done.push_back(Completion {
            request_id,
            operation,
            outcome: Err(error_json(
                "cancelled",
                "the request was cancelled",
                false,
                None,
            )),
        });
        true
    }

    /// Up to `max` finished requests, oldest first, each once.
    pub fn poll(&mut self, max: usize) -> Vec<Completion> {
        let mut requests = self.requests();
        let n = max.min(requests.done.len());
        requests.done.drain(..n).collect()
    }

    /// Requests still running.
    pub fn in_flight(&self) -> usize {
        self.requests().running.len()
    }

    /// Opens the account's event stream after event `after` (only live events when `None`),
    /// replacing an open one; each event comes out of [`Session::poll_events`] exactly once, in
    /// order, across reconnects.
    ///
    /// # Errors
    /// [`GodotError::Runtime`] when the runtime is gone.
    pub fn start_events(&mut self, after: Option<u64>) -> Result<(), GodotError> {
        self.stop_events();
        let runtime = runtime()?;
        let (hub, pump) = self.client.event_hub(after, EVENT_QUEUE);
        let pump = runtime.spawn(pump.run());
        self.events = Some(EventStream { hub, pump });
        Ok(())
    }

    /// Closes the event stream (events not yet drained are dropped; the server keeps them).
    pub fn stop_events(&mut self) {
        if let Some(stream) = self.events.take() {
            stream.hub.stop();
            stream.pump.abort();
        }
    }

    /// Up to `max` delivered stream items, oldest first, each once; empty when no stream is open.
    pub fn poll_events(&self, max: usize) -> Vec<HubEvent> {
        self.events
            .as_ref()
            .map_or_else(Vec::new, |stream| stream.hub.poll_events(max))
    }

    /// The id of the last event delivered (to resume after it), if any.
    pub fn last_event_id(&self) -> Option<u64> {
        self.events
            .as_ref()
            .and_then(|stream| stream.hub.last_event_id())
    }
}

impl Drop for Session {
    /// Stops every request and the event stream: nothing runs for a freed node.
    fn drop(&mut self) {
        self.stop_events();
        let mut requests = self.requests();
        for (_, (_, task)) in requests.running.drain() {
            task.abort();
        }
    }
}

/// Locks `mutex`, recovering the data of a poisoned one (a task never panics while holding it,
/// but a lost completion would be worse than a recovered queue).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
