//! The one Tokio runtime inside the library: every client's requests and event streams run on
//! its worker threads, started on first use and kept for the life of the process (a runtime
//! cannot be shut down safely from inside a foreign caller's thread or a callback).

use std::sync::OnceLock;

use tokio::runtime::{Builder, Runtime};

/// Worker threads: I/O-bound work (HTTP requests, WebSockets), so two are plenty.
const WORKER_THREADS: usize = 2;

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// The shared runtime, built on first call.
///
/// # Errors
/// The reason, when the operating system refused the runtime's threads or I/O driver.
pub(crate) fn runtime() -> Result<&'static Runtime, String> {
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(WORKER_THREADS)
                .thread_name("etrid-ffi")
                .enable_all()
                .build()
                .map_err(|e| format!("could not start the SDK's runtime: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}
