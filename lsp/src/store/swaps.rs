//! Swaps (S35–S39): each swap's terms, as agreed at creation and never changed, and its progress
//! on chain. Every change of status is one guarded transaction (`WHERE status = <expected>`)
//! with its `swap.updated` event, so two steps of one swap never both happen and a replayed
//! step changes nothing. The claim or refund transaction is stored before it is broadcast, so a
//! restart rebroadcasts the very same transaction.

use etrid_core::amount::Msat;
use etrid_core::lsp::{EventPayload, LspSwap, PaymentHash, Preimage, SwapKind, SwapStatus, Txid};

use super::events::PendingEvent;
use super::{decode_error as decode, u32_column, Cursor, ListFilter, Store, StoreError};
use crate::db::{DbError, Row, Stmt, Value};
use crate::time::now_secs;

const COLUMNS: &str = "id, account_id, kind, status, key_index, payment_hash, preimage, bolt11, \
    invoice_amount_msat, onchain_amount_msat, service_fee_msat, miner_fee_msat, fee_bps, \
    user_public_key, server_public_key, redeem_script, lockup_address, timeout_height, \
    lockup_txid, lockup_vout, lockup_amount_msat, lockup_height, lockup_requested_at, \
    claimable_msat, claim_deadline_height, spend_tx, claim_txid, refund_txid, failure_reason, \
    fingerprint, created_at, updated_at";

/// A swap as stored: the public model and what only the server keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwapRecord {
    /// The swap as the account sees it.
    pub swap: LspSwap,
    /// The account it belongs to.
    pub account_id: String,
    /// The index of the server's key ([`crate::swap_keys::SwapKeyring::keys`]).
    pub key_index: u32,
    /// The preimage, once known (a submarine payment's, or a reverse claim's witness).
    pub preimage: Option<Preimage>,
    /// The height of the block holding the lockup, once mined.
    pub lockup_height: Option<u32>,
    /// Reverse: when the server started sending its lockup (a restart with this set and no
    /// lockup txid looks for the lockup on chain and never sends a second one).
    pub lockup_requested_at: Option<u64>,
    /// Reverse: what the held payment may claim.
    pub claimable_msat: Option<u64>,
    /// Reverse: the block height by which the held payment must be claimed or failed.
    pub claim_deadline_height: Option<u32>,
    /// The server's claim or refund transaction, hex, stored before it is broadcast.
    pub spend_tx: Option<String>,
    /// A digest of the create request, for idempotency.
    pub fingerprint: String,
}

/// A swap about to be recorded.
#[derive(Debug, Clone)]
pub struct NewSwap {
    /// Its id (`swp_…`).
    pub id: String,
    /// The account creating it.
    pub account_id: String,
    /// Its server key's index.
    pub key_index: u32,
    /// The swap as answered (status `created`).
    pub swap: LspSwap,
    /// The digest of the create request.
    pub fingerprint: String,
}

/// What [`Store::insert_swap`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SwapInserted {
    /// A new swap.
    Created(SwapRecord),
    /// A swap of this kind and payment hash existed already (maybe another account's: the
    /// caller compares).
    Existing(SwapRecord),
}

/// The changes of one step of a swap; `None` fields keep their value.
#[derive(Debug, Clone, Default)]
pub struct SwapChange {
    /// The new status (an event is emitted when it differs from the expected one).
    pub status: Option<SwapStatus>,
    /// The lockup's txid, output, amount and block.
    pub lockup: Option<(Txid, u32, u64)>,
    /// The lockup's block height.
    pub lockup_height: Option<u32>,
    /// Reverse: the lockup is being sent from now.
    pub lockup_requested_at: Option<u64>,
    /// Reverse: the held payment's claimable amount and deadline.
    pub held: Option<(u64, u32)>,
    /// The preimage.
    pub preimage: Option<Preimage>,
    /// The claim or refund transaction about to be broadcast (hex).
    pub spend_tx: Option<String>,
    /// The claim's txid.
    pub claim_txid: Option<Txid>,
    /// The refund's txid.
    pub refund_txid: Option<Txid>,
    /// Why it failed.
    pub failure_reason: Option<String>,
}

fn parsed<T: std::str::FromStr>(what: &str, text: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e| decode(format!("swap {what} {text:?}: {e}")))
}

