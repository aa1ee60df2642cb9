//! The swap flow against a scripted LSP (over [`MemoryTransport`]) and an in-memory chain: what
//! an honest server answers is accepted, every lie is refused before money moves (S38), claims
//! and refunds happen from chain data alone (S37), and the rescue key restores swaps (S39).

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bitcoin::absolute::LockTime;
use bitcoin::hashes::{sha256, Hash};
use bitcoin::secp256k1::{Message, Secp256k1, SecretKey};
use bitcoin::transaction::Version;
use bitcoin::{Address, Amount, OutPoint, ScriptBuf, Sequence, Transaction, TxIn, TxOut, Witness};
use lightning_invoice::{Currency, InvoiceBuilder, PaymentSecret};

use super::*;
use crate::amount::Msat;
use crate::chain::{ChainError, ChainTx};
use crate::lsp::{
    HexBytes, LspConfig, LspSwap, NodeId, PaymentHash, PublicKeyHex, SwapKind, SwapStatus,
};
use crate::platform::{boxed, BoxFuture};
use crate::store::MemoryStore;
use crate::swap::{build_claim_tx, HtlcUtxo, SwapError, SwapFees, SwapScript};
use crate::timer::SimulatedTimer;
use crate::transport::MemoryTransport;

const T0: u64 = 1_700_000_000;
const TIP: u32 = 500;
const FEES: SwapFees = SwapFees {
    fee_bps: 50,
    miner_fee_sat: 1_000,
};
/// Where our coins go in these tests (a regtest P2WPKH address).
const OURS: &str = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";

/// The chain, in memory: a tip, mined and mempool transactions, and what was broadcast.
#[derive(Default)]
struct MemoryChain {
    state: Mutex<ChainState>,
}

#[derive(Default)]
struct ChainState {
    tip: u32,
    txs: Vec<ChainTx>,
    broadcast: Vec<Transaction>,
}

impl MemoryChain {
    fn at(tip: u32) -> MemoryChain {
        let chain = MemoryChain::default();
        chain.state().tip = tip;
        chain
    }

    fn state(&self) -> std::sync::MutexGuard<'_, ChainState> {
        self.state.lock().unwrap()
    }

    /// Adds `tx`, mined at `height` (`None`: in the mempool).
    fn add(&self, tx: Transaction, height: Option<u32>) {
        self.state().txs.push(ChainTx {
            tx,
            confirmed_height: height,
        });
    }

    fn set_tip(&self, tip: u32) {
        self.state().tip = tip;
    }

    fn broadcast_txs(&self) -> Vec<Transaction> {
        self.state().broadcast.clone()
    }
}

impl ChainSource for MemoryChain {
    fn tip_height(&self) -> BoxFuture<'_, Result<u32, ChainError>> {
        boxed(async move { Ok(self.state().tip) })
    }

    fn address_transactions<'a>(
        &'a self,
        address: &'a str,
    ) -> BoxFuture<'a, Result<Vec<ChainTx>, ChainError>> {
        boxed(async move {
            let script = Address::from_str(address)
                .unwrap()
                .assume_checked()
                .script_pubkey();
            Ok(self
                .state()
                .txs
                .iter()
                .filter(|t| t.tx.output.iter().any(|o| o.script_pubkey == script))
                .cloned()
                .collect())
        })
    }

    fn transaction(
        &self,
        txid: bitcoin::Txid,
    ) -> BoxFuture<'_, Result<Option<ChainTx>, ChainError>> {
        boxed(async move {
            Ok(self
                .state()
                .txs
                .iter()
                .find(|t| t.tx.compute_txid() == txid)
                .cloned())
        })
    }

    fn spender(&self, outpoint: OutPoint) -> BoxFuture<'_, Result<Option<ChainTx>, ChainError>> {
        boxed(async move {
            Ok(self
                .state()
                .txs
                .iter()
                .find(|t| t.tx.input.iter().any(|i| i.previous_output == outpoint))
                .cloned())
        })
    }

    fn broadcast<'a>(
        &'a self,
        tx: &'a Transaction,
    ) -> BoxFuture<'a, Result<bitcoin::Txid, ChainError>> {
        boxed(async move {
            let mut state = self.state();
            state.broadcast.push(tx.clone());
            state.txs.push(ChainTx {
                tx: tx.clone(),
                confirmed_height: None,
            });
            Ok(tx.compute_txid())
        })
    }

    fn fee_rate_sat_per_vb(&self, _target_blocks: u16) -> BoxFuture<'_, Result<u64, ChainError>> {
        boxed(async move { Ok(2) })
    }
}

