//! The main job, run as a test: the invoice is paid end to end and the event reaches the client.
#![allow(clippy::unwrap_used)]

use etrid_core::lsp::{EventType, InvoiceStatus};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn devnet_demo_pays_an_invoice_end_to_end() {
    let mut out = Vec::new();
    let summary = etrid_examples::devnet_demo::run(&mut out, 1_234)
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(summary.event.event_type(), EventType::InvoicePaid);
    let invoice = summary.event.invoice().unwrap();
    assert_eq!(invoice.id, summary.invoice_id);
    assert_eq!(invoice.status, InvoiceStatus::Paid);
    assert_eq!(summary.balance_msat, 1_234_000);
    assert!(text.contains('█'), "the QR code is drawn");
    assert!(text.contains("invoice.paid"));
}
