//! Property tests: decoding never panics on arbitrary or mutated input, a one-character change
//! to a valid invoice is always refused, and invoices signed here decode to what was put in.

use lightning_invoice::{Currency, MAX_TIMESTAMP};
use proptest::prelude::*;

use super::scenarios;
use super::test_invoices::*;
use super::*;
use crate::clock::FixedClock;

/// The bech32 data characters.
const CHARSET: &str = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// Scenario S01's valid invoices (specification examples, some in upper case) and one signed
/// here.
fn valid_invoices() -> Vec<String> {
    let mut invoices = scenarios::valid_invoices();
    invoices.push(build_invoice(&TestInvoice::default()));
    invoices
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(usize, char),
    Insert(usize, char),
    Delete(usize),
    Truncate(usize),
    Upper(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let any_char = prop_oneof![
        4 => proptest::sample::select(CHARSET.chars().collect::<Vec<_>>()),
        1 => any::<char>(),
    ];
    prop_oneof![
        (any::<usize>(), any_char.clone()).prop_map(|(i, c)| Mutation::Replace(i, c)),
        (any::<usize>(), any_char).prop_map(|(i, c)| Mutation::Insert(i, c)),
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Truncate),
        any::<usize>().prop_map(Mutation::Upper),
    ]
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for mutation in mutations {
        let len = chars.len().max(1);
        match *mutation {
            Mutation::Replace(i, c) if !chars.is_empty() => chars[i % len] = c,
            Mutation::Insert(i, c) => chars.insert(i % (chars.len() + 1), c),
            Mutation::Delete(i) if !chars.is_empty() => {
                chars.remove(i % len);
            }
            Mutation::Truncate(i) => chars.truncate(i % len),
            Mutation::Upper(i) if !chars.is_empty() => {
                chars[i % len] = chars[i % len].to_ascii_uppercase()
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

fn options(network: Network) -> DecodeOptions {
    DecodeOptions {
        allow_expired: true,
        ..DecodeOptions::new(network)
    }
}

proptest! {
    #[test]
    fn decode_never_panics_on_arbitrary_text(text in any::<String>()) {
        let _ = decode_invoice(&text, Network::Bitcoin, &FixedClock::from_unix_secs(0));
    }

    #[test]
    fn decode_never_panics_on_invoice_like_text(
        text in "(lightning:)?ln(bc|tb|bcrt|tbs|sb)?[0-9]{0,20}[munpx]?1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{0,600}"
    ) {
        let _ = decode_invoice_with(&text, &options(Network::Bitcoin), &FixedClock::default());
    }

    #[test]
    fn decode_never_panics_on_mutated_invoices(
        base in proptest::sample::select(valid_invoices()),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let text = apply(&base, &mutations);
        for network in [Network::Bitcoin, Network::Regtest] {
            if let Ok(invoice) = decode_invoice_with(&text, &options(network), &FixedClock::default()) {
                // Whatever was accepted is self-consistent.
                prop_assert_eq!(invoice.network, network);
                prop_assert_eq!(invoice.expires_at, invoice.timestamp.saturating_add(invoice.expiry_secs));
                prop_assert_eq!(&invoice.bolt11, &invoice.bolt11.to_ascii_lowercase());
            }
        }
    }

    #[test]
    fn one_changed_character_is_refused(
        base in proptest::sample::select(valid_invoices()),
        index in any::<usize>(),
        replacement in proptest::sample::select(CHARSET.chars().collect::<Vec<_>>()),
    ) {
        let lower = base.to_ascii_lowercase();
        let mut chars: Vec<char> = lower.chars().collect();
        let index = index % chars.len();
        prop_assume!(chars[index] != replacement);
        chars[index] = replacement;
        let text: String = chars.into_iter().collect();
        for network in [Network::Bitcoin, Network::Regtest] {
            prop_assert!(decode_invoice_with(&text, &options(network), &FixedClock::default()).is_err());
        }
    }

    #[test]
    fn signed_invoices_decode_to_their_fields(
        network in proptest::sample::select(vec![
            Network::Bitcoin, Network::Testnet, Network::Signet, Network::Regtest,
        ]),
        // Up to u64::MAX / 10: the builder counts in pico-bitcoin.
        amount_msat in proptest::option::of(1u64..=u64::MAX / 10),
        timestamp in 0..=MAX_TIMESTAMP,
        expiry_secs in 0u64..=(1 << 40),
    ) {
        let currency: Currency = network.to_currency();
        let text = build_invoice(&TestInvoice { currency, amount_msat, timestamp, expiry_secs, payee_field: None });
        let clock = FixedClock::from_unix_secs(timestamp);
        let decoded = decode_invoice_with(&text, &options(network), &clock).unwrap();
        prop_assert_eq!(decoded.amount_msat.map(|a| a.as_u64()), amount_msat);
        prop_assert_eq!(decoded.timestamp, timestamp);
        prop_assert_eq!(decoded.expiry_secs, expiry_secs);
        prop_assert_eq!(decoded.is_expired(&clock), expiry_secs == 0);
        let strict = decode_invoice(&text, network, &clock);
        prop_assert_eq!(strict.is_err(), expiry_secs == 0);
        prop_assert_eq!(decode_invoice(&text.to_ascii_uppercase(), network, &clock).ok(), strict.ok());
    }
}
