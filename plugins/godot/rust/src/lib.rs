//! The Étrid Lightning SDK as a Godot 4 GDExtension (gdext): a `LightningClient` node whose
//! calls return a `LightningRequest` to `await` and whose account events arrive as signals,
//! emitted from `_process` on the main thread; QR codes as `ImageTexture`s. The node is a thin
//! layer: the work runs in [`Session`], engine-independent and tested against a real LSP on
//! the devnet, over the same core (`etrid-core`) as every other binding.
//!
//! Godot loads the library through `addons/etrid_lightning/etrid_lightning.gdextension`
//! (entry symbol `gdext_rust_init`, Godot 4.2 or newer).

// gdext generates a getter and a setter for each #[export] field of LightningClient, without
// docs (the fields' docs are in the class's docs and the editor's inspector).
#[allow(missing_docs)]
mod client;
mod convert;
mod error;
mod qr;
mod request;
pub mod session;

pub use client::LightningClient;
pub use error::GodotError;
pub use qr::{qr_pixels, QrPixels, MAX_MODULE_PIXELS};
pub use request::LightningRequest;
pub use session::{Completion, Session};

use godot::prelude::{gdextension, ExtensionLibrary};

/// The extension's entry point: gdext registers `LightningClient` and `LightningRequest` when
/// Godot calls `gdext_rust_init`.
struct EtridLightning;

#[gdextension]
// SAFETY: gdext's contract for the one ExtensionLibrary of a library: nothing else exports
// `gdext_rust_init`, and the type does nothing at load beyond gdext's class registration.
unsafe impl ExtensionLibrary for EtridLightning {}
