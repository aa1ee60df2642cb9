//! The Bitcoin network an SDK instance is configured for, and its mapping to the crates we use.

use serde::{Deserialize, Serialize};

/// The Bitcoin network an SDK instance works on.
///
/// Invoices, addresses and swap scripts are checked against it: a testnet invoice handed to a
/// mainnet wallet is refused rather than paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Network {
    /// Bitcoin mainnet (`lnbc` invoices).
    Bitcoin,
    /// Testnet3 (`lntb` invoices).
    Testnet,
    /// Signet (`lntbs` invoices).
    Signet,
    /// Regtest, as run by the devnet (`lnbcrt` invoices).
    Regtest,
}

impl Network {
    /// The network's name as used in configuration and JSON (`bitcoin`, `testnet`, `signet`,
    /// `regtest`).
    pub fn as_str(self) -> &'static str {
        match self {
            Network::Bitcoin => "bitcoin",
            Network::Testnet => "testnet",
            Network::Signet => "signet",
            Network::Regtest => "regtest",
        }
    }

    /// Parses a network name; accepts `mainnet` as an alias of `bitcoin`. Returns `None` for
    /// anything else.
    pub fn from_name(name: &str) -> Option<Network> {
        match name.trim().to_ascii_lowercase().as_str() {
            "bitcoin" | "mainnet" => Some(Network::Bitcoin),
            "testnet" | "testnet3" => Some(Network::Testnet),
            "signet" => Some(Network::Signet),
            "regtest" => Some(Network::Regtest),
            _ => None,
        }
    }

    /// The `bitcoin` crate's network value.
    pub fn to_bitcoin(self) -> bitcoin::Network {
        match self {
            Network::Bitcoin => bitcoin::Network::Bitcoin,
            Network::Testnet => bitcoin::Network::Testnet,
            Network::Signet => bitcoin::Network::Signet,
            Network::Regtest => bitcoin::Network::Regtest,
        }
    }

    /// The BOLT11 currency (human-readable prefix) of this network.
    pub fn to_currency(self) -> lightning_invoice::Currency {
        match self {
            Network::Bitcoin => lightning_invoice::Currency::Bitcoin,
            Network::Testnet => lightning_invoice::Currency::BitcoinTestnet,
            Network::Signet => lightning_invoice::Currency::Signet,
            Network::Regtest => lightning_invoice::Currency::Regtest,
        }
    }

    /// The network a BOLT11 currency belongs to (`lntb` covers testnet; simnet maps to none).
    pub fn from_currency(currency: lightning_invoice::Currency) -> Option<Network> {
        match currency {
            lightning_invoice::Currency::Bitcoin => Some(Network::Bitcoin),
            lightning_invoice::Currency::BitcoinTestnet => Some(Network::Testnet),
            lightning_invoice::Currency::Signet => Some(Network::Signet),
            lightning_invoice::Currency::Regtest => Some(Network::Regtest),
            lightning_invoice::Currency::Simnet => None,
        }
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for n in [
            Network::Bitcoin,
            Network::Testnet,
            Network::Signet,
            Network::Regtest,
        ] {
            assert_eq!(Network::from_name(n.as_str()), Some(n));
            assert_eq!(Network::from_currency(n.to_currency()), Some(n));
        }
        assert_eq!(Network::from_name("MAINNET"), Some(Network::Bitcoin));
        assert_eq!(Network::from_name("liquid"), None);
    }
}
