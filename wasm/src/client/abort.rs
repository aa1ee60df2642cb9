//! `AbortSignal` support: race a future against the signal.

use std::future::Future;
use std::pin::pin;

use futures_util::future::{select, Either};
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use crate::error::invalid_argument;

/// The signal fired: its `reason`.
pub(super) struct Aborted(pub(super) JsValue);

/// Runs `work` until it completes or `signal` (an `AbortSignal`, or `undefined`) fires. When the
/// signal wins, `work` is dropped, which cancels it (open streams close, timers clear).
///
/// # Errors
/// `invalid_argument` when `signal` is given but is not an `AbortSignal`.
pub(super) async fn until_aborted<T>(
    signal: &JsValue,
    work: impl Future<Output = T>,
) -> Result<Result<T, Aborted>, JsValue> {
    if signal.is_undefined() || signal.is_null() {
        return Ok(Ok(work.await));
    }
    let is_signal = Reflect::has(signal, &JsValue::from_str("aborted")).unwrap_or(false)
        && Reflect::get(signal, &JsValue::from_str("addEventListener"))
            .is_ok_and(|f| f.is_function());
    if !is_signal {
        return Err(invalid_argument("signal must be an AbortSignal"));
    }
    let signal: AbortSignal = signal.clone().unchecked_into();
    if signal.aborted() {
        return Ok(Err(Aborted(signal.reason())));
    }
    // A Promise resolved by the signal's `abort` event; the listener is removed afterwards.
    let mut resolve_slot: Option<Function> = None;
    let fired = Promise::new(&mut |resolve, _reject| resolve_slot = Some(resolve));
    let listener = Closure::<dyn FnMut()>::new(move || {
        if let Some(resolve) = &resolve_slot {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    let callback: &Function = listener.as_ref().unchecked_ref();
    if signal
        .add_event_listener_with_callback("abort", callback)
        .is_err()
    {
        return Err(invalid_argument("signal must be an AbortSignal"));
    }
    let outcome = match select(pin!(work), JsFuture::from(fired)).await {
        Either::Left((value, _)) => Ok(value),
        Either::Right(_) => Err(Aborted(signal.reason())),
    };
    let _ = signal.remove_event_listener_with_callback("abort", callback);
    Ok(outcome)
}
