//! QR codes for payment strings: a complete SVG document for web pages, and a module matrix that
//! game engines draw as a texture and terminals print with half-block characters.
//!
//! # What is encoded
//! Bech32 strings — BOLT11 invoices, LNURLs, segwit addresses — optionally behind a `lightning:`
//! prefix, are encoded in UPPER case: QR's alphanumeric mode holds upper-case letters, digits and
//! `:` at 5.5 bits a character instead of 8, so the code is about a quarter smaller and easier to
//! scan. Bech32 is case-insensitive (BOLT11 explicitly allows all-upper invoices), so a scanner
//! reads back the same invoice, in upper case; compare case-insensitively. A string is only
//! treated as bech32 when its checksum verifies, so ordinary text is never changed. Everything
//! else (BIP21 URIs with a mixed-case query, URLs, ...) is encoded exactly as given.
//!
//! # Error correction
//! Level M (15% of the code can be damaged) by default: sturdy on phone screens and prints
//! without inflating the code. For very long texts — more than a version 25 code (117 modules a
//! side) at level M, e.g. invoices with many route hints — level L (7%) is used instead, since a
//! denser, larger code scans worse than one with less redundancy; also when the text does not fit
//! at M at all.

use std::borrow::Cow;

use bech32::primitives::decode::CheckedHrpstring;
use qrcode::render::svg;
use qrcode::types::QrError as EncodeError;
use qrcode::{Color, EcLevel, QrCode, Version};
use thiserror::Error;

/// The light border, in modules, that scanners need around a code: included by
/// [`render_svg`] and [`QrMatrix::to_terminal_string`], NOT included in [`QrMatrix::modules`].
pub const QUIET_ZONE_MODULES: u32 = 4;

/// The side of one module in the SVG from [`render_svg`], in SVG user units (pixels).
pub const SVG_MODULE_SIZE: u32 = 8;

/// The largest code version kept at error-correction level M before switching to L.
const MAX_VERSION_AT_M: i16 = 25;

/// The URI scheme a wallet QR code may carry before an invoice or LNURL.
const LIGHTNING_SCHEME: &str = "lightning:";

/// Why a QR code could not be made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum QrError {
    /// The text to encode was empty.
    #[error("nothing to encode: the text is empty")]
    Empty,
    /// The text does not fit in the largest QR code (version 40) even at error-correction level L.
    #[error("the text is too long for a QR code ({length} bytes)")]
    DataTooLong {
        /// Length of the text that was to be encoded, in bytes.
        length: usize,
    },
    /// The QR encoder refused the text for another reason (not expected for any input).
    #[error("the QR encoder failed: {detail}")]
    Encoding {
        /// What the encoder reported.
        detail: String,
    },
}

impl QrError {
    /// The stable code of this error, prefixed `qr_` (see [`crate::Error::code`]).
    pub fn code(&self) -> &'static str {
        match self {
            QrError::Empty => "qr_empty",
            QrError::DataTooLong { .. } => "qr_data_too_long",
            QrError::Encoding { .. } => "qr_encoding_failed",
        }
    }
}

/// A QR code as a square grid of modules, for engines and terminals to draw themselves.
///
/// Row-major: module (x, y) is `modules[y * width + x]`, `true` = dark. The quiet zone is not
/// included: draw [`QUIET_ZONE_MODULES`] light modules around the grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    /// Modules per side.
    pub width: u32,
    /// `width * width` modules, row by row, `true` = dark.
    pub modules: Vec<bool>,
}

impl QrMatrix {
    /// Whether module (x, y) is dark; `false` outside the grid.
    pub fn is_dark(&self, x: u32, y: u32) -> bool {
        if x >= self.width || y >= self.width {
            return false;
        }
        let index = u64::from(y) * u64::from(self.width) + u64::from(x);
        usize::try_from(index)
            .ok()
            .and_then(|i| self.modules.get(i))
            .copied()
            .unwrap_or(false)
    }