/// A lie: its name and how it changes an honest answer.
type Lie = (&'static str, Box<dyn Fn(&mut LspSwap)>);

type TestSwaps = SwapClient<MemoryTransport, Arc<SimulatedTimer>, MemoryChain, MemoryStore>;

fn run<F: std::future::Future>(future: F) -> F::Output {
    pollster::block_on(future)
}

/// Our rescue key, and the server's (its swap keys by index, like the LSP's keyring).
fn ours() -> RescueKey {
    RescueKey::from_bytes([7; 32])
}

fn server_key(index: u32) -> bitcoin::secp256k1::PublicKey {
    RescueKey::from_bytes([9; 32])
        .derive_swap_keys(index)
        .unwrap()
        .public_key()
}

fn server_secret(index: u32) -> SecretKey {
    *RescueKey::from_bytes([9; 32])
        .derive_swap_keys(index)
        .unwrap()
        .secret_key()
}

/// The LSP's node key (it signs reverse swaps' hold invoices).
fn lsp_node_secret() -> SecretKey {
    SecretKey::from_slice(&[0x33; 32]).unwrap()
}

fn lsp_node() -> NodeId {
    NodeId::from(bitcoin::secp256k1::PublicKey::from_secret_key(
        &Secp256k1::new(),
        &lsp_node_secret(),
    ))
}

/// A regtest invoice for `hash` and `amount_msat`, signed by `key`.
fn invoice(hash: [u8; 32], amount_msat: u64, key: &SecretKey) -> String {
    let secp = Secp256k1::new();
    InvoiceBuilder::new(Currency::Regtest)
        .description("swap".into())
        .payment_hash(sha256::Hash::from_byte_array(hash))
        .payment_secret(PaymentSecret([5; 32]))
        .duration_since_epoch(Duration::from_secs(T0))
        .min_final_cltv_expiry_delta(144)
        .expiry_time(Duration::from_secs(3_600))
        .amount_milli_satoshis(amount_msat)
        .build_signed(|m: &Message| secp.sign_ecdsa_recoverable(m, key))
        .unwrap()
        .to_string()
}

/// The user's invoice a submarine swap pays (signed by some payee).
const PAYEE_PREIMAGE: [u8; 32] = [0x11; 32];

fn payee_invoice() -> String {
    let hash = sha256::Hash::hash(&PAYEE_PREIMAGE).to_byte_array();
    invoice(
        hash,
        50_000_000,
        &SecretKey::from_slice(&[0x44; 32]).unwrap(),
    )
}

fn swaps(transport: &MemoryTransport, chain: MemoryChain, store: MemoryStore) -> TestSwaps {
    let timer = Arc::new(SimulatedTimer::from_unix_secs(T0 + 10));
    let config = LspConfig::new(
        "https://lsp.test/",
        "etrid_admin_test",
        crate::network::Network::Regtest,
    );
    let lsp = crate::lsp::LspClient::new(config, transport.clone(), timer).unwrap();
    SwapClient::new(lsp, chain, store, ours())
}

/// What an honest LSP answers for a swap of `kind` with user key `user`, hash `hash`, amounts
/// and a timeout `blocks` after [`TIP`].
fn answer(
    kind: SwapKind,
    user: bitcoin::secp256k1::PublicKey,
    hash: [u8; 32],
    bolt11: String,
    invoice_msat: u64,
    onchain_sat: u64,
    blocks: u32,
) -> LspSwap {
    let server = server_key(0);
    let timeout = TIP + blocks;
    let (claim, refund) = match kind {
        SwapKind::Submarine => (server, user),
        SwapKind::Reverse => (user, server),
    };
    let script =
        SwapScript::new(sha256::Hash::from_byte_array(hash), claim, refund, timeout).unwrap();
    LspSwap {
        id: "swp_1".into(),
        kind,
        status: SwapStatus::Created,
        payment_hash: PaymentHash::from_bytes(hash),
        bolt11,
        invoice_amount_msat: Msat::from_msat(invoice_msat),
        onchain_amount_msat: Msat::from_msat(onchain_sat * 1_000),
        service_fee_msat: Msat::from_msat(FEES.service_fee_sat(onchain_sat).unwrap() * 1_000),
        miner_fee_msat: Msat::from_msat(FEES.miner_fee_sat * 1_000),
        fee_bps: FEES.fee_bps,
        user_public_key: PublicKeyHex::from(user),
        server_public_key: PublicKeyHex::from(server),
        redeem_script: HexBytes::new(script.to_script().to_bytes()),
        lockup_address: script.address(crate::network::Network::Regtest).to_string(),
        timeout_height: timeout,
        lockup_txid: None,
        lockup_vout: None,
        lockup_amount_msat: None,
        claim_txid: None,
        refund_txid: None,
        failure_reason: None,
        created_at: T0,
        updated_at: T0,
    }
}

fn submarine_answer() -> LspSwap {
    let hash = sha256::Hash::hash(&PAYEE_PREIMAGE).to_byte_array();
    let onchain = FEES.submarine_lockup_sat(50_000_000).unwrap();
    answer(
        SwapKind::Submarine,
        ours().derive_swap_keys(0).unwrap().public_key(),
        hash,
        payee_invoice(),
        50_000_000,
        onchain,
        144,
    )
}

fn swap_info_json() -> String {
    serde_json::json!({"network": "regtest", "node_id": lsp_node(), "min_amount_msat": 10_000_000,
        "max_amount_msat": 10_000_000_000u64, "reverse_max_amount_msat": 1_000_000_000,
        "fee_bps": FEES.fee_bps, "submarine_miner_fee_msat": 1_000_000, "reverse_miner_fee_msat": 1_000_000,
        "submarine_timeout_blocks": 144, "reverse_timeout_blocks": 72, "lockup_confirmations": 1,
        "current_height": TIP})
    .to_string()
}

fn reverse_answer(onchain_sat: u64) -> LspSwap {
    let hash = ours()
        .derive_preimage(0)
        .unwrap()
        .payment_hash()
        .to_byte_array();
    let invoice_msat = FEES.reverse_invoice_msat(onchain_sat).unwrap();
    answer(
        SwapKind::Reverse,
        ours().derive_swap_keys(0).unwrap().public_key(),
        hash,
        invoice(hash, invoice_msat, &lsp_node_secret()),
        invoice_msat,
        onchain_sat,
        72,
    )
}

/// A transaction paying `sat` to `address` (from nowhere: the in-memory chain checks nothing).
fn lockup_tx(address: &str, sat: u64, salt: u8) -> Transaction {
    Transaction {
        version: Version::TWO,
        lock_time: LockTime::ZERO,
        input: vec![TxIn {
            previous_output: OutPoint::new(bitcoin::Txid::from_byte_array([salt; 32]), 0),
            script_sig: ScriptBuf::new(),
            sequence: Sequence::MAX,
            witness: Witness::new(),
        }],
        output: vec![TxOut {
            value: Amount::from_sat(sat),
            script_pubkey: Address::from_str(address)
                .unwrap()
                .assume_checked()
                .script_pubkey(),
        }],
    }
}

fn push(transport: &MemoryTransport, swap: &LspSwap) {
    transport.push_json(201, &serde_json::to_string(swap).unwrap());
}

#[test]
fn s35_an_honest_submarine_swap_is_locked_then_completed_by_the_servers_claim() {
    let transport = MemoryTransport::new();
    let mut client = swaps(&transport, MemoryChain::at(TIP), MemoryStore::new());
    let honest = submarine_answer();
    push(&transport, &honest);
    let swap = run(client.create_submarine(&payee_invoice(), OURS)).unwrap();
    assert_eq!(swap.lockup_address, honest.lockup_address);
    assert_eq!(swap.lockup_amount_sat, 50_000 + 250 + 1_000);
    // Locked and confirmed: nothing to do for us until the server claims.
    let lockup = lockup_tx(&swap.lockup_address, swap.lockup_amount_sat, 1);
    client.chain().add(lockup.clone(), Some(TIP + 1));
    assert_eq!(run(client.sync(0)).unwrap(), SwapProgress::Open);
    // The server claims with the preimage its payment revealed.
    let script = SwapScript::from_hex(&honest.redeem_script.to_string()).unwrap();
    let htlc = HtlcUtxo {
        outpoint: OutPoint::new(lockup.compute_txid(), 0),
        amount: Amount::from_sat(swap.lockup_amount_sat),
        script,
    };
    let claim = build_claim_tx(
        &htlc,
        &crate::swap::Preimage::from_bytes(PAYEE_PREIMAGE),
        &server_secret(0),
        &ScriptBuf::new_p2wpkh(&bitcoin::WPubkeyHash::all_zeros()),
        2,
    )
    .unwrap();
    client.chain().add(claim.clone(), Some(TIP + 2));
    let done = run(client.sync(0)).unwrap();
    assert_eq!(
        done,
        SwapProgress::Completed {
            txid: claim.compute_txid().to_string(),
            refund_txids: vec![]
        }
    );
    assert!(client.chain().broadcast_txs().is_empty(), "we sent nothing");
}

#[test]
fn s38_every_submarine_lie_is_refused_before_anything_is_locked() {
    let lies: Vec<Lie> = vec![
        (
            "other hash",
            Box::new(|a: &mut LspSwap| a.payment_hash = PaymentHash::from_bytes([1; 32])),
        ),
        (
            "other user key",
            Box::new(|a: &mut LspSwap| a.user_public_key = PublicKeyHex::from(server_key(5))),
        ),
        (
            "lockup +1 sat",
            Box::new(|a: &mut LspSwap| {
                a.onchain_amount_msat = Msat::from_msat(a.onchain_amount_msat.as_u64() + 1_000)
            }),
        ),
        ("fee too high", Box::new(|a: &mut LspSwap| a.fee_bps = 500)),
        (
            "timeout too far",
            Box::new(|a: &mut LspSwap| {
                *a = answer(
                    SwapKind::Submarine,
                    ours().derive_swap_keys(0).unwrap().public_key(),
                    a.payment_hash.to_bytes(),
                    a.bolt11.clone(),
                    50_000_000,
                    a.onchain_amount_msat.as_u64() / 1_000,
                    2_000,
                )
            }),
        ),
        (
            "timeout too soon",
            Box::new(|a: &mut LspSwap| {
                *a = answer(
                    SwapKind::Submarine,
                    ours().derive_swap_keys(0).unwrap().public_key(),
                    a.payment_hash.to_bytes(),
                    a.bolt11.clone(),
                    50_000_000,
                    a.onchain_amount_msat.as_u64() / 1_000,
                    3,
                )
            }),
        ),
        (
            "other address",
            Box::new(|a: &mut LspSwap| a.lockup_address = OURS.into()),
        ),
        (
            "keys swapped",
            Box::new(|a: &mut LspSwap| {
                let script = SwapScript::new(
                    sha256::Hash::from_byte_array(a.payment_hash.to_bytes()),
                    ours().derive_swap_keys(0).unwrap().public_key(),
                    server_key(0),
                    a.timeout_height,
                )
                .unwrap();
                a.redeem_script = HexBytes::new(script.to_script().to_bytes());
                a.lockup_address = script.address(crate::network::Network::Regtest).to_string();
            }),
        ),
    ];
    for (lie, edit) in lies {
        let transport = MemoryTransport::new();
        let mut client = swaps(&transport, MemoryChain::at(TIP), MemoryStore::new());
        let mut lying = submarine_answer();
        edit(&mut lying);
        push(&transport, &lying);
        let err = run(client.create_submarine(&payee_invoice(), OURS)).unwrap_err();
        assert!(err.code().starts_with("swap_"), "{lie}: {err}");
        let stored = run(client.swap(0)).unwrap();
        assert!(
            matches!(stored.progress, SwapProgress::Refused { .. }),
            "{lie}: {stored:?}"
        );
        assert_eq!(stored.lockup_address, None, "{lie}: no address to lock to");
    }
}

#[test]
fn s37_submarine_lockups_are_refunded_after_the_timeout_without_the_lsp() {
    let transport = MemoryTransport::new();
    let mut client = swaps(&transport, MemoryChain::at(TIP), MemoryStore::new());
    push(&transport, &submarine_answer());
    let swap = run(client.create_submarine(&payee_invoice(), OURS)).unwrap();
    // Locked twice (a retry that should not have been); the server never pays.
    client.chain().add(
        lockup_tx(&swap.lockup_address, swap.lockup_amount_sat, 1),
        Some(TIP + 1),
    );
    client
        .chain()
        .add(lockup_tx(&swap.lockup_address, 20_000, 2), Some(TIP + 3));
    client.chain().set_tip(swap.timeout_height - 1);
    assert_eq!(
        run(client.sync(0)).unwrap(),
        SwapProgress::Open,
        "not before the timeout"
    );
    // The LSP is gone: no scripted answers at all. The chain alone refunds both.
    client.chain().set_tip(swap.timeout_height);
    let requests_before = transport.requests().len();
    let SwapProgress::Refunded { txids } = run(client.sync(0)).unwrap() else {
        panic!("not refunded");
    };
    assert_eq!(txids.len(), 2);
    assert_eq!(
        transport.requests().len(),
        requests_before,
        "the LSP was not asked"
    );
    let ours_script =
        crate::swap::destination_script(OURS, crate::network::Network::Regtest).unwrap();
    for refund in client.chain().broadcast_txs() {
        assert_eq!(refund.output[0].script_pubkey, ours_script);
        assert_eq!(
            refund.lock_time,
            LockTime::from_height(swap.timeout_height).unwrap()
        );
    }
}

#[test]
fn s36_an_honest_reverse_swap_is_claimed_once_its_lockup_confirms() {
    let transport = MemoryTransport::new();
    let mut client = swaps(&transport, MemoryChain::at(TIP), MemoryStore::new());
    transport.push_json(200, &swap_info_json());
    let honest = reverse_answer(40_000);
    push(&transport, &honest);
    let swap = run(client.create_reverse(40_000, OURS)).unwrap();
    assert_eq!(swap.bolt11, honest.bolt11);
    assert_eq!(
        swap.invoice_amount_msat.as_u64(),
        (40_000 + 200 + 1_000) * 1_000
    );
    assert_eq!(
        run(client.sync(0)).unwrap(),
        SwapProgress::Open,
        "no lockup yet"
    );
    let lockup = lockup_tx(&honest.lockup_address, 40_000, 3);
    client.chain().add(lockup.clone(), None);
    assert_eq!(
        run(client.sync(0)).unwrap(),
        SwapProgress::Open,
        "unconfirmed: not claimed"
    );
    client.chain().state().txs.retain(|t| t.tx != lockup);
    client.chain().add(lockup, Some(TIP + 1));
    client.chain().set_tip(TIP + 1);
    let SwapProgress::Claimed { txid } = run(client.sync(0)).unwrap() else {
        panic!("not claimed");
    };
    let claims = client.chain().broadcast_txs();
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].compute_txid().to_string(), txid);
    let script = SwapScript::from_hex(&honest.redeem_script.to_string()).unwrap();
    assert_eq!(
        crate::swap::claim_preimage(&claims[0], &script),
        Some(ours().derive_preimage(0).unwrap()),
        "the claim reveals our preimage"
    );
    // Synced again: recorded, nothing sent twice.
    assert!(matches!(
        run(client.sync(0)).unwrap(),
        SwapProgress::Claimed { .. }
    ));
    assert_eq!(client.chain().broadcast_txs().len(), 1);
}

