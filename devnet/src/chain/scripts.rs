//! Output script classification with bitcoind's and Esplora's type names, and addresses.

use bitcoin::{Address, Script};

use super::params::NETWORK;

/// Pay-to-anchor script bytes (`OP_1 <0x4e73>`).
const P2A: [u8; 4] = [0x51, 0x02, 0x4e, 0x73];

/// The standard kinds of output script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScriptKind {
    /// `<pubkey> OP_CHECKSIG`.
    P2pk,
    /// Pay to public key hash.
    P2pkh,
    /// Pay to script hash.
    P2sh,
    /// Pay to witness public key hash.
    P2wpkh,
    /// Pay to witness script hash.
    P2wsh,
    /// Pay to taproot.
    P2tr,
    /// Pay to anchor.
    P2a,
    /// Bare multisig.
    Multisig,
    /// `OP_RETURN` data.
    OpReturn,
    /// Another witness program.
    WitnessUnknown,
    /// Anything else.
    NonStandard,
}

impl ScriptKind {
    /// Classifies `script`.
    pub(crate) fn of(script: &Script) -> Self {
        if script.as_bytes() == P2A {
            ScriptKind::P2a
        } else if script.is_p2pkh() {
            ScriptKind::P2pkh
        } else if script.is_p2sh() {
            ScriptKind::P2sh
        } else if script.is_p2wpkh() {
            ScriptKind::P2wpkh
        } else if script.is_p2wsh() {
            ScriptKind::P2wsh
        } else if script.is_p2tr() {
            ScriptKind::P2tr
        } else if script.is_witness_program() {
            ScriptKind::WitnessUnknown
        } else if script.is_op_return() {
            ScriptKind::OpReturn
        } else if script.is_p2pk() {
            ScriptKind::P2pk
        } else if script.is_multisig() {
            ScriptKind::Multisig
        } else {
            ScriptKind::NonStandard
        }
    }

    /// bitcoind's `scriptPubKey.type`.
    pub(crate) fn bitcoind_name(self) -> &'static str {
        match self {
            ScriptKind::P2pk => "pubkey",
            ScriptKind::P2pkh => "pubkeyhash",
            ScriptKind::P2sh => "scripthash",
            ScriptKind::P2wpkh => "witness_v0_keyhash",
            ScriptKind::P2wsh => "witness_v0_scripthash",
            ScriptKind::P2tr => "witness_v1_taproot",
            ScriptKind::P2a => "anchor",
            ScriptKind::Multisig => "multisig",
            ScriptKind::OpReturn => "nulldata",
            ScriptKind::WitnessUnknown => "witness_unknown",
            ScriptKind::NonStandard => "nonstandard",
        }
    }

    /// Esplora's `scriptpubkey_type`.
    pub(crate) fn esplora_name(self) -> &'static str {
        match self {
            ScriptKind::P2pk => "p2pk",
            ScriptKind::P2pkh => "p2pkh",
            ScriptKind::P2sh => "p2sh",
            ScriptKind::P2wpkh => "v0_p2wpkh",
            ScriptKind::P2wsh => "v0_p2wsh",
            ScriptKind::P2tr => "v1_p2tr",
            ScriptKind::P2a => "anchor",
            ScriptKind::Multisig => "multisig",
            ScriptKind::OpReturn => "op_return",
            ScriptKind::WitnessUnknown | ScriptKind::NonStandard => "unknown",
        }
    }
}

/// The regtest address of `script`, when it has one.
pub(crate) fn address_of(script: &Script) -> Option<String> {
    Address::from_script(script, NETWORK)
        .ok()
        .map(|a| a.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitcoin::ScriptBuf;

    #[test]
    fn classifies_common_scripts() {
        let p2wpkh = ScriptBuf::from_bytes([&[0x00, 0x14][..], &[7; 20]].concat());
        assert_eq!(ScriptKind::of(&p2wpkh), ScriptKind::P2wpkh);
        assert_eq!(ScriptKind::of(&p2wpkh).esplora_name(), "v0_p2wpkh");
        assert!(address_of(&p2wpkh).unwrap().starts_with("bcrt1q"));
        let anchor = ScriptBuf::from_bytes(P2A.to_vec());
        assert_eq!(ScriptKind::of(&anchor).bitcoind_name(), "anchor");
        let data = ScriptBuf::new_op_return([1, 2, 3]);
        assert_eq!(ScriptKind::of(&data), ScriptKind::OpReturn);
        assert_eq!(address_of(&data), None);
    }
}
