//! The swap server's keys: one key pair per swap, derived by index from the node's own seed, so
//! the LSP's data directory alone (the seed and the swaps table holding each swap's index) can
//! sign every claim and refund it owes, and no swap key is ever stored.
//!
//! The root is `HMAC-SHA256(key = "etrid/lsp/swap-keys/v1", message = LDK Node's 64-byte seed)`,
//! used as the core's [`RescueKey`], which derives the key of swap `index` at
//! `m/44'/0'/0'/0/index` (the same derivation the SDK uses on the user's side). Separate from
//! the Lightning keys: knowing a swap key reveals nothing of the node's.

use std::path::Path;

use etrid_core::swap::{RescueKey, SwapKeys};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::ServerError;

/// The HMAC key separating swap keys from every other use of the seed.
const DOMAIN: &[u8] = b"etrid/lsp/swap-keys/v1";

/// The length of LDK Node's seed file.
const SEED_LEN: usize = 64;

/// Derives the swap keys of the server. Cloning shares nothing secret beyond the root.
#[derive(Clone)]
pub struct SwapKeyring {
    root: RescueKey,
}

impl std::fmt::Debug for SwapKeyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SwapKeyring(<redacted>)")
    }
}

impl SwapKeyring {
    /// The keyring of a node whose seed is `seed` (64 bytes).
    ///
    /// # Errors
    /// [`ServerError::Config`] when the seed is not 64 bytes.
    pub fn from_seed(seed: &[u8]) -> Result<SwapKeyring, ServerError> {
        if seed.len() != SEED_LEN {
            return Err(ServerError::Config {
                reason: format!(
                    "the node seed is {} bytes, not {SEED_LEN}: cannot derive swap keys",
                    seed.len()
                ),
            });
        }
        let mut mac = Hmac::<Sha256>::new_from_slice(DOMAIN).map_err(|e| ServerError::Config {
            reason: format!("swap key derivation: {e}"),
        })?;
        mac.update(seed);
        let root: [u8; 32] = mac.finalize().into_bytes().into();
        Ok(SwapKeyring {
            root: RescueKey::from_bytes(root),
        })
    }

    /// The keyring of the node whose storage directory is `ldk_dir` (it reads `keys_seed`,
    /// which LDK Node writes at its first start).
    ///
    /// # Errors
    /// [`ServerError::Io`] when the seed cannot be read, [`ServerError::Config`] when it is not
    /// a seed.
    pub fn from_node_dir(ldk_dir: &Path) -> Result<SwapKeyring, ServerError> {
        let path = ldk_dir.join("keys_seed");
        let seed = std::fs::read(&path).map_err(|e| ServerError::Io {
            op: "read the node seed for swap keys",
            reason: format!("{}: {e}", path.display()),
        })?;
        SwapKeyring::from_seed(&seed)
    }

    /// The key pair of swap `index`.
    ///
    /// # Errors
    /// [`ServerError::Config`] in the (cryptographically negligible) case that the index gives
    /// no valid key.
    pub fn keys(&self, index: u32) -> Result<SwapKeys, ServerError> {
        self.root
            .derive_swap_keys(index)
            .map_err(|e| ServerError::Config {
                reason: format!("swap key {index}: {e}"),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_seed_and_the_index_only() {
        let a = SwapKeyring::from_seed(&[7; 64]).unwrap();
        let again = SwapKeyring::from_seed(&[7; 64]).unwrap();
        let other = SwapKeyring::from_seed(&[8; 64]).unwrap();
        let key = |k: &SwapKeyring, i| k.keys(i).unwrap().public_key();
        assert_eq!(key(&a, 0), key(&again, 0));
        assert_ne!(key(&a, 0), key(&a, 1));
        assert_ne!(key(&a, 0), key(&other, 0));
        assert!(SwapKeyring::from_seed(&[7; 32]).is_err());
        assert_eq!(format!("{a:?}"), "SwapKeyring(<redacted>)");
    }
}
