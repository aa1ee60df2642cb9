//! Hex newtypes of the wire models: payment hashes, preimages, description hashes, node ids,
//! channel ids, transaction ids and TLV values. Each is exactly lower-case hex (`[0-9a-f]`, no
//! sign, no `0x`, no upper case) of its fixed length, checked when it is parsed or
//! deserialised, so a value that exists is valid and the bytes sent are the bytes written.

use std::fmt;
use std::str::FromStr;

use bitcoin::hashes::{sha256, Hash};
use bitcoin::secp256k1::PublicKey;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

/// Why a hex value was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HexError {
    /// A character outside `0-9 a-f` (upper case, signs and prefixes included).
    #[error("must be lower-case hex (0-9, a-f); found {found:?} at {position}")]
    InvalidCharacter {
        /// The character.
        found: char,
        /// Its index, in characters.
        position: usize,
    },
    /// Not the fixed length, or an odd number of characters.
    #[error("must be {expected} hex characters, not {found}")]
    InvalidLength {
        /// What the type needs (`"64"`, `"an even number of"`, …).
        expected: String,
        /// The length given.
        found: usize,
    },
    /// Hex of the right length that is not a valid secp256k1 public key.
    #[error("is not a valid compressed secp256k1 public key")]
    InvalidPublicKey,
}

/// Decodes lower-case hex of any even length.
///
/// # Errors
/// [`HexError::InvalidCharacter`] or [`HexError::InvalidLength`] (odd length).
pub fn decode_hex(text: &str) -> Result<Vec<u8>, HexError> {
    if let Some((position, found)) = text
        .chars()
        .enumerate()
        .find(|(_, c)| !matches!(c, '0'..='9' | 'a'..='f'))
    {
        return Err(HexError::InvalidCharacter { found, position });
    }
    if text.len() % 2 != 0 {
        return Err(HexError::InvalidLength {
            expected: "an even number of".to_owned(),
            found: text.len(),
        });
    }
    Ok(text
        .as_bytes()
        .chunks_exact(2)
        .map(|pair| (nibble(pair[0]) << 4) | nibble(pair[1]))
        .collect())
}

/// The value of one checked lower-case hex digit.
fn nibble(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        _ => digit - b'a' + 10,
    }
}

/// Lower-case hex of `bytes`.
pub fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        text.push(char::from(DIGITS[usize::from(b >> 4)]));
        text.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    text
}

/// Decodes lower-case hex of exactly `N` bytes.
fn decode_fixed<const N: usize>(text: &str) -> Result<[u8; N], HexError> {
    if text.len() != 2 * N {
        return Err(HexError::InvalidLength {
            expected: (2 * N).to_string(),
            found: text.len(),
        });
    }
    let bytes = decode_hex(text)?;
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes);
    Ok(out)
}

/// Serde support shared by the newtypes: hex text on the wire.
macro_rules! hex_serde {
    ($name:ident) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&encode_hex(&self.as_bytes()[..]))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.to_string())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// Declares a 32-byte hex newtype.
macro_rules! hex32 {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; 32]);

        impl $name {
            /// Wraps 32 bytes.
            pub const fn from_bytes(bytes: [u8; 32]) -> Self {
                $name(bytes)
            }

            /// The 32 bytes.
            pub fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }

            /// The 32 bytes, by value.
            pub fn to_bytes(self) -> [u8; 32] {
                self.0
            }
        }

        impl FromStr for $name {
            type Err = HexError;

            fn from_str(text: &str) -> Result<Self, HexError> {
                decode_fixed::<32>(text).map($name)
            }
        }

        hex_serde!($name);
    };
}

hex32! {
    /// A payment hash: the SHA-256 of the payment's preimage.
    PaymentHash
}

hex32! {
    /// The SHA-256 of a description too long for an invoice (BOLT11 `h` field).
    DescriptionHash
}

hex32! {
    /// A BOLT 2 channel id.
    ChannelId
}

hex32! {
    /// A bitcoin transaction id, as block explorers display it.
    Txid
}

impl fmt::Debug for PaymentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PaymentHash({self})")
    }
}

impl fmt::Debug for DescriptionHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DescriptionHash({self})")
    }
}

impl fmt::Debug for ChannelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChannelId({self})")
    }
}

impl fmt::Debug for Txid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Txid({self})")
    }
}

hex32! {
    /// A payment preimage: the secret whose SHA-256 is the payment hash, and the proof of
    /// payment. Its `Debug` form hides it.
    Preimage
}

impl Preimage {
    /// The payment hash this preimage unlocks.
    pub fn payment_hash(&self) -> PaymentHash {
        PaymentHash(sha256::Hash::hash(&self.0).to_byte_array())
    }
}

