//! Swap secrets: the rescue key, per-swap key pairs derived from it (or drawn at random), and
//! preimages with their payment hashes. None of them prints its secret in `Debug`.

use std::fmt;

use bitcoin::bip32::{ChildNumber, DerivationPath, Xpriv};
use bitcoin::hashes::{sha256, Hash, HashEngine};
use bitcoin::hex::FromHex;
use bitcoin::secp256k1::{PublicKey, Secp256k1, SecretKey};
use bitcoin::NetworkKind;

use super::SwapError;
use crate::entropy::Entropy;

/// The BIP32 path of swap number `index` under a rescue key: `m/44'/0'/0'/0/index`.
///
/// The account is hardened, the swap index is not (so indexes run from 0 to 2^31 − 1). This path
/// is part of the restore format: changing it would lose every swap made under the old one.
pub const RESCUE_DERIVATION_PATH: &str = "m/44'/0'/0'/0/index";

/// Domain separation of preimages derived from swap keys (see [`RescueKey::derive_preimage`]).
const PREIMAGE_TAG: &[u8] = b"etrid/swap/preimage/v1";

/// How often a random draw may be an invalid scalar before we give up (chance ~2^-128 each).
const MAX_KEY_DRAWS: usize = 4;

/// The 32-byte master secret from which every swap's keys and preimage are derived, so that a
/// wallet restored from it can claim and refund every swap it made.
///
/// It is the BIP32 seed of [`RESCUE_DERIVATION_PATH`]. Keep it as safe as a wallet seed; its
/// `Debug` output is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct RescueKey([u8; 32]);

impl RescueKey {
    /// A fresh rescue key from the platform's secure randomness.
    ///
    /// # Errors
    /// [`crate::Error::EntropyUnavailable`] when the platform has no secure randomness.
    pub fn generate(entropy: &dyn Entropy) -> Result<RescueKey, crate::Error> {
        Ok(RescueKey(entropy.random_32()?))
    }

    /// The rescue key with these 32 secret bytes (as saved with [`RescueKey::to_bytes`]).
    pub fn from_bytes(bytes: [u8; 32]) -> RescueKey {
        RescueKey(bytes)
    }

    /// Parses a rescue key saved as 64 hex digits.
    ///
    /// # Errors
    /// [`SwapError::InvalidKey`] when the text is not 32 bytes of hex.
    pub fn from_hex(hex: &str) -> Result<RescueKey, SwapError> {
        <[u8; 32]>::from_hex(hex.trim())
            .map(RescueKey)
            .map_err(|e| SwapError::InvalidKey {
                reason: format!("rescue key: {e}"),
            })
    }

    /// The secret bytes, for the user to back up. Handle with care.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// The key pair of swap number `index` (path [`RESCUE_DERIVATION_PATH`]).
    ///
    /// # Errors
    /// [`SwapError::InvalidSwapIndex`] when `index` ≥ 2^31; [`SwapError::InvalidKey`] in the
    /// negligible case that BIP32 yields no valid key for this seed or index.
    pub fn derive_swap_keys(&self, index: u32) -> Result<SwapKeys, SwapError> {
        let child = ChildNumber::from_normal_idx(index)
            .map_err(|_| SwapError::InvalidSwapIndex { index })?;
        let hardened = |i| {
            ChildNumber::from_hardened_idx(i).map_err(|e| SwapError::InvalidKey {
                reason: e.to_string(),
            })
        };
        let path = DerivationPath::from(vec![
            hardened(44)?,
            hardened(0)?,
            hardened(0)?,
            ChildNumber::Normal { index: 0 },
            child,
        ]);
        let secp = Secp256k1::signing_only();
        let bip32_error = |e: bitcoin::bip32::Error| SwapError::InvalidKey {
            reason: e.to_string(),
        };
        let master = Xpriv::new_master(NetworkKind::Main, &self.0).map_err(bip32_error)?;
        let derived = master.derive_priv(&secp, &path).map_err(bip32_error)?;
        Ok(SwapKeys::from_secret_key(derived.private_key))
    }

    /// The preimage of swap number `index`: SHA256 of a fixed tag and that swap's secret key.
    ///
    /// Deriving it lets a restored wallet claim a reverse swap it started before. Revealing the
    /// preimage on-chain reveals nothing of the key (it is a hash of it, not a key).
    ///
    /// # Errors
    /// As [`RescueKey::derive_swap_keys`].
    pub fn derive_preimage(&self, index: u32) -> Result<Preimage, SwapError> {
        let keys = self.derive_swap_keys(index)?;
        let mut engine = sha256::Hash::engine();
        engine.input(PREIMAGE_TAG);
        engine.input(&keys.secret_key.secret_bytes());
        Ok(Preimage(sha256::Hash::from_engine(engine).to_byte_array()))
    }
}

impl fmt::Debug for RescueKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RescueKey(<redacted>)")
    }
}

