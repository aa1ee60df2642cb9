//! [`ChainSource`] over an Esplora REST API (the API of Blockstream's and mempool.space's
//! explorers, electrs, and the devnet's chain server).

use std::time::Duration;

use bitcoin::consensus::encode::{deserialize_hex, serialize_hex};
use bitcoin::{OutPoint, Transaction, Txid};
use futures_util::future::{select, Either};
use serde::Deserialize;

use super::{ChainError, ChainSource, ChainTx};
use crate::platform::{boxed, BoxFuture};
use crate::timer::Timer;
use crate::transport::{HttpRequest, HttpResponse, Method, Transport};

/// How long one request may take by default.
pub const DEFAULT_CHAIN_TIMEOUT: Duration = Duration::from_secs(20);

/// An Esplora server at `base_url` (e.g. `https://blockstream.info/api`), reached through a
/// transport of the platform and raced against a timer.
pub struct EsploraChain<T: Transport, M: Timer> {
    base_url: String,
    transport: T,
    timer: M,
    timeout: Duration,
}

/// A transaction's place as Esplora reports it.
#[derive(Debug, Deserialize)]
struct TxStatus {
    confirmed: bool,
    block_height: Option<u32>,
}

/// An entry of `/address/{address}/txs`: what we read of it (the rest comes as raw hex). Txids
/// are read as text (bitcoin's serde support is not enabled in every build of the core).
#[derive(Debug, Deserialize)]
struct AddressTx {
    txid: String,
    status: TxStatus,
}

/// `/tx/{txid}/outspend/{vout}`.
#[derive(Debug, Deserialize)]
struct Outspend {
    spent: bool,
    txid: Option<String>,
}

impl<T: Transport, M: Timer> EsploraChain<T, M> {
    /// The Esplora API at `base_url` (without a trailing slash; one is removed).
    pub fn new(base_url: &str, transport: T, timer: M) -> EsploraChain<T, M> {
        EsploraChain {
            base_url: base_url.trim_end_matches('/').to_owned(),
            transport,
            timer,
            timeout: DEFAULT_CHAIN_TIMEOUT,
        }
    }

    /// Sets how long one request may take.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The API's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, ChainError> {
        let url = request.url.clone();
        match select(
            self.transport.request(request),
            self.timer.sleep(self.timeout),
        )
        .await
        {
            Either::Left((response, _)) => Ok(response?),
            Either::Right(((), _)) => Err(ChainError::Timeout {
                url,
                timeout_ms: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
            }),
        }
    }

    /// GETs `path`; `None` for a 404 (an unknown transaction), the body otherwise.
    async fn get(&self, path: &str) -> Result<Option<(String, Vec<u8>)>, ChainError> {
        let url = format!("{}{path}", self.base_url);
        let response = self
            .send(HttpRequest::new(Method::Get, url.clone()))
            .await?;
        match response.status {
            200..=299 => Ok(Some((url, response.body))),
            404 => Ok(None),
            status => Err(status_error(url, status, &response.body)),
        }
    }

    /// GETs `path`, which must exist.
    async fn get_existing(&self, path: &str) -> Result<(String, Vec<u8>), ChainError> {
        let url = format!("{}{path}", self.base_url);
        self.get(path).await?.ok_or_else(|| ChainError::Status {
            url,
            status: 404,
            message: "not found".to_owned(),
        })
    }

    async fn json<D: for<'de> Deserialize<'de>>(&self, path: &str) -> Result<D, ChainError> {
        let (url, body) = self.get_existing(path).await?;
        serde_json::from_slice(&body).map_err(|e| bad(url, e))
    }

    /// The raw transaction `txid` with the status given, or read.
    async fn chain_tx(
        &self,
        txid: Txid,
        status: Option<TxStatus>,
    ) -> Result<Option<ChainTx>, ChainError> {
        let Some((url, hex)) = self.get(&format!("/tx/{txid}/hex")).await? else {
            return Ok(None);
        };
        let text = String::from_utf8(hex).map_err(|e| bad(url.clone(), e))?;
        let tx: Transaction = deserialize_hex(text.trim()).map_err(|e| bad(url.clone(), e))?;
        if tx.compute_txid() != txid {
            return Err(bad(url, "the transaction's id is not the one asked for"));
        }
        let status = match status {
            Some(status) => status,
            None => self.json(&format!("/tx/{txid}/status")).await?,
        };
        Ok(Some(ChainTx {
            tx,
            confirmed_height: status.block_height.filter(|_| status.confirmed),
        }))
    }
}

