//! `ReqwestTransport::request`: methods, headers and bodies both ways, statuses as responses,
//! and the connect, timeout and size errors.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method as HttpMethod, StatusCode};
use axum::routing::{any, get};
use axum::Router;

use super::{closed_port, serve, transport};
use crate::native::ReqwestTransport;
use crate::transport::{HttpRequest, Method, Transport, TransportError};

/// Echoes the method, the `x-test` headers and the body, with status 201 and a reply header.
async fn echo(
    method: HttpMethod,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    let tests: Vec<&str> = headers
        .get_all("x-test")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let text = format!(
        "{method} x-test={} body={}",
        tests.join(","),
        String::from_utf8_lossy(&body)
    );
    (StatusCode::CREATED, [("x-reply", "yes")], text)
}

/// Answers after five seconds.
async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(5)).await;
    "late"
}

async fn server() -> String {
    let router = Router::new()
        .route("/echo", any(echo))
        .route("/slow", get(slow));
    format!("http://{}", serve(router).await)
}

#[tokio::test]
async fn requests_carry_every_method_headers_and_body_and_read_the_whole_response() {
    let base = server().await;
    let transport = transport();
    for (method, name) in [
        (Method::Get, "GET"),
        (Method::Post, "POST"),
        (Method::Put, "PUT"),
        (Method::Patch, "PATCH"),
        (Method::Delete, "DELETE"),
    ] {
        let request = HttpRequest::new(method, format!("{base}/echo?q=1"))
            .with_header("X-Test", "a")
            .with_header("x-test", "b")
            .with_body(br#"{"k":"v"}"#.to_vec());
        let response = transport.request(request).await.unwrap();
        assert_eq!(response.status, 201);
        assert!(response.is_success());
        assert_eq!(response.header("X-Reply"), Some("yes"));
        assert!(response.headers.iter().all(|(n, _)| *n == n.to_lowercase()));
        assert_eq!(
            String::from_utf8(response.body).unwrap(),
            format!(r#"{name} x-test=a,b body={{"k":"v"}}"#)
        );
    }
    let bare = transport
        .request(HttpRequest::new(Method::Get, format!("{base}/echo")))
        .await
        .unwrap();
    assert_eq!(bare.body, b"GET x-test= body=");
}

#[tokio::test]
async fn an_error_status_is_a_response_not_an_error() {
    let base = server().await;
    let response = transport()
        .request(HttpRequest::new(Method::Get, format!("{base}/missing")))
        .await
        .unwrap();
    assert_eq!(response.status, 404);
    assert!(!response.is_success());
}

#[tokio::test]
async fn a_refused_connection_or_malformed_request_is_a_connect_error() {
    let url = format!("http://127.0.0.1:{}/v1/x", closed_port());
    let error = transport()
        .request(HttpRequest::new(Method::Get, url.clone()))
        .await
        .unwrap_err();
    match &error {
        TransportError::Connect { url: got, reason } => {
            assert_eq!(got, &url);
            assert!(!reason.is_empty());
        }
        other => panic!("expected Connect, got {other:?}"),
    }
    assert_eq!(error.code(), "transport_connect");

    let base = server().await;
    let bad_name =
        HttpRequest::new(Method::Get, format!("{base}/echo")).with_header("bad name", "v");
    let error = transport().request(bad_name).await.unwrap_err();
    assert!(
        matches!(&error, TransportError::Connect { reason, .. } if reason.contains("bad name"))
    );
    let bad_value = HttpRequest::new(Method::Get, format!("{base}/echo"))
        .with_header("Authorization", "Bearer se\ncret");
    let error = transport().request(bad_value).await.unwrap_err();
    assert!(
        matches!(&error, TransportError::Connect { reason, .. } if reason.contains("authorization") && !reason.contains("cret"))
    );
    let error = transport()
        .request(HttpRequest::new(Method::Get, "not a url"))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "transport_connect");
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let base = server().await;
    let transport = ReqwestTransport::with_timeout(Duration::from_millis(200)).unwrap();
    assert_eq!(transport.timeout(), Duration::from_millis(200));
    let started = std::time::Instant::now();
    let error = transport
        .request(HttpRequest::new(Method::Get, format!("{base}/slow")))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        TransportError::Timeout {
            url: format!("{base}/slow")
        }
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_body_beyond_the_limit_is_refused() {
    let base = server().await;
    let mut transport = transport();
    transport.max_body = 8;
    let request = HttpRequest::new(Method::Post, format!("{base}/echo")).with_body(vec![b'x'; 64]);
    let error = transport.request(request).await.unwrap_err();
    assert_eq!(error.code(), "transport_bad_response");
    transport.max_body = 1024;
    let request = HttpRequest::new(Method::Post, format!("{base}/echo")).with_body(vec![b'x'; 64]);
    assert_eq!(transport.request(request).await.unwrap().status, 201);
}
