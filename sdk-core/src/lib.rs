//! Étrid Lightning SDK core: the portable protocol logic every platform shares.
//!
//! `etrid-core` has no I/O of its own and no async runtime: platform effects (HTTP and event
//! streams, the clock, randomness) are traits the caller hands in, so the same code compiles to
//! `wasm32-unknown-unknown` for browsers and Node and to native code for the engine plugins.
//!
//! Money is always an integer number of millisatoshis ([`amount::Msat`]); fiat prices use
//! decimal arithmetic ([`fiat`]). Every fallible call returns a typed [`Error`] and no input
//! makes anything panic.
//!
//! # Getting started
//! ```
//! use etrid_core::{invoice, network::Network, clock::FixedClock, qr};
//!
//! // A BOLT11 invoice from the BOLT11 specification's examples (mainnet, 2500 µBTC).
//! let text = "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpu9qrsgquk0rl77nj30yxdy8j9vdx85fkpmdla2087ne0xh8nhedh8w27kyke0lp53ut353s06fv3qfegext0eh0ymjpf39tuven09sam30g4vgpfna3rh";
//! // The example was signed in 2017: check expiry as of its own timestamp.
//! let clock = FixedClock::from_unix_secs(1_496_314_658);
//! let decoded = invoice::decode_invoice(text, Network::Bitcoin, &clock)?;
//! assert_eq!(decoded.amount_msat.map(|a| a.as_u64()), Some(250_000_000));
//!
//! let svg = qr::render_svg(text)?;
//! assert!(svg.starts_with("<?xml"));
//! # Ok::<(), etrid_core::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod amount;
pub mod chain;
pub mod clock;
pub mod entropy;
pub mod error;
pub mod fiat;
pub mod invoice;
pub mod lnurl;
pub mod lsp;
#[cfg(feature = "native")]
pub mod native;
pub mod network;
pub mod platform;
pub mod qr;
pub mod recurring;
pub mod store;
pub mod streaming;
pub mod swap;
pub mod timer;
pub mod tournament;
pub mod transport;
pub mod webhook;

pub use error::Error;
