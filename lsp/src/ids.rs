//! Random identifiers and secrets: resource ids (`inv_…`, `pay_…`), API keys, webhook secrets
//! and preimages, all from the operating system's CSPRNG.

use sha2::{Digest, Sha256};

/// The operating system had no randomness to give.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no randomness available: {reason}")]
pub struct EntropyError {
    /// What the OS said.
    pub reason: String,
}

/// `n` random bytes from the OS.
///
/// # Errors
/// [`EntropyError`] if the OS has no randomness to give.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], EntropyError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| EntropyError {
        reason: e.to_string(),
    })?;
    Ok(buf)
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Decodes lower- or upper-case hex; `None` if it is not hex of an even length.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|p| u8::from_str_radix(p, 16).ok()))
        .collect()
}

/// A new resource id: `prefix` + `_` + 20 random hex characters (80 bits).
///
/// # Errors
/// [`EntropyError`].
pub fn new_id(prefix: &str) -> Result<String, EntropyError> {
    Ok(format!("{prefix}_{}", hex(&random_bytes::<10>()?)))
}

/// SHA-256 of `data`, hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Whether `id` is a well-formed resource id (the API's one rule:
/// [`etrid_core::lsp::limits::is_resource_id`]).
pub fn is_valid_id(id: &str) -> bool {
    etrid_core::lsp::limits::is_resource_id(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        assert_eq!(hex(&[0, 255, 16]), "00ff10");
        assert_eq!(unhex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
    }

    #[test]
    fn ids_are_prefixed_and_unique() {
        let a = new_id("inv").unwrap();
        let b = new_id("inv").unwrap();
        assert!(a.starts_with("inv_") && a.len() == 24 && is_valid_id(&a));
        assert_ne!(a, b);
        assert!(!is_valid_id("a/b"));
        assert!(!is_valid_id(""));
    }
}