fn opt_parsed<T: std::str::FromStr>(
    what: &str,
    text: Option<String>,
) -> Result<Option<T>, StoreError>
where
    T::Err: std::fmt::Display,
{
    text.map(|t| parsed(what, &t)).transpose()
}

fn opt_u32(row: &Row, i: usize) -> Result<Option<u32>, StoreError> {
    row.opt_uint(i)?
        .map(|v| u32::try_from(v).map_err(|_| decode(format!("swap column {i} beyond u32"))))
        .transpose()
}

fn record_from_row(r: &Row) -> Result<SwapRecord, StoreError> {
    let kind = r.text(2)?;
    let status = r.text(3)?;
    let fee_bps =
        u16::try_from(r.uint(12)?).map_err(|_| decode("swap fee_bps beyond u16".into()))?;
    let lockup_txid: Option<Txid> = opt_parsed("lockup_txid", r.opt_text(18)?)?;
    let swap = LspSwap {
        id: r.text(0)?,
        kind: SwapKind::from_name(&kind).ok_or_else(|| decode(format!("swap kind {kind:?}")))?,
        status: SwapStatus::from_name(&status)
            .ok_or_else(|| decode(format!("swap status {status:?}")))?,
        payment_hash: parsed("payment_hash", &r.text(5)?)?,
        bolt11: r.text(7)?,
        invoice_amount_msat: Msat::from_msat(r.uint(8)?),
        onchain_amount_msat: Msat::from_msat(r.uint(9)?),
        service_fee_msat: Msat::from_msat(r.uint(10)?),
        miner_fee_msat: Msat::from_msat(r.uint(11)?),
        fee_bps,
        user_public_key: parsed("user_public_key", &r.text(13)?)?,
        server_public_key: parsed("server_public_key", &r.text(14)?)?,
        redeem_script: parsed("redeem_script", &r.text(15)?)?,
        lockup_address: r.text(16)?,
        timeout_height: u32_column(r, 17)?,
        lockup_txid,
        lockup_vout: opt_u32(r, 19)?,
        lockup_amount_msat: r.opt_uint(20)?.map(Msat::from_msat),
        claim_txid: opt_parsed("claim_txid", r.opt_text(26)?)?,
        refund_txid: opt_parsed("refund_txid", r.opt_text(27)?)?,
        failure_reason: r.opt_text(28)?,
        created_at: r.uint(30)?,
        updated_at: r.uint(31)?,
    };
    Ok(SwapRecord {
        swap,
        account_id: r.text(1)?,
        key_index: u32_column(r, 4)?,
        preimage: opt_parsed("preimage", r.opt_text(6)?)?,
        lockup_height: opt_u32(r, 21)?,
        lockup_requested_at: r.opt_uint(22)?,
        claimable_msat: r.opt_uint(23)?,
        claim_deadline_height: opt_u32(r, 24)?,
        spend_tx: r.opt_text(25)?,
        fingerprint: r.text(29)?,
    })
}

/// The one statement every step of a swap runs: each column set only when its parameter is
/// not null, guarded on the status the step expects.
const UPDATE: &str = "UPDATE swaps SET status = $1, \
    lockup_txid = COALESCE(CAST($2 AS TEXT), lockup_txid), \
    lockup_vout = COALESCE(CAST($3 AS BIGINT), lockup_vout), \
    lockup_amount_msat = COALESCE(CAST($4 AS BIGINT), lockup_amount_msat), \
    lockup_height = COALESCE(CAST($5 AS BIGINT), lockup_height), \
    lockup_requested_at = COALESCE(CAST($6 AS BIGINT), lockup_requested_at), \
    claimable_msat = COALESCE(CAST($7 AS BIGINT), claimable_msat), \
    claim_deadline_height = COALESCE(CAST($8 AS BIGINT), claim_deadline_height), \
    preimage = COALESCE(CAST($9 AS TEXT), preimage), \
    spend_tx = COALESCE(CAST($10 AS TEXT), spend_tx), \
    claim_txid = COALESCE(CAST($11 AS TEXT), claim_txid), \
    refund_txid = COALESCE(CAST($12 AS TEXT), refund_txid), \
    failure_reason = COALESCE(CAST($13 AS TEXT), failure_reason), \
    updated_at = $14 \
    WHERE id = $15 AND status = $16";

