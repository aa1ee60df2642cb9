//! `EtridClient`: the whole LSP client behind an opaque handle. Every operation runs
//! asynchronously on the library's one Tokio runtime and completes exactly once: through the
//! completion callback given with it, or, without one, into the client's completion queue that
//! `etrid_client_poll` drains on the caller's thread.
//!
//! # Threading
//! - Completion callbacks (and event listeners, see `events`) run on one of the library's
//!   runtime threads, never on the caller's thread, except completions of requests cancelled by
//!   `etrid_client_cancel` or `etrid_client_free`, which run on the thread that cancelled.
//!   Engines that want everything on their own thread pass no callback and call
//!   `etrid_client_poll` from it (each frame, say), or block a thread of theirs in
//!   `etrid_client_wait` until there is something to poll (see `wait`). Runtimes that unload
//!   code (Mono in the Unity editor) should poll: a runtime thread that entered managed code
//!   through a callback stays attached to the runtime and blocks its domain unload.
//! - From a callback any `etrid_*` function may be called, including new requests and
//!   `etrid_client_cancel`, except `etrid_client_free` of the client calling back (it is
//!   refused there: free it after the callback returned).
//! - Strings handed to a callback are borrowed for the callback's duration: copy what you keep.
//! - `etrid_client_free` cancels what is in flight (each request completes as
//!   `ETRID_STATUS_CANCELLED` before `free` returns), waits for callbacks already running, and
//!   guarantees no callback of that client runs after it returns.

mod events;
mod operations;
mod wait;

use std::collections::{HashMap, HashSet, VecDeque};
use std::ffi::{c_char, c_void, CString};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use etrid_core::lsp::{error_json, parse_arguments, LspClient, LspConfig, OperationError};
use etrid_core::native::{ReqwestTransport, TokioTimer};
use tokio::task::AbortHandle;

use crate::error::{call, guard, CallError, EtridStatus};
use crate::runtime::runtime;
use crate::string::{out_slot, read_str, to_c_string_lossy};

pub use events::{
    etrid_client_add_event_listener, etrid_client_events_start, etrid_client_events_stop,
    etrid_client_poll_events, etrid_client_remove_event_listener, EtridEventCallback,
};
pub use operations::EtridOperation;
pub use wait::{etrid_client_wait, etrid_client_wake};

/// The core client the handle wraps.
type Core = LspClient<ReqwestTransport, TokioTimer>;

/// Called once per request with its outcome: the `user_data` given with the request, its id,
/// `ETRID_STATUS_OK` and the result JSON, or another status and an error JSON
/// `{"code", "message", "retryable", "http_status"}` (`code` `cancelled` when cancelled). The
/// JSON is borrowed for the call's duration.
pub type EtridCompletion = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        request_id: u64,
        status: EtridStatus,
        json: *const c_char,
    ),
>;

/// A caller's opaque pointer, handed back to its callbacks on whichever thread they run.
#[derive(Clone, Copy)]
pub(crate) struct UserData(pub(crate) *mut c_void);

impl UserData {
    /// The pointer (a method, so closures capture the whole `Send` wrapper, not the field).
    pub(crate) fn get(self) -> *mut c_void {
        self.0
    }
}

// SAFETY: the pointer is never dereferenced here, only passed back to the caller's callbacks;
// the threading model (module docs, etrid.h) tells callers it is used from the runtime threads.
unsafe impl Send for UserData {}
// SAFETY: as above.
unsafe impl Sync for UserData {}

/// Where a request's completion goes.
#[derive(Clone, Copy)]
struct Delivery {
    callback: EtridCompletion,
    user_data: UserData,
}

/// A request in flight.
struct Pending {
    delivery: Delivery,
    abort: Option<AbortHandle>,
}

/// A completion waiting in the poll queue.
struct Completion {
    request_id: u64,
    status: EtridStatus,
    json: CString,
}

/// The mutable state of a client.
#[derive(Default)]
struct State {
    pending: HashMap<u64, Pending>,
    queue: VecDeque<Completion>,
    closed: bool,
}

