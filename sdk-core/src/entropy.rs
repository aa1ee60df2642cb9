//! The injected source of randomness: swap keys and preimages need secure random bytes, and the
//! core takes them from the platform (the OS natively, `crypto.getRandomValues` in browsers).

use crate::error::Error;

/// A cryptographically secure random number generator supplied by the platform.
pub trait Entropy {
    /// Fills `buf` with secure random bytes.
    ///
    /// # Errors
    /// [`Error::EntropyUnavailable`] when the platform cannot provide secure randomness; callers
    /// must then stop rather than fall back to anything predictable.
    fn fill_bytes(&self, buf: &mut [u8]) -> Result<(), Error>;

    /// Returns 32 fresh secure random bytes (a key or a preimage).
    ///
    /// # Errors
    /// As [`Entropy::fill_bytes`].
    fn random_32(&self) -> Result<[u8; 32], Error> {
        let mut out = [0u8; 32];
        self.fill_bytes(&mut out)?;
        Ok(out)
    }
}

impl<E: Entropy + ?Sized> Entropy for &E {
    fn fill_bytes(&self, buf: &mut [u8]) -> Result<(), Error> {
        (**self).fill_bytes(buf)
    }
}
