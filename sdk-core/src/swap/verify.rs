//! Checking what a swap server proposes (a witness script and a lockup address) against what we
//! agreed, before any money moves: our key in our branch, our hash, a timeout we accept, and an
//! address that really is the script's on our network.

use bitcoin::address::NetworkUnchecked;
use bitcoin::hashes::sha256;
use bitcoin::secp256k1::PublicKey;
use bitcoin::Address;

use super::script::hash160_of_payment_hash;
use super::{SwapError, SwapScript};
use crate::network::Network;

/// What we expect of a swap the server proposes.
///
/// The timeout window is inclusive. Callers usually derive it from the current height: e.g. a
/// submarine swap might accept `current + 144 ..= current + 288` (long enough for the server to
/// pay, short enough not to lock our refund for days); a reverse swap wants enough blocks to
/// claim safely before the server can refund. For an exact timeout, set `min` = `max`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwapExpectations {
    /// Our public key: the refund key of a submarine swap, the claim key of a reverse swap.
    pub our_pubkey: PublicKey,
    /// The key the server announced for its branch, when it did; checked if present.
    pub server_pubkey: Option<PublicKey>,
    /// The payment hash of the swap's Lightning invoice (SHA256 of the preimage).
    pub payment_hash: sha256::Hash,
    /// The earliest timeout height we accept.
    pub min_timeout_height: u32,
    /// The latest timeout height we accept.
    pub max_timeout_height: u32,
    /// The network the lockup address must be for.
    pub network: Network,
}

/// Which branch of the script is ours.
#[derive(Clone, Copy)]
enum OurBranch {
    Claim,
    Refund,
}

/// Checks a submarine swap proposal, where we lock the coins and hold the **refund** key.
///
/// `proposed_script_hex` is the witness script as hex and `proposed_address` the address the
/// server asks us to pay. Returns the parsed script to keep for the refund.
///
/// # Errors
/// [`SwapError::InvalidScript`] / [`SwapError::InvalidTimeout`] when the script is not our
/// template; [`SwapError::OurKeyMissing`] or [`SwapError::KeysSwapped`] when the refund key is
/// not ours; [`SwapError::ServerKeyMismatch`]; [`SwapError::PaymentHashMismatch`];
/// [`SwapError::TimeoutTooSoon`] / [`SwapError::TimeoutTooFar`];
/// [`SwapError::InvalidAddress`], [`SwapError::WrongNetwork`], [`SwapError::AddressMismatch`];
/// [`SwapError::InvalidTimeoutWindow`] when the expectations themselves are inconsistent.
pub fn verify_submarine(
    proposed_script_hex: &str,
    proposed_address: &str,
    expected: &SwapExpectations,
) -> Result<SwapScript, SwapError> {
    verify(
        OurBranch::Refund,
        proposed_script_hex,
        proposed_address,
        expected,
    )
}

/// Checks a reverse swap proposal, where the server locks the coins and we hold the **claim**
/// key.
///
/// `proposed_address` is where the server says it locked (or will lock) the coins. Returns the
/// parsed script to keep for the claim.
///
/// # Errors
/// As [`verify_submarine`], with the claim key as ours.
pub fn verify_reverse(
    proposed_script_hex: &str,
    proposed_address: &str,
    expected: &SwapExpectations,
) -> Result<SwapScript, SwapError> {
    verify(
        OurBranch::Claim,
        proposed_script_hex,
        proposed_address,
        expected,
    )
}

fn verify(
    ours: OurBranch,
    script_hex: &str,
    address: &str,
    expected: &SwapExpectations,
) -> Result<SwapScript, SwapError> {
    let (min, max) = (expected.min_timeout_height, expected.max_timeout_height);
    if min > max {
        return Err(SwapError::InvalidTimeoutWindow { min, max });
    }
    let script = SwapScript::from_hex(script_hex)?;

    let (branch, our_key, server_key) = match ours {
        OurBranch::Claim => ("claim", script.claim_pubkey(), script.refund_pubkey()),
        OurBranch::Refund => ("refund", script.refund_pubkey(), script.claim_pubkey()),
    };
    if our_key != expected.our_pubkey {
        if server_key == expected.our_pubkey {
            return Err(SwapError::KeysSwapped);
        }
        return Err(SwapError::OurKeyMissing {
            branch,
            expected: expected.our_pubkey.to_string(),
            found: our_key.to_string(),
        });
    }
    if let Some(announced) = expected.server_pubkey {
        if announced != server_key {
            return Err(SwapError::ServerKeyMismatch {
                expected: announced.to_string(),
                found: server_key.to_string(),
            });
        }
    }

    if !script.matches_payment_hash(&expected.payment_hash) {
        return Err(SwapError::PaymentHashMismatch {
            expected: hash160_of_payment_hash(&expected.payment_hash).to_string(),
            found: script.preimage_hash160().to_string(),
        });
    }

    let timeout_height = script.timeout_height();
    if timeout_height < min {
        return Err(SwapError::TimeoutTooSoon {
            timeout_height,
            min,
        });
    }
    if timeout_height > max {
        return Err(SwapError::TimeoutTooFar {
            timeout_height,
            max,
        });
    }

    let proposed = parse_address(address, expected.network)?;
    if proposed.script_pubkey() != script.script_pubkey() {
        return Err(SwapError::AddressMismatch {
            expected: script.address(expected.network).to_string(),
            found: proposed.to_string(),
        });
    }
    Ok(script)
}

