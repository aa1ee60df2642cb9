//! Reading LNURL service JSON: objects, the `{"status":"ERROR"}` convention, and typed fields
//! with errors that name the field at fault.

use serde_json::{Map, Value};

use super::LnurlError;

/// A JSON object from a service.
pub(crate) type Object = Map<String, Value>;

/// Parses `json` as a JSON object, without interpreting it.
pub(crate) fn parse_object(json: &str) -> Result<Object, LnurlError> {
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(LnurlError::InvalidJson {
            detail: "expected a JSON object".to_owned(),
        }),
        Err(e) => Err(LnurlError::InvalidJson {
            detail: e.to_string(),
        }),
    }
}

/// Parses `json` as a JSON object, turning a `{"status":"ERROR"}` answer into
/// [`LnurlError::ServiceError`].
pub(crate) fn parse_response(json: &str) -> Result<Object, LnurlError> {
    let object = parse_object(json)?;
    match service_error(&object) {
        Some(reason) => Err(LnurlError::ServiceError { reason }),
        None => Ok(object),
    }
}

/// The `reason` of a `{"status": "ERROR", "reason": ...}` object, or `None` for other objects.
pub(crate) fn service_error(object: &Object) -> Option<String> {
    let status = object.get("status")?.as_str()?;
    if !status.eq_ignore_ascii_case("ERROR") {
        return None;
    }
    let reason = match object.get("reason") {
        Some(Value::String(reason)) => reason.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    Some(reason)
}

/// The string field `field`, which must be present.
pub(crate) fn required_str<'a>(object: &'a Object, field: &str) -> Result<&'a str, LnurlError> {
    optional_str(object, field)?.ok_or_else(|| missing(field))
}

/// The string field `field`, or `None` if it is absent or `null`.
pub(crate) fn optional_str<'a>(
    object: &'a Object,
    field: &str,
) -> Result<Option<&'a str>, LnurlError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(invalid_field(field, "expected a string")),
    }
}

/// The non-negative integer field `field`, which must be present.
pub(crate) fn required_u64(object: &Object, field: &str) -> Result<u64, LnurlError> {
    optional_u64(object, field)?.ok_or_else(|| missing(field))
}

/// The non-negative integer field `field`, or `None` if it is absent or `null`.
pub(crate) fn optional_u64(object: &Object, field: &str) -> Result<Option<u64>, LnurlError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => number.as_u64().map(Some).ok_or_else(|| {
            invalid_field(
                field,
                "expected a non-negative integer number of millisatoshis",
            )
        }),
        Some(_) => Err(invalid_field(field, "expected a number")),
    }
}

/// A [`LnurlError::MissingField`] for `field`.
pub(crate) fn missing(field: &str) -> LnurlError {
    LnurlError::MissingField {
        field: field.to_owned(),
    }
}

/// A [`LnurlError::InvalidField`] for `field`.
pub(crate) fn invalid_field(field: &str, reason: &str) -> LnurlError {
    LnurlError::InvalidField {
        field: field.to_owned(),
        reason: reason.to_owned(),
    }
}

/// Checks the object's `tag` is `expected`.
pub(crate) fn expect_tag(object: &Object, expected: &str) -> Result<(), LnurlError> {
    let tag = required_str(object, "tag")?;
    if tag == expected {
        Ok(())
    } else {
        Err(LnurlError::UnsupportedTag {
            tag: tag.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_objects_become_service_errors() {
        assert_eq!(
            parse_response(r#"{"status":"ERROR","reason":"no route"}"#),
            Err(LnurlError::ServiceError {
                reason: "no route".to_owned()
            })
        );
        assert_eq!(
            parse_response(r#"{"status":"error"}"#),
            Err(LnurlError::ServiceError {
                reason: String::new()
            })
        );
        assert!(parse_response(r#"{"status":"OK"}"#).is_ok());
    }

    #[test]
    fn non_objects_are_invalid_json() {
        for json in ["", "[]", "3", "\"x\"", "{", "{\"a\":1,}"] {
            assert!(
                matches!(parse_response(json), Err(LnurlError::InvalidJson { .. })),
                "{json:?}"
            );
        }
    }

    #[test]
    fn fields_are_typed() {
        let object = parse_object(r#"{"s":"x","n":5,"neg":-1,"f":1.5,"b":true,"z":null}"#).unwrap();
        assert_eq!(required_str(&object, "s"), Ok("x"));
        assert_eq!(required_u64(&object, "n"), Ok(5));
        assert!(matches!(
            required_u64(&object, "neg"),
            Err(LnurlError::InvalidField { .. })
        ));
        assert!(matches!(
            required_u64(&object, "f"),
            Err(LnurlError::InvalidField { .. })
        ));
        assert!(matches!(
            required_str(&object, "b"),
            Err(LnurlError::InvalidField { .. })
        ));
        assert_eq!(required_str(&object, "z"), Err(missing("z")));
        assert_eq!(optional_u64(&object, "absent"), Ok(None));
    }
}