#[test]
fn s38_every_reverse_lie_is_refused_before_anything_is_paid() {
    let hash = ours()
        .derive_preimage(0)
        .unwrap()
        .payment_hash()
        .to_byte_array();
    let right_msat = FEES.reverse_invoice_msat(40_000).unwrap();
    let lies: Vec<Lie> = vec![
        (
            "invoice of another hash",
            Box::new(move |a: &mut LspSwap| {
                a.bolt11 = invoice([2; 32], right_msat, &lsp_node_secret())
            }),
        ),
        (
            "invoice asks 1 msat more",
            Box::new(move |a: &mut LspSwap| {
                a.bolt11 = invoice(hash, right_msat + 1, &lsp_node_secret())
            }),
        ),
        (
            "invoice of another node",
            Box::new(move |a: &mut LspSwap| {
                a.bolt11 = invoice(
                    hash,
                    right_msat,
                    &SecretKey::from_slice(&[0x55; 32]).unwrap(),
                )
            }),
        ),
        (
            "locks less than asked",
            Box::new(|a: &mut LspSwap| a.onchain_amount_msat = Msat::from_msat(39_000_000)),
        ),
        (
            "claims a bigger invoice",
            Box::new(|a: &mut LspSwap| {
                a.invoice_amount_msat = Msat::from_msat(a.invoice_amount_msat.as_u64() + 1_000)
            }),
        ),
        (
            "timeout too soon",
            Box::new(move |a: &mut LspSwap| {
                let bolt11 = a.bolt11.clone();
                *a = answer(
                    SwapKind::Reverse,
                    ours().derive_swap_keys(0).unwrap().public_key(),
                    hash,
                    bolt11,
                    right_msat,
                    40_000,
                    2,
                )
            }),
        ),
    ];
    for (lie, edit) in lies {
        let transport = MemoryTransport::new();
        let mut client = swaps(&transport, MemoryChain::at(TIP), MemoryStore::new());
        transport.push_json(200, &swap_info_json());
        let mut lying = reverse_answer(40_000);
        edit(&mut lying);
        push(&transport, &lying);
        let err = run(client.create_reverse(40_000, OURS)).unwrap_err();
        assert!(err.code().starts_with("swap_"), "{lie}: {err}");
        let stored = run(client.swap(0)).unwrap();
        assert!(
            matches!(stored.progress, SwapProgress::Refused { .. }),
            "{lie}: {stored:?}"
        );
        assert!(stored.bolt11.is_empty(), "{lie}: no invoice to pay");
    }
}

