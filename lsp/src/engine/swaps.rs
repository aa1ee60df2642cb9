//! Swaps, the server side (S35–S39): the terms, creating submarine and reverse swaps, reading
//! them. A swap is created with every amount computed by the core's [`SwapFees`] (the SDK
//! recomputes them and refuses any difference), its own server key derived by index from the
//! node's seed, and the core's HTLC script; the swap watcher (`swap_watcher`) then follows it on
//! chain and on Lightning.

use std::path::Path;

use bitcoin::hashes::{sha256, Hash};
use etrid_core::amount::Msat;
use etrid_core::chain::EsploraChain;
use etrid_core::invoice::{decode_invoice, InvoiceError};
use etrid_core::lsp::{
    CreateReverseSwapRequest, CreateSubmarineSwapRequest, HexBytes, LspSwap, NodeId, PaymentHash,
    PublicKeyHex, SwapInfo, SwapKind, SwapList, SwapStatus, Validate,
};
use etrid_core::native::{ReqwestTransport, TokioTimer};
use etrid_core::platform::SystemClock;
use etrid_core::swap::{SwapFees, SwapScript};
use ldk_node::lightning_invoice::{Bolt11InvoiceDescription, Description};
use ldk_node::lightning_types::payment::PaymentHash as LdkHash;
use tokio::sync::{Mutex, Notify};

use super::{fingerprint, Engine};
use crate::error::ServerError;
use crate::ids;
use crate::node::blocking;
use crate::store::{AuthContext, ListFilter, NewSwap, SwapInserted, SwapRecord};
use crate::swap_config::SwapConfig;
use crate::swap_keys::SwapKeyring;
use crate::time::now_secs;

/// Blocks kept between the latest a submarine payment can still be resolved on Lightning and
/// the user's refund height: the LSP must learn the preimage and claim before the user may
/// refund.
pub(crate) const PAY_MARGIN_BLOCKS: u32 = 6;

/// How long a submarine swap's invoice must stay valid after the swap is created: time for the
/// user to lock and for the lockup to confirm.
pub(crate) const MIN_SUBMARINE_INVOICE_VALIDITY_SECS: u64 = 1_800;

/// How long a reverse swap's hold invoice may be paid.
pub(crate) const REVERSE_INVOICE_EXPIRY_SECS: u32 = 3_600;

/// Blocks the server's refund of a reverse lockup needs to confirm before the held payment must
/// be failed back.
pub(crate) const REVERSE_REFUND_BLOCKS: u32 = 6;

/// LDK claims (or fails) a received HTLC this many blocks before it expires
/// (`HTLC_FAIL_BACK_BUFFER`), and reports that height as the payment's claim deadline.
pub(crate) const LDK_FAIL_BACK_BUFFER: u32 = 39;

/// What the swap server needs besides the node and the store: its settings, the chain it
/// watches, its keys, and the lock and signal of swap creation and watching.
pub struct SwapServices {
    pub(crate) config: SwapConfig,
    pub(crate) chain: EsploraChain<ReqwestTransport, TokioTimer>,
    pub(crate) keys: SwapKeyring,
    /// Taken while a swap's key index is chosen and its row inserted, so no index is used twice.
    pub(crate) create_lock: Mutex<()>,
    /// Wakes the swap watcher (a swap was created or a payment it waits for moved).
    pub(crate) wake: Notify,
}

