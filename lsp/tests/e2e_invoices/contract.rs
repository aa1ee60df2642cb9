//! The API contract as an outsider probes it, over raw HTTP against the real server: every
//! route's scope and tenancy derived from `openapi.json`, and the defects found by probing
//! (arrays as objects, errors that were not JSON, keep-alive connections closed silently,
//! cursors crossing lists, 401s telling keys apart) each kept fixed. The documented limits are
//! tried at their boundaries in `limits.rs`, with the raw-HTTP helpers defined here.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use etrid_core::lsp::{ApiKeyScope, CreateApiKeyRequest};
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{run, Harness};
use crate::{account, harness, invoice_req, resources};

/// The answer to one request: status, stable code (empty when the body is not an error
/// object), the body as JSON (null when not JSON) and the headers.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) code: String,
    pub(crate) body: Value,
    pub(crate) headers: reqwest::header::HeaderMap,
}

/// Sends one request with `key` (none when empty) and an optional raw JSON body.
pub(crate) async fn call(
    h: &Harness,
    method: Method,
    path: &str,
    key: &str,
    body: Option<String>,
) -> Answer {
    let mut req = reqwest::Client::new().request(method, format!("{}{path}", h.api()));
    if !key.is_empty() {
        req = req.bearer_auth(key);
    }
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        code: body["code"].as_str().unwrap_or_default().to_owned(),
        body,
        headers,
    }
}

/// A new key of the account of `admin_key` with `scope` (so rate limits never interfere).
pub(crate) async fn new_key(h: &Harness, admin_key: &str, scope: ApiKeyScope) -> String {
    h.client(admin_key)
        .create_api_key(CreateApiKeyRequest {
            scope,
            label: "contract".into(),
        })
        .await
        .unwrap()
        .key
}

/// A unique client key for idempotency fields.
pub(crate) fn unique(prefix: &str) -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    format!(
        "{prefix}-{}",
        b.iter().map(|x| format!("{x:02x}")).collect::<String>()
    )
}

#[test]
fn s17_every_documented_route_checks_its_scope_and_account() {
    run(async {
        let h = harness().await;
        let (admin_a, game_a) = account(h, "routes-a").await;
        let (admin_b, _) = account(h, "routes-b").await;
        let admin_key = admin_a.config().api_key.clone();
        let game_key = game_a.config().api_key.clone();
        // B's resources: every id in a path belongs to the other account.
        let b = resources(&admin_b).await;
        let doc: Value = serde_json::from_str(include_str!("../../openapi.json")).unwrap();
        let mut checked = 0;
        for (template, ops) in doc["paths"].as_object().unwrap() {
            for (method, op) in ops.as_object().unwrap() {
                let scope = op["x-etrid-scope"]
                    .as_str()
                    .expect("every route has a scope");
                let path = template
                    .replace(
                        "{invoice_id}",
                        if template.starts_with("/v1/hold-invoices") {
                            &b.hold_invoice
                        } else {
                            &b.invoice
                        },
                    )
                    .replace("{webhook_id}", &b.webhook)
                    .replace("{delivery_id}", "dlv_1_x")
                    .replace("{key_id}", &b.key)
                    .replace("{payment_id}", "pay_00000000000000000000")
                    .replace("{swap_id}", "swp_00000000000000000000");
                let method: Method = method.to_uppercase().parse().unwrap();
                // A body valid enough that the id is looked up (settle needs a preimage).
                let body = template
                    .ends_with("/settle")
                    .then(|| json!({"preimage": "00".repeat(32)}).to_string());
                let what = format!("{method} {template}");
                let none = call(h, method.clone(), &path, "", body.clone()).await;
                let invoice = call(h, method.clone(), &path, &game_key, body.clone()).await;
                let admin = call(h, method.clone(), &path, &admin_key, body.clone()).await;
                match scope {
                    "none" if template.contains("{tournament_id}") => {
                        // A public tournament's routes: any other id is not found, keyed or not.
                        for a in [&none, &invoice, &admin] {
                            assert_eq!((a.status, a.code.as_str()), (404, "not_found"), "{what}");
                        }
                    }
                    "none" => {
                        for a in [&none, &invoice, &admin] {
                            assert_eq!(a.status, 200, "{what}: {a:?}");
                        }
                    }
                    "invoice" | "admin" => {
                        assert_eq!(
                            (none.status, none.code.as_str()),
                            (401, "unauthorized"),
                            "{what}"
                        );
                        if scope == "admin" {
                            assert_eq!(
                                (invoice.status, invoice.code.as_str()),
                                (403, "forbidden_scope"),
                                "{what}"
                            );
                        } else {
                            assert!(![401, 403].contains(&invoice.status), "{what}: {invoice:?}");
                        }
                        assert!(![401, 403].contains(&admin.status), "{what}: {admin:?}");
                        if template.contains('{') {
                            // Another account's ids answer 404 like ids that do not exist.
                            assert_eq!(
                                (admin.status, admin.code.as_str()),
                                (404, "not_found"),
                                "{what}"
                            );
                        }
                    }
                    other => panic!("{what}: unknown scope {other}"),
                }
                checked += 1;
            }
        }
        assert!(checked >= 28, "only {checked} routes in the document");
    });
}

