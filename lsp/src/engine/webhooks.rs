//! Webhook delivery: at least once, signed with the sdk-core scheme (`Etrid-Signature`), with
//! exponential backoff, from the outbox the event transactions fill.

use std::time::Duration;

use etrid_core::webhook::{WebhookSigner, SIGNATURE_HEADER};
use tokio::sync::watch;

use super::Engine;
use crate::store::DueDelivery;
use crate::time::now_secs;

/// Delays before the 2nd … 8th attempt, in seconds (API.md): 1 min, 5 min, 30 min, 2 h, 6 h,
/// 12 h, 24 h. After the 8th failed attempt the delivery is `failed`.
pub const RETRY_DELAYS_SECS: [u64; 7] = [60, 300, 1800, 7200, 21_600, 43_200, 86_400];
/// How long a receiver has to answer.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries sent at once.
const BATCH: u32 = 32;
/// Longest idle wait between checks (a notification usually wakes the worker sooner).
const IDLE: Duration = Duration::from_secs(5);

/// The delay before the next attempt after `attempts` failed ones, or `None` when they are
/// exhausted.
pub fn next_retry_delay(attempts: u32) -> Option<u64> {
    attempts
        .checked_sub(1)
        .and_then(|i| RETRY_DELAYS_SECS.get(i as usize).copied())
}

/// Delivers until `stop` turns true.
pub(super) async fn run(engine: Engine, mut stop: watch::Receiver<bool>) {
    let client = match reqwest::Client::builder()
        .timeout(ATTEMPT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhook client could not be built; no deliveries");
            return;
        }
    };
    let notify = engine.store.deliveries_notify();
    loop {
        let due = match engine.store.due_deliveries(now_secs(), BATCH).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "reading due deliveries failed");
                Vec::new()
            }
        };
        let full = due.len() as u32 == BATCH;
        let sends = due.into_iter().map(|d| deliver(&engine, &client, d));
        futures_util::future::join_all(sends).await;
        if full {
            continue;
        }
        let wait = match engine.store.next_delivery_at().await {
            Ok(Some(at)) => Duration::from_secs(at.saturating_sub(now_secs())).min(IDLE),
            _ => IDLE,
        };
        tokio::select! {
            biased;
            _ = stop.changed() => return,
            () = notify.notified() => {}
            () = tokio::time::sleep(wait.max(Duration::from_millis(200))) => {}
        }
    }
}

/// One attempt of one delivery, recorded whatever happens.
async fn deliver(engine: &Engine, client: &reqwest::Client, d: DueDelivery) {
    let signature = match WebhookSigner::new(d.secret.as_bytes()) {
        Ok(signer) => signer.sign(d.body.as_bytes(), now_secs()),
        Err(e) => {
            tracing::error!(delivery = %d.id, error = %e, "webhook secret unusable");
            return;
        }
    };
    let result = client
        .post(&d.url)
        .header("Content-Type", "application/json")
        .header("Etrid-Event-Id", d.event_id.to_string())
        .header("Etrid-Event-Type", d.event_type.as_str())
        .header(SIGNATURE_HEADER, signature)
        .body(d.body.clone())
        .send()
        .await;
    let (ok, code, error) = match result {
        Ok(resp) if resp.status().is_success() => (true, Some(resp.status().as_u16()), None),
        Ok(resp) => (
            false,
            Some(resp.status().as_u16()),
            Some(format!("receiver answered {}", resp.status())),
        ),
        Err(e) => (false, None, Some(e.to_string())),
    };
    let attempts = d.attempts.saturating_add(1);
    let next = if ok {
        None
    } else {
        next_retry_delay(attempts).map(|delay| now_secs().saturating_add(delay))
    };
    if let Err(e) = engine
        .store
        .record_attempt(&d.id, ok, code, error, next)
        .await
    {
        tracing::warn!(delivery = %d.id, error = %e, "recording a delivery attempt failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_schedule_has_eight_attempts() {
        assert_eq!(next_retry_delay(1), Some(60));
        assert_eq!(next_retry_delay(7), Some(86_400));
        assert_eq!(next_retry_delay(8), None);
        assert_eq!(next_retry_delay(0), None);
    }
}