impl<T: Transport, M: Timer> ChainSource for EsploraChain<T, M> {
    fn tip_height(&self) -> BoxFuture<'_, Result<u32, ChainError>> {
        boxed(async move {
            let (url, body) = self.get_existing("/blocks/tip/height").await?;
            let text = String::from_utf8(body).map_err(|e| bad(url.clone(), e))?;
            text.trim().parse().map_err(|e| bad(url, e))
        })
    }

    fn address_transactions<'a>(
        &'a self,
        address: &'a str,
    ) -> BoxFuture<'a, Result<Vec<ChainTx>, ChainError>> {
        boxed(async move {
            let path = format!("/address/{address}/txs");
            let listed: Vec<AddressTx> = self.json(&path).await?;
            let mut found = Vec::with_capacity(listed.len());
            for entry in listed {
                let txid = parse_txid(&format!("{}{path}", self.base_url), &entry.txid)?;
                // A transaction listed a moment ago and evicted since is simply not there.
                if let Some(tx) = self.chain_tx(txid, Some(entry.status)).await? {
                    found.push(tx);
                }
            }
            Ok(found)
        })
    }

    fn transaction(&self, txid: Txid) -> BoxFuture<'_, Result<Option<ChainTx>, ChainError>> {
        boxed(self.chain_tx(txid, None))
    }

    fn spender(&self, outpoint: OutPoint) -> BoxFuture<'_, Result<Option<ChainTx>, ChainError>> {
        boxed(async move {
            let path = format!("/tx/{}/outspend/{}", outpoint.txid, outpoint.vout);
            let outspend: Outspend = self.json(&path).await?;
            match (outspend.spent, outspend.txid) {
                (true, Some(txid)) => {
                    let txid = parse_txid(&format!("{}{path}", self.base_url), &txid)?;
                    self.chain_tx(txid, None).await
                }
                (true, None) => Err(bad(
                    format!("{}{path}", self.base_url),
                    "spent without a spending txid",
                )),
                (false, _) => Ok(None),
            }
        })
    }

    fn broadcast<'a>(&'a self, tx: &'a Transaction) -> BoxFuture<'a, Result<Txid, ChainError>> {
        boxed(async move {
            let url = format!("{}/tx", self.base_url);
            let request = HttpRequest::new(Method::Post, url.clone())
                .with_header("Content-Type", "text/plain")
                .with_body(serialize_hex(tx).into_bytes());
            let response = self.send(request).await?;
            if !response.is_success() {
                let reason = String::from_utf8_lossy(&response.body).trim().to_owned();
                // Esplora answers 400 with the node's reason for a transaction it refuses.
                return Err(if response.status == 400 {
                    ChainError::Rejected { reason }
                } else {
                    status_error(url, response.status, &response.body)
                });
            }
            let text = String::from_utf8(response.body).map_err(|e| bad(url.clone(), e))?;
            let txid: Txid = text.trim().parse().map_err(|e| bad(url.clone(), e))?;
            if txid != tx.compute_txid() {
                return Err(bad(url, "the txid answered is not the transaction's"));
            }
            Ok(txid)
        })
    }

    fn fee_rate_sat_per_vb(&self, target_blocks: u16) -> BoxFuture<'_, Result<u64, ChainError>> {
        boxed(async move {
            let url = format!("{}/fee-estimates", self.base_url);
            let estimates: std::collections::BTreeMap<String, serde_json::Value> =
                self.json("/fee-estimates").await?;
            let parsed: Vec<(u16, f64)> = estimates
                .iter()
                .filter_map(|(target, rate)| Some((target.parse().ok()?, rate.as_f64()?)))
                .collect();
            // The estimate for the nearest target at or below the one asked, else the nearest
            // above (a rate, not an amount: Esplora gives sat/vB with decimals; rounded up).
            let best = parsed
                .iter()
                .filter(|(target, _)| *target <= target_blocks.max(1))
                .max_by_key(|(target, _)| *target)
                .or_else(|| parsed.iter().min_by_key(|(target, _)| *target))
                .copied();
            match best {
                Some((_, rate)) if rate.is_finite() && rate >= 0.0 => {
                    // Capped far above any real fee rate, so the cast cannot wrap.
                    Ok((rate.ceil().min(1_000_000.0) as u64).max(1))
                }
                _ => Err(bad(url, "no usable fee estimate")),
            }
        })
    }
}

fn parse_txid(url: &str, text: &str) -> Result<Txid, ChainError> {
    text.parse()
        .map_err(|e| bad(url.to_owned(), format_args!("txid {text:?}: {e}")))
}

fn bad(url: String, reason: impl std::fmt::Display) -> ChainError {
    ChainError::BadResponse {
        url,
        reason: reason.to_string(),
    }
}

fn status_error(url: String, status: u16, body: &[u8]) -> ChainError {
    let text = String::from_utf8_lossy(body);
    ChainError::Status {
        url,
        status,
        message: text.chars().take(200).collect(),
    }
}

#[cfg(test)]
mod tests;
