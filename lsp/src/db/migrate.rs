//! The schema and its migrations, applied in order on start. A migration is never edited once
//! released; changes are new migrations.
//!
//! Money rules the schema enforces by itself: a ledger entry of a given kind exists at most
//! once per referenced invoice or payment (`UNIQUE (kind, reference_type, reference_id)`), so a
//! replayed node event can never credit or debit twice.

use super::{Db, DbError};

/// One migration: its version and its DDL for each backend (they differ only in how the event
/// id sequence is declared).
struct Migration {
    version: i64,
    sqlite: &'static str,
    postgres: &'static str,
}

/// Tables shared by both backends; `{EVENT_ID}` is replaced per backend.
const V1: &str = "
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    available_msat BIGINT NOT NULL DEFAULT 0 CHECK (available_msat >= 0),
    reserved_msat BIGINT NOT NULL DEFAULT 0 CHECK (reserved_msat >= 0)
);
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    scope TEXT NOT NULL,
    label TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_keys_account ON api_keys (account_id, created_at);
CREATE TABLE invoices (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    bolt11 TEXT NOT NULL,
    payment_hash TEXT NOT NULL UNIQUE,
    preimage TEXT,
    amount_msat BIGINT,
    amount_received_msat BIGINT,
    description TEXT,
    description_hash TEXT,
    external_id TEXT,
    fingerprint TEXT NOT NULL,
    metadata TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    accepted_at BIGINT,
    paid_at BIGINT,
    cancelled_at BIGINT,
    hold_expires_at BIGINT,
    claimable_msat BIGINT,
    claim_deadline_height BIGINT,
    claim_started_at BIGINT,
    UNIQUE (account_id, external_id)
);
CREATE INDEX invoices_account ON invoices (account_id, created_at, id);
CREATE INDEX invoices_open ON invoices (status, expires_at);
CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    amount_msat BIGINT NOT NULL,
    fee_msat BIGINT,
    max_fee_msat BIGINT NOT NULL,
    reserved_msat BIGINT NOT NULL,
    payment_hash TEXT NOT NULL,
    preimage TEXT,
    destination TEXT NOT NULL,
    bolt11 TEXT,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    custom_records TEXT NOT NULL,
    failure_reason TEXT,
    ldk_payment_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    completed_at BIGINT,
    UNIQUE (account_id, idempotency_key)
);
CREATE INDEX payments_account ON payments (account_id, created_at, id);
CREATE INDEX payments_hash ON payments (account_id, payment_hash);
CREATE INDEX payments_ldk ON payments (ldk_payment_id);
CREATE TABLE ledger (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,
    amount_msat BIGINT NOT NULL CHECK (amount_msat >= 0),
    reference_type TEXT NOT NULL,
    reference_id TEXT NOT NULL,
    description TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (kind, reference_type, reference_id)
);
CREATE INDEX ledger_account ON ledger (account_id, created_at, id);
CREATE TABLE events (
    id {EVENT_ID},
    account_id TEXT NOT NULL REFERENCES accounts(id),
    type TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX events_account ON events (account_id, id);
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    description TEXT,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX webhooks_account ON webhooks (account_id, created_at, id);
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL REFERENCES webhooks(id),
    account_id TEXT NOT NULL,
    event_id BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_attempt_at BIGINT,
    last_status_code BIGINT,
    last_error TEXT,
    next_retry_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX deliveries_due ON deliveries (status, next_retry_at);
CREATE TABLE lsp_meta (
    key TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
CREATE INDEX deliveries_webhook ON deliveries (webhook_id, created_at, id);
";

/// Payments settled inside the LSP between two of its accounts (1) rather than over
/// Lightning (0).
const V2: &str = "
ALTER TABLE payments ADD COLUMN internal BIGINT NOT NULL DEFAULT 0;
";

/// Lightning Addresses served for accounts (LUD-16): `name` is the part before `@`, unique on
/// the server; deleting an address frees its name.
const V3: &str = "
CREATE TABLE lightning_addresses (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    description TEXT NOT NULL,
    min_sendable_msat BIGINT NOT NULL,
    max_sendable_msat BIGINT NOT NULL,
    comment_allowed BIGINT NOT NULL,
    success_message TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX lightning_addresses_account ON lightning_addresses (account_id, created_at, id);
";

/// Tournaments (issue 15): the tournament, its entries (each a hold invoice of the organizer's
/// account, the preimage kept until settled), its payouts (one per winner, paid with the
/// idempotency key `{tournament}:{player}:{attempt}`) and its audit log; `{EVENT_ID}` is the
/// audit sequence.
const V4: &str = "
CREATE TABLE tournaments (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    entry_fee_msat BIGINT NOT NULL,
    seats BIGINT NOT NULL,
    seats_taken BIGINT NOT NULL CHECK (seats_taken >= 0 AND seats_taken <= seats),
    payout_table TEXT NOT NULL,
    organizer_fee_bps BIGINT NOT NULL,
    join_deadline BIGINT NOT NULL,
    pool_msat BIGINT,
    organizer_fee_msat BIGINT,
    prize_total_msat BIGINT,
    payouts_total BIGINT NOT NULL,
    payouts_succeeded BIGINT NOT NULL,
    payouts_failed BIGINT NOT NULL,
    cancel_reason TEXT,
    external_id TEXT,
    metadata TEXT,
    fingerprint TEXT NOT NULL,
    results_fingerprint TEXT,
    created_at BIGINT NOT NULL,
    funded_at BIGINT,
    results_at BIGINT,
    completed_at BIGINT,
    cancelled_at BIGINT,
    UNIQUE (account_id, external_id)
);
CREATE INDEX tournaments_account ON tournaments (account_id, created_at, id);
CREATE INDEX tournaments_status ON tournaments (status);
CREATE TABLE tournament_entries (
    tournament_id TEXT NOT NULL REFERENCES tournaments(id),
    player_id TEXT NOT NULL,
    status TEXT NOT NULL,
    invoice_id TEXT NOT NULL UNIQUE REFERENCES invoices(id),
    preimage TEXT NOT NULL,
    payout TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tournament_id, player_id)
);
CREATE TABLE tournament_payouts (
    tournament_id TEXT NOT NULL REFERENCES tournaments(id),
    player_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    rank BIGINT NOT NULL,
    amount_msat BIGINT NOT NULL CHECK (amount_msat > 0),
    destination TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    payment_id TEXT,
    failure_reason TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tournament_id, player_id)
);
CREATE INDEX tournament_payouts_order ON tournament_payouts (tournament_id, position);
CREATE TABLE tournament_audit (
    seq {EVENT_ID},
    tournament_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    player_id TEXT,
    amount_msat BIGINT,
    detail TEXT
);
CREATE INDEX tournament_audit_tournament ON tournament_audit (tournament_id, seq);
";

/// Fiat quotes (S28): a price locked in millisatoshis until `expires_at`; decimals as text.
const V5: &str = "
CREATE TABLE quotes (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    fiat_amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    rate TEXT NOT NULL,
    amount_msat BIGINT NOT NULL,
    max_slippage_bps BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
";

/// Vouchers (S23): LNURL-withdraw links whose value is set aside from the account (a `voucher`
/// ledger reserve) until claimed, expired or cancelled; a claim's payment takes the voucher's
/// reservation over (`payments.voucher_id`), so the money is never free in between.
const V6: &str = "
CREATE TABLE voucher_batches (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    reserved_msat BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, idempotency_key)
);
CREATE TABLE vouchers (
    id TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL REFERENCES voucher_batches(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    secret TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    lnurl TEXT NOT NULL,
    status TEXT NOT NULL,
    amount_msat BIGINT NOT NULL,
    min_withdrawable_msat BIGINT NOT NULL,
    reserved_msat BIGINT NOT NULL CHECK (reserved_msat >= amount_msat),
    description TEXT NOT NULL,
    claimed_msat BIGINT,
    payment_id TEXT,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    completed_at BIGINT
);
CREATE INDEX vouchers_account ON vouchers (account_id, created_at, id);
CREATE INDEX vouchers_batch ON vouchers (batch_id, id);
CREATE INDEX vouchers_expiry ON vouchers (status, expires_at);
ALTER TABLE payments ADD COLUMN voucher_id TEXT;
";

/// Recurring payment schedules (S25) and their runs: one row per occurrence run, recorded
/// before its payment (idempotency key `schedule:{id}:{index}`); at most one in flight per
/// schedule.
const V7: &str = "
CREATE TABLE schedules (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    status TEXT NOT NULL,
    amount_msat BIGINT NOT NULL,
    destination TEXT NOT NULL,
    schedule TEXT NOT NULL,
    max_total_msat BIGINT,
    description TEXT NOT NULL,
    paid_count BIGINT NOT NULL,
    paid_total_msat BIGINT NOT NULL,
    failed_count BIGINT NOT NULL,
    last_index BIGINT,
    next_due_at BIGINT,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    ended_at BIGINT,
    UNIQUE (account_id, idempotency_key)
);
CREATE INDEX schedules_account ON schedules (account_id, created_at, id);
CREATE INDEX schedules_due ON schedules (status, next_due_at);
CREATE TABLE schedule_runs (
    schedule_id TEXT NOT NULL REFERENCES schedules(id),
    idx BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    amount_msat BIGINT NOT NULL,
    payment_id TEXT,
    failure_reason TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (schedule_id, idx)
);
CREATE INDEX schedule_runs_status ON schedule_runs (status, updated_at);
";

/// Tournament prizes paid as vouchers: the voucher holding the prize and its LNURL.
const V8: &str = "
ALTER TABLE tournament_payouts ADD COLUMN voucher_id TEXT;
ALTER TABLE tournament_payouts ADD COLUMN voucher_lnurl TEXT;
";

/// Streaming payments (S24): each stream with the core's accounting state as JSON (`engine`),
/// saved with a payment's sequence in flight before the payment is made.
const V9: &str = "
CREATE TABLE streams (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    status TEXT NOT NULL,
    destination TEXT NOT NULL,
    description TEXT NOT NULL,
    engine TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    ended_at BIGINT,
    failure_reason TEXT,
    UNIQUE (account_id, idempotency_key)
);
CREATE INDEX streams_account ON streams (account_id, created_at, id);
CREATE INDEX streams_status ON streams (status);
";

/// Stream keys: the SHA-256 of the one key that may read, pause, resume and stop a stream.
const V10: &str = "
ALTER TABLE streams ADD COLUMN key_hash TEXT;
CREATE UNIQUE INDEX streams_key ON streams (key_hash);
";

/// Tournaments that take public joins (from a join link, without a key): 1, else 0.
const V11: &str = "
ALTER TABLE tournaments ADD COLUMN public_join BIGINT NOT NULL DEFAULT 0;
";

/// Keysends received through a Lightning Address (S33): one row per payment hash, `claiming`
/// from the moment the node is asked to claim it, `received` once credited.
const V12: &str = "
CREATE TABLE keysends (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    address TEXT NOT NULL,
    payment_hash TEXT NOT NULL UNIQUE,
    amount_msat BIGINT NOT NULL,
    custom_records TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    received_at BIGINT
);
CREATE INDEX keysends_account ON keysends (account_id, created_at, id);
";

/// Swaps (S35–S39): one row per swap, its server key by `key_index` (derived from the node's
/// seed, never stored), the script and address it locks to, and its progress on chain.
/// `spend_tx` is the claim or refund transaction, stored before it is broadcast so a restart
/// rebroadcasts the same one. One swap per kind and payment hash.
const V13: &str = "
CREATE TABLE swaps (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    key_index BIGINT NOT NULL UNIQUE,
    payment_hash TEXT NOT NULL,
    preimage TEXT,
    bolt11 TEXT NOT NULL,
    invoice_amount_msat BIGINT NOT NULL,
    onchain_amount_msat BIGINT NOT NULL,
    service_fee_msat BIGINT NOT NULL,
    miner_fee_msat BIGINT NOT NULL,
    fee_bps BIGINT NOT NULL,
    user_public_key TEXT NOT NULL,
    server_public_key TEXT NOT NULL,
    redeem_script TEXT NOT NULL,
    lockup_address TEXT NOT NULL UNIQUE,
    timeout_height BIGINT NOT NULL,
    lockup_txid TEXT,
    lockup_vout BIGINT,
    lockup_amount_msat BIGINT,
    lockup_height BIGINT,
    lockup_requested_at BIGINT,
    claimable_msat BIGINT,
    claim_deadline_height BIGINT,
    spend_tx TEXT,
    claim_txid TEXT,
    refund_txid TEXT,
    failure_reason TEXT,
    fingerprint TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (kind, payment_hash)
);
CREATE INDEX swaps_account ON swaps (account_id, created_at, id);
CREATE INDEX swaps_status ON swaps (status);
";

fn migrations() -> Vec<Migration> {
    vec![
        Migration {
            version: 1,
            sqlite: "INTEGER PRIMARY KEY AUTOINCREMENT",
            postgres: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        },
        Migration {
            version: 2,
            sqlite: "",
            postgres: "",
        },
        Migration {
            version: 3,
            sqlite: "",
            postgres: "",
        },
        Migration {
            version: 4,
            sqlite: "INTEGER PRIMARY KEY AUTOINCREMENT",
            postgres: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        },
        Migration {
            version: 5,
            sqlite: "",
            postgres: "",
        },
        Migration {
            version: 6,
            sqlite: "",
            postgres: "",
        },
        Migration {
            version: 7,
            sqlite: "",
            postgres: "",
        },
        Migration {
            version: 8,
            sqlite: "",
            postgres: "",
        },
        Migration {
            version: 9,
            sqlite: "",
            postgres: "",
        },
        Migration {
            version: 10,
            sqlite: "",
            postgres: "",
        },
        Migration {
            version: 11,
            sqlite: "",
            postgres: "",
        },
        Migration {
            version: 12,
            sqlite: "",
            postgres: "",
        },
        Migration {
            version: 13,
            sqlite: "",
            postgres: "",
        },
    ]
}

fn script(version: i64, event_id: &str) -> Option<String> {
    match version {
        1 => Some(V1.replace("{EVENT_ID}", event_id)),
        2 => Some(V2.to_owned()),
        3 => Some(V3.to_owned()),
        4 => Some(V4.replace("{EVENT_ID}", event_id)),
        5 => Some(V5.to_owned()),
        6 => Some(V6.to_owned()),
        7 => Some(V7.to_owned()),
        8 => Some(V8.to_owned()),
        9 => Some(V9.to_owned()),
        10 => Some(V10.to_owned()),
        11 => Some(V11.to_owned()),
        12 => Some(V12.to_owned()),
        13 => Some(V13.to_owned()),
        _ => None,
    }
}

/// Applies every migration newer than the database's version.
pub(super) async fn run(db: &Db) -> Result<(), DbError> {
    db.execute_script(
        "CREATE TABLE IF NOT EXISTS schema_migrations \
         (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL);",
    )
    .await?;
    let current = db
        .query_opt("SELECT MAX(version) FROM schema_migrations", vec![])
        .await?
        .and_then(|r| r.int(0).ok())
        .unwrap_or(0);
    for m in migrations() {
        if m.version <= current {
            continue;
        }
        let event_id = if db.is_postgres() {
            m.postgres
        } else {
            m.sqlite
        };
        let ddl = script(m.version, event_id).ok_or_else(|| DbError::Query {
            reason: format!("migration {} has no script", m.version),
        })?;
        // DDL and the version row in one transaction (both backends have transactional DDL).
        let wrapped = format!(
            "BEGIN; {ddl} INSERT INTO schema_migrations (version, applied_at) VALUES ({}, {}); COMMIT;",
            m.version,
            crate::time::now_secs()
        );
        db.execute_script(&wrapped).await?;
        tracing::info!(version = m.version, "database migrated");
    }
    Ok(())
}
