//! Keysends received through a Lightning Address (S33). A keysend naming one of an account's
//! addresses is recorded (`claiming`) before the node is asked to claim it, and credited once
//! the node reports it received: the row's guarded transition, the ledger credit, the balance
//! and the `keysend.received` event commit together, so a replayed node event credits nothing
//! twice, and a keysend the node never claims is never credited.

use etrid_core::amount::Msat;
use etrid_core::lsp::{CustomRecord, EventPayload, LspKeysend, PaymentHash};

use super::events::PendingEvent;
use super::invoices::{guard_to_option, ledger_credit_stmt};
use super::tournaments::json_text;
use super::{Store, StoreError};
use crate::db::{DbError, Row, Stmt};
use crate::ids;
use crate::time::now_secs;

const COLUMNS: &str =
    "id, account_id, address, payment_hash, amount_msat, custom_records, status, created_at";

/// A keysend as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysendRecord {
    /// Opaque id (`ks_…`): the ledger credit's reference.
    pub id: String,
    /// The account credited.
    pub account_id: String,
    /// The address it named (`name` or `name+tag`).
    pub address: String,
    /// Its payment hash.
    pub payment_hash: PaymentHash,
    /// What the node reported claimable when it was recorded.
    pub amount_msat: u64,
    /// Its custom TLV records, by type ascending.
    pub custom_records: Vec<CustomRecord>,
    /// `true` once credited.
    pub received: bool,
    /// When it was recorded.
    pub created_at: u64,
}

/// A keysend about to be claimed.
#[derive(Debug, Clone)]
pub struct NewKeysend {
    /// The account owning the address it names.
    pub account_id: String,
    /// The address it named (`name` or `name+tag`).
    pub address: String,
    /// Its payment hash.
    pub payment_hash: PaymentHash,
    /// The claimable amount.
    pub amount_msat: u64,
    /// Its custom TLV records, by type ascending.
    pub custom_records: Vec<CustomRecord>,
}

fn decode(reason: String) -> StoreError {
    DbError::Decode { reason }.into()
}

fn record_from_row(r: &Row) -> Result<KeysendRecord, StoreError> {
    let hash = r.text(3)?;
    Ok(KeysendRecord {
        id: r.text(0)?,
        account_id: r.text(1)?,
        address: r.text(2)?,
        payment_hash: hash
            .parse()
            .map_err(|e| decode(format!("keysend payment_hash {hash:?}: {e}")))?,
        amount_msat: r.uint(4)?,
        custom_records: serde_json::from_str(&r.text(5)?)
            .map_err(|e| decode(format!("keysend custom_records: {e}")))?,
        received: r.text(6)? == "received",
        created_at: r.uint(7)?,
    })
}

impl Store {
    /// Records a keysend about to be claimed; a second call for the same payment hash (a
    /// replayed node event) keeps the first record. Returns the record as stored.
    ///
    /// # Errors
    /// Database failures.
    pub async fn record_keysend(&self, new: NewKeysend) -> Result<KeysendRecord, StoreError> {
        let now = now_secs();
        self.db
            .execute(
                "INSERT INTO keysends (id, account_id, address, payment_hash, amount_msat, \
                 custom_records, status, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'claiming', $7) \
                 ON CONFLICT (payment_hash) DO NOTHING",
                vec![
                    ids::new_id("ks")?.into(),
                    new.account_id.clone().into(),
                    new.address.clone().into(),
                    new.payment_hash.to_string().into(),
                    new.amount_msat.into(),
                    json_text(&new.custom_records)?.into(),
                    now.into(),
                ],
            )
            .await?;
        self.keysend_by_hash(&new.payment_hash)
            .await?
            .ok_or_else(|| decode("the keysend just recorded is missing".into()))
    }

    /// The keysend with this payment hash, if one was recorded.
    ///
    /// # Errors
    /// Database failures.
    pub async fn keysend_by_hash(
        &self,
        hash: &PaymentHash,
    ) -> Result<Option<KeysendRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM keysends WHERE payment_hash = $1");
        self.db
            .query_opt(&sql, vec![hash.to_string().into()])
            .await?
            .map(|r| record_from_row(&r))
            .transpose()
    }

    /// Credits a claimed keysend with what the node received and emits `keysend.received`.
    /// Returns `None` when it was already credited (nothing changes).
    ///
    /// # Errors
    /// Database failures.
    pub async fn mark_keysend_received(
        &self,
        rec: &KeysendRecord,
        amount_msat: u64,
    ) -> Result<Option<LspKeysend>, StoreError> {
        let now = now_secs();
        let keysend = LspKeysend {
            id: rec.id.clone(),
            payment_hash: rec.payment_hash,
            amount_msat: Msat::from_msat(amount_msat),
            address: rec.address.clone(),
            custom_records: rec.custom_records.clone(),
            received_at: now,
        };
        let stmts = vec![
            Stmt::guarded(
                "UPDATE keysends SET status = 'received', received_at = $1, amount_msat = $2 \
                 WHERE id = $3 AND status = 'claiming'",
                vec![now.into(), amount_msat.into(), rec.id.clone().into()],
                1,
            ),
            ledger_credit_stmt(
                &rec.account_id,
                amount_msat,
                ("keysend", &rec.id),
                Some(format!("keysend to {}", rec.address)),
                now,
            )?,
            Stmt::guarded(
                "UPDATE accounts SET available_msat = available_msat + $1 WHERE id = $2",
                vec![amount_msat.into(), rec.account_id.clone().into()],
                1,
            ),
        ];
        let event = PendingEvent::now(EventPayload::KeysendReceived(keysend.clone()));
        guard_to_option(
            self.commit_with_event(stmts, &rec.account_id, event).await,
            keysend,
        )
    }
}
