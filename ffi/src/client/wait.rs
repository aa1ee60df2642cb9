//! Blocking until a client has something to poll, for engines that drain completions and
//! events on a thread of their own (a managed pump thread in C#, say) instead of taking
//! callbacks on the library's runtime threads. Runtimes with domain reloads (Mono in the Unity
//! editor) cannot unload while a foreign thread has entered managed code: polling from their
//! own threads keeps the library's threads out of managed code entirely.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::{handle, EtridClient, Shared};
use crate::error::guard;

/// The wake-up signal of one client: notified when a completion or an event is queued, when
/// `etrid_client_wake` is called, and when the client closes.
#[derive(Default)]
pub(crate) struct Signal {
    /// Counts `etrid_client_wake` calls, so a waiter can tell a wake from a queued item.
    wakes: Mutex<u64>,
    changed: Condvar,
}

impl Signal {
    fn wakes(&self) -> MutexGuard<'_, u64> {
        self.wakes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Wakes every waiter to look at the queues again (call after queueing an item, with no
    /// other lock of the client held).
    pub(crate) fn notify(&self) {
        let _wakes = self.wakes();
        self.changed.notify_all();
    }

    /// Ends every current wait, ready or not.
    fn wake(&self) {
        let mut wakes = self.wakes();
        *wakes = wakes.wrapping_add(1);
        self.changed.notify_all();
    }
}

impl Shared {
    /// Whether a completion or an event is queued, and whether the client is closed.
    fn readiness(&self) -> (bool, bool) {
        let state = self.state();
        let ready = !state.queue.is_empty() || self.events.queued() > 0;
        (ready, state.closed)
    }

    /// Waits up to `timeout` for something to poll; `true` when there is.
    fn wait_ready(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut wakes = self.signal.wakes();
        let woken_at = *wakes;
        loop {
            let (ready, closed) = self.readiness();
            if ready {
                return true;
            }
            let now = Instant::now();
            if closed || *wakes != woken_at || now >= deadline {
                return false;
            }
            wakes = self
                .signal
                .changed
                .wait_timeout(wakes, deadline - now)
                .map_or_else(|poisoned| poisoned.into_inner().0, |(guard, _)| guard);
        }
    }
}

/// Blocks the calling thread until this client has a completion (of a request made without a
/// callback) or an event queued for polling, at most `timeout_ms` milliseconds. Returns `true`
/// when there is something to poll; `false` on timeout, after `etrid_client_wake`, when the
/// client is freed meanwhile, and at once for a null or freed client. Never call it from a
/// callback, and free the client only after waiting threads returned (wake them first).
///
/// # Safety
/// `client` is null or a live client.
#[no_mangle]
pub unsafe extern "C" fn etrid_client_wait(client: *const EtridClient, timeout_ms: u32) -> bool {
    guard(false, || {
        // SAFETY: null or a live handle, by the caller's contract.
        let Ok(handle) = (unsafe { handle(client) }) else {
            return false;
        };
        let shared = std::sync::Arc::clone(&handle.shared);
        shared.wait_ready(Duration::from_millis(u64::from(timeout_ms)))
    })
}

/// Makes every `etrid_client_wait` of this client return now (with `false` unless something is
/// ready): a pump thread's way out before the client is freed. Null or freed: nothing happens.
///
/// # Safety
/// `client` is null or a live client.
#[no_mangle]
pub unsafe extern "C" fn etrid_client_wake(client: *const EtridClient) {
    guard((), || {
        // SAFETY: null or a live handle, by the caller's contract.
        if let Ok(handle) = unsafe { handle(client) } {
            handle.shared.signal.wake();
        }
    })
}