impl std::fmt::Debug for SwapServices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SwapServices")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl SwapServices {
    /// The swap server of the node whose storage is `ldk_dir`.
    ///
    /// # Errors
    /// The seed cannot be read; the HTTP client cannot be built.
    pub fn new(config: SwapConfig, ldk_dir: &Path) -> Result<SwapServices, ServerError> {
        let keys = SwapKeyring::from_node_dir(ldk_dir)?;
        let transport = ReqwestTransport::new().map_err(|e| ServerError::Config {
            reason: format!("swap chain client: {e}"),
        })?;
        let chain = EsploraChain::new(&config.esplora_url, transport, TokioTimer);
        Ok(SwapServices {
            config,
            chain,
            keys,
            create_lock: Mutex::new(()),
            wake: Notify::new(),
        })
    }

    /// The fee terms of a swap of either kind.
    pub(crate) fn fees(&self) -> SwapFees {
        SwapFees {
            fee_bps: self.config.fee_bps,
            miner_fee_sat: self.config.miner_fee_sat,
        }
    }

    /// The final CLTV delta a reverse swap's hold invoice asks: the swap's timeout, the refund's
    /// confirmation, the hold margin and LDK's fail-back buffer, so the held payment outlives the
    /// lockup.
    pub(crate) fn reverse_final_cltv_delta(&self, hold_margin_blocks: u32) -> u16 {
        let blocks = self
            .config
            .reverse_timeout_blocks
            .saturating_add(REVERSE_REFUND_BLOCKS)
            .saturating_add(hold_margin_blocks)
            .saturating_add(LDK_FAIL_BACK_BUFFER)
            .saturating_add(3);
        u16::try_from(blocks).unwrap_or(u16::MAX)
    }
}

/// A swap amount outside the server's limits, as the API's error.
fn outside_limits(what: &str, sat: u64, config: &SwapConfig) -> ServerError {
    ServerError::invalid(format!(
        "{what}: {sat} sat is outside this LSP's swap limits ({} to {} sat)",
        config.min_amount_sat, config.max_amount_sat
    ))
}

/// The core's payment hash type for the script.
pub(crate) fn script_hash(hash: &PaymentHash) -> sha256::Hash {
    sha256::Hash::from_byte_array(hash.to_bytes())
}

/// An existing swap answered to a repeated request: the same account and request get it back;
/// another request for its payment hash is refused.
fn repeated(rec: SwapRecord, ctx: &AuthContext, fp: &str) -> Result<(LspSwap, bool), ServerError> {
    if rec.account_id != ctx.account_id {
        return Err(ServerError::conflict(
            "a swap for this payment hash exists already",
        ));
    }
    if rec.fingerprint != fp {
        return Err(ServerError::IdempotencyMismatch {
            field: "payment_hash",
            value: rec.swap.payment_hash.to_string(),
        });
    }
    Ok((rec.swap, false))
}

impl Engine {
    /// The swap server, or `swaps_unavailable`.
    pub(crate) fn swap_services(&self) -> Result<&SwapServices, ServerError> {
        self.swaps
            .as_deref()
            .ok_or_else(|| ServerError::SwapsUnavailable {
                reason: "this LSP offers no swaps (no --swap-esplora-url)".into(),
            })
    }

    /// The chain tip swaps are timed from: the swap chain source's (the chain the watcher and
    /// the SDK read), or the node's when it is ahead (either may lag the other by a few
    /// seconds after blocks are mined).
    ///
    /// # Errors
    /// `swaps_unavailable` when the chain source does not answer.
    pub(crate) async fn swap_tip(&self, s: &SwapServices) -> Result<u32, ServerError> {
        use etrid_core::chain::ChainSource;
        let chain = s
            .chain
            .tip_height()
            .await
            .map_err(|e| ServerError::SwapsUnavailable {
                reason: format!("the swap chain source does not answer: {e}"),
            })?;
        Ok(chain.max(self.node.status().current_best_block.height))
    }

    /// What the node's wallet can lock in a reverse swap now, sats: its spendable funds less
    /// the lockup's miner fee.
    fn reverse_capacity_sat(&self, s: &SwapServices) -> u64 {
        self.node
            .list_balances()
            .spendable_onchain_balance_sats
            .saturating_sub(s.config.miner_fee_sat)
            .min(s.config.max_amount_sat)
    }

