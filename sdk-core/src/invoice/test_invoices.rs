//! Invoices signed here for tests: a fixed-key builder whose fields tests edit to make good and
//! bad invoices the specification has no example of. The specification's own examples live in
//! the shared scenario files (see `scenarios.rs`).

use std::time::Duration;

use bitcoin::hashes::{sha256, Hash};
use bitcoin::secp256k1::{Message, PublicKey, Secp256k1, SecretKey};
use lightning_invoice::{Currency, InvoiceBuilder, PaymentSecret, RawBolt11Invoice};

/// The fixed private key our own test invoices are signed with.
pub(super) fn test_key() -> SecretKey {
    SecretKey::from_slice(&[0x42; 32]).unwrap()
}

/// The public key of [`test_key`].
pub(super) fn test_pubkey() -> PublicKey {
    PublicKey::from_secret_key(&Secp256k1::new(), &test_key())
}

/// What [`build_invoice`] puts in an invoice.
pub(super) struct TestInvoice {
    pub(super) currency: Currency,
    pub(super) amount_msat: Option<u64>,
    pub(super) timestamp: u64,
    pub(super) expiry_secs: u64,
    /// An explicit `n` field with this key (the signature is still by [`test_key`]).
    pub(super) payee_field: Option<PublicKey>,
}

impl Default for TestInvoice {
    fn default() -> Self {
        TestInvoice {
            currency: Currency::Regtest,
            amount_msat: Some(21_000),
            timestamp: 1_700_000_000,
            expiry_secs: 600,
            payee_field: None,
        }
    }
}

/// The unsigned invoice [`build_invoice`] signs: payment hash `sha256("preimage")`, payment
/// secret `[7; 32]` (so features var_onion_optin and payment_secret), description
/// "test invoice", min_final_cltv_expiry_delta 144. Tests edit its fields to make bad invoices.
pub(super) fn build_raw(spec: &TestInvoice) -> RawBolt11Invoice {
    let mut builder = InvoiceBuilder::new(spec.currency.clone())
        .description("test invoice".to_owned())
        .payment_hash(sha256::Hash::hash(b"preimage"))
        .payment_secret(PaymentSecret([7; 32]))
        .duration_since_epoch(Duration::from_secs(spec.timestamp))
        .min_final_cltv_expiry_delta(144)
        .expiry_time(Duration::from_secs(spec.expiry_secs));
    if let Some(amount) = spec.amount_msat {
        builder = builder.amount_milli_satoshis(amount);
    }
    if let Some(payee) = spec.payee_field {
        builder = builder.payee_pub_key(payee);
    }
    builder.build_raw().unwrap()
}

/// Signs `raw` with [`test_key`] and encodes it.
pub(super) fn sign_raw(raw: RawBolt11Invoice) -> String {
    let secp = Secp256k1::new();
    raw.sign(|hash: &Message| Ok::<_, ()>(secp.sign_ecdsa_recoverable(hash, &test_key())))
        .unwrap()
        .to_string()
}

/// A valid invoice described by `spec`, signed with [`test_key`].
pub(super) fn build_invoice(spec: &TestInvoice) -> String {
    sign_raw(build_raw(spec))
}

/// A clock fixed at `secs`.
pub(super) fn at(secs: u64) -> crate::clock::FixedClock {
    crate::clock::FixedClock::from_unix_secs(secs)
}
