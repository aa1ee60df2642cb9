//! The `metadata` of an LNURL-pay request (LUD-06, LUD-16): a JSON array of `[type, content]`
//! pairs, sent as a string whose SHA-256 the invoice must commit to.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::LnurlError;

/// The longest base64 image LUD-06 allows (100 kB of image data), in characters.
pub const MAX_IMAGE_BASE64_LEN: usize = 136_536;

/// What a pay request's metadata says about the payment, ready to show to the payer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayMetadata {
    /// The short description (`text/plain`, mandatory): show it in the payment dialog.
    pub description: String,
    /// A longer description (`text/long-desc`), which may contain newlines.
    pub long_description: Option<String>,
    /// A thumbnail (`image/png;base64` or `image/jpeg;base64`).
    pub image: Option<MetadataImage>,
    /// The internet identifier this payment link belongs to (`text/identifier`, LUD-16).
    pub identifier: Option<String>,
    /// The e-mail address this payment link belongs to (`text/email`, LUD-16).
    pub email: Option<String>,
}

/// A thumbnail carried in pay-request metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetadataImage {
    /// The image format.
    pub format: ImageFormat,
    /// The image bytes, base64-encoded as sent by the service.
    pub base64: String,
}

/// The image formats LUD-06 allows in metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageFormat {
    /// `image/png;base64`.
    Png,
    /// `image/jpeg;base64`.
    Jpeg,
}

impl PayMetadata {
    /// Parses and validates the raw `metadata` string of a pay request.
    ///
    /// Rules (LUD-06): a JSON array whose entries are arrays starting with a type string;
    /// exactly one `text/plain` entry; at most one image, PNG or JPEG, of at most
    /// [`MAX_IMAGE_BASE64_LEN`] base64 characters. Known types must carry a string; unknown
    /// types are ignored, as LUD-06 reserves them for future use. If an optional known type
    /// appears twice, the first entry is used.
    ///
    /// # Errors
    /// [`LnurlError::InvalidMetadata`] saying which rule was broken.
    pub fn parse(metadata: &str) -> Result<PayMetadata, LnurlError> {
        let entries = match serde_json::from_str::<Value>(metadata) {
            Ok(Value::Array(entries)) => entries,
            Ok(_) => return Err(bad("metadata is not a JSON array")),
            Err(e) => return Err(bad(&format!("metadata is not JSON: {e}"))),
        };
        let mut description = None;
        let mut parsed = PayMetadata {
            description: String::new(),
            long_description: None,
            image: None,
            identifier: None,
            email: None,
        };
        for entry in &entries {
            let Value::Array(pair) = entry else {
                return Err(bad("every metadata entry must be an array"));
            };
            let Some(Value::String(kind)) = pair.first() else {
                return Err(bad("every metadata entry must start with a type string"));
            };
            let content = || match pair.get(1) {
                Some(Value::String(content)) => Ok(content.clone()),
                _ => Err(bad(&format!("the {kind} entry must carry a string"))),
            };
            match kind.as_str() {
                "text/plain" => {
                    if description.is_some() {
                        return Err(bad("metadata has more than one text/plain entry"));
                    }
                    description = Some(content()?);
                }
                "image/png;base64" | "image/jpeg;base64" => {
                    if parsed.image.is_some() {
                        return Err(bad("metadata has more than one image"));
                    }
                    let base64 = content()?;
                    check_image(&base64)?;
                    let format = if kind == "image/png;base64" {
                        ImageFormat::Png
                    } else {
                        ImageFormat::Jpeg
                    };
                    parsed.image = Some(MetadataImage { format, base64 });
                }
                "text/long-desc" => set_once(&mut parsed.long_description, content()?),
                "text/identifier" => set_once(&mut parsed.identifier, content()?),
                "text/email" => set_once(&mut parsed.email, content()?),
                _ => {}
            }
        }
        parsed.description = description.ok_or_else(|| bad("metadata has no text/plain entry"))?;
        Ok(parsed)
    }
}

/// Stores `value` in `slot` unless an earlier entry already filled it.
fn set_once(slot: &mut Option<String>, value: String) {
    if slot.is_none() {
        *slot = Some(value);
    }
}

/// Checks an image's size and base64 alphabet (RFC 4648, whitespace tolerated).
fn check_image(base64: &str) -> Result<(), LnurlError> {
    if base64.chars().count() > MAX_IMAGE_BASE64_LEN {
        return Err(bad("the image is larger than 136536 base64 characters"));
    }
    let valid = base64.bytes().all(|b| {
        b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=') || b.is_ascii_whitespace()
    });
    if valid {
        Ok(())
    } else {
        Err(bad("the image is not base64"))
    }
}

/// An [`LnurlError::InvalidMetadata`] with `reason`.
fn bad(reason: &str) -> LnurlError {
    LnurlError::InvalidMetadata {
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_known_entry() {
        let raw = r#"[["text/plain","Coffee"],["text/long-desc","A cup of\ncoffee"],["image/png;base64","iVBORw0KGgo="],["text/identifier","alice@example.com"],["text/email","a@b.c"],["text/tag","x"],["future/type",{"a":1},2]]"#;
        let parsed = PayMetadata::parse(raw).unwrap();
        assert_eq!(parsed.description, "Coffee");
        assert_eq!(parsed.long_description.as_deref(), Some("A cup of\ncoffee"));
        assert_eq!(
            parsed.image,
            Some(MetadataImage {
                format: ImageFormat::Png,
                base64: "iVBORw0KGgo=".to_owned()
            })
        );
        assert_eq!(parsed.identifier.as_deref(), Some("alice@example.com"));
        assert_eq!(parsed.email.as_deref(), Some("a@b.c"));
    }

    #[test]
    fn minimal_metadata_from_lud06() {
        let parsed = PayMetadata::parse(r#"[["text/plain", "lorem ipsum blah blah"]]"#).unwrap();
        assert_eq!(parsed.description, "lorem ipsum blah blah");
        assert_eq!(parsed.image, None);
    }

    #[test]
    fn rejects_metadata_breaking_lud06() {
        let big_image = format!(
            r#"[["text/plain","x"],["image/jpeg;base64","{}"]]"#,
            "A".repeat(MAX_IMAGE_BASE64_LEN + 1)
        );
        let cases = [
            "",
            "not json",
            r#"{"text/plain":"x"}"#,
            r#""[[\"text/plain\",\"x\"]]""#,
            "[]",
            r#"[["text/long-desc","only long"]]"#,
            r#"[["text/plain","a"],["text/plain","b"]]"#,
            r#"[["text/plain",5]]"#,
            r#"[["text/plain"]]"#,
            r#"[["text/plain","x"],"loose string"]"#,
            r#"[["text/plain","x"],[]]"#,
            r#"[["text/plain","x"],[7,"x"]]"#,
            r#"[["text/plain","x"],["image/png;base64","aa"],["image/jpeg;base64","bb"]]"#,
            r#"[["text/plain","x"],["image/png;base64","not base64!"]]"#,
            r#"[["text/plain","x"],["text/identifier",null]]"#,
            big_image.as_str(),
        ];
        for raw in cases {
            assert!(
                matches!(
                    PayMetadata::parse(raw),
                    Err(LnurlError::InvalidMetadata { .. })
                ),
                "{raw:.80} was accepted"
            );
        }
    }
}
