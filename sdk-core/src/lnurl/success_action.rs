//! The `successAction` an LNURL-pay service may attach to its invoice: a message (LUD-09), a
//! URL on the service's own domain (LUD-09), or an AES-encrypted secret (LUD-10) to show once
//! the payment succeeds.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::json::{optional_str, required_str, Object};
use super::service_url::parse_service_url;
use super::LnurlError;

/// The longest `message` or `description` LUD-09 and LUD-10 allow, in characters.
pub const MAX_SUCCESS_TEXT_LEN: usize = 144;
/// The longest `ciphertext` LUD-10 allows, in characters.
pub const MAX_AES_CIPHERTEXT_LEN: usize = 4096;
/// The length of LUD-10's base64 `iv` (16 bytes), in characters.
const AES_IV_BASE64_LEN: usize = 24;

/// What to show the payer after an LNURL payment succeeds.
///
/// LUD-09 says a wallet must not pay if it cannot handle the success action, so unknown kinds
/// are refused when the callback response is parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "tag", rename_all = "snake_case")]
pub enum SuccessAction {
    /// Show `message` (LUD-09).
    Message {
        /// Up to 144 characters.
        message: String,
    },
    /// Show `description` and offer to open `url`, which is on the callback's domain (LUD-09).
    Url {
        /// Up to 144 characters.
        description: String,
        /// The page to open.
        url: String,
    },
    /// Decrypt `ciphertext` with the payment preimage (AES-256-CBC, LUD-10: see
    /// [`SuccessAction::decrypt`]) and show the plaintext with `description`.
    Aes {
        /// Up to 144 characters.
        description: String,
        /// Base64 ciphertext, up to 4,096 characters.
        ciphertext: String,
        /// Base64 initialisation vector, exactly 24 characters (16 bytes).
        iv: String,
    },
}

impl SuccessAction {
    /// Parses and validates a `successAction` value from a pay callback whose callback URL is
    /// on `callback_host`.
    pub(crate) fn parse(value: &Value, callback_host: &str) -> Result<SuccessAction, LnurlError> {
        let Value::Object(object) = value else {
            return Err(bad("successAction is not a JSON object"));
        };
        let tag = field(object, "tag")?;
        match tag {
            "message" => Ok(SuccessAction::Message {
                message: short_text(object, "message")?,
            }),
            "url" => {
                let description = short_text(object, "description")?;
                let url = field(object, "url")?;
                let parsed = parse_service_url(url)
                    .map_err(|e| bad(&format!("the url is not acceptable: {e}")))?;
                let same_domain = parsed
                    .host_str()
                    .is_some_and(|host| host.eq_ignore_ascii_case(callback_host));
                if !same_domain {
                    return Err(bad("the url is not on the callback's domain"));
                }
                Ok(SuccessAction::Url {
                    description,
                    url: String::from(parsed),
                })
            }
            "aes" => {
                let description = short_text(object, "description")?;
                let ciphertext = field(object, "ciphertext")?;
                let iv = field(object, "iv")?;
                if ciphertext.is_empty()
                    || ciphertext.len() > MAX_AES_CIPHERTEXT_LEN
                    || !is_base64(ciphertext)
                {
                    return Err(bad(
                        "the ciphertext is not base64 of at most 4096 characters",
                    ));
                }
                if iv.len() != AES_IV_BASE64_LEN || !is_base64(iv) {
                    return Err(bad("the iv is not 24 base64 characters"));
                }
                Ok(SuccessAction::Aes {
                    description,
                    ciphertext: ciphertext.to_owned(),
                    iv: iv.to_owned(),
                })
            }
            other => Err(bad(&format!("unsupported successAction tag {other:?}"))),
        }
    }
}

impl SuccessAction {
    /// The plaintext of an AES action (LUD-10), decrypted with the payment's `preimage` as the
    /// AES-256-CBC key and the action's IV; `None` for the other actions.
    ///
    /// # Errors
    /// [`LnurlError::InvalidSuccessAction`] when the ciphertext or IV is not base64 of the
    /// right length, the padding is wrong (another preimage, or a corrupt ciphertext), or the
    /// plaintext is not UTF-8 text of at most 144 characters. Show nothing then.
    pub fn decrypt(&self, preimage: &[u8; 32]) -> Result<Option<String>, LnurlError> {
        use aes::cipher::block_padding::Pkcs7;
        use aes::cipher::{BlockDecryptMut, KeyIvInit};
        use base64::Engine as _;

        let SuccessAction::Aes { ciphertext, iv, .. } = self else {
            return Ok(None);
        };
        let engine = base64::engine::general_purpose::STANDARD;
        let mut iv_bytes = [0u8; 16];
        match engine.decode_slice(iv.as_bytes(), &mut iv_bytes) {
            Ok(16) => {}
            _ => return Err(bad("the AES IV is not 16 bytes of base64")),
        }
        // Base64 never decodes to more bytes than 3/4 of its length.
        let mut buffer = vec![0u8; ciphertext.len() / 4 * 3 + 3];
        let len = engine
            .decode_slice(ciphertext.as_bytes(), &mut buffer)
            .map_err(|e| bad(&format!("the AES ciphertext is not base64: {e}")))?;
        let decryptor = cbc::Decryptor::<aes::Aes256>::new(preimage.into(), &iv_bytes.into());
        let plain = decryptor
            .decrypt_padded_mut::<Pkcs7>(&mut buffer[..len])
            .map_err(|_| bad("the AES ciphertext does not decrypt with this preimage"))?;
        let text =
            std::str::from_utf8(plain).map_err(|_| bad("the decrypted AES text is not UTF-8"))?;
        if text.chars().count() > MAX_SUCCESS_TEXT_LEN {
            return Err(bad("the decrypted AES text is longer than 144 characters"));
        }
        Ok(Some(text.to_owned()))
    }
}

