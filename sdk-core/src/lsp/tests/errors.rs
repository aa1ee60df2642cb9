//! Mapping of error responses and transport failures onto [`LspError`].

use super::*;
use crate::lsp::{ApiErrorCode, LspError};
use crate::transport::{HttpResponse, TransportError};

/// The error a `GET /v1/invoices/inv_1` gets when the server answers `status` and `body`.
fn error_for(status: u16, headers: &[(&str, &str)], body: &str) -> LspError {
    let (client, transport, _) = client();
    transport.push_response(Ok(HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }));
    run(client.get_invoice("inv_1")).unwrap_err()
}

#[test]
fn status_401_403_404_map_to_their_variants() {
    let unauthorized = error_for(401, &[], r#"{"code":"unauthorized","message":"bad key"}"#);
    assert_eq!(
        unauthorized,
        LspError::Unauthorized {
            message: "bad key".into()
        }
    );
    assert_eq!(unauthorized.code(), "lsp_unauthorized");
    let forbidden = error_for(
        403,
        &[],
        r#"{"code":"forbidden_scope","message":"admin only"}"#,
    );
    assert_eq!(
        forbidden,
        LspError::Forbidden {
            message: "admin only".into()
        }
    );
    assert_eq!(forbidden.code(), "lsp_forbidden_scope");
    let missing = error_for(404, &[], r#"{"code":"not_found","message":"no invoice"}"#);
    assert!(matches!(missing, LspError::NotFound { .. }));
    assert_eq!(missing.code(), "lsp_not_found");
    assert!(!missing.is_retryable());
}

#[test]
fn status_409_keeps_the_server_code() {
    let error = error_for(
        409,
        &[],
        r#"{"code":"idempotency_mismatch","message":"differs"}"#,
    );
    assert_eq!(
        error,
        LspError::Api {
            status: 409,
            code: ApiErrorCode::IdempotencyMismatch,
            message: "differs".into()
        }
    );
    assert_eq!(error.code(), "lsp_idempotency_mismatch");
    let conflict = error_for(409, &[], r#"{"code":"conflict","message":"paid"}"#);
    assert_eq!(conflict.code(), "lsp_conflict");
    let balance = error_for(
        422,
        &[],
        r#"{"code":"insufficient_balance","message":"no"}"#,
    );
    assert_eq!(balance.code(), "lsp_insufficient_balance");
    let future = error_for(418, &[], r#"{"code":"teapot","message":"?"}"#);
    assert_eq!(future.code(), "lsp_api_error");
}

#[test]
fn s20_rate_limited_429_carries_retry_after() {
    let error = error_for(
        429,
        &[("retry-after", "7")],
        r#"{"code":"rate_limited","message":"slow down"}"#,
    );
    assert_eq!(
        error,
        LspError::RateLimited {
            retry_after_secs: 7
        }
    );
    assert_eq!(error.code(), "lsp_rate_limited");
    assert!(error.is_retryable());
    // No or an unreadable Retry-After: wait one second.
    let error = error_for(429, &[("Retry-After", "soon")], "{}");
    assert_eq!(
        error,
        LspError::RateLimited {
            retry_after_secs: 1
        }
    );
}

#[test]
fn status_500_and_garbage_bodies_stay_typed() {
    let internal = error_for(500, &[], r#"{"code":"internal_error","message":"boom"}"#);
    assert_eq!(internal.code(), "lsp_internal_error");
    assert!(internal.is_retryable());
    let garbage = error_for(502, &[], "<html>Bad Gateway</html>");
    assert_eq!(
        garbage,
        LspError::Api {
            status: 502,
            code: ApiErrorCode::Unknown,
            message: "<html>Bad Gateway</html>".into()
        }
    );
    let long = error_for(503, &[], &"x".repeat(10_000));
    assert!(matches!(long, LspError::Api { message, .. } if message.len() == 200));
    let not_utf8 = {
        let (client, transport, _) = client();
        transport.push_response(Ok(HttpResponse {
            status: 500,
            headers: vec![],
            body: vec![0xff, 0xfe, 0x00],
        }));
        run(client.get_invoice("inv_1")).unwrap_err()
    };
    assert!(matches!(not_utf8, LspError::Api { status: 500, .. }));
}

#[test]
fn a_success_body_that_does_not_match_is_a_decode_error() {
    for body in ["not json", "{}", r#"{"id":"inv_1","status":"weird"}"#, ""] {
        let error = error_for(200, &[], body);
        assert!(
            matches!(error, LspError::Decode { .. }),
            "{body}: {error:?}"
        );
        assert_eq!(error.code(), "lsp_decode");
    }
}

#[test]
fn transport_failures_are_wrapped_and_map_through_crate_error() {
    let (client, transport, _) = client();
    transport.push_response(Err(TransportError::Connect {
        url: "https://lsp.test".into(),
        reason: "refused".into(),
    }));
    let error = run(client.get_invoice("inv_1")).unwrap_err();
    assert!(matches!(error, LspError::Transport(_)));
    assert_eq!(error.code(), "transport_connect");
    assert!(error.is_retryable());
    let crate_error = crate::Error::from(LspError::RateLimited {
        retry_after_secs: 3,
    });
    assert_eq!(crate_error.code(), "lsp_rate_limited");
}
