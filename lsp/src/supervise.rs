//! Supervision: how a parent process (a test harness, a fixture runner, a process manager) stops
//! a server it started without ever leaving it behind: it holds the server's standard input,
//! and the server stops when that pipe closes, which happens however the parent ends.

/// Resolves when this process's standard input reaches its end (or cannot be read).
pub async fn stdin_closed() {
    let reader = tokio::task::spawn_blocking(|| {
        use std::io::Read;
        let mut sink = [0u8; 256];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
    });
    let _ = reader.await;
}
