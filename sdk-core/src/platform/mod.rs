//! The one place that knows about targets: futures are `Send` natively and not on wasm (where
//! browser futures hold `JsValue`s), and native clock and randomness live here.
//!
//! The rest of the core writes `BoxFuture` and `MaybeSend` and never mentions a target.

use std::future::Future;
use std::pin::Pin;

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
pub use native::{OsEntropy, SystemClock};

/// A boxed future: `Send` on native targets, so it can run on a multi-threaded runtime.
#[cfg(not(target_arch = "wasm32"))]
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A boxed future: not `Send` on wasm, where the browser's single thread drives it.
#[cfg(target_arch = "wasm32")]
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// `Send` on native targets, nothing on wasm: bound trait objects with it.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + ?Sized> MaybeSend for T {}

/// `Send` on native targets, nothing on wasm: bound trait objects with it.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSend for T {}

/// `Sync` on native targets, nothing on wasm: bound trait objects with it.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSync: Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Sync + ?Sized> MaybeSync for T {}

/// `Sync` on native targets, nothing on wasm: bound trait objects with it.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSync {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSync for T {}

/// Boxes a future as this platform's [`BoxFuture`].
pub fn boxed<'a, T, F>(future: F) -> BoxFuture<'a, T>
where
    F: Future<Output = T> + MaybeSend + 'a,
{
    Box::pin(future)
}
