//! Signed webhooks: the `Etrid-Signature` scheme our LSP signs deliveries with and receivers
//! verify — an HMAC-SHA256 over the timestamp and the raw body, with a replay window.
//!
//! Header value: `t=<unix seconds>,v1=<hex HMAC>[,v1=<hex HMAC>…]`, where each HMAC is
//! `HMAC-SHA256(secret, "<t>.<raw body bytes>")`. Several `v1` entries appear while a secret is
//! being rotated (one per active secret); a delivery is genuine if any of them matches. Other
//! keys are ignored so the scheme can grow (for example a future `v2`).

use std::fmt;

use bitcoin::hex::{DisplayHex, FromHex};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use thiserror::Error;

use crate::clock::Clock;

/// The HTTP header carrying the signature.
pub const SIGNATURE_HEADER: &str = "Etrid-Signature";

/// How far, in seconds, a delivery's timestamp may be from the receiver's clock by default.
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;

/// The most `v1` signatures a header may carry; more is refused so a forged header cannot make
/// the receiver compute unbounded HMACs over a large body.
pub const MAX_SIGNATURES: usize = 8;

/// The signature scheme's version key in the header.
const SCHEME_V1: &str = "v1";

type HmacSha256 = Hmac<Sha256>;

/// Everything that can make a webhook signature check fail.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A signer or verifier was given an empty secret, which would make signatures forgeable.
    #[error("the webhook secret is empty")]
    EmptySecret,
    /// The `Etrid-Signature` header is absent or blank.
    #[error("the Etrid-Signature header is missing")]
    MissingHeader,
    /// The header is not `t=<secs>,v1=<hex>…`: no or several timestamps, a non-numeric
    /// timestamp, an item without `=`, or too many signatures.
    #[error("the Etrid-Signature header is malformed: {reason}")]
    MalformedHeader {
        /// What was wrong.
        reason: String,
    },
    /// The header has a timestamp but no `v1` signature.
    #[error("the Etrid-Signature header has no v1 signature")]
    NoSignature,
    /// A `v1` signature is not 64 hex digits.
    #[error("a v1 signature is not 64 hex digits")]
    InvalidHex,
    /// No `v1` signature matches the body and timestamp under this secret: the body was
    /// altered, or it was signed with another key.
    #[error("no webhook signature matches")]
    SignatureMismatch,
    /// The signature is genuine but its timestamp is further than the tolerance from now: a
    /// replay of an old delivery, or a badly wrong clock.
    #[error("webhook timestamp {timestamp} is more than {tolerance_secs} s from now ({now})")]
    TimestampOutsideTolerance {
        /// The delivery's timestamp, in Unix seconds.
        timestamp: u64,
        /// The receiver's time, in Unix seconds.
        now: u64,
        /// The allowed difference, in seconds.
        tolerance_secs: u64,
    },
}

impl WebhookError {
    /// The stable snake_case code of this error, prefixed `webhook_` (see
    /// [`crate::Error::code`]).
    pub fn code(&self) -> &'static str {
        match self {
            WebhookError::EmptySecret => "webhook_empty_secret",
            WebhookError::MissingHeader => "webhook_missing_header",
            WebhookError::MalformedHeader { .. } => "webhook_malformed_header",
            WebhookError::NoSignature => "webhook_no_signature",
            WebhookError::InvalidHex => "webhook_invalid_hex",
            WebhookError::SignatureMismatch => "webhook_signature_mismatch",
            WebhookError::TimestampOutsideTolerance { .. } => "webhook_timestamp_outside_tolerance",
        }
    }
}

/// A delivery whose signature checked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedWebhook {
    /// When the delivery was signed, in Unix seconds.
    pub timestamp: u64,
}

/// Signs webhook deliveries (used by the LSP server; receivers use [`WebhookVerifier`]).
#[derive(Clone)]
pub struct WebhookSigner {
    /// The current secret first, then older ones still accepted during rotation.
    secrets: Vec<Vec<u8>>,
}

impl WebhookSigner {
    /// A signer using `secret`.
    ///
    /// # Errors
    /// [`WebhookError::EmptySecret`].
    pub fn new(secret: &[u8]) -> Result<WebhookSigner, WebhookError> {
        non_empty(secret)?;
        Ok(WebhookSigner {
            secrets: vec![secret.to_vec()],
        })
    }

    /// Also signs with `secret` (one more `v1` entry), so receivers that still hold an older
    /// or already hold a newer secret verify during a rotation.
    ///
    /// # Errors
    /// [`WebhookError::EmptySecret`], or [`WebhookError::MalformedHeader`] beyond
    /// [`MAX_SIGNATURES`] secrets, which receivers would refuse.
    pub fn with_additional_secret(mut self, secret: &[u8]) -> Result<WebhookSigner, WebhookError> {
        non_empty(secret)?;
        if self.secrets.len() >= MAX_SIGNATURES {
            return Err(WebhookError::MalformedHeader {
                reason: format!("at most {MAX_SIGNATURES} signatures"),
            });
        }
        self.secrets.push(secret.to_vec());
        Ok(self)
    }

    /// The `Etrid-Signature` header value for `body` sent at `timestamp_unix` seconds.
    pub fn sign(&self, body: &[u8], timestamp_unix: u64) -> String {
        let timestamp = timestamp_unix.to_string();
        let mut header = format!("t={timestamp}");
        for secret in &self.secrets {
            if let Some(mac) = keyed_mac(secret, &timestamp, body) {
                header.push_str(",v1=");
                header.push_str(&mac.finalize().into_bytes().to_lower_hex_string());
            }
        }
        header
    }
}

