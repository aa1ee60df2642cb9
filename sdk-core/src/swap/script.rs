//! The swap HTLC witness script: building it, its P2WSH address, and parsing a proposed script
//! back into its parts (exactly our template, nothing else).

use bitcoin::hashes::{hash160, ripemd160, sha256, Hash};
use bitcoin::hex::FromHex;
use bitcoin::opcodes::all::{
    OP_CHECKSIG, OP_CLTV, OP_DROP, OP_ELSE, OP_ENDIF, OP_EQUAL, OP_EQUALVERIFY, OP_HASH160, OP_IF,
    OP_SIZE,
};
use bitcoin::opcodes::Opcode;
use bitcoin::script::{Builder, Instruction, Instructions};
use bitcoin::secp256k1::PublicKey;
use bitcoin::{Address, Script, ScriptBuf};
use serde::{Deserialize, Serialize};

use super::SwapError;
use crate::network::Network;

/// Below this a CLTV argument is a block height; from it on, a Unix time (BIP65).
const LOCK_TIME_THRESHOLD: u32 = 500_000_000;

/// The longest script of our template: 102 fixed bytes plus a push of at most 5 bytes.
const MAX_TEMPLATE_LEN: usize = 107;

/// A swap HTLC: who may claim with the preimage, who may refund after which block height.
///
/// The script carries only `HASH160(preimage)` = `RIPEMD160(payment_hash)`, so that is what is
/// stored: a script parsed back from bytes cannot know the 32-byte payment hash, only check it
/// ([`SwapScript::matches_payment_hash`]).
///
/// The `OP_SIZE 32 OP_EQUAL` guard makes the claim branch accept only a 32-byte preimage, so a
/// claimer cannot reveal a preimage too large for the Lightning side to settle with. Serialised
/// as `{preimage_hash160, claim_pubkey, refund_pubkey, timeout_height}` with hex strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SwapScriptRepr", into = "SwapScriptRepr")]
pub struct SwapScript {
    preimage_hash160: hash160::Hash,
    claim_pubkey: PublicKey,
    refund_pubkey: PublicKey,
    timeout_height: u32,
}

impl SwapScript {
    /// The HTLC for `payment_hash` (= SHA256 of the preimage): `claim_pubkey` spends with the
    /// preimage, `refund_pubkey` from block `timeout_height` on.
    ///
    /// # Errors
    /// [`SwapError::InvalidTimeout`] when `timeout_height` is 0 or not below 500,000,000.
    pub fn new(
        payment_hash: sha256::Hash,
        claim_pubkey: PublicKey,
        refund_pubkey: PublicKey,
        timeout_height: u32,
    ) -> Result<SwapScript, SwapError> {
        Self::from_parts(
            hash160_of_payment_hash(&payment_hash),
            claim_pubkey,
            refund_pubkey,
            timeout_height,
        )
    }

    fn from_parts(
        preimage_hash160: hash160::Hash,
        claim_pubkey: PublicKey,
        refund_pubkey: PublicKey,
        timeout_height: u32,
    ) -> Result<SwapScript, SwapError> {
        if timeout_height == 0 || timeout_height >= LOCK_TIME_THRESHOLD {
            return Err(SwapError::InvalidTimeout { timeout_height });
        }
        Ok(SwapScript {
            preimage_hash160,
            claim_pubkey,
            refund_pubkey,
            timeout_height,
        })
    }

    /// `HASH160(preimage)`, the 20 bytes the claim branch compares against.
    pub fn preimage_hash160(&self) -> hash160::Hash {
        self.preimage_hash160
    }

    /// Whether this script locks to `payment_hash` (SHA256 of the preimage).
    pub fn matches_payment_hash(&self, payment_hash: &sha256::Hash) -> bool {
        hash160_of_payment_hash(payment_hash) == self.preimage_hash160
    }

    /// The key that claims with the preimage (the server in a submarine swap, the user in a
    /// reverse swap).
    pub fn claim_pubkey(&self) -> PublicKey {
        self.claim_pubkey
    }