/// The key pair one side of one swap signs with: the refund key of a submarine swap or the
/// claim key of a reverse swap. `Debug` shows only the public key.
#[derive(Clone, PartialEq, Eq)]
pub struct SwapKeys {
    secret_key: SecretKey,
    public_key: PublicKey,
}

impl SwapKeys {
    /// A fresh random key pair (not restorable from a rescue key: persist it).
    ///
    /// # Errors
    /// [`crate::Error::EntropyUnavailable`] when the platform has no secure randomness;
    /// [`SwapError::InvalidKey`] if the platform kept returning invalid scalars.
    pub fn generate(entropy: &dyn Entropy) -> Result<SwapKeys, crate::Error> {
        for _ in 0..MAX_KEY_DRAWS {
            if let Ok(secret_key) = SecretKey::from_slice(&entropy.random_32()?) {
                return Ok(SwapKeys::from_secret_key(secret_key));
            }
        }
        Err(SwapError::InvalidKey {
            reason: "randomness gave no valid secret key".to_owned(),
        }
        .into())
    }

    /// The key pair of a secret key.
    pub fn from_secret_key(secret_key: SecretKey) -> SwapKeys {
        let public_key = PublicKey::from_secret_key(&Secp256k1::signing_only(), &secret_key);
        SwapKeys {
            secret_key,
            public_key,
        }
    }

    /// The key pair of 32 secret bytes (as saved with [`SwapKeys::secret_bytes`]).
    ///
    /// # Errors
    /// [`SwapError::InvalidKey`] when the bytes are zero or not below the curve order.
    pub fn from_secret_bytes(bytes: &[u8; 32]) -> Result<SwapKeys, SwapError> {
        SecretKey::from_slice(bytes)
            .map(SwapKeys::from_secret_key)
            .map_err(|e| SwapError::InvalidKey {
                reason: e.to_string(),
            })
    }

    /// The public key, to send to the swap server.
    pub fn public_key(&self) -> PublicKey {
        self.public_key
    }

    /// The secret key, to sign the claim or refund with.
    pub fn secret_key(&self) -> &SecretKey {
        &self.secret_key
    }

    /// The secret bytes, to persist a randomly generated key. Handle with care.
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.secret_key.secret_bytes()
    }
}

impl fmt::Debug for SwapKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SwapKeys")
            .field("public_key", &format_args!("{}", self.public_key))
            .field("secret_key", &"<redacted>")
            .finish()
    }
}

/// A swap preimage: 32 secret bytes whose SHA256 is the payment hash of the Lightning invoice.
///
/// Whoever learns it can claim the HTLC (and settle the invoice), so its `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Preimage([u8; 32]);

impl Preimage {
    /// A fresh random preimage (for a reverse swap; persist it or use
    /// [`RescueKey::derive_preimage`]).
    ///
    /// # Errors
    /// [`crate::Error::EntropyUnavailable`] when the platform has no secure randomness.
    pub fn generate(entropy: &dyn Entropy) -> Result<Preimage, crate::Error> {
        Ok(Preimage(entropy.random_32()?))
    }

    /// The preimage with these bytes (e.g. as revealed by a Lightning payment).
    pub fn from_bytes(bytes: [u8; 32]) -> Preimage {
        Preimage(bytes)
    }

    /// Parses a preimage given as 64 hex digits.
    ///
    /// # Errors
    /// [`SwapError::InvalidPreimage`] when the text is not 32 bytes of hex.
    pub fn from_hex(hex: &str) -> Result<Preimage, SwapError> {
        <[u8; 32]>::from_hex(hex.trim())
            .map(Preimage)
            .map_err(|e| SwapError::InvalidPreimage {
                reason: e.to_string(),
            })
    }

    /// The secret bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The payment hash: SHA256 of the preimage.
    pub fn payment_hash(&self) -> sha256::Hash {
        sha256::Hash::hash(&self.0)
    }
}

