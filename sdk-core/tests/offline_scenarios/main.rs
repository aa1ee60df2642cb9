//! The offline scenarios S01–S06: every case of the shared scenario files in `tests/scenarios/`
//! at the repository root, run through etrid-core's public API. The npm package's Node tests and
//! the C ABI's C++ and C# tests read the same files for the scenarios their bindings expose.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test crate: failing loudly is the point

mod s01_decode;
mod s02_errors;
mod s03_qr;
mod s04_lnurl;
mod s05_fiat;
mod s06_webhook;
mod support;