    /// The swap terms (`GET /v1/swaps/info`).
    ///
    /// # Errors
    /// `swaps_unavailable` (also when the chain source does not answer).
    pub async fn swap_info(&self) -> Result<SwapInfo, ServerError> {
        let s = self.swap_services()?;
        let current_height = self.swap_tip(s).await?;
        let c = &s.config;
        let reverse_max = self.reverse_capacity_sat(s);
        let reverse_max = if reverse_max < c.min_amount_sat {
            0
        } else {
            reverse_max
        };
        let msat = |sat: u64| Msat::from_msat(sat.saturating_mul(1_000));
        Ok(SwapInfo {
            network: self.config.network,
            node_id: NodeId::from(self.node.node_id()),
            min_amount_msat: msat(c.min_amount_sat),
            max_amount_msat: msat(c.max_amount_sat),
            reverse_max_amount_msat: msat(reverse_max),
            fee_bps: c.fee_bps,
            submarine_miner_fee_msat: msat(c.miner_fee_sat),
            reverse_miner_fee_msat: msat(c.miner_fee_sat),
            submarine_timeout_blocks: c.submarine_timeout_blocks,
            reverse_timeout_blocks: c.reverse_timeout_blocks,
            lockup_confirmations: c.lockup_confirmations,
            current_height,
        })
    }

    /// Creates a submarine swap: checks the invoice (amount, network, validity, final CLTV
    /// delta, not this LSP's own), computes the lockup, derives a server key and answers the
    /// HTLC to lock to. The same invoice and key again answer the same swap.
    ///
    /// # Errors
    /// `swaps_unavailable`, `invalid_invoice`, `invoice_expired`, `invalid_request` (amount
    /// outside the limits), `conflict` / `idempotency_mismatch` for a hash already swapped.
    pub async fn create_submarine_swap(
        &self,
        ctx: &AuthContext,
        req: CreateSubmarineSwapRequest,
    ) -> Result<(LspSwap, bool), ServerError> {
        let s = self.swap_services()?;
        req.validate()?;
        let bolt11 = req.bolt11.trim().to_owned();
        let fp = fingerprint(&(&bolt11, &req.refund_public_key));
        let decoded =
            decode_invoice(&bolt11, self.config.network, &SystemClock).map_err(|e| match e {
                InvoiceError::Expired { .. } => ServerError::InvoiceExpired,
                other => ServerError::InvalidInvoice {
                    reason: other.to_string(),
                },
            })?;
        let invalid = |reason: String| ServerError::InvalidInvoice { reason };
        let hash: PaymentHash = decoded
            .payment_hash
            .parse()
            .map_err(|e| invalid(format!("payment hash: {e}")))?;
        if let Some(rec) = self.store.swap_by_hash(SwapKind::Submarine, &hash).await? {
            return repeated(rec, ctx, &fp);
        }
        let amount_msat = decoded
            .amount_msat
            .ok_or_else(|| invalid("a swap pays an invoice with an amount".into()))?
            .as_u64();
        let payee: NodeId = decoded
            .payee_pubkey
            .parse()
            .map_err(|e| invalid(format!("payee: {e}")))?;
        if payee.public_key() == self.node.node_id() {
            return Err(invalid(
                "the invoice is this LSP's own: pay it from an account instead".into(),
            ));
        }
        let now = now_secs();
        if decoded.expires_at < now.saturating_add(MIN_SUBMARINE_INVOICE_VALIDITY_SECS) {
            return Err(invalid(format!(
                "the invoice expires in {} s; a swap needs it valid for {MIN_SUBMARINE_INVOICE_VALIDITY_SECS} s",
                decoded.expires_at.saturating_sub(now)
            )));
        }
        let c = &s.config;
        let room = u64::from(c.submarine_timeout_blocks)
            .saturating_sub(u64::from(PAY_MARGIN_BLOCKS) + u64::from(c.lockup_confirmations));
        if decoded.min_final_cltv_expiry_delta >= room {
            return Err(invalid(format!(
                "its final CLTV delta of {} blocks leaves no room under the swap's {}-block timeout",
                decoded.min_final_cltv_expiry_delta, c.submarine_timeout_blocks
            )));
        }
        let fees = s.fees();
        let onchain_sat = fees
            .submarine_lockup_sat(amount_msat)
            .map_err(|e| ServerError::invalid(format!("bolt11: {e}")))?;
        if !(c.min_amount_sat..=c.max_amount_sat).contains(&onchain_sat) {
            return Err(outside_limits("the lockup", onchain_sat, c));
        }
        let service_fee_sat = fees
            .service_fee_sat(amount_msat.div_ceil(1_000))
            .map_err(|e| ServerError::invalid(format!("bolt11: {e}")))?;
        let terms = Terms {
            kind: SwapKind::Submarine,
            hash,
            bolt11,
            invoice_amount_msat: amount_msat,
            onchain_sat,
            service_fee_sat,
            user_key: req.refund_public_key,
            timeout_blocks: c.submarine_timeout_blocks,
        };
        self.insert_swap(ctx, s, terms, fp, None).await
    }

