//! Account events through the C ABI, delivered by the core's [`EventHub`] (reconnect, resume by
//! id, no duplicates): start the client's event stream once, then add listeners (called on a
//! runtime thread) and/or drain the poll queue from the game loop with
//! `etrid_client_poll_events`. Each item is JSON: `{"kind": "event", "event": {id, type,
//! created_at, data}}`, `{"kind": "resync"}` (the stream reopened before any event id was
//! known: re-read what you watch) or `{"kind": "error", "error": {code, message, …}}` (the
//! stream goes on retrying).

use std::ffi::{c_char, c_void, CString};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use etrid_core::lsp::{EventHub, HubEvent};

use super::{as_callback, handle, Core, Shared, UserData};
use crate::error::{call, guard, CallError, EtridStatus};
use crate::runtime::runtime;
use crate::string::to_c_string_lossy;

/// Called with each delivered item's JSON (borrowed for the call) and the listener's
/// `user_data`, on a runtime thread.
pub type EtridEventCallback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, json: *const c_char)>;

/// The client's event hub, once started.
pub(crate) struct Events {
    core: Core,
    hub: Mutex<Option<EventHub>>,
}

impl Events {
    pub(crate) fn new(core: Core) -> Events {
        Events {
            core,
            hub: Mutex::new(None),
        }
    }

    fn hub(&self) -> MutexGuard<'_, Option<EventHub>> {
        self.hub
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stops the stream; listeners receive nothing more and queued items are dropped.
    pub(crate) fn stop(&self) {
        if let Some(hub) = self.hub().take() {
            hub.stop();
        }
    }

    /// Items waiting in the poll queue (0 without a running stream).
    pub(crate) fn queued(&self) -> usize {
        self.hub().as_ref().map_or(0, EventHub::pending)
    }

    /// The running hub.
    fn running(&self) -> Result<EventHub, CallError> {
        self.hub().clone().ok_or_else(|| {
            CallError::invalid(
                "client",
                "has no event stream: call etrid_client_events_start first",
            )
        })
    }
}

/// The JSON of a delivered item (the core's one shape for every JSON binding).
fn item_json(item: &HubEvent) -> CString {
    to_c_string_lossy(&item.to_json().to_string())
}

/// Starts the client's event stream: events after `after` (a persisted event id; negative: only
/// events from now on), queued for `etrid_client_poll_events` up to `poll_capacity` items (0:
/// no queue, listeners only; when the queue is full the stream waits, nothing is lost).
/// `ETRID_STATUS_INVALID_ARGUMENT` when it is already started.
///
/// # Safety
/// `client` is null or a live client.
#[no_mangle]
pub unsafe extern "C" fn etrid_client_events_start(
    client: *const super::EtridClient,
    after: i64,
    poll_capacity: u32,
) -> EtridStatus {
    call(|| {
        // SAFETY: null or a live client, by the caller's contract.
        let shared = Arc::clone(&unsafe { handle(client) }?.shared);
        let runtime = runtime().map_err(|message| CallError::Internal {
            code: "runtime_unavailable",
            message,
        })?;
        let mut slot = shared.events.hub();
        if slot.is_some() {
            return Err(CallError::invalid("client", "already has an event stream"));
        }
        let after = u64::try_from(after).ok();
        let capacity = usize::try_from(poll_capacity).unwrap_or(usize::MAX);
        let (hub, pump) = shared.events.core.event_hub(after, capacity);
        if capacity > 0 {
            // Items are queued before listeners run: this wakes etrid_client_wait to find them.
            let owner: Weak<Shared> = Arc::downgrade(&shared);
            hub.add_listener(move |_: &HubEvent| {
                if let Some(shared) = owner.upgrade() {
                    shared.signal.notify();
                }
            });
        }
        runtime.spawn(pump.run());
        *slot = Some(hub);
        Ok(())
    })
}

/// Stops the client's event stream (it may be started again, e.g. from the last event id).
///
/// # Safety
/// `client` is null or a live client.
#[no_mangle]
pub unsafe extern "C" fn etrid_client_events_stop(
    client: *const super::EtridClient,
) -> EtridStatus {
    call(|| {
        // SAFETY: null or a live client, by the caller's contract.
        unsafe { handle(client) }?.shared.events.stop();
        Ok(())
    })
}

/// Adds a listener to the running event stream; it receives every item delivered from now on,
/// on a runtime thread. `*out_listener_id` is its id, for `etrid_client_remove_event_listener`.
///
/// # Safety
/// `client` is null or a live client; `callback` callable from any thread with `user_data`;
/// `out_listener_id` null or writable.
#[no_mangle]
pub unsafe extern "C" fn etrid_client_add_event_listener(
    client: *const super::EtridClient,
    callback: EtridEventCallback,
    user_data: *mut c_void,
    out_listener_id: *mut u64,
) -> EtridStatus {
    call(|| {
        // SAFETY: null or writable, by the caller's contract.
        let out = unsafe { out_listener_id.as_mut() }
            .ok_or_else(|| CallError::invalid("out_listener_id", "is null"))?;
        let callback = callback.ok_or_else(|| CallError::invalid("callback", "is null"))?;
        // SAFETY: null or a live client, by the caller's contract.
        let shared = Arc::clone(&unsafe { handle(client) }?.shared);
        let hub = shared.events.running()?;
        let owner: Weak<Shared> = Arc::downgrade(&shared);
        let user_data = UserData(user_data);
        *out = hub.add_listener(move |item: &HubEvent| {
            let Some(shared) = owner.upgrade() else {
                return;
            };
            let json = item_json(item);
            as_callback(&shared, || {
                // SAFETY: the caller's callback and user_data; the JSON lives during the call.
                unsafe { callback(user_data.get(), json.as_ptr()) }
            });
        });
        Ok(())
    })
}

/// Removes a listener. `ETRID_STATUS_INVALID_ARGUMENT` when there is no such listener (or no
/// running stream). A listener being called while it is removed may finish that call.
///
/// # Safety
/// `client` is null or a live client.
#[no_mangle]
pub unsafe extern "C" fn etrid_client_remove_event_listener(
    client: *const super::EtridClient,
    listener_id: u64,
) -> EtridStatus {
    call(|| {
        // SAFETY: null or a live client, by the caller's contract.
        let hub = unsafe { handle(client) }?.shared.events.running()?;
        if hub.remove_listener(listener_id) {
            Ok(())
        } else {
            Err(CallError::invalid(
                "listener_id",
                "is not a listener of this client",
            ))
        }
    })
}

/// Delivers up to `max` queued items to `callback` on this thread, oldest first, without
/// waiting; returns how many (0 for a null or freed client, no stream, or a null callback).
///
/// # Safety
/// `client` is null or a live client; `callback` callable with `user_data`.
#[no_mangle]
pub unsafe extern "C" fn etrid_client_poll_events(
    client: *const super::EtridClient,
    max: u32,
    callback: EtridEventCallback,
    user_data: *mut c_void,
) -> u32 {
    guard(0, || {
        let Some(callback) = callback else {
            return 0;
        };
        // SAFETY: null or a live client, by the caller's contract.
        let Ok(hub) = (unsafe { handle(client) }).and_then(|h| h.shared.events.running()) else {
            return 0;
        };
        let items = hub.poll_events(usize::try_from(max).unwrap_or(usize::MAX));
        for item in &items {
            let json = item_json(item);
            // SAFETY: the caller's callback and user_data; the JSON lives during the call.
            unsafe { callback(user_data, json.as_ptr()) };
        }
        u32::try_from(items.len()).unwrap_or(u32::MAX)
    })
}
