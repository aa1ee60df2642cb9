//! The contract test: every model serialises to exactly the properties its schema in
//! `lsp/openapi.json` declares, with matching JSON types and enum values,
//! so document and code cannot drift (operations are checked in `operations.rs`).

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{json, Value};

use super::*;
use crate::amount::Msat;
use crate::lsp::*;

/// Follows a `$ref` to its schema.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            resolve(
                doc,
                doc.pointer(pointer)
                    .unwrap_or_else(|| panic!("{reference}")),
            )
        }
        None => schema,
    }
}

fn type_matches(expected: &str, value: &Value) -> bool {
    match expected {
        "integer" => value.is_u64() || value.is_i64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        _ => false,
    }
}

/// Checks `value` against `schema`, collecting what does not match.
fn check(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
        let matching = branches
            .iter()
            .filter(|b| {
                let mut e = Vec::new();
                check(doc, b, value, at, &mut e);
                e.is_empty()
            })
            .count();
        if matching == 0 {
            errors.push(format!("{at}: matches no oneOf branch"));
        }
        return;
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !types.is_empty() && !types.iter().any(|t| type_matches(t, value)) {
        errors.push(format!("{at}: {value} is not {types:?}"));
        return;
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        if !values.contains(value) {
            errors.push(format!("{at}: {value} not in enum"));
        }
    }
    if let (Some(properties), Some(object)) = (
        schema.get("properties").and_then(Value::as_object),
        value.as_object(),
    ) {
        for key in object.keys() {
            if !properties.contains_key(key) {
                errors.push(format!("{at}: `{key}` is not declared"));
            }
        }
        for required in schema["required"].as_array().into_iter().flatten() {
            if !object.contains_key(required.as_str().unwrap()) {
                errors.push(format!("{at}: required `{required}` missing"));
            }
        }
        for (key, item) in object {
            if let Some(property) = properties.get(key) {
                check(doc, property, item, &format!("{at}.{key}"), errors);
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            check(doc, items, item, &format!("{at}[{i}]"), errors);
        }
    }
}

/// A valid node id (the secp256k1 generator point).
const NODE: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

/// A full sample (every optional field set) of each model, by schema name.
fn samples() -> Vec<(&'static str, Value)> {
    fn v<T: Serialize>(model: T) -> Value {
        serde_json::to_value(model).unwrap()
    }
    fn from<T: serde::de::DeserializeOwned + Serialize>(value: Value) -> Value {
        v(serde_json::from_value::<T>(value).unwrap())
    }
    let mut metadata = serde_json::Map::new();
    metadata.insert("k".into(), json!(1));
    let invoice = from::<LspInvoice>(invoice_value("inv_1", "paid", T0 + 60));
    let payment = from::<LspPayment>(payment_value("pay_1", "failed"));
    let record = CustomRecord {
        record_type: 65_536,
        value: "00".parse().unwrap(),
    };
    let ledger = json!({"id": "le_1", "kind": "credit", "amount_msat": 1, "reference_type": "invoice",
        "reference_id": "inv_1", "description": "x", "created_at": T0});
    let event = json!({"id": 1, "type": "invoice.paid", "created_at": T0, "data": invoice});
    let webhook = json!({"id": "wh_1", "url": "https://x", "event_types": ["payment.failed"],
        "description": "d", "enabled": true, "created_at": T0});
    let delivery = json!({"id": "dl_1", "webhook_id": "wh_1", "event_id": 1, "event_type": "invoice.paid",
        "status": "failed", "attempts": 8, "last_attempt_at": T0, "last_status_code": 500,
        "last_error": "timeout", "next_retry_at": null, "created_at": T0});
    let key = json!({"id": "key_1", "scope": "admin", "label": "l", "prefix": "p", "created_at": T0,
        "last_used_at": T0, "revoked_at": null});
    let channel = json!({"id": "ch", "channel_id": "cc".repeat(32), "counterparty_node_id": NODE,
        "capacity_msat": 1, "outbound_capacity_msat": 1, "inbound_capacity_msat": 0,
        "is_usable": true, "is_public": true, "is_outbound": false, "confirmations": null,
        "funding_txid": null});
    vec![
        (
            "ErrorResponse",
            v(ErrorResponse {
                code: ApiErrorCode::NotFound,
                message: "m".into(),
            }),
        ),
        (
            "CreateInvoiceRequest",
            v(CreateInvoiceRequest {
                amount_msat: Some(Msat::from_msat(1)),
                description: Some("d".into()),
                description_hash: Some("00".repeat(32).parse().unwrap()),
                expiry_secs: Some(60),
                external_id: Some("e".into()),
                metadata: Some(metadata.clone()),
                quote_id: Some("quo_1".into()),
            }),
        ),
        (
            "CreateHoldInvoiceRequest",
            v(CreateHoldInvoiceRequest {
                payment_hash: "00".repeat(32).parse().unwrap(),
                amount_msat: Some(Msat::from_msat(1)),
                description: Some("d".into()),
                description_hash: Some("00".repeat(32).parse().unwrap()),
                expiry_secs: Some(60),
                external_id: Some("e".into()),
                metadata: Some(metadata.clone()),
            }),
        ),
        (
            "SettleHoldInvoiceRequest",
            v(SettleHoldInvoiceRequest {
                preimage: "00".repeat(32).parse().unwrap(),
            }),
        ),
        ("Invoice", invoice.clone()),
        (
            "InvoiceList",
            json!({"items": [invoice], "next_cursor": "c"}),
        ),
        (
            "PayInvoiceRequest",
            v(PayInvoiceRequest {
                bolt11: "lnbc".into(),
                amount_msat: Some(Msat::from_msat(1)),
                max_fee_msat: Some(Msat::from_msat(1)),
                max_parts: Some(2),
                timeout_secs: Some(60),
                idempotency_key: "k".into(),
            }),
        ),
        (
            "KeysendRequest",
            v(KeysendRequest {
                destination: NODE.parse().unwrap(),
                amount_msat: Msat::from_msat(1),
                custom_records: vec![record.clone()],
                max_fee_msat: Some(Msat::from_msat(1)),
                max_parts: Some(2),
                timeout_secs: Some(60),
                idempotency_key: "k".into(),
            }),
        ),
        ("CustomRecord", v(record)),
        ("Payment", payment.clone()),
        (
            "PaymentPart",
            v(PaymentPart {
                amount_msat: Msat::from_msat(1),
                fee_msat: Msat::ZERO,
            }),
        ),
        (
            "PaymentList",
            from::<PaymentList>(json!({"items": [payment], "next_cursor": null})),
        ),
        (
            "Balance",
            v(Balance {
                available_msat: Msat::from_msat(1),
                reserved_msat: Msat::ZERO,
            }),
        ),
        ("LedgerEntry", from::<LedgerEntry>(ledger.clone())),
        (
            "LedgerList",
            from::<LedgerList>(json!({"items": [ledger], "next_cursor": null})),
        ),
        ("Event", from::<LspEvent>(event.clone())),
        (
            "EventList",
            from::<EventList>(json!({"items": [event], "has_more": false})),
        ),
        (
            "CreateWebhookRequest",
            v(CreateWebhookRequest {
                url: "https://x".into(),
                event_types: vec![EventType::InvoicePaid],
                description: Some("d".into()),
            }),
        ),
        ("Webhook", from::<Webhook>(webhook.clone())),
        ("CreateWebhookResponse", {
            let mut created = webhook.clone();
            created["secret"] = json!("whsec_x");
            from::<CreateWebhookResponse>(created)
        }),
        (
            "WebhookList",
            from::<WebhookList>(json!({"items": [webhook], "next_cursor": null})),
        ),
        ("WebhookDelivery", from::<WebhookDelivery>(delivery.clone())),
        (
            "WebhookDeliveryList",
            from::<WebhookDeliveryList>(json!({"items": [delivery], "next_cursor": null})),
        ),
        (
            "CreateApiKeyRequest",
            v(CreateApiKeyRequest {
                scope: ApiKeyScope::Admin,
                label: "l".into(),
            }),
        ),
        ("ApiKey", from::<ApiKey>(key.clone())),
        (
            "CreateApiKeyResponse",
            from::<CreateApiKeyResponse>(json!({"id": "key_1", "scope": "invoice",
            "label": "l", "prefix": "p", "created_at": T0, "key": "secret"})),
        ),
        (
            "ApiKeyList",
            from::<ApiKeyList>(json!({"items": [key], "next_cursor": null})),
        ),
        (
            "NodeInfo",
            from::<NodeInfo>(json!({"node_id": NODE, "network": "signet", "alias": "a",
            "block_height": 1, "synced": false, "num_channels": 0, "num_usable_channels": 0,
            "num_peers": 0, "listening_addresses": [], "version": "1"})),
        ),
        ("Channel", from::<Channel>(channel.clone())),
        (
            "ChannelList",
            from::<ChannelList>(json!({"items": [channel]})),
        ),
        (
            "LiquiditySummary",
            v(LiquiditySummary {
                total_outbound_msat: Msat::ZERO,
                total_inbound_msat: Msat::ZERO,
                largest_outbound_msat: Msat::ZERO,
                largest_inbound_msat: Msat::ZERO,
                usable_channels: 0,
                pending_channels: 0,
                onchain_spendable_msat: Msat::ZERO,
                onchain_reserved_msat: Msat::ZERO,
            }),
        ),
        (
            "Health",
            v(Health {
                status: HealthStatus::Degraded,
                version: "1".into(),
            }),
        ),
        (
            "CreateLightningAddressRequest",
            v(CreateLightningAddressRequest {
                name: "shop".into(),
                description: Some("Tips".into()),
                min_sendable_msat: Some(Msat::from_msat(1_000)),
                max_sendable_msat: Some(Msat::from_msat(2_000)),
                comment_allowed: Some(140),
                success_message: Some("Thanks".into()),
            }),
        ),
        ("LightningAddress", v(address_sample())),
        (
            "LightningAddressList",
            v(LightningAddressList {
                items: vec![address_sample()],
                next_cursor: None,
            }),
        ),
        (
            "CreateTournamentRequest",
            v(CreateTournamentRequest {
                organizer_fee_bps: 500,
                external_id: Some("cup-1".into()),
                metadata: Some(metadata.clone()),
                public_join: true,
                ..super::operations::tournament_request()
            }),
        ),
        ("Tournament", v(tournament_sample(&metadata))),
        ("PublicTournament", v(public_tournament_sample())),
        (
            "PublicPlayer",
            v(PublicPlayer {
                player_id: "p2".into(),
                status: EntryStatus::Held,
                rank: None,
                prize_msat: None,
                prize_status: None,
            }),
        ),
        (
            "TournamentList",
            v(TournamentList {
                items: vec![tournament_sample(&metadata)],
                next_cursor: Some("c".into()),
            }),
        ),
        (
            "JoinTournamentRequest",
            v(JoinTournamentRequest {
                player_id: "p1".into(),
                payout: PayoutDestination::Keysend {
                    node_id: NODE.parse().unwrap(),
                },
            }),
        ),
        ("TournamentEntry", v(entry_sample())),
        (
            "TournamentEntryList",
            v(TournamentEntryList {
                items: vec![entry_sample()],
            }),
        ),
        (
            "Standing",
            v(crate::tournament::Standing {
                player_id: "p1".into(),
                rank: 1,
            }),
        ),
        (
            "TournamentResultsRequest",
            v(TournamentResultsRequest {
                standings: vec![crate::tournament::Standing {
                    player_id: "p1".into(),
                    rank: 1,
                }],
            }),
        ),
        ("TournamentPayout", v(payout_sample())),
        (
            "TournamentPayoutList",
            v(TournamentPayoutList {
                items: vec![payout_sample()],
            }),
        ),
        (
            "CreateQuoteRequest",
            v(CreateQuoteRequest {
                ttl_secs: Some(60),
                max_slippage_bps: Some(50),
                ..CreateQuoteRequest::new(rust_decimal::Decimal::new(499, 2), "EUR")
            }),
        ),
        (
            "Quote",
            v(LspQuote {
                id: "quo_1".into(),
                fiat_amount: rust_decimal::Decimal::new(499, 2),
                currency: "EUR".into(),
                rate: rust_decimal::Decimal::new(9_200_050, 2),
                amount_msat: Msat::from_msat(5_423_883),
                max_slippage_bps: 100,
                created_at: 1,
                expires_at: 2,
            }),
        ),
        (
            "CreateVouchersRequest",
            v(CreateVouchersRequest {
                min_withdrawable_msat: Some(Msat::from_msat(10_000)),
                count: Some(20),
                expiry_secs: Some(86_400),
                description: Some("Prize".into()),
                ..CreateVouchersRequest::new(Msat::from_msat(50_000), "prizes-1")
            }),
        ),
        ("Voucher", v(voucher_sample())),
        (
            "Transfer",
            v(LspTransfer {
                id: "pay_1".into(),
                amount_msat: Msat::from_msat(1_000),
                description: Some("watch time #3".into()),
                stream_id: Some("str_1".into()),
                stream_sequence: Some(3),
                created_at: T0,
            }),
        ),
        (
            "Keysend",
            v(LspKeysend {
                id: "ks_1".into(),
                payment_hash: "ab".repeat(32).parse().unwrap(),
                amount_msat: Msat::from_msat(10_000),
                address: "alice".into(),
                custom_records: vec![CustomRecord {
                    record_type: 696_969,
                    value: HexBytes::from(b"alice".to_vec()),
                }],
                received_at: T0,
            }),
        ),
        (
            "CreateStreamRequest",
            v(CreateStreamRequest {
                destination: PayoutDestination::Keysend {
                    node_id: NODE.parse().unwrap(),
                },
                rate_msat_per_sec: 1_000,
                budget_msat: Msat::from_msat(3_600_000),
                tick_interval_ms: Some(5_000),
                min_payment_msat: Some(Msat::from_msat(2_000)),
                description: Some("Watching".into()),
                idempotency_key: "watch-1".into(),
            }),
        ),
        ("Stream", v(stream_sample())),
        (
            "StreamKey",
            v(StreamKey {
                stream_id: "str_1".into(),
                key: format!("etrid_sk_{}", "ab".repeat(32)),
            }),
        ),
        (
            "StreamList",
            v(StreamList {
                items: vec![stream_sample()],
                next_cursor: None,
            }),
        ),
        ("CreateScheduleRequest", v(schedule_request())),
        ("Schedule", v(schedule_request().schedule)),
        ("RecurringSchedule", v(schedule_sample())),
        (
            "ScheduleList",
            v(ScheduleList {
                items: vec![schedule_sample()],
                next_cursor: Some("c".into()),
            }),
        ),
        ("ScheduleRun", v(run_sample())),
        (
            "ScheduleRunList",
            v(ScheduleRunList {
                items: vec![run_sample()],
            }),
        ),
        (
            "VoucherBatch",
            v(VoucherBatch {
                id: "vbt_1".into(),
                vouchers: vec![voucher_sample()],
                reserved_msat: Msat::from_msat(60_000),
                created_at: 1,
            }),
        ),
        (
            "VoucherList",
            v(VoucherList {
                items: vec![voucher_sample()],
                next_cursor: None,
            }),
        ),
        (
            "SwapInfo",
            v(SwapInfo {
                network: Network::Regtest,
                node_id: NODE.parse().unwrap(),
                min_amount_msat: Msat::from_msat(10_000_000),
                max_amount_msat: Msat::from_msat(10_000_000_000),
                reverse_max_amount_msat: Msat::ZERO,
                fee_bps: 50,
                submarine_miner_fee_msat: Msat::from_msat(1_000_000),
                reverse_miner_fee_msat: Msat::from_msat(1_000_000),
                submarine_timeout_blocks: 144,
                reverse_timeout_blocks: 72,
                lockup_confirmations: 1,
                current_height: 200,
            }),
        ),
        (
            "CreateSubmarineSwapRequest",
            v(CreateSubmarineSwapRequest {
                bolt11: "lnbcrt1".into(),
                refund_public_key: NODE.parse().unwrap(),
            }),
        ),
        (
            "CreateReverseSwapRequest",
            v(CreateReverseSwapRequest {
                payment_hash: "ab".repeat(32).parse().unwrap(),
                claim_public_key: NODE.parse().unwrap(),
                onchain_amount_msat: Msat::from_msat(50_000_000),
            }),
        ),
        ("Swap", v(swap_sample())),
        (
            "SwapList",
            v(SwapList {
                items: vec![swap_sample()],
                next_cursor: Some("c".into()),
            }),
        ),
        ("TournamentAuditEntry", v(audit_sample())),
        (
            "TournamentAuditLog",
            v(TournamentAuditLog {
                items: vec![audit_sample()],
            }),
        ),
    ]
}

/// A swap with every field set.
fn swap_sample() -> LspSwap {
    LspSwap {
        id: "swp_1".into(),
        kind: SwapKind::Reverse,
        status: SwapStatus::LockupConfirmed,
        payment_hash: "ab".repeat(32).parse().unwrap(),
        bolt11: "lnbcrt1".into(),
        invoice_amount_msat: Msat::from_msat(51_250_000),
        onchain_amount_msat: Msat::from_msat(50_000_000),
        service_fee_msat: Msat::from_msat(250_000),
        miner_fee_msat: Msat::from_msat(1_000_000),
        fee_bps: 50,
        user_public_key: NODE.parse().unwrap(),
        server_public_key: NODE.parse().unwrap(),
        redeem_script: "82".parse().unwrap(),
        lockup_address: "bcrt1q".into(),
        timeout_height: 300,
        lockup_txid: Some("cd".repeat(32).parse().unwrap()),
        lockup_vout: Some(1),
        lockup_amount_msat: Some(Msat::from_msat(50_000_000)),
        claim_txid: Some("ef".repeat(32).parse().unwrap()),
        refund_txid: Some("01".repeat(32).parse().unwrap()),
        failure_reason: Some("x".into()),
        created_at: T0,
        updated_at: T0 + 1,
    }
}

/// A tournament with every field set.
fn tournament_sample(metadata: &serde_json::Map<String, Value>) -> LspTournament {
    LspTournament {
        id: "trn_1".into(),
        name: "Cup".into(),
        status: TournamentStatus::Completed,
        entry_fee_msat: Msat::from_msat(1_000),
        seats: 2,
        seats_taken: 2,
        payout_table_bps: vec![10_000],
        organizer_fee_bps: 500,
        join_deadline: 2,
        pool_msat: Some(Msat::from_msat(2_000)),
        organizer_fee_msat: Some(Msat::from_msat(100)),
        prize_total_msat: Some(Msat::from_msat(1_900)),
        payouts_total: 1,
        payouts_succeeded: 1,
        payouts_failed: 0,
        cancel_reason: Some("r".into()),
        external_id: Some("cup-1".into()),
        metadata: Some(metadata.clone()),
        public_join: true,
        created_at: 1,
        funded_at: Some(1),
        results_at: Some(1),
        completed_at: Some(1),
        cancelled_at: Some(1),
    }
}

/// A tournament's lobby with every field set.
fn public_tournament_sample() -> PublicTournament {
    PublicTournament {
        id: "trn_1".into(),
        name: "Cup".into(),
        status: TournamentStatus::Paying,
        entry_fee_msat: Msat::from_msat(1_000),
        seats: 2,
        seats_taken: 2,
        payout_table_bps: vec![10_000],
        organizer_fee_bps: 500,
        join_deadline: 2,
        prize_total_msat: Msat::from_msat(1_900),
        players: vec![PublicPlayer {
            player_id: "p1".into(),
            status: EntryStatus::Settled,
            rank: Some(1),
            prize_msat: Some(Msat::from_msat(1_900)),
            prize_status: Some(PayoutStatus::InFlight),
        }],
    }
}

/// An entry with every field set.
fn entry_sample() -> TournamentEntry {
    TournamentEntry {
        tournament_id: "trn_1".into(),
        player_id: "p1".into(),
        status: EntryStatus::Settled,
        invoice_id: "inv_1".into(),
        bolt11: "lnbcrt1".into(),
        payment_hash: "00".repeat(32).parse().unwrap(),
        amount_msat: Msat::from_msat(1_000),
        amount_received_msat: Some(Msat::from_msat(1_000)),
        payout: PayoutDestination::LightningAddress {
            address: "ann@lsp.example".into(),
        },
        expires_at: 2,
        created_at: 1,
    }
}

/// A payout with every field set.
pub(super) fn schedule_request() -> CreateScheduleRequest {
    CreateScheduleRequest {
        amount_msat: Msat::from_msat(10_000),
        destination: PayoutDestination::Keysend {
            node_id: NODE.parse().unwrap(),
        },
        schedule: crate::recurring::Schedule {
            period: crate::recurring::Period::Monthly { months: 1 },
            start: 1_700_000_000,
            end: Some(1_800_000_000),
            max_count: Some(12),
            catch_up: crate::recurring::CatchUp::None { grace_secs: 60 },
        },
        max_total_msat: Some(Msat::from_msat(120_000)),
        description: Some("Subscription".into()),
        idempotency_key: "sub-1".into(),
    }
}

fn schedule_sample() -> LspSchedule {
    LspSchedule {
        id: "sch_1".into(),
        status: ScheduleStatus::Active,
        amount_msat: Msat::from_msat(10_000),
        destination: PayoutDestination::Account {
            account_id: "acc_1".into(),
        },
        schedule: crate::recurring::Schedule {
            period: crate::recurring::Period::Every { secs: 60 },
            start: 1,
            end: None,
            max_count: None,
            catch_up: crate::recurring::CatchUp::All { max: 3 },
        },
        max_total_msat: None,
        description: "Subscription".into(),
        paid_count: 2,
        paid_total_msat: Msat::from_msat(20_000),
        failed_count: 0,
        last_index: Some(1),
        next_due_at: Some(121),
        created_at: 1,
        ended_at: None,
    }
}

fn stream_sample() -> LspStream {
    LspStream {
        id: "str_1".into(),
        state: crate::streaming::StreamState::Settling,
        destination: PayoutDestination::LightningAddress {
            address: "streamer@lsp.example.com".into(),
        },
        rate_msat_per_sec: 1_000,
        budget_msat: Msat::from_msat(60_000),
        tick_interval_ms: 1_000,
        description: "Watching".into(),
        active_ms: 12_345,
        earned_msat: Msat::from_msat(12_345),
        paid_msat: Msat::from_msat(12_000),
        in_flight_msat: Msat::from_msat(345),
        owed_msat: Msat::ZERO,
        payments: 13,
        created_at: 1,
        updated_at_ms: 13_345,
        ended_at: None,
        failure_reason: Some("RouteNotFound".into()),
    }
}

fn run_sample() -> ScheduleRun {
    ScheduleRun {
        index: 1,
        due_at: 61,
        status: RunStatus::Failed,
        amount_msat: Msat::from_msat(10_000),
        payment_id: Some("pay_1".into()),
        failure_reason: Some("RouteNotFound".into()),
        updated_at: 62,
    }
}

fn voucher_sample() -> LspVoucher {
    LspVoucher {
        id: "vch_1".into(),
        batch_id: "vbt_1".into(),
        status: VoucherStatus::Claimed,
        amount_msat: Msat::from_msat(50_000),
        min_withdrawable_msat: Msat::from_msat(10_000),
        reserved_msat: Msat::from_msat(60_000),
        description: "Prize".into(),
        lnurl: "LNURL1DP68GURN8GHJ7".into(),
        url: "https://lsp.example.com/v1/lnurlw/ab".into(),
        expires_at: 9,
        created_at: 1,
        claimed_msat: Some(Msat::from_msat(50_000)),
        payment_id: Some("pay_1".into()),
        completed_at: Some(2),
    }
}

fn payout_sample() -> TournamentPayout {
    TournamentPayout {
        tournament_id: "trn_1".into(),
        player_id: "p1".into(),
        rank: 1,
        amount_msat: Msat::from_msat(1_900),
        destination: PayoutDestination::Account {
            account_id: "acc_1".into(),
        },
        status: PayoutStatus::Failed,
        attempts: 1,
        payment_id: Some("pay_1".into()),
        failure_reason: Some("no route".into()),
        updated_at: 1,
        voucher_id: Some("vch_1".into()),
        voucher_lnurl: Some("LNURL1DP68GURN8GHJ7".into()),
    }
}

/// An audit line with every field set.
fn audit_sample() -> TournamentAuditEntry {
    TournamentAuditEntry {
        seq: 1,
        at: 1,
        action: "payout_failed".into(),
        player_id: Some("p1".into()),
        amount_msat: Some(Msat::from_msat(1_900)),
        detail: Some("no route".into()),
    }
}

/// A Lightning Address with every field set.
fn address_sample() -> LspLightningAddress {
    LspLightningAddress {
        name: "shop".into(),
        address: "shop@lsp.example".into(),
        lnurl: "LNURL1DP68GURN8GHJ7".into(),
        description: "Tips".into(),
        min_sendable_msat: Msat::from_msat(1_000),
        max_sendable_msat: Msat::from_msat(2_000),
        comment_allowed: 140,
        success_message: Some("Thanks".into()),
        created_at: 1,
    }
}

#[test]
fn every_model_matches_its_openapi_schema_exactly() {
    let doc = doc();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut covered = BTreeSet::new();
    for (name, sample) in samples() {
        let schema = schemas
            .get(name)
            .unwrap_or_else(|| panic!("no schema {name}"));
        let mut errors = Vec::new();
        check(&doc, schema, &sample, name, &mut errors);
        assert!(errors.is_empty(), "{errors:#?}");
        // Both ways: the full sample sets every declared property.
        let declared: BTreeSet<&String> =
            schema["properties"].as_object().unwrap().keys().collect();
        let produced: BTreeSet<&String> = sample.as_object().unwrap().keys().collect();
        assert_eq!(declared, produced, "{name}: properties differ");
        covered.insert(name.to_owned());
    }
    let objects: BTreeSet<String> = schemas
        .iter()
        .filter(|(_, s)| s["type"] == "object")
        .map(|(n, _)| n.clone())
        .collect();
    assert_eq!(objects, covered, "object schemas without a model sample");
}

#[test]
fn every_enum_matches_its_openapi_schema() {
    fn names<T: Serialize>(values: &[T]) -> Vec<Value> {
        values
            .iter()
            .map(|v| serde_json::to_value(v).unwrap())
            .collect()
    }
    let doc = doc();
    let schemas = &doc["components"]["schemas"];
    use InvoiceStatus as I;
    use PaymentFailureReason as F;
    let cases = [
        (
            "InvoiceStatus",
            names(&[I::Open, I::Accepted, I::Paid, I::Expired, I::Cancelled]),
        ),
        (
            "InvoiceKind",
            names(&[InvoiceKind::Standard, InvoiceKind::Hold]),
        ),
        (
            "PaymentStatus",
            names(&[
                PaymentStatus::Pending,
                PaymentStatus::Succeeded,
                PaymentStatus::Failed,
            ]),
        ),
        (
            "PaymentKind",
            names(&[
                PaymentKind::Bolt11,
                PaymentKind::Keysend,
                PaymentKind::Transfer,
            ]),
        ),
        (
            "PaymentFailureReason",
            names(&[
                F::RouteNotFound,
                F::RecipientRejected,
                F::RetriesExhausted,
                F::Timeout,
                F::InvoiceExpired,
                F::UnknownRequiredFeatures,
                F::Abandoned,
                F::InternalError,
            ]),
        ),
        (
            "LedgerEntryKind",
            names(&[
                LedgerEntryKind::Credit,
                LedgerEntryKind::Debit,
                LedgerEntryKind::Reserve,
                LedgerEntryKind::Release,
            ]),
        ),
        (
            "LedgerReferenceType",
            names(&[
                LedgerReferenceType::Invoice,
                LedgerReferenceType::Payment,
                LedgerReferenceType::Adjustment,
                LedgerReferenceType::Voucher,
                LedgerReferenceType::Transfer,
                LedgerReferenceType::Keysend,
            ]),
        ),
        ("EventType", names(&EventType::ALL)),
        (
            "WebhookDeliveryStatus",
            names(&[
                DeliveryStatus::Pending,
                DeliveryStatus::Succeeded,
                DeliveryStatus::Failed,
            ]),
        ),
        (
            "ApiKeyScope",
            names(&[ApiKeyScope::Invoice, ApiKeyScope::Admin]),
        ),
        ("TournamentStatus", names(&TournamentStatus::ALL)),
        ("VoucherStatus", names(&VoucherStatus::ALL)),
        ("ScheduleStatus", names(&ScheduleStatus::ALL)),
        (
            "StreamState",
            names(&[
                crate::streaming::StreamState::Running,
                crate::streaming::StreamState::Paused,
                crate::streaming::StreamState::Settling,
                crate::streaming::StreamState::Finished,
                crate::streaming::StreamState::Failed,
            ]),
        ),
        (
            "RunStatus",
            names(&[RunStatus::InFlight, RunStatus::Succeeded, RunStatus::Failed]),
        ),
        (
            "EntryStatus",
            names(&[
                EntryStatus::Pending,
                EntryStatus::Held,
                EntryStatus::Settled,
                EntryStatus::Refunded,
                EntryStatus::Expired,
            ]),
        ),
        ("SwapStatus", names(&SwapStatus::ALL)),
        ("SwapKind", names(&[SwapKind::Submarine, SwapKind::Reverse])),
        (
            "PayoutStatus",
            names(&[
                PayoutStatus::Pending,
                PayoutStatus::InFlight,
                PayoutStatus::Succeeded,
                PayoutStatus::Failed,
            ]),
        ),
    ];
    for (name, values) in cases {
        assert_eq!(&Value::Array(values), &schemas[name]["enum"], "{name}");
    }
    assert_eq!(
        Value::Array(names(&[HealthStatus::Ok, HealthStatus::Degraded])),
        schemas["Health"]["properties"]["status"]["enum"]
    );
    for t in EventType::ALL {
        assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
    }
}

#[test]
fn request_bodies_match_their_schemas() {
    let doc = doc();
    let paths = &doc["paths"];
    for (path, method, name) in [
        ("/v1/invoices", "post", "CreateInvoiceRequest"),
        ("/v1/hold-invoices", "post", "CreateHoldInvoiceRequest"),
        (
            "/v1/hold-invoices/{invoice_id}/settle",
            "post",
            "SettleHoldInvoiceRequest",
        ),
        ("/v1/payments/bolt11", "post", "PayInvoiceRequest"),
        ("/v1/payments/keysend", "post", "KeysendRequest"),
        ("/v1/webhooks", "post", "CreateWebhookRequest"),
        (
            "/v1/lightning-addresses",
            "post",
            "CreateLightningAddressRequest",
        ),
        ("/v1/api-keys", "post", "CreateApiKeyRequest"),
        ("/v1/tournaments", "post", "CreateTournamentRequest"),
        ("/v1/quotes", "post", "CreateQuoteRequest"),
        ("/v1/vouchers", "post", "CreateVouchersRequest"),
        ("/v1/schedules", "post", "CreateScheduleRequest"),
        ("/v1/streams", "post", "CreateStreamRequest"),
        (
            "/v1/tournaments/{tournament_id}/join",
            "post",
            "JoinTournamentRequest",
        ),
        (
            "/v1/tournaments/{tournament_id}/results",
            "post",
            "TournamentResultsRequest",
        ),
        (
            "/v1/public/tournaments/{tournament_id}/join",
            "post",
            "JoinTournamentRequest",
        ),
        ("/v1/swaps/submarine", "post", "CreateSubmarineSwapRequest"),
        ("/v1/swaps/reverse", "post", "CreateReverseSwapRequest"),
    ] {
        let schema = &paths[path][method]["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(
            schema["$ref"],
            format!("#/components/schemas/{name}"),
            "{path}"
        );
    }
    // Minimal requests omit every optional field and still satisfy their schema.
    let minimal = serde_json::to_value(CreateInvoiceRequest::default()).unwrap();
    assert_eq!(minimal, json!({}));
    let mut errors = Vec::new();
    check(
        &doc,
        &doc["components"]["schemas"]["CreateInvoiceRequest"],
        &minimal,
        "min",
        &mut errors,
    );
    assert!(errors.is_empty(), "{errors:?}");
}