impl fmt::Debug for WebhookSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSigner")
            .field(
                "secrets",
                &format_args!("[{} redacted]", self.secrets.len()),
            )
            .finish()
    }
}

/// Verifies webhook deliveries against one secret and a replay window.
#[derive(Clone)]
pub struct WebhookVerifier {
    secret: Vec<u8>,
    tolerance_secs: u64,
}

impl WebhookVerifier {
    /// A verifier for `secret` with the default tolerance of [`DEFAULT_TOLERANCE_SECS`].
    ///
    /// # Errors
    /// [`WebhookError::EmptySecret`].
    pub fn new(secret: &[u8]) -> Result<WebhookVerifier, WebhookError> {
        non_empty(secret)?;
        Ok(WebhookVerifier {
            secret: secret.to_vec(),
            tolerance_secs: DEFAULT_TOLERANCE_SECS,
        })
    }

    /// The same verifier accepting timestamps up to `tolerance_secs` from now, either way.
    pub fn with_tolerance_secs(mut self, tolerance_secs: u64) -> WebhookVerifier {
        self.tolerance_secs = tolerance_secs;
        self
    }

    /// The accepted distance between a delivery's timestamp and now, in seconds.
    pub fn tolerance_secs(&self) -> u64 {
        self.tolerance_secs
    }

    /// Checks the `Etrid-Signature` `header` of a delivery whose raw body is `body`.
    ///
    /// The signatures are compared in constant time. The timestamp is checked after the
    /// signature, so [`WebhookError::TimestampOutsideTolerance`] means the delivery is genuine
    /// but stale (or the clocks disagree).
    ///
    /// # Errors
    /// [`WebhookError::MissingHeader`], [`WebhookError::MalformedHeader`],
    /// [`WebhookError::NoSignature`], [`WebhookError::InvalidHex`],
    /// [`WebhookError::SignatureMismatch`], [`WebhookError::TimestampOutsideTolerance`].
    pub fn verify(
        &self,
        header: &str,
        body: &[u8],
        clock: &dyn Clock,
    ) -> Result<VerifiedWebhook, WebhookError> {
        let parsed = ParsedHeader::parse(header)?;
        let genuine = parsed.signatures.iter().any(|signature| {
            keyed_mac(&self.secret, parsed.timestamp_text, body)
                .is_some_and(|mac| mac.verify_slice(signature).is_ok())
        });
        if !genuine {
            return Err(WebhookError::SignatureMismatch);
        }
        let now = clock.now_unix_secs();
        if now.abs_diff(parsed.timestamp) > self.tolerance_secs {
            return Err(WebhookError::TimestampOutsideTolerance {
                timestamp: parsed.timestamp,
                now,
                tolerance_secs: self.tolerance_secs,
            });
        }
        Ok(VerifiedWebhook {
            timestamp: parsed.timestamp,
        })
    }
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("secret", &"[redacted]")
            .field("tolerance_secs", &self.tolerance_secs)
            .finish()
    }
}

/// The parts of a header value.
struct ParsedHeader<'a> {
    /// The timestamp digits as sent: the signed message uses them verbatim.
    timestamp_text: &'a str,
    timestamp: u64,
    signatures: Vec<[u8; 32]>,
}

impl<'a> ParsedHeader<'a> {
    fn parse(header: &'a str) -> Result<ParsedHeader<'a>, WebhookError> {
        let header = header.trim();
        if header.is_empty() {
            return Err(WebhookError::MissingHeader);
        }
        let malformed = |reason: &str| WebhookError::MalformedHeader {
            reason: reason.to_owned(),
        };
        let mut timestamp = None;
        let mut signatures = Vec::new();
        for item in header.split(',') {
            let (key, value) = item
                .split_once('=')
                .ok_or_else(|| malformed("every item must be key=value"))?;
            match key.trim() {
                "t" => {
                    if timestamp.is_some() {
                        return Err(malformed("more than one timestamp"));
                    }
                    let text = value.trim();
                    let valid = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
                    let secs = text
                        .parse::<u64>()
                        .ok()
                        .filter(|_| valid)
                        .ok_or_else(|| malformed("the timestamp is not a number of seconds"))?;
                    timestamp = Some((text, secs));
                }
                SCHEME_V1 => {
                    if signatures.len() >= MAX_SIGNATURES {
                        return Err(malformed("too many signatures"));
                    }
                    let signature =
                        <[u8; 32]>::from_hex(value.trim()).map_err(|_| WebhookError::InvalidHex)?;
                    signatures.push(signature);
                }
                _ => {}
            }
        }
        let (timestamp_text, timestamp) = timestamp.ok_or_else(|| malformed("no timestamp"))?;
        if signatures.is_empty() {
            return Err(WebhookError::NoSignature);
        }
        Ok(ParsedHeader {
            timestamp_text,
            timestamp,
            signatures,
        })
    }
}

/// The HMAC state over `"<timestamp>.<body>"` under `secret`; `None` only if the key were
/// refused, which HMAC never does.
fn keyed_mac(secret: &[u8], timestamp: &str, body: &[u8]) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(secret).ok()?;
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

/// Refuses an empty secret.
fn non_empty(secret: &[u8]) -> Result<(), WebhookError> {
    if secret.is_empty() {
        Err(WebhookError::EmptySecret)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