/// The required string field `name` of a success action.
fn field<'a>(object: &'a Object, name: &str) -> Result<&'a str, LnurlError> {
    required_str(object, name).map_err(|e| bad(&e.to_string()))
}

/// A required string of at most [`MAX_SUCCESS_TEXT_LEN`] characters.
fn short_text(object: &Object, name: &str) -> Result<String, LnurlError> {
    let text = optional_str(object, name)
        .map_err(|e| bad(&e.to_string()))?
        .ok_or_else(|| bad(&format!("the {name} is missing")))?;
    if text.chars().count() > MAX_SUCCESS_TEXT_LEN {
        return Err(bad(&format!("the {name} is longer than 144 characters")));
    }
    Ok(text.to_owned())
}

/// Whether `text` uses only the standard base64 alphabet (RFC 4648 section 4).
fn is_base64(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

/// An [`LnurlError::InvalidSuccessAction`] with `reason`.
fn bad(reason: &str) -> LnurlError {
    LnurlError::InvalidSuccessAction {
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<SuccessAction, LnurlError> {
        let value: Value = serde_json::from_str(json).unwrap();
        SuccessAction::parse(&value, "pay.example.com")
    }

    #[test]
    fn parses_the_three_kinds() {
        assert_eq!(
            parse(
                r#"{"tag":"message","message":"Thank you for using bike-over-ln co! Your rental bike is unlocked now"}"#
            ),
            Ok(SuccessAction::Message {
                message: "Thank you for using bike-over-ln co! Your rental bike is unlocked now"
                    .to_owned()
            })
        );
        assert_eq!(
            parse(
                r#"{"tag":"url","description":"Your order","url":"https://pay.example.com/order/1"}"#
            ),
            Ok(SuccessAction::Url {
                description: "Your order".to_owned(),
                url: "https://pay.example.com/order/1".to_owned()
            })
        );
        assert!(matches!(
            parse(
                r#"{"tag":"aes","description":"Code","ciphertext":"AAAAAAAAAAAAAAAAAAAAAA==","iv":"AAAAAAAAAAAAAAAAAAAAAA=="}"#
            ),
            Ok(SuccessAction::Aes { .. })
        ));
    }

    /// LUD-10 with a vector made by `openssl enc -aes-256-cbc -K 01…01 -iv 00010203…0f`.
    #[test]
    fn aes_actions_decrypt_with_the_preimage_and_only_with_it() {
        let action = SuccessAction::Aes {
            description: "Your code".into(),
            ciphertext: "HSwtkt9ubYWUh8mmNDALfA==".into(),
            iv: "AAECAwQFBgcICQoLDA0ODw==".into(),
        };
        assert_eq!(
            action.decrypt(&[1u8; 32]).unwrap().as_deref(),
            Some("Your code: 1234")
        );
        let wrong = action.decrypt(&[2u8; 32]).unwrap_err();
        assert_eq!(wrong.code(), "lnurl_invalid_success_action");
        let short_iv = SuccessAction::Aes {
            description: "x".into(),
            ciphertext: "HSwtkt9ubYWUh8mmNDALfA==".into(),
            iv: "AAEC".into(),
        };
        assert!(short_iv.decrypt(&[1u8; 32]).is_err());
        let message = SuccessAction::Message {
            message: "hi".into(),
        };
        assert_eq!(message.decrypt(&[1u8; 32]).unwrap(), None);
    }

    #[test]
    fn refuses_unknown_or_malformed_actions() {
        let long = format!(r#"{{"tag":"message","message":"{}"}}"#, "x".repeat(145));
        let cases = [
            r#"{"tag":"confetti"}"#,
            r#"{"message":"no tag"}"#,
            r#""message""#,
            r#"{"tag":"message"}"#,
            r#"{"tag":"message","message":5}"#,
            long.as_str(),
            r#"{"tag":"url","description":"d","url":"https://evil.example.net/x"}"#,
            r#"{"tag":"url","description":"d","url":"http://pay.example.com/x"}"#,
            r#"{"tag":"url","description":"d","url":"not a url"}"#,
            r#"{"tag":"aes","description":"d","ciphertext":"AAAA","iv":"short"}"#,
            r#"{"tag":"aes","description":"d","ciphertext":"not base64!","iv":"AAAAAAAAAAAAAAAAAAAAAA=="}"#,
        ];
        for json in cases {
            assert!(
                matches!(parse(json), Err(LnurlError::InvalidSuccessAction { .. })),
                "{json:.60} was accepted"
            );
        }
    }
}
