//! The tournament console, served at `/console/` when the server is given the npm package's
//! directory (`--console-dir`): organizers open it in a browser, create tournaments, share a
//! join link, watch seats fill and pay the winners. Its pages are static files of the npm
//! package (`console/`), and they load the package itself from `/console/sdk/` (`js/` and the
//! browser build `pkg/web/`), so the console always runs the SDK it ships with.
//!
//! Only those three directories are reachable, by paths of plain names: no `..`, no hidden
//! files, nothing else of the package (or of the disk).

use std::path::{Path, PathBuf};

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use super::AppState;

/// The console's routes, for the package at `dir`.
pub(super) fn routes(dir: PathBuf) -> Router<AppState> {
    let index = dir.clone();
    Router::new()
        .route(
            "/console",
            get(|| async { Redirect::permanent("/console/") }),
        )
        .route(
            "/console/",
            get(move |req: Request| serve(index.join("console").join("index.html"), req)),
        )
        .route(
            "/console/{*path}",
            get(move |req: Request| {
                let dir = dir.clone();
                async move {
                    let path = req.uri().path().trim_start_matches("/console/").to_owned();
                    match resolve(&dir, &path) {
                        Some(file) => serve(file, req).await,
                        None => StatusCode::NOT_FOUND.into_response(),
                    }
                }
            }),
        )
}

/// Serves one file (content type from its extension; 404 when it does not exist).
async fn serve(file: PathBuf, req: Request) -> Response {
    match ServeFile::new(file).oneshot(req).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    }
}

/// The file a console path names: `sdk/js/…` and `sdk/pkg/web/…` in the package, anything
/// else in its `console/`; `None` for a path with anything but plain names.
fn resolve(dir: &Path, path: &str) -> Option<PathBuf> {
    let parts: Vec<&str> = path.split('/').collect();
    if !parts.iter().all(|p| is_plain_name(p)) {
        return None;
    }
    let (base, rest) = match parts.as_slice() {
        ["sdk", "js", rest @ ..] => (dir.join("js"), rest),
        ["sdk", "pkg", "web", rest @ ..] => (dir.join("pkg").join("web"), rest),
        ["sdk", ..] => return None,
        rest => (dir.join("console"), rest),
    };
    if rest.is_empty() {
        return None;
    }
    Some(rest.iter().fold(base, |p, part| p.join(part)))
}

/// A file or directory name of letters, digits, `_`, `-` and `.`, not starting with a dot.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_paths_reach_the_console_and_the_sdk_only() {
        let dir = Path::new("/pkg");
        assert_eq!(
            resolve(dir, "join.html"),
            Some(PathBuf::from("/pkg/console/join.html"))
        );
        assert_eq!(
            resolve(dir, "sdk/js/browser.mjs"),
            Some(PathBuf::from("/pkg/js/browser.mjs"))
        );
        assert_eq!(
            resolve(dir, "sdk/pkg/web/etrid_wasm_bg.wasm"),
            Some(PathBuf::from("/pkg/pkg/web/etrid_wasm_bg.wasm"))
        );
        for bad in [
            "../Cargo.toml",
            "sdk/js/../../secret",
            "sdk/package.json",
            "sdk/pkg/node/etrid_wasm.js",
            "sdk/js",
            ".env",
            "a//b",
            "",
            "a/%2e%2e/b",
        ] {
            assert_eq!(resolve(dir, bad), None, "{bad}");
        }
    }
}