/// Parses an address and requires it to be for `network` (testnet and signet addresses share
/// the `tb1` prefix, so either accepts the other's addresses).
///
/// # Errors
/// [`SwapError::InvalidAddress`] when the text is no address, [`SwapError::WrongNetwork`] when
/// it is for another network.
pub(super) fn parse_address(text: &str, network: Network) -> Result<Address, SwapError> {
    let unchecked: Address<NetworkUnchecked> =
        text.trim()
            .parse()
            .map_err(
                |e: bitcoin::address::ParseError| SwapError::InvalidAddress {
                    reason: e.to_string(),
                },
            )?;
    unchecked
        .require_network(network.to_bitcoin())
        .map_err(|_| SwapError::WrongNetwork { expected: network })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::swap::test_support::{keys, PAYMENT_PREIMAGE};
    use crate::swap::Preimage;
    use bitcoin::hashes::Hash;
    use bitcoin::hex::DisplayHex;

    const TIMEOUT: u32 = 800_144;

    struct Proposal {
        script: SwapScript,
        hex: String,
        address: String,
    }

    fn proposal(script: SwapScript, network: Network) -> Proposal {
        Proposal {
            hex: script.to_script().as_bytes().to_lower_hex_string(),
            address: script.address(network).to_string(),
            script,
        }
    }

    fn hash() -> sha256::Hash {
        Preimage::from_bytes(PAYMENT_PREIMAGE).payment_hash()
    }

    /// A submarine swap: the server (key 1) claims, we (key 2) refund.
    fn submarine() -> (Proposal, SwapExpectations) {
        let (server, us) = (keys(1).public_key(), keys(2).public_key());
        let script = SwapScript::new(hash(), server, us, TIMEOUT).unwrap();
        (proposal(script, Network::Regtest), expectations(us, server))
    }

    /// A reverse swap: we (key 2) claim, the server (key 1) refunds.
    fn reverse() -> (Proposal, SwapExpectations) {
        let (server, us) = (keys(1).public_key(), keys(2).public_key());
        let script = SwapScript::new(hash(), us, server, TIMEOUT).unwrap();
        (proposal(script, Network::Regtest), expectations(us, server))
    }

    fn expectations(us: PublicKey, server: PublicKey) -> SwapExpectations {
        SwapExpectations {
            our_pubkey: us,
            server_pubkey: Some(server),
            payment_hash: hash(),
            min_timeout_height: TIMEOUT - 10,
            max_timeout_height: TIMEOUT + 10,
            network: Network::Regtest,
        }
    }

    #[test]
    fn accepts_honest_proposals() {
        let (p, e) = submarine();
        assert_eq!(verify_submarine(&p.hex, &p.address, &e).unwrap(), p.script);
        let (p, mut e) = reverse();
        assert_eq!(verify_reverse(&p.hex, &p.address, &e).unwrap(), p.script);
        // An exact timeout and no announced server key are fine too.
        e.min_timeout_height = TIMEOUT;
        e.max_timeout_height = TIMEOUT;
        e.server_pubkey = None;
        assert_eq!(verify_reverse(&p.hex, &p.address, &e).unwrap(), p.script);
        // Upper-case bech32 is the same address.
        let upper = p.address.to_uppercase();
        assert!(verify_reverse(&p.hex, &upper, &e).is_ok());
    }

    #[test]
    fn refuses_a_submarine_proposal_for_the_reverse_direction() {
        // In a reverse-swap script our key is the claim key: as a submarine swap, it is swapped.
        let (p, e) = reverse();
        assert_eq!(
            verify_submarine(&p.hex, &p.address, &e),
            Err(SwapError::KeysSwapped)
        );
        let (p, e) = submarine();
        assert_eq!(
            verify_reverse(&p.hex, &p.address, &e),
            Err(SwapError::KeysSwapped)
        );
    }

    #[test]
    fn refuses_a_script_without_our_key() {
        let (_, e) = submarine();
        let script = SwapScript::new(hash(), keys(1).public_key(), keys(3).public_key(), TIMEOUT);
        let p = proposal(script.unwrap(), Network::Regtest);
        let err = verify_submarine(&p.hex, &p.address, &e).unwrap_err();
        assert!(
            matches!(
                err,
                SwapError::OurKeyMissing {
                    branch: "refund",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn refuses_another_server_key() {
        let (_, e) = reverse();
        let script = SwapScript::new(hash(), keys(2).public_key(), keys(3).public_key(), TIMEOUT);
        let p = proposal(script.unwrap(), Network::Regtest);
        let err = verify_reverse(&p.hex, &p.address, &e).unwrap_err();
        assert!(
            matches!(err, SwapError::ServerKeyMismatch { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn refuses_another_hash() {
        let (_, e) = reverse();
        let other = sha256::Hash::hash(b"another preimage");
        let script = SwapScript::new(other, keys(2).public_key(), keys(1).public_key(), TIMEOUT);
        let p = proposal(script.unwrap(), Network::Regtest);
        let err = verify_reverse(&p.hex, &p.address, &e).unwrap_err();
        assert!(
            matches!(err, SwapError::PaymentHashMismatch { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn refuses_timeouts_outside_the_window() {
        let (_, e) = submarine();
        let with_timeout = |t| {
            let s = SwapScript::new(hash(), keys(1).public_key(), keys(2).public_key(), t);
            proposal(s.unwrap(), Network::Regtest)
        };
        let p = with_timeout(TIMEOUT - 11);
        assert_eq!(
            verify_submarine(&p.hex, &p.address, &e),
            Err(SwapError::TimeoutTooSoon {
                timeout_height: TIMEOUT - 11,
                min: TIMEOUT - 10
            })
        );
        let p = with_timeout(TIMEOUT + 11);
        assert_eq!(
            verify_submarine(&p.hex, &p.address, &e),
            Err(SwapError::TimeoutTooFar {
                timeout_height: TIMEOUT + 11,
                max: TIMEOUT + 10
            })
        );
        for edge in [TIMEOUT - 10, TIMEOUT + 10] {
            let p = with_timeout(edge);
            assert!(verify_submarine(&p.hex, &p.address, &e).is_ok());
        }
        let mut empty = e.clone();
        empty.min_timeout_height = TIMEOUT + 1;
        empty.max_timeout_height = TIMEOUT;
        let (p, _) = submarine();
        assert!(matches!(
            verify_submarine(&p.hex, &p.address, &empty),
            Err(SwapError::InvalidTimeoutWindow { .. })
        ));
    }

    #[test]
    fn refuses_the_address_of_another_script() {
        let (p, e) = submarine();
        let (other, _) = reverse();
        let err = verify_submarine(&p.hex, &other.address, &e).unwrap_err();
        assert_eq!(
            err,
            SwapError::AddressMismatch {
                expected: p.address.clone(),
                found: other.address
            }
        );
        // A plain P2WPKH address of the same network is refused as well.
        let p2wpkh = Address::p2wpkh(
            &bitcoin::CompressedPublicKey(keys(2).public_key()),
            bitcoin::Network::Regtest,
        );
        let err = verify_submarine(&p.hex, &p2wpkh.to_string(), &e).unwrap_err();
        assert!(matches!(err, SwapError::AddressMismatch { .. }), "{err:?}");
    }

    #[test]
    fn refuses_an_address_for_another_network() {
        let (p, e) = submarine();
        let mainnet = p.script.address(Network::Bitcoin).to_string();
        assert_eq!(
            verify_submarine(&p.hex, &mainnet, &e),
            Err(SwapError::WrongNetwork {
                expected: Network::Regtest
            })
        );
        let err = verify_submarine(&p.hex, "not an address", &e).unwrap_err();
        assert!(matches!(err, SwapError::InvalidAddress { .. }), "{err:?}");
    }

    #[test]
    fn refuses_a_script_that_is_not_the_template() {
        let (p, e) = submarine();
        let mut tampered = p.hex.clone();
        tampered.push_str("75");
        let err = verify_submarine(&tampered, &p.address, &e).unwrap_err();
        assert!(matches!(err, SwapError::InvalidScript { .. }), "{err:?}");
        assert!(verify_submarine("", &p.address, &e).is_err());
    }
}
