//! `LightningRequest`: what every call of a `LightningClient` returns at once, so GDScript can
//! `await` its answer (`var result = await client.create_invoice(1000, "Potion").completed`)
//! or connect to it. It completes exactly once, on the main thread, never during the call
//! that made it (an error found at once completes on the next frame), so an `await` written
//! right after the call always hears it.

use godot::prelude::*;

/// One call's answer to come: `completed(ok, result)` fires once.
#[derive(GodotClass)]
#[class(base=RefCounted, no_init)]
pub struct LightningRequest {
    /// The session's request id.
    id: i64,
    /// The operation's snake_case name.
    operation: GString,
    /// Whether `completed` has fired.
    done: bool,
    base: Base<RefCounted>,
}

#[godot_api]
impl LightningRequest {
    /// Fires once: `ok` and the API's answer (an invoice, a payment, …; a list as
    /// `{"items", …}`, a bare value as `{"value"}`), or `ok == false` and the error
    /// (`{"code", "message", "retryable", "http_status"}`; `code` `cancelled` when cancelled).
    #[signal]
    fn completed(ok: bool, result: VarDictionary);

    /// The request's id (as in the client's `request_completed` signal).
    #[func]
    pub(crate) fn get_id(&self) -> i64 {
        self.id
    }

    /// The operation's name (`create_invoice`, …).
    #[func]
    fn get_operation(&self) -> GString {
        self.operation.clone()
    }

    /// Whether it has completed.
    #[func]
    fn is_done(&self) -> bool {
        self.done
    }
}

impl LightningRequest {
    /// A request not yet completed.
    pub(crate) fn create(id: u64, operation: &str) -> Gd<LightningRequest> {
        let id = i64::try_from(id).unwrap_or(i64::MAX);
        let operation = GString::from(operation);
        Gd::from_init_fn(|base| LightningRequest {
            id,
            operation,
            done: false,
            base,
        })
    }

    /// Fires `completed` (once: a second call does nothing).
    pub(crate) fn complete(&mut self, ok: bool, result: &VarDictionary) {
        if self.done {
            return;
        }
        self.done = true;
        self.signals().completed().emit(ok, result);
    }
}