impl fmt::Debug for Preimage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A preimage is a secret until the payment settles: keep it out of logs.
        f.write_str("Preimage(<redacted>)")
    }
}

impl DescriptionHash {
    /// The hash of `description`, for descriptions longer than an invoice can carry.
    pub fn of(description: &[u8]) -> DescriptionHash {
        DescriptionHash(sha256::Hash::hash(description).to_byte_array())
    }
}

/// Declares a compressed secp256k1 public key newtype: 66 lower-case hex characters.
macro_rules! pubkey33 {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(PublicKey);

        impl $name {
            /// The 33 bytes of the compressed key.
            pub fn to_bytes(&self) -> [u8; 33] {
                self.0.serialize()
            }

            /// The key, for signature checks, scripts and routing.
            pub fn public_key(&self) -> PublicKey {
                self.0
            }

            /// For the serde support: the compressed key's bytes.
            fn as_bytes(&self) -> [u8; 33] {
                self.0.serialize()
            }
        }

        impl From<PublicKey> for $name {
            fn from(key: PublicKey) -> $name {
                $name(key)
            }
        }

        impl FromStr for $name {
            type Err = HexError;

            fn from_str(text: &str) -> Result<Self, HexError> {
                let bytes = decode_fixed::<33>(text)?;
                PublicKey::from_slice(&bytes)
                    .map($name)
                    .map_err(|_| HexError::InvalidPublicKey)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({self})", stringify!($name))
            }
        }

        hex_serde!($name);
    };
}

pubkey33! {
    /// A Lightning node id: a compressed secp256k1 public key, 66 lower-case hex characters.
    NodeId
}

pubkey33! {
    /// A public key that is not a node id (a swap's claim or refund key): compressed
    /// secp256k1, 66 lower-case hex characters.
    PublicKeyHex
}

/// Bytes of any length as lower-case hex (custom TLV record values).
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct HexBytes(Vec<u8>);

impl HexBytes {
    /// Wraps bytes.
    pub fn new(bytes: Vec<u8>) -> HexBytes {
        HexBytes(bytes)
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, by value.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// How many bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<u8>> for HexBytes {
    fn from(bytes: Vec<u8>) -> HexBytes {
        HexBytes(bytes)
    }
}

impl FromStr for HexBytes {
    type Err = HexError;

    fn from_str(text: &str) -> Result<Self, HexError> {
        decode_hex(text).map(HexBytes)
    }
}

impl fmt::Debug for HexBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HexBytes({self})")
    }
}

hex_serde!(HexBytes);

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "00010203040506070809000102030405060708090a0b0c0d0e0f0708090102ff";

    #[test]
    fn fixed_hex_round_trips_exactly() {
        let hash: PaymentHash = HASH.parse().unwrap();
        assert_eq!(hash.to_string(), HASH);
        let json = serde_json::to_string(&hash).unwrap();
        assert_eq!(serde_json::from_str::<PaymentHash>(&json).unwrap(), hash);
    }

    #[test]
    fn signs_upper_case_prefixes_and_wrong_lengths_are_refused() {
        // `+1` would pass `u8::from_str_radix`; it must not pass here.
        let plus = format!("+1{}", &HASH[2..]);
        assert!(matches!(
            plus.parse::<PaymentHash>(),
            Err(HexError::InvalidCharacter {
                found: '+',
                position: 0
            })
        ));
        assert!(HASH.to_uppercase().parse::<PaymentHash>().is_err());
        assert!(format!("0x{}", &HASH[2..]).parse::<PaymentHash>().is_err());
        assert!(matches!(
            HASH[..62].parse::<PaymentHash>(),
            Err(HexError::InvalidLength { found: 62, .. })
        ));
        assert!("+f".parse::<HexBytes>().is_err());
        assert!("abc".parse::<HexBytes>().is_err());
        assert_eq!("".parse::<HexBytes>().unwrap().len(), 0);
        assert!(serde_json::from_str::<Preimage>(&format!("\"-{}\"", &HASH[1..])).is_err());
    }

    #[test]
    fn node_ids_must_be_curve_points() {
        let g = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
        assert_eq!(g.parse::<NodeId>().unwrap().to_string(), g);
        let off_curve = format!("02{}", "00".repeat(32));
        assert_eq!(off_curve.parse::<NodeId>(), Err(HexError::InvalidPublicKey));
    }

    #[test]
    fn preimages_hash_and_stay_out_of_logs() {
        let preimage = Preimage::from_bytes([7; 32]);
        assert_eq!(
            preimage.payment_hash().to_bytes(),
            sha256::Hash::hash(&[7; 32]).to_byte_array()
        );
        assert_eq!(format!("{preimage:?}"), "Preimage(<redacted>)");
    }
}