impl SwapChange {
    /// The change applied to `rec` (what the row holds once the update commits).
    fn apply(&self, rec: &SwapRecord, now: u64) -> SwapRecord {
        let mut next = rec.clone();
        if let Some(status) = self.status {
            next.swap.status = status;
        }
        if let Some((txid, vout, sat)) = self.lockup {
            next.swap.lockup_txid = Some(txid);
            next.swap.lockup_vout = Some(vout);
            next.swap.lockup_amount_msat = Some(Msat::from_msat(sat.saturating_mul(1_000)));
        }
        if self.lockup_height.is_some() {
            next.lockup_height = self.lockup_height;
        }
        if self.lockup_requested_at.is_some() {
            next.lockup_requested_at = self.lockup_requested_at;
        }
        if let Some((claimable, deadline)) = self.held {
            next.claimable_msat = Some(claimable);
            next.claim_deadline_height = Some(deadline);
        }
        if self.preimage.is_some() {
            next.preimage = self.preimage;
        }
        if self.spend_tx.is_some() {
            next.spend_tx.clone_from(&self.spend_tx);
        }
        if self.claim_txid.is_some() {
            next.swap.claim_txid = self.claim_txid;
        }
        if self.refund_txid.is_some() {
            next.swap.refund_txid = self.refund_txid;
        }
        if self.failure_reason.is_some() {
            next.swap.failure_reason.clone_from(&self.failure_reason);
        }
        next.swap.updated_at = now;
        next
    }

    fn params(&self, rec: &SwapRecord, status: SwapStatus, now: u64) -> Vec<Value> {
        let (txid, vout, sat) = match self.lockup {
            Some((txid, vout, sat)) => (
                Value::from(txid.to_string()),
                Value::from(vout),
                Value::from(sat.saturating_mul(1_000)),
            ),
            None => (Value::Null, Value::Null, Value::Null),
        };
        vec![
            status.as_str().into(),
            txid,
            vout,
            sat,
            self.lockup_height.into(),
            self.lockup_requested_at.into(),
            self.held.map(|(c, _)| c).into(),
            self.held.map(|(_, d)| d).into(),
            self.preimage.map(|p| p.to_string()).into(),
            self.spend_tx.clone().into(),
            self.claim_txid.map(|t| t.to_string()).into(),
            self.refund_txid.map(|t| t.to_string()).into(),
            self.failure_reason.clone().into(),
            now.into(),
            rec.swap.id.clone().into(),
            rec.swap.status.as_str().into(),
        ]
    }
}

impl Store {
    async fn swaps_where(
        &self,
        condition: &str,
        params: Vec<Value>,
    ) -> Result<Vec<SwapRecord>, StoreError> {
        self.select_where(COLUMNS, "swaps", condition, params, record_from_row)
            .await
    }

    /// The index for the next swap's server key: one above the highest used (callers hold the
    /// engine's swap-creation lock, so two swaps never take one index; a crash before the insert
    /// leaves the index unused, which is harmless).
    ///
    /// # Errors
    /// Database failures.
    pub async fn next_swap_key_index(&self) -> Result<u32, StoreError> {
        let row = self
            .db
            .query_opt("SELECT COALESCE(MAX(key_index) + 1, 0) FROM swaps", vec![])
            .await?;
        match row {
            Some(r) => u32_column(&r, 0),
            None => Ok(0),
        }
    }

