//! Shared code of the runnable examples, kept in a library so the examples' tests exercise
//! exactly what the binaries print.

pub mod decode_report;
pub mod devnet_demo;
pub mod lsp_fixture;