    /// The key that refunds after the timeout (the user in a submarine swap, the server in a
    /// reverse swap).
    pub fn refund_pubkey(&self) -> PublicKey {
        self.refund_pubkey
    }

    /// The block height from which the refund branch can be spent (the refund's `nLockTime`).
    pub fn timeout_height(&self) -> u32 {
        self.timeout_height
    }

    /// The witness script (see the module documentation for the template).
    pub fn to_script(&self) -> ScriptBuf {
        Builder::new()
            .push_opcode(OP_SIZE)
            .push_int(32)
            .push_opcode(OP_EQUAL)
            .push_opcode(OP_IF)
            .push_opcode(OP_HASH160)
            .push_slice(self.preimage_hash160.to_byte_array())
            .push_opcode(OP_EQUALVERIFY)
            .push_slice(self.claim_pubkey.serialize())
            .push_opcode(OP_ELSE)
            .push_opcode(OP_DROP)
            .push_int(i64::from(self.timeout_height))
            .push_opcode(OP_CLTV)
            .push_opcode(OP_DROP)
            .push_slice(self.refund_pubkey.serialize())
            .push_opcode(OP_ENDIF)
            .push_opcode(OP_CHECKSIG)
            .into_script()
    }

    /// The output script that locks coins to this HTLC (`OP_0 <SHA256(witness script)>`).
    pub fn script_pubkey(&self) -> ScriptBuf {
        self.to_script().to_p2wsh()
    }

    /// The P2WSH address of this HTLC on `network`.
    pub fn address(&self, network: Network) -> Address {
        Address::p2wsh(&self.to_script(), network.to_bitcoin())
    }

    /// Parses a witness script of exactly our template.
    ///
    /// Every opcode and push size must match, pushes and the timeout must be minimally encoded,
    /// keys must be valid compressed points, and nothing may follow. Rebuilding the parsed
    /// script gives back the same bytes.
    ///
    /// # Errors
    /// [`SwapError::InvalidScript`] for anything else; [`SwapError::InvalidTimeout`] when the
    /// timeout is not a block height.
    pub fn from_script(script: &Script) -> Result<SwapScript, SwapError> {
        if script.len() > MAX_TEMPLATE_LEN {
            return Err(invalid(format!(
                "{} bytes is longer than the template",
                script.len()
            )));
        }
        let mut ins = script.instructions_minimal();
        expect_op(&mut ins, OP_SIZE)?;
        if expect_push(&mut ins, 1, "preimage size")? != [32] {
            return Err(invalid("the preimage size checked is not 32".to_owned()));
        }
        expect_op(&mut ins, OP_EQUAL)?;
        expect_op(&mut ins, OP_IF)?;
        expect_op(&mut ins, OP_HASH160)?;
        let hash = expect_push(&mut ins, 20, "preimage hash")?;
        let hash = hash160::Hash::from_slice(hash).map_err(|e| invalid(e.to_string()))?;
        expect_op(&mut ins, OP_EQUALVERIFY)?;
        let claim = parse_key(expect_push(&mut ins, 33, "claim key")?)?;
        expect_op(&mut ins, OP_ELSE)?;
        expect_op(&mut ins, OP_DROP)?;
        let timeout = expect_timeout(&mut ins)?;
        expect_op(&mut ins, OP_CLTV)?;
        expect_op(&mut ins, OP_DROP)?;
        let refund = parse_key(expect_push(&mut ins, 33, "refund key")?)?;
        expect_op(&mut ins, OP_ENDIF)?;
        expect_op(&mut ins, OP_CHECKSIG)?;
        if ins.next().is_some() {
            return Err(invalid("bytes follow the final OP_CHECKSIG".to_owned()));
        }
        let parsed = SwapScript::from_parts(hash, claim, refund, timeout)?;
        // Belt and braces: the template has one encoding, so the bytes must round-trip.
        if parsed.to_script().as_script() != script {
            return Err(invalid(
                "not the canonical encoding of the template".to_owned(),
            ));
        }
        Ok(parsed)
    }