#[test]
fn bodies_must_be_json_objects_and_every_refusal_is_a_json_error() {
    run(async {
        let h = harness().await;
        let (admin, game) = account(h, "shapes").await;
        let admin_key = admin.config().api_key.clone();
        let game_key = game.config().api_key.clone();
        // Fields by position are not an object.
        let a = call(
            h,
            Method::POST,
            "/v1/api-keys",
            &admin_key,
            Some(r#"["invoice","x"]"#.into()),
        )
        .await;
        assert_eq!((a.status, a.code.as_str()), (400, "invalid_request"));
        let a = call(
            h,
            Method::POST,
            "/v1/invoices",
            &game_key,
            Some("[1000]".into()),
        )
        .await;
        assert_eq!((a.status, a.code.as_str()), (400, "invalid_request"));
        // An id that is not UTF-8 cannot exist: 404 JSON, like any unknown id.
        let a = call(h, Method::GET, "/v1/invoices/%FF%FE", &game_key, None).await;
        assert_eq!((a.status, a.code.as_str()), (404, "not_found"));
        // A route without this method: 405 JSON with Allow.
        let a = call(h, Method::DELETE, "/v1/invoices", &game_key, None).await;
        assert_eq!((a.status, a.code.as_str()), (405, "method_not_allowed"));
        let allow = a.headers.get("allow").unwrap().to_str().unwrap().to_owned();
        assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
        let a = call(h, Method::PUT, "/v1/balance", &admin_key, None).await;
        assert_eq!((a.status, a.code.as_str()), (405, "method_not_allowed"));
        // An over-long path: 414 JSON.
        let a = call(
            h,
            Method::GET,
            &format!("/v1/invoices/{}", "a".repeat(9000)),
            &game_key,
            None,
        )
        .await;
        assert_eq!((a.status, a.code.as_str()), (414, "uri_too_long"));
        // An over-long body: 413 JSON.
        let big = json!({"description": "a".repeat(70_000)}).to_string();
        let a = call(h, Method::POST, "/v1/invoices", &game_key, Some(big)).await;
        assert_eq!((a.status, a.code.as_str()), (413, "payload_too_large"));
        // A plain GET of the WebSocket route: 401 without a key, like every route; 400 with one.
        let a = call(h, Method::GET, "/v1/events/stream", "", None).await;
        assert_eq!((a.status, a.code.as_str()), (401, "unauthorized"));
        let a = call(h, Method::GET, "/v1/events/stream", &game_key, None).await;
        assert_eq!((a.status, a.code.as_str()), (400, "invalid_request"));
        // Unknown routes: 404 JSON.
        let a = call(h, Method::GET, "/v2/nothing", &game_key, None).await;
        assert_eq!((a.status, a.code.as_str()), (404, "not_found"));
        // A status that a list does not have, or a status filter where none exists.
        let a = call(
            h,
            Method::GET,
            "/v1/invoices?status=succeeded",
            &game_key,
            None,
        )
        .await;
        assert_eq!((a.status, a.code.as_str()), (400, "invalid_request"));
        let a = call(h, Method::GET, "/v1/ledger?status=paid", &admin_key, None).await;
        assert_eq!((a.status, a.code.as_str()), (400, "invalid_request"));
        let a = call(
            h,
            Method::GET,
            "/v1/webhooks/wh_x/deliveries?status=failed",
            &admin_key,
            None,
        )
        .await;
        assert_eq!((a.status, a.code.as_str()), (404, "not_found"));
    });
}

/// Writes `request` on `stream` and reads one response: its status line and headers (lower
/// case) and its body (by Content-Length).
fn exchange(stream: &mut TcpStream, request: &str) -> (String, String) {
    stream.write_all(request.as_bytes()).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).unwrap();
        assert_eq!(
            n,
            1,
            "connection closed mid-response: {}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap().to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).unwrap();
    (head, String::from_utf8_lossy(&body).into_owned())
}

#[test]
fn refused_requests_keep_the_connection_usable() {
    run(async {
        let h = harness().await;
        let addr = h.api().trim_start_matches("http://").to_owned();
        tokio::task::spawn_blocking(move || {
            let mut stream = TcpStream::connect(&addr).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let body = r#"{"amount_msat":1000,"description":"refused before the body is read"}"#;
            let head = |line: &str, extra: &str| {
                format!(
                    "{line} HTTP/1.1\r\nHost: x\r\n{extra}Content-Type: application/json\r\n\
                     Content-Length: {}\r\n\r\n",
                    body.len()
                )
            };
            let refused = [
                // No key: refused by authentication.
                head("POST /v1/invoices", ""),
                // A bad key.
                head("POST /v1/invoices", "Authorization: Bearer etrid_nope\r\n"),
                // An unknown route.
                head("POST /v1/nothing", ""),
                // A wrong method.
                head("PUT /v1/health", ""),
            ];
            // The body in the same packet as the head, and (as clients that write them
            // separately often do) a moment later: the server must not answer and hang up
            // before it has read the body.
            for delay in [Duration::ZERO, Duration::from_millis(300)] {
                for request in &refused {
                    stream.write_all(request.as_bytes()).unwrap();
                    std::thread::sleep(delay);
                    let (head, answer) = exchange(&mut stream, body);
                    assert!(!head.contains("connection: close"), "{request}: {head}");
                    let v: Value = serde_json::from_str(&answer).unwrap();
                    assert!(v["code"].is_string(), "{answer}");
                    // The same connection serves the next request.
                    let (head, answer) =
                        exchange(&mut stream, "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
                    assert!(head.starts_with("http/1.1 200"), "after {request}: {head}");
                    assert!(answer.contains("\"status\""), "{answer}");
                }
            }
        })
        .await
        .unwrap();
    });
}

#[test]
fn unknown_and_revoked_keys_get_the_same_answer_and_cursors_stay_in_their_list() {
    run(async {
        let h = harness().await;
        let (admin, _) = account(h, "keys-cursors").await;
        let admin_key = admin.config().api_key.clone();
        let revoked = admin
            .create_api_key(CreateApiKeyRequest {
                scope: ApiKeyScope::Invoice,
                label: "to revoke".into(),
            })
            .await
            .unwrap();
        admin.revoke_api_key(&revoked.id).await.unwrap();
        let unknown = call(
            h,
            Method::GET,
            "/v1/invoices",
            "etrid_inv_0000000000000000",
            None,
        )
        .await;
        let gone = call(h, Method::GET, "/v1/invoices", &revoked.key, None).await;
        assert_eq!((unknown.status, gone.status), (401, 401));
        assert_eq!(
            unknown.body, gone.body,
            "a 401 must not tell unknown from revoked keys"
        );
        // A cursor of the invoice list is refused by the payment list (and the other way).
        for i in 0..3 {
            let key = new_key(h, &admin_key, ApiKeyScope::Invoice).await;
            h.client(&key)
                .create_invoice(invoice_req(1, &format!("page {i}")))
                .await
                .unwrap();
        }
        let page = call(h, Method::GET, "/v1/invoices?limit=1", &admin_key, None).await;
        let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
        let ok = call(
            h,
            Method::GET,
            &format!("/v1/invoices?limit=1&cursor={cursor}"),
            &admin_key,
            None,
        )
        .await;
        assert_eq!(ok.status, 200);
        for other in ["/v1/payments", "/v1/ledger", "/v1/webhooks", "/v1/api-keys"] {
            let a = call(
                h,
                Method::GET,
                &format!("{other}?cursor={cursor}"),
                &admin_key,
                None,
            )
            .await;
            assert_eq!(
                (a.status, a.code.as_str()),
                (400, "invalid_request"),
                "{other}"
            );
        }
    });
}