    /// The modules as bytes, row-major, 1 = dark and 0 = light: ready to upload as a one-channel
    /// texture (scale to 0/255 or use a palette) in Unity, Unreal or Godot.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.modules.iter().map(|&dark| u8::from(dark)).collect()
    }

    /// The code as text for a terminal with a light background: Unicode half blocks (`▀`, `▄`,
    /// `█`, space), two module rows per line, dark modules drawn as ink, with a
    /// [`QUIET_ZONE_MODULES`] quiet zone. Every line ends with `\n`.
    pub fn to_terminal_string(&self) -> String {
        self.terminal_string(true)
    }

    /// Like [`to_terminal_string`](Self::to_terminal_string) for a terminal with a dark
    /// background: light modules (and the quiet zone) are drawn as ink, so the code still shows
    /// dark-on-light.
    pub fn to_terminal_string_inverted(&self) -> String {
        self.terminal_string(false)
    }

    /// Whether the module at (x, y), in coordinates that include the quiet zone, is dark.
    fn dark_with_quiet_zone(&self, x: u32, y: u32) -> bool {
        match (
            x.checked_sub(QUIET_ZONE_MODULES),
            y.checked_sub(QUIET_ZONE_MODULES),
        ) {
            (Some(x), Some(y)) => self.is_dark(x, y),
            _ => false,
        }
    }

    fn terminal_string(&self, ink_is_dark: bool) -> String {
        let side = self.width.saturating_add(2 * QUIET_ZONE_MODULES);
        let mut out = String::new();
        for y in (0..side).step_by(2) {
            for x in 0..side {
                let top = self.dark_with_quiet_zone(x, y) == ink_is_dark;
                // An odd side leaves the last line's lower half outside the code: never ink.
                let bottom = y + 1 < side && self.dark_with_quiet_zone(x, y + 1) == ink_is_dark;
                out.push(match (top, bottom) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                });
            }
            out.push('\n');
        }
        out
    }
}

/// Encodes `text` as a QR code module matrix (see the [module docs](self) for case and
/// error-correction choices).
///
/// # Errors
/// [`QrError::Empty`] for an empty text, [`QrError::DataTooLong`] past QR's capacity.
pub fn encode_matrix(text: &str) -> Result<QrMatrix, QrError> {
    let code = encode(text)?;
    let width = u32::try_from(code.width()).map_err(|_| QrError::Encoding {
        detail: "code width out of range".to_owned(),
    })?;
    let modules = code
        .into_colors()
        .into_iter()
        .map(|c| c == Color::Dark)
        .collect();
    Ok(QrMatrix { width, modules })
}

/// Renders `text` as a QR code in a complete, standalone SVG document (starting with `<?xml`):
/// black modules on a white background with the quiet zone, [`SVG_MODULE_SIZE`] units per
/// module, `shape-rendering="crispEdges"`; scale it freely.
///
/// # Errors
/// As [`encode_matrix`].
pub fn render_svg(text: &str) -> Result<String, QrError> {
    let code = encode(text)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .quiet_zone(true)
        .module_dimensions(SVG_MODULE_SIZE, SVG_MODULE_SIZE)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// The exact text a QR code for `text` carries: upper-cased for a bech32 string (with an
/// optional `lightning:` prefix), `text` unchanged otherwise.
pub fn qr_payload(text: &str) -> Cow<'_, str> {
    let trimmed = text.trim();
    if is_bech32_payload(trimmed) {
        Cow::Owned(trimmed.to_ascii_uppercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether `text` is a checksum-valid bech32 or bech32m string, optionally behind `lightning:`,
/// that fits QR's alphanumeric mode once upper-cased.
fn is_bech32_payload(text: &str) -> bool {
    let body = match text.get(..LIGHTNING_SCHEME.len()) {
        Some(scheme) if scheme.eq_ignore_ascii_case(LIGHTNING_SCHEME) => {
            text.get(LIGHTNING_SCHEME.len()..).unwrap_or_default()
        }
        _ => text,
    };
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    // BOLT11's checksum is bech32 with a longer length limit (LNURLs use it too); segwit v1+
    // addresses use bech32m. Both refuse mixed case.
    CheckedHrpstring::new::<lightning_invoice::Bolt11Bech32>(body).is_ok()
        || CheckedHrpstring::new::<bech32::Bech32m>(body).is_ok()
}

/// Encodes the payload of `text` at level M, or L when M is too large or impossible.
fn encode(text: &str) -> Result<QrCode, QrError> {
    if text.is_empty() {
        return Err(QrError::Empty);
    }
    let payload = qr_payload(text);
    let data = payload.as_bytes();
    match QrCode::with_error_correction_level(data, EcLevel::M) {
        Ok(code) if matches!(code.version(), Version::Normal(v) if v <= MAX_VERSION_AT_M) => {
            Ok(code)
        }
        Ok(code_at_m) => Ok(QrCode::with_error_correction_level(data, EcLevel::L)
            .ok()
            .filter(|code_at_l| code_at_l.width() < code_at_m.width())
            .unwrap_or(code_at_m)),
        Err(EncodeError::DataTooLong) => QrCode::with_error_correction_level(data, EcLevel::L)
            .map_err(|error| map_error(error, data.len())),
        Err(error) => Err(map_error(error, data.len())),
    }
}

fn map_error(error: EncodeError, length: usize) -> QrError {
    match error {
        EncodeError::DataTooLong => QrError::DataTooLong { length },
        other => QrError::Encoding {
            detail: other.to_string(),
        },
    }
}

mod sheet;
#[cfg(test)]
mod tests;

pub use sheet::{render_sheets_svg, SheetCard, SHEET_COLUMNS, SHEET_ROWS};