    /// Parses a witness script given as hex, as swap servers send it.
    ///
    /// # Errors
    /// [`SwapError::InvalidScript`] for bad hex or a script that is not our template, as
    /// [`SwapScript::from_script`].
    pub fn from_hex(script_hex: &str) -> Result<SwapScript, SwapError> {
        let script_hex = script_hex.trim();
        if script_hex.len() > 2 * MAX_TEMPLATE_LEN {
            return Err(invalid("script hex is longer than the template".to_owned()));
        }
        let bytes = Vec::<u8>::from_hex(script_hex).map_err(|e| invalid(format!("hex: {e}")))?;
        SwapScript::from_script(Script::from_bytes(&bytes))
    }
}

/// `RIPEMD160(payment_hash)`, which equals `HASH160(preimage)` as `payment_hash` = SHA256(preimage).
pub(crate) fn hash160_of_payment_hash(payment_hash: &sha256::Hash) -> hash160::Hash {
    let ripemd = ripemd160::Hash::hash(payment_hash.as_byte_array());
    hash160::Hash::from_byte_array(ripemd.to_byte_array())
}

fn invalid(reason: String) -> SwapError {
    SwapError::InvalidScript { reason }
}

fn next_instruction<'a>(ins: &mut Instructions<'a>) -> Result<Instruction<'a>, SwapError> {
    match ins.next() {
        Some(Ok(i)) => Ok(i),
        Some(Err(e)) => Err(invalid(format!("unparsable script: {e}"))),
        None => Err(invalid("the script ends early".to_owned())),
    }
}

fn expect_op(ins: &mut Instructions<'_>, op: Opcode) -> Result<(), SwapError> {
    match next_instruction(ins)? {
        Instruction::Op(found) if found == op => Ok(()),
        other => Err(invalid(format!("expected {op}, found {other:?}"))),
    }
}

fn expect_push<'a>(
    ins: &mut Instructions<'a>,
    len: usize,
    what: &str,
) -> Result<&'a [u8], SwapError> {
    match next_instruction(ins)? {
        Instruction::PushBytes(bytes) if bytes.len() == len => Ok(bytes.as_bytes()),
        other => Err(invalid(format!(
            "expected a {len}-byte {what}, found {other:?}"
        ))),
    }
}

fn parse_key(bytes: &[u8]) -> Result<PublicKey, SwapError> {
    PublicKey::from_slice(bytes).map_err(|e| invalid(format!("bad public key: {e}")))
}

fn expect_timeout(ins: &mut Instructions<'_>) -> Result<u32, SwapError> {
    let instruction = next_instruction(ins)?;
    // `script_num` also reads OP_1..OP_16; minimality is enforced by the round-trip check.
    let n = instruction
        .script_num()
        .ok_or_else(|| invalid(format!("expected a timeout, found {instruction:?}")))?;
    u32::try_from(n).map_err(|_| invalid(format!("negative timeout {n}")))
}

/// The serde form: hex strings, validated through [`SwapScript::from_parts`] on the way in.
#[derive(Serialize, Deserialize)]
struct SwapScriptRepr {
    preimage_hash160: String,
    claim_pubkey: String,
    refund_pubkey: String,
    timeout_height: u32,
}

impl From<SwapScript> for SwapScriptRepr {
    fn from(s: SwapScript) -> SwapScriptRepr {
        SwapScriptRepr {
            preimage_hash160: s.preimage_hash160.to_string(),
            claim_pubkey: s.claim_pubkey.to_string(),
            refund_pubkey: s.refund_pubkey.to_string(),
            timeout_height: s.timeout_height,
        }
    }
}

impl TryFrom<SwapScriptRepr> for SwapScript {
    type Error = SwapError;