    /// Creates a reverse swap: checks the amount against the limits and the wallet, registers a
    /// hold invoice for the user's payment hash whose final CLTV delta outlives the lockup, and
    /// answers it with the HTLC the server will lock to once the payment is held.
    ///
    /// # Errors
    /// `swaps_unavailable` (also when the wallet cannot lock the amount), `invalid_request`,
    /// `conflict` / `idempotency_mismatch` for a hash already used.
    pub async fn create_reverse_swap(
        &self,
        ctx: &AuthContext,
        req: CreateReverseSwapRequest,
    ) -> Result<(LspSwap, bool), ServerError> {
        let s = self.swap_services()?;
        req.validate()?;
        let fp = fingerprint(&req);
        let hash = req.payment_hash;
        if let Some(rec) = self.store.swap_by_hash(SwapKind::Reverse, &hash).await? {
            return repeated(rec, ctx, &fp);
        }
        if self.store.invoice_by_hash(&hash).await?.is_some() {
            return Err(ServerError::conflict(
                "the payment hash is an invoice's of this LSP",
            ));
        }
        let c = &s.config;
        let onchain_sat = req.onchain_amount_msat.as_u64() / 1_000;
        if !(c.min_amount_sat..=c.max_amount_sat).contains(&onchain_sat) {
            return Err(outside_limits("onchain_amount_msat", onchain_sat, c));
        }
        let capacity = self.reverse_capacity_sat(s);
        if onchain_sat > capacity {
            return Err(ServerError::SwapsUnavailable {
                reason: format!(
                    "the LSP's wallet can lock {capacity} sat now, not {onchain_sat}; try a smaller amount"
                ),
            });
        }
        let fees = s.fees();
        let invoice_msat = fees
            .reverse_invoice_msat(onchain_sat)
            .map_err(|e| ServerError::invalid(format!("onchain_amount_msat: {e}")))?;
        let service_fee_sat = fees
            .service_fee_sat(onchain_sat)
            .map_err(|e| ServerError::invalid(format!("onchain_amount_msat: {e}")))?;
        let terms = Terms {
            kind: SwapKind::Reverse,
            hash,
            bolt11: String::new(),
            invoice_amount_msat: invoice_msat,
            onchain_sat,
            service_fee_sat,
            user_key: req.claim_public_key,
            timeout_blocks: c.reverse_timeout_blocks,
        };
        let delta = s.reverse_final_cltv_delta(self.config.hold_cancel_margin_blocks);
        self.insert_swap(ctx, s, terms, fp, Some(delta)).await
    }