impl fmt::Debug for Preimage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Preimage(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::swap::test_support::{FailingEntropy, SeqEntropy};
    use std::str::FromStr;

    #[test]
    fn derivation_follows_the_documented_path() {
        let rescue = RescueKey::from_bytes([1u8; 32]);
        let secp = Secp256k1::signing_only();
        let master = Xpriv::new_master(NetworkKind::Main, &[1u8; 32]).unwrap();
        for index in [0u32, 1, 7, (1 << 31) - 1] {
            let text = RESCUE_DERIVATION_PATH.replace("index", &index.to_string());
            let path = DerivationPath::from_str(&text).unwrap();
            let expected = master.derive_priv(&secp, &path).unwrap().private_key;
            let keys = rescue.derive_swap_keys(index).unwrap();
            assert_eq!(keys.secret_key(), &expected, "index {index}");
        }
    }

    #[test]
    fn derivation_is_deterministic_and_per_index() {
        let a = RescueKey::from_bytes([2u8; 32]);
        let b = RescueKey::from_hex(&"02".repeat(32)).unwrap();
        assert_eq!(
            a.derive_swap_keys(5).unwrap(),
            b.derive_swap_keys(5).unwrap()
        );
        assert_ne!(
            a.derive_swap_keys(5).unwrap(),
            a.derive_swap_keys(6).unwrap()
        );
        assert_eq!(a.derive_preimage(5).unwrap(), b.derive_preimage(5).unwrap());
        assert_ne!(a.derive_preimage(5).unwrap(), a.derive_preimage(6).unwrap());
        // The preimage is not the key itself.
        assert_ne!(
            a.derive_preimage(5).unwrap().0,
            a.derive_swap_keys(5).unwrap().secret_bytes()
        );
        let other = RescueKey::from_bytes([3u8; 32]);
        assert_ne!(
            a.derive_swap_keys(0).unwrap(),
            other.derive_swap_keys(0).unwrap()
        );
    }

    #[test]
    fn derivation_is_pinned() {
        // Guards the restore format: these values must never change. They were computed
        // independently of this crate (a from-scratch BIP32 in Python: HMAC-SHA512 "Bitcoin
        // seed", then CKDpriv along m/44'/0'/0'/0/0, then SHA256(tag || key) for the preimage).
        let rescue = RescueKey::from_bytes([0x42; 32]);
        let keys = rescue.derive_swap_keys(0).unwrap();
        let pinned = "036b80d4c822fa0e5d5a47f58cf89b5dacc6cd7583665ca385ff8ba494b99589ee";
        assert_eq!(keys.public_key().to_string(), pinned);
        let preimage = rescue.derive_preimage(0).unwrap();
        assert_eq!(
            preimage.payment_hash().to_string(),
            "7b6cfdfa6d098b3fb70611e1c9261fd9871766515a0392037b9792cf6564009c"
        );
    }

    #[test]
    fn refuses_hardened_indexes_and_bad_hex() {
        let rescue = RescueKey::from_bytes([1u8; 32]);
        assert_eq!(
            rescue.derive_swap_keys(1 << 31).unwrap_err(),
            SwapError::InvalidSwapIndex { index: 1 << 31 }
        );
        assert!(rescue.derive_preimage(u32::MAX).is_err());
        assert!(matches!(
            RescueKey::from_hex("00"),
            Err(SwapError::InvalidKey { .. })
        ));
        assert!(matches!(
            Preimage::from_hex("xyz"),
            Err(SwapError::InvalidPreimage { .. })
        ));
        assert!(SwapKeys::from_secret_bytes(&[0u8; 32]).is_err());
        assert!(SwapKeys::from_secret_bytes(&[0xff; 32]).is_err());
    }

    #[test]
    fn generates_from_injected_entropy() {
        let entropy = SeqEntropy::new();
        let a = SwapKeys::generate(&entropy).unwrap();
        let b = SwapKeys::generate(&entropy).unwrap();
        assert_ne!(a, b);
        assert_eq!(SwapKeys::from_secret_bytes(&a.secret_bytes()).unwrap(), a);
        let p = Preimage::generate(&entropy).unwrap();
        assert_eq!(p.payment_hash(), sha256::Hash::hash(p.as_bytes()));
        assert_ne!(
            RescueKey::generate(&entropy).unwrap(),
            RescueKey::generate(&entropy).unwrap()
        );

        let err = SwapKeys::generate(&FailingEntropy).unwrap_err();
        assert_eq!(err.code(), "entropy_unavailable");
        assert!(Preimage::generate(&FailingEntropy).is_err());
        assert!(RescueKey::generate(&FailingEntropy).is_err());
    }

    #[test]
    fn invalid_scalars_from_entropy_are_redrawn_then_refused() {
        struct Constant(u8);
        impl Entropy for Constant {
            fn fill_bytes(&self, buf: &mut [u8]) -> Result<(), crate::Error> {
                buf.fill(self.0);
                Ok(())
            }
        }
        let err = SwapKeys::generate(&Constant(0)).unwrap_err();
        assert_eq!(err.code(), "swap_invalid_key");
        assert!(SwapKeys::generate(&Constant(1)).is_ok());
    }

    #[test]
    fn debug_never_prints_secrets() {
        let rescue = RescueKey::from_bytes([0xab; 32]);
        let keys = rescue.derive_swap_keys(0).unwrap();
        let preimage = Preimage::from_bytes([0xcd; 32]);
        let secret_hex = bitcoin::hex::DisplayHex::to_lower_hex_string(&keys.secret_bytes()[..]);
        for text in [
            format!("{rescue:?}"),
            format!("{keys:?}"),
            format!("{preimage:?}"),
        ] {
            assert!(!text.contains("abab"), "{text}");
            assert!(!text.contains("cdcd"), "{text}");
            assert!(!text.contains(&secret_hex[..16]), "{text}");
            assert!(text.contains("redacted"), "{text}");
        }
        assert!(format!("{keys:?}").contains(&keys.public_key().to_string()));
    }
}