/// What a handle and its tasks share.
pub(crate) struct Shared {
    core: Core,
    state: Mutex<State>,
    /// Held for reading while a callback runs; `free` takes it for writing to wait for them.
    callbacks: RwLock<()>,
    next_id: AtomicU64,
    events: events::Events,
    /// Wakes `etrid_client_wait` when something is queued for polling.
    signal: wait::Signal,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

thread_local! {
    /// The client whose callback is running on this thread (0: none), so `free` from inside it
    /// is refused instead of deadlocking.
    static IN_CALLBACK: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Runs `body` as a callback of `shared`: under the callbacks read lock, marked on this thread.
pub(crate) fn as_callback(shared: &Shared, body: impl FnOnce()) {
    let _running = shared
        .callbacks
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let address = std::ptr::from_ref(shared) as usize;
    let outer = IN_CALLBACK.with(|slot| slot.replace(address));
    body();
    IN_CALLBACK.with(|slot| slot.set(outer));
}

/// An opaque client of one LSP with one API key. Create with `etrid_client_new`, free with
/// `etrid_client_free`.
pub struct EtridClient {
    shared: Arc<Shared>,
}

/// The addresses of the live handles: a handle is checked here before it is read, so a freed
/// one used again is refused (unless its address was reused by a newer client).
static LIVE: Mutex<Option<HashSet<usize>>> = Mutex::new(None);

/// Runs `body` on the set of live handle addresses.
fn live<R>(body: impl FnOnce(&mut HashSet<usize>) -> R) -> R {
    let mut guard = LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    body(guard.get_or_insert_with(HashSet::new))
}

/// The outcome of a cancelled request.
fn cancelled_outcome() -> (EtridStatus, CString) {
    let json = error_json("cancelled", "the request was cancelled", false, None);
    (EtridStatus::Cancelled, to_c_string_lossy(&json.to_string()))
}

/// The status and JSON of a failed operation.
fn failure_outcome(error: &OperationError) -> (EtridStatus, CString) {
    let status = match error {
        OperationError::Arguments(_) => EtridStatus::InvalidArgument,
        _ => EtridStatus::Error,
    };
    (status, to_c_string_lossy(&error.to_json().to_string()))
}

/// Hands a request's outcome to its callback, or queues it for `etrid_client_poll`. Does
/// nothing if the request is no longer pending (it was cancelled: that delivered already).
fn finish(shared: &Shared, request_id: u64, status: EtridStatus, json: CString) {
    let delivery = {
        let mut state = shared.state();
        let Some(pending) = state.pending.remove(&request_id) else {
            return;
        };
        if pending.delivery.callback.is_none() {
            state.queue.push_back(Completion {
                request_id,
                status,
                json,
            });
            drop(state);
            shared.signal.notify();
            return;
        }
        pending.delivery
    };
    deliver(shared, delivery, request_id, status, &json);
}

/// Calls a completion callback.
fn deliver(
    shared: &Shared,
    delivery: Delivery,
    request_id: u64,
    status: EtridStatus,
    json: &CString,
) {
    if let Some(callback) = delivery.callback {
        as_callback(shared, || {
            // SAFETY: the caller gave this function pointer for this purpose, with this
            // user_data; the JSON is a valid NUL-terminated string alive during the call.
            unsafe { callback(delivery.user_data.0, request_id, status, json.as_ptr()) }
        });
    }
}

/// Borrows the client behind `client`, refusing null and (where still detectable) freed handles.
///
/// # Safety
/// `client` is null or a pointer `etrid_client_new` returned.
unsafe fn handle<'a>(client: *const EtridClient) -> Result<&'a EtridClient, CallError> {
    if client.is_null() {
        return Err(CallError::invalid("client", "is null"));
    }
    if !live(|handles| handles.contains(&(client as usize))) {
        return Err(CallError::invalid(
            "client",
            "is not a live client (freed?)",
        ));
    }
    // SAFETY: non-null and registered as live: a handle etrid_client_new returned, not freed.
    Ok(unsafe { &*client })
}

/// Creates a client from `config_json`: `{"base_url", "api_key", "network",
/// "request_timeout_ms"?, "payment_policy"?: {"max_fee_msat"? | "max_fee_ppm"?, "min_fee_msat"?,
/// "max_parts"?}, "reconnect"?: {"max_attempts"?, "initial_backoff_ms"?, "max_backoff_ms"?}}`.
/// On success `*out_client` is the new client; free it with `etrid_client_free`.
///
/// # Safety
/// `config_json` is null or a NUL-terminated string; `out_client` is null or writable.
#[no_mangle]
pub unsafe extern "C" fn etrid_client_new(
    config_json: *const c_char,
    out_client: *mut *mut EtridClient,
) -> EtridStatus {
    call(|| {
        // SAFETY: null or writable, by the caller's contract.
        let out = unsafe { out_slot(out_client, "out_client") }?;
        // SAFETY: null or NUL-terminated, by the caller's contract.
        let text = unsafe { read_str(config_json, "config_json") }?;
        let config = LspConfig::from_json(text).map_err(CallError::core)?;
        let runtime = runtime().map_err(|message| CallError::Internal {
            code: "runtime_unavailable",
            message,
        })?;
        // The transport's HTTP client is built inside the runtime (it needs its reactor).
        let core = {
            let _entered = runtime.enter();
            etrid_core::native::client(config).map_err(CallError::core)?
        };
        let shared = Arc::new(Shared {
            events: events::Events::new(core.clone()),
            core,
            state: Mutex::new(State::default()),
            callbacks: RwLock::new(()),
            next_id: AtomicU64::new(1),
            signal: wait::Signal::default(),
        });
        let client = Box::into_raw(Box::new(EtridClient { shared }));
        live(|handles| handles.insert(client as usize));
        *out = client;
        Ok(())
    })
}

/// Frees a client: requests in flight complete as `ETRID_STATUS_CANCELLED` (callbacks run on
/// this thread before it returns), queued completions and events are dropped, the event stream
/// closes. No callback of this client runs after it returns. Null is accepted. Refused (the
/// client stays alive) when called from one of this client's own callbacks.
///
/// # Safety
/// `client` is null or a pointer `etrid_client_new` returned, not freed before.
#[no_mangle]
pub unsafe extern "C" fn etrid_client_free(client: *mut EtridClient) {
    guard((), || {
        // SAFETY: null or a handle etrid_client_new returned, by the caller's contract.
        let Ok(handle) = (unsafe { handle(client) }) else {
            return;
        };
        let shared = Arc::clone(&handle.shared);
        let address = Arc::as_ptr(&shared) as usize;
        if IN_CALLBACK.with(|slot| slot.get()) == address {
            return;
        }
        close(&shared);
        // Wait for callbacks running on other threads; none start after `close`.
        drop(
            shared
                .callbacks
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        // Unregistered first: from here on the handle is refused, then freed exactly once.
        if live(|handles| handles.remove(&(client as usize))) {
            // SAFETY: the pointer came from Box::into_raw in etrid_client_new, and only the
            // call that unregistered it reaches this line.
            drop(unsafe { Box::from_raw(client) });
        }
    })
}

/// Marks the client closed, cancels every pending request (delivering the cancellations) and
/// stops the event stream.
fn close(shared: &Shared) {
    let cancelled: Vec<(u64, Pending)> = {
        let mut state = shared.state();
        state.closed = true;
        state.queue.clear();
        state.pending.drain().collect()
    };
    let (status, json) = cancelled_outcome();
    for (request_id, pending) in cancelled {
        if let Some(abort) = pending.abort {
            abort.abort();
        }
        deliver(shared, pending.delivery, request_id, status, &json);
    }
    shared.events.stop();
    shared.signal.notify();
}

/// Starts `operation` with `args_json` (a JSON object, or null for `{}`). The outcome arrives
/// once: through `callback` (on a runtime thread) with `user_data`, or, when `callback` is
/// null, in the queue `etrid_client_poll` drains. `*out_request_id` (optional) is the
/// request's id, also passed to the completion, for `etrid_client_cancel`.
///
/// Fails synchronously, with no completion, only for a null or freed client, an unknown
/// operation, arguments that are not JSON, or a closed client; arguments that do not fit the
/// operation complete with `invalid_argument`.
///
/// # Safety
/// `client` as for `etrid_client_free`; `args_json` null or NUL-terminated; `out_request_id`
/// null or writable; `callback`, if not null, callable from any thread with `user_data`.
#[no_mangle]
pub unsafe extern "C" fn etrid_client_request(
    client: *const EtridClient,
    operation: i32,
    args_json: *const c_char,
    callback: EtridCompletion,
    user_data: *mut c_void,
    out_request_id: *mut u64,
) -> EtridStatus {
    call(|| {
        // SAFETY: null or writable, by the caller's contract.
        let out_id = unsafe { out_request_id.as_mut() };
        // SAFETY: null or a live handle, by the caller's contract.
        let shared = Arc::clone(&unsafe { handle(client) }?.shared);
        let operation = EtridOperation::from_raw(operation)
            .ok_or_else(|| CallError::invalid("operation", "is not an EtridOperation"))?;
        let text = if args_json.is_null() {
            None
        } else {
            // SAFETY: NUL-terminated, by the caller's contract.
            Some(unsafe { read_str(args_json, "args_json") }?)
        };
        let arguments =
            parse_arguments(text).map_err(|e| CallError::invalid("args_json", &e.to_string()))?;
        let runtime = runtime().map_err(|message| CallError::Internal {
            code: "runtime_unavailable",
            message,
        })?;
        let request_id = shared.next_id.fetch_add(1, Ordering::Relaxed);
        {
            let mut state = shared.state();
            if state.closed {
                return Err(CallError::invalid("client", "is closed"));
            }
            state.pending.insert(
                request_id,
                Pending {
                    delivery: Delivery {
                        callback,
                        user_data: UserData(user_data),
                    },
                    abort: None,
                },
            );
        }
        if let Some(out) = out_id {
            *out = request_id;
        }
        let task_shared = Arc::clone(&shared);
        let core = shared.core.clone();
        let task = runtime.spawn(async move {
            let (status, json) = match core.run_json(operation, &arguments).await {
                Ok(value) => (EtridStatus::Ok, to_c_string_lossy(&value.to_string())),
                Err(error) => failure_outcome(&error),
            };
            finish(&task_shared, request_id, status, json);
        });
        if let Some(pending) = shared.state().pending.get_mut(&request_id) {
            pending.abort = Some(task.abort_handle());
        }
        Ok(())
    })
}

/// Cancels a pending request: it completes now, as `ETRID_STATUS_CANCELLED`, on this thread
/// (or into the poll queue), and its work stops. `ETRID_STATUS_INVALID_ARGUMENT` when no
/// request with this id is pending (it completed already, or never existed).
///
/// # Safety
/// `client` as for `etrid_client_free`.
#[no_mangle]
pub unsafe extern "C" fn etrid_client_cancel(
    client: *const EtridClient,
    request_id: u64,
) -> EtridStatus {
    call(|| {
        // SAFETY: null or a live handle, by the caller's contract.
        let shared = Arc::clone(&unsafe { handle(client) }?.shared);
        let pending = shared.state().pending.remove(&request_id);
        let pending = pending.ok_or_else(|| CallError::invalid("request_id", "is not pending"))?;
        if let Some(abort) = pending.abort {
            abort.abort();
        }
        let (status, json) = cancelled_outcome();
        if pending.delivery.callback.is_some() {
            deliver(&shared, pending.delivery, request_id, status, &json);
        } else {
            shared.state().queue.push_back(Completion {
                request_id,
                status,
                json,
            });
            shared.signal.notify();
        }
        Ok(())
    })
}

/// Delivers up to `max` queued completions (of requests made without a callback) to
/// `callback`, on this thread, oldest first, and returns how many. Never blocks: call it from a
/// game loop each frame. Returns 0 for a null or freed client or a null callback.
///
/// # Safety
/// `client` as for `etrid_client_free`; `callback` callable with `user_data`.
#[no_mangle]
pub unsafe extern "C" fn etrid_client_poll(
    client: *const EtridClient,
    max: u32,
    callback: EtridCompletion,
    user_data: *mut c_void,
) -> u32 {
    guard(0, || {
        // SAFETY: null or a live handle, by the caller's contract.
        let Ok(handle) = (unsafe { handle(client) }) else {
            return 0;
        };
        let Some(callback) = callback else {
            return 0;
        };
        let shared = Arc::clone(&handle.shared);
        let mut delivered = 0;
        while delivered < max {
            let Some(completion) = shared.state().queue.pop_front() else {
                break;
            };
            // SAFETY: the caller's callback and user_data; the JSON lives during the call.
            unsafe {
                callback(
                    user_data,
                    completion.request_id,
                    completion.status,
                    completion.json.as_ptr(),
                )
            };
            delivered += 1;
        }
        delivered
    })
}

/// The number of requests of this client still in flight (0 for a null or freed client).
///
/// # Safety
/// `client` as for `etrid_client_free`.
#[no_mangle]
pub unsafe extern "C" fn etrid_client_pending(client: *const EtridClient) -> u32 {
    guard(0, || {
        // SAFETY: null or a live handle, by the caller's contract.
        unsafe { handle(client) }.map_or(0, |handle| {
            u32::try_from(handle.shared.state().pending.len()).unwrap_or(u32::MAX)
        })
    })
}