#[test]
fn s38_a_reverse_lockup_below_the_agreed_amount_is_never_claimed() {
    let transport = MemoryTransport::new();
    let mut client = swaps(&transport, MemoryChain::at(TIP), MemoryStore::new());
    transport.push_json(200, &swap_info_json());
    let honest = reverse_answer(40_000);
    push(&transport, &honest);
    run(client.create_reverse(40_000, OURS)).unwrap();
    client
        .chain()
        .add(lockup_tx(&honest.lockup_address, 39_999, 4), Some(TIP + 1));
    client.chain().set_tip(TIP + 3);
    let progress = run(client.sync(0)).unwrap();
    assert!(
        matches!(progress, SwapProgress::Refused { .. }),
        "{progress:?}"
    );
    assert!(
        client.chain().broadcast_txs().is_empty(),
        "the preimage stays ours"
    );
}

#[test]
fn s39_the_rescue_key_alone_restores_a_reverse_swap_and_claims_it() {
    let honest = reverse_answer(40_000);
    let transport = MemoryTransport::new();
    // A new device: an empty store, the same rescue key; the LSP lists the account's swaps.
    let mut client = swaps(&transport, MemoryChain::at(TIP), MemoryStore::new());
    transport.push_json(
        200,
        &serde_json::json!({"items": [honest], "next_cursor": null}).to_string(),
    );
    assert_eq!(run(client.restore(OURS)).unwrap(), vec![0]);
    let lockup = lockup_tx(&honest.lockup_address, 40_000, 5);
    client.chain().add(lockup, Some(TIP + 1));
    client.chain().set_tip(TIP + 1);
    assert!(matches!(
        run(client.sync(0)).unwrap(),
        SwapProgress::Claimed { .. }
    ));
    // The next swap takes a fresh index.
    assert_eq!(run(record::next_index(client.store())).unwrap(), 1);
}

#[test]
fn a_restore_skips_swaps_that_are_not_ours_or_do_not_verify() {
    let mut foreign = reverse_answer(40_000);
    foreign.user_public_key = PublicKeyHex::from(server_key(3));
    let mut forged = reverse_answer(40_000);
    forged.payment_hash = PaymentHash::from_bytes([8; 32]);
    let transport = MemoryTransport::new();
    let mut client = swaps(&transport, MemoryChain::at(TIP), MemoryStore::new());
    transport.push_json(
        200,
        &serde_json::json!({"items": [foreign, forged], "next_cursor": null}).to_string(),
    );
    assert_eq!(run(client.restore(OURS)).unwrap(), Vec::<u32>::new());
    assert!(run(client.swaps()).unwrap().is_empty());
}

#[test]
fn an_unknown_swap_is_named() {
    let transport = MemoryTransport::new();
    let client = swaps(&transport, MemoryChain::at(TIP), MemoryStore::new());
    let err = run(client.sync(4)).unwrap_err();
    assert_eq!(err.code(), "swap_unknown");
    assert!(matches!(
        err,
        crate::Error::Swap(SwapError::UnknownSwap { index: 4 })
    ));
}