    fn try_from(r: SwapScriptRepr) -> Result<SwapScript, SwapError> {
        let hash = r
            .preimage_hash160
            .parse()
            .map_err(|e| invalid(format!("hash: {e}")))?;
        let claim = r
            .claim_pubkey
            .parse()
            .map_err(|e| invalid(format!("claim key: {e}")))?;
        let refund = r
            .refund_pubkey
            .parse()
            .map_err(|e| invalid(format!("refund key: {e}")))?;
        SwapScript::from_parts(hash, claim, refund, r.timeout_height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitcoin::hex::DisplayHex;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn key(hex: &str) -> PublicKey {
        PublicKey::from_str(hex).unwrap()
    }

    /// boltz-core `test/unit/swap/ReverseSwapScript.spec.ts`: the reverse swap script for these
    /// inputs (`preimageHash` there is our payment hash).
    fn boltz_vector() -> (SwapScript, &'static str) {
        let payment_hash = sha256::Hash::from_str(
            "e5a211aa15cc91def065a1bf09f878991faeb9504d8606f645ec620cb9c09f1f",
        )
        .unwrap();
        let claim = key("03f8109578aae1e5cfc497e466cf6ae6625497cd31886e87b2f4f54f3f0f46b539");
        let refund = key("03ec0c1e45b709d708cd376a6f2daf19ac27be229647780d592e27d7fb7efb207a");
        let script = SwapScript::new(payment_hash, claim, refund, 515_924).unwrap();
        let hex = "8201208763a9144eee61c39e3b6d46f6fc7da6ae80519aa681f6d2882103f8109578aae1e5cfc49\
                   7e466cf6ae6625497cd31886e87b2f4f54f3f0f46b53967750354df07b1752103ec0c1e45b709d7\
                   08cd376a6f2daf19ac27be229647780d592e27d7fb7efb207a68ac";
        (script, hex)
    }

    #[test]
    fn builds_the_boltz_reverse_swap_script() {
        let (script, hex) = boltz_vector();
        assert_eq!(script.to_script().as_bytes().to_lower_hex_string(), hex);
        assert_eq!(SwapScript::from_hex(hex).unwrap(), script);
    }

    #[test]
    fn hash160_of_payment_hash_is_hash160_of_preimage() {
        let preimage = [7u8; 32];
        let payment_hash = sha256::Hash::hash(&preimage);
        assert_eq!(
            hash160_of_payment_hash(&payment_hash),
            hash160::Hash::hash(&preimage)
        );
        let (script, _) = boltz_vector();
        assert!(!script.matches_payment_hash(&payment_hash));
    }

    #[test]
    fn round_trips_every_timeout_width() {
        let (base, _) = boltz_vector();
        for timeout in [
            1,
            16,
            17,
            127,
            128,
            255,
            32_767,
            32_768,
            8_388_607,
            8_388_608,
            499_999_999,
        ] {
            let s = SwapScript::from_parts(
                base.preimage_hash160,
                base.claim_pubkey,
                base.refund_pubkey,
                timeout,
            )
            .unwrap();
            assert_eq!(
                SwapScript::from_script(&s.to_script()).unwrap(),
                s,
                "timeout {timeout}"
            );
        }
    }

    #[test]
    fn refuses_timeouts_that_are_not_heights() {
        let (base, _) = boltz_vector();
        for timeout in [0, LOCK_TIME_THRESHOLD, u32::MAX] {
            let err = SwapScript::new(
                sha256::Hash::all_zeros(),
                base.claim_pubkey,
                base.refund_pubkey,
                timeout,
            )
            .unwrap_err();
            assert_eq!(
                err,
                SwapError::InvalidTimeout {
                    timeout_height: timeout
                }
            );
            // Hand-built scripts with such timeouts are refused by the parser too.
            let mut bytes = base.to_script().into_bytes();
            let at = bytes.iter().position(|b| *b == 0xb1).unwrap();
            let push = Builder::new().push_int(i64::from(timeout)).into_bytes();
            bytes.splice(at - 4..at, push);
            assert!(SwapScript::from_script(Script::from_bytes(&bytes)).is_err());
        }
    }

    #[test]
    fn refuses_other_scripts() {
        let (script, hex) = boltz_vector();
        let good = script.to_script().into_bytes();
        // Boltz's older submarine template (no OP_SIZE guard) is not ours.
        let legacy = Builder::new()
            .push_opcode(OP_HASH160)
            .push_slice(script.preimage_hash160.to_byte_array())
            .push_opcode(OP_EQUAL)
            .push_opcode(OP_IF)
            .push_slice(script.claim_pubkey.serialize())
            .push_opcode(OP_ELSE)
            .push_int(515_924)
            .push_opcode(OP_CLTV)
            .push_opcode(OP_DROP)
            .push_slice(script.refund_pubkey.serialize())
            .push_opcode(OP_ENDIF)
            .push_opcode(OP_CHECKSIG)
            .into_bytes();
        let mut trailing = good.clone();
        trailing.push(0x75);
        let mut size_33 = good.clone();
        size_33[2] = 33;
        let mut uncompressed_marker = good.clone();
        uncompressed_marker[29] = 0x04; // first byte of the claim key
        let mut non_minimal_timeout = good.clone();
        let at = non_minimal_timeout.iter().position(|b| *b == 0xb1).unwrap();
        non_minimal_timeout.splice(at - 4..at, [0x04, 0x54, 0xdf, 0x07, 0x00]);
        let mut pushdata1_hash = good.clone();
        pushdata1_hash.splice(6..7, [0x4c, 0x14]);
        for (name, bytes) in [
            ("empty", Vec::new()),
            ("legacy", legacy),
            ("trailing", trailing),
            ("size 33", size_33),
            ("bad key", uncompressed_marker),
            ("non-minimal timeout", non_minimal_timeout),
            ("pushdata1", pushdata1_hash),
            ("truncated", good[..good.len() - 1].to_vec()),
        ] {
            let err = SwapScript::from_script(Script::from_bytes(&bytes)).unwrap_err();
            assert!(
                matches!(err, SwapError::InvalidScript { .. }),
                "{name}: {err:?}"
            );
        }
        assert!(SwapScript::from_hex(&hex[1..]).is_err());
        assert!(SwapScript::from_hex(&format!("{hex}{hex}")).is_err());
        assert!(SwapScript::from_hex("zz").is_err());
    }

    #[test]
    fn address_is_p2wsh_of_the_script_per_network() {
        let (script, _) = boltz_vector();
        let mainnet = script.address(Network::Bitcoin);
        assert!(mainnet.to_string().starts_with("bc1q"));
        assert_eq!(mainnet.script_pubkey(), script.script_pubkey());
        assert!(script
            .address(Network::Regtest)
            .to_string()
            .starts_with("bcrt1q"));
        assert!(script
            .address(Network::Testnet)
            .to_string()
            .starts_with("tb1q"));
    }

    #[test]
    fn serde_round_trips_with_snake_case_hex_fields() {
        let (script, _) = boltz_vector();
        let json = serde_json::to_value(&script).unwrap();
        assert_eq!(json["timeout_height"], 515_924);
        assert_eq!(
            json["preimage_hash160"],
            "4eee61c39e3b6d46f6fc7da6ae80519aa681f6d2"
        );
        let back: SwapScript = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, script);
        let mut bad = json;
        bad["timeout_height"] = 0.into();
        assert!(serde_json::from_value::<SwapScript>(bad).is_err());
    }

    proptest! {
        #[test]
        fn from_script_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..160)) {
            let _ = SwapScript::from_script(Script::from_bytes(&bytes));
        }

        #[test]
        fn from_script_never_panics_near_the_template(
            flips in proptest::collection::vec((0usize..106, any::<u8>()), 1..4),
        ) {
            let (script, _) = boltz_vector();
            let mut bytes = script.to_script().into_bytes();
            for (at, byte) in flips {
                if let Some(b) = bytes.get_mut(at) {
                    *b = byte;
                }
            }
            if let Ok(parsed) = SwapScript::from_script(Script::from_bytes(&bytes)) {
                prop_assert_eq!(parsed.to_script().into_bytes(), bytes);
            }
        }

        #[test]
        fn from_hex_never_panics(text in "\\PC{0,240}") {
            let _ = SwapScript::from_hex(&text);
        }
    }
}