    /// Chooses the key, builds the script and records the swap; a reverse swap first registers
    /// its hold invoice with the final CLTV delta `hold_final_cltv` (its text becomes `bolt11`).
    async fn insert_swap(
        &self,
        ctx: &AuthContext,
        s: &SwapServices,
        mut terms: Terms,
        fp: String,
        hold_final_cltv: Option<u16>,
    ) -> Result<(LspSwap, bool), ServerError> {
        let _creating = s.create_lock.lock().await;
        let key_index = self.store.next_swap_key_index().await?;
        let server_key = s.keys.keys(key_index)?.public_key();
        let timeout_height = self.swap_tip(s).await?.saturating_add(terms.timeout_blocks);
        let user_key = terms.user_key.public_key();
        let (claim, refund) = match terms.kind {
            SwapKind::Submarine => (server_key, user_key),
            SwapKind::Reverse => (user_key, server_key),
        };
        let script = SwapScript::new(script_hash(&terms.hash), claim, refund, timeout_height)
            .map_err(|e| ServerError::invalid(format!("swap script: {e}")))?;
        let id = ids::new_id("swp")?;
        if let Some(delta) = hold_final_cltv {
            terms.bolt11 = self
                .register_swap_invoice(&id, terms.invoice_amount_msat, terms.hash, delta)
                .await?;
        }
        let now = now_secs();
        let msat = |sat: u64| Msat::from_msat(sat.saturating_mul(1_000));
        let swap = LspSwap {
            id: id.clone(),
            kind: terms.kind,
            status: SwapStatus::Created,
            payment_hash: terms.hash,
            bolt11: terms.bolt11,
            invoice_amount_msat: Msat::from_msat(terms.invoice_amount_msat),
            onchain_amount_msat: msat(terms.onchain_sat),
            service_fee_msat: msat(terms.service_fee_sat),
            miner_fee_msat: msat(s.config.miner_fee_sat),
            fee_bps: s.config.fee_bps,
            user_public_key: terms.user_key,
            server_public_key: PublicKeyHex::from(server_key),
            redeem_script: HexBytes::new(script.to_script().to_bytes()),
            lockup_address: script.address(self.config.network).to_string(),
            timeout_height,
            lockup_txid: None,
            lockup_vout: None,
            lockup_amount_msat: None,
            claim_txid: None,
            refund_txid: None,
            failure_reason: None,
            created_at: now,
            updated_at: now,
        };
        let new = NewSwap {
            id,
            account_id: ctx.account_id.clone(),
            key_index,
            swap,
            fingerprint: fp.clone(),
        };
        match self.store.insert_swap(new).await? {
            SwapInserted::Created(rec) => {
                s.wake.notify_one();
                Ok((rec.swap, true))
            }
            SwapInserted::Existing(rec) => repeated(rec, ctx, &fp),
        }
    }

    /// Registers the hold invoice of reverse swap `id` for `hash`.
    async fn register_swap_invoice(
        &self,
        id: &str,
        amount_msat: u64,
        hash: PaymentHash,
        final_cltv_delta: u16,
    ) -> Result<String, ServerError> {
        let description = Description::new(format!("Reverse swap {id}"))
            .map_err(|e| ServerError::node("swap invoice description", e))?;
        let description = Bolt11InvoiceDescription::Direct(description);
        let ldk_hash = LdkHash(hash.to_bytes());
        let invoice = blocking(&self.node, move |node| {
            node.bolt11_payment()
                .receive_for_hash_with_min_final_cltv_expiry_delta(
                    amount_msat,
                    &description,
                    REVERSE_INVOICE_EXPIRY_SECS,
                    ldk_hash,
                    final_cltv_delta,
                )
        })
        .await?
        .map_err(|e| ServerError::node("receive_for_hash", e))?;
        Ok(invoice.to_string())
    }

    /// The account's swap `id`.
    ///
    /// # Errors
    /// `not_found`; database failures.
    pub async fn swap(&self, ctx: &AuthContext, id: &str) -> Result<LspSwap, ServerError> {
        Ok(self.store.swap(&ctx.account_id, id).await?.swap)
    }

    /// A page of the account's swaps, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_swaps(
        &self,
        ctx: &AuthContext,
        filter: &ListFilter,
    ) -> Result<SwapList, ServerError> {
        let (items, next_cursor) = self.store.list_swaps(&ctx.account_id, filter).await?;
        Ok(SwapList { items, next_cursor })
    }
}

/// What a new swap agreed to, before its key and script exist.
struct Terms {
    kind: SwapKind,
    hash: PaymentHash,
    bolt11: String,
    invoice_amount_msat: u64,
    onchain_sat: u64,
    service_fee_sat: u64,
    user_key: PublicKeyHex,
    timeout_blocks: u32,
}