    /// Records a new swap, or answers the one of the same kind and payment hash.
    ///
    /// # Errors
    /// Database failures.
    pub async fn insert_swap(&self, new: NewSwap) -> Result<SwapInserted, StoreError> {
        let s = &new.swap;
        let inserted = self
            .db
            .execute(
                "INSERT INTO swaps (id, account_id, kind, status, key_index, payment_hash, bolt11, \
                 invoice_amount_msat, onchain_amount_msat, service_fee_msat, miner_fee_msat, \
                 fee_bps, user_public_key, server_public_key, redeem_script, lockup_address, \
                 timeout_height, fingerprint, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                 $17, $18, $19, $20) \
                 ON CONFLICT (kind, payment_hash) DO NOTHING",
                vec![
                    new.id.clone().into(),
                    new.account_id.clone().into(),
                    s.kind.as_str().into(),
                    s.status.as_str().into(),
                    new.key_index.into(),
                    s.payment_hash.to_string().into(),
                    s.bolt11.clone().into(),
                    s.invoice_amount_msat.as_u64().into(),
                    s.onchain_amount_msat.as_u64().into(),
                    s.service_fee_msat.as_u64().into(),
                    s.miner_fee_msat.as_u64().into(),
                    u32::from(s.fee_bps).into(),
                    s.user_public_key.to_string().into(),
                    s.server_public_key.to_string().into(),
                    s.redeem_script.to_string().into(),
                    s.lockup_address.clone().into(),
                    s.timeout_height.into(),
                    new.fingerprint.clone().into(),
                    s.created_at.into(),
                    s.updated_at.into(),
                ],
            )
            .await?;
        let rec = self
            .swap_by_hash(s.kind, &s.payment_hash)
            .await?
            .ok_or_else(|| decode("the swap just recorded is missing".into()))?;
        Ok(if inserted == 1 {
            SwapInserted::Created(rec)
        } else {
            SwapInserted::Existing(rec)
        })
    }

    /// The swap of `kind` for `hash`, any account's.
    ///
    /// # Errors
    /// Database failures.
    pub async fn swap_by_hash(
        &self,
        kind: SwapKind,
        hash: &PaymentHash,
    ) -> Result<Option<SwapRecord>, StoreError> {
        Ok(self
            .swaps_where(
                "kind = $1 AND payment_hash = $2",
                vec![kind.as_str().into(), hash.to_string().into()],
            )
            .await?
            .pop())
    }

    /// The account's swap `id`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn swap(&self, account_id: &str, id: &str) -> Result<SwapRecord, StoreError> {
        self.swaps_where(
            "id = $1 AND account_id = $2",
            vec![id.into(), account_id.into()],
        )
        .await?
        .pop()
        .ok_or(StoreError::NotFound { what: "swap" })
    }

    /// The swap `id`, whoever's (for the watcher, which re-reads before each step).
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn swap_by_id(&self, id: &str) -> Result<SwapRecord, StoreError> {
        self.swaps_where("id = $1", vec![id.into()])
            .await?
            .pop()
            .ok_or(StoreError::NotFound { what: "swap" })
    }

    /// A page of the account's swaps, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_swaps(
        &self,
        account_id: &str,
        filter: &ListFilter,
    ) -> Result<(Vec<LspSwap>, Option<String>), StoreError> {
        let decode = |r: &Row| record_from_row(r).map(|rec| rec.swap);
        self.account_page(COLUMNS, "swaps", account_id, filter, decode, |s| Cursor {
            created_at: s.created_at,
            id: s.id.clone(),
        })
        .await
    }

    /// Every swap the watcher still has work for: not settled, not refunded, not failed back;
    /// submarine swaps that failed stay watched (a late lockup, the user's refund).
    ///
    /// # Errors
    /// Database failures.
    pub async fn live_swaps(&self) -> Result<Vec<SwapRecord>, StoreError> {
        self.swaps_where(
            "NOT (status IN ('settled', 'refunded', 'lockup_failed') \
             OR (kind = 'submarine' AND status = 'claimed') \
             OR (kind = 'reverse' AND status = 'expired'))",
            vec![],
        )
        .await
    }

    /// Applies one step to `rec`, guarded on its current status; emits `swap.updated` when the
    /// status changes. Returns the swap as it now is, or `None` when its status had moved on
    /// (another step won; nothing changed).
    ///
    /// # Errors
    /// Database failures.
    pub async fn update_swap(
        &self,
        rec: &SwapRecord,
        change: &SwapChange,
    ) -> Result<Option<SwapRecord>, StoreError> {
        let now = now_secs();
        let status = change.status.unwrap_or(rec.swap.status);
        let next = change.apply(rec, now);
        let stmt = Stmt::guarded(UPDATE, change.params(rec, status, now), 1);
        let result = if status == rec.swap.status {
            self.db
                .batch(vec![stmt])
                .await
                .map(|_| ())
                .map_err(StoreError::from)
        } else {
            let event = PendingEvent::now(EventPayload::SwapUpdated(next.swap.clone()));
            self.commit_with_event(vec![stmt], &rec.account_id, event)
                .await
                .map(|_| ())
        };
        match result {
            Ok(()) => Ok(Some(next)),
            Err(StoreError::Db(DbError::GuardFailed { .. })) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
