//! The fixture other languages' test runners use, driven the way they drive it: the binary
//! started with a pipe as stdin, its JSON line read, the LSP and the devnet control API used
//! over plain HTTP, and the pipe closed to stop it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fixture_serves_a_funded_lsp_until_its_stdin_closes() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lsp-fixture"))
        .args(["--accounts", "2", "--fund-msat", "50000000"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("lsp-fixture starts");
    let stdin = child.stdin.take().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: Value = serde_json::from_str(&line).expect("one JSON line");
    let api = info["api"].as_str().unwrap().to_owned();
    let control = info["control"].as_str().unwrap().to_owned();
    let accounts = info["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 2);
    assert_eq!(info["network"], "regtest");
    let http = reqwest::Client::new();

    // Funded: the first account holds what alice paid it.
    let balance: Value = http
        .get(format!("{api}/v1/balance"))
        .bearer_auth(accounts[0]["admin_key"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(balance["available_msat"], 50_000_000);

    // A game client's key creates an invoice; bob pays it through the control API.
    let invoice: Value = http
        .post(format!("{api}/v1/invoices"))
        .bearer_auth(accounts[1]["invoice_key"].as_str().unwrap())
        .json(&json!({"amount_msat": 12_000, "description": "from another language"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paid: Value = http
        .post(format!("{control}/v1/nodes/bob/pay"))
        .json(&json!({"invoice": invoice["bolt11"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(paid["status"], "succeeded", "{paid}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now: Value = http
            .get(format!(
                "{api}/v1/invoices/{}",
                invoice["id"].as_str().unwrap()
            ))
            .bearer_auth(accounts[1]["invoice_key"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if now["status"] == "paid" {
            break;
        }
        assert!(Instant::now() < deadline, "not paid: {now}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Closing the pipe stops it, cleanly.
    drop(stdin);
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the fixture outlived its stdin");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status}");
}
