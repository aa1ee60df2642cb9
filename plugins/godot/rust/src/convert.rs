//! JSON to Godot values and back: what GDScript hands the node (Dictionaries, Arrays, ints,
//! Strings) becomes the API's JSON, and the API's answers become Dictionaries. Amounts are
//! whole millisatoshis: Godot's `int` is 64-bit signed, which holds every amount (at most
//! 2.1 × 10¹⁸ msat); a float is refused where the API takes an integer, by the same checks as
//! every other binding.

use godot::builtin::VariantType;
use godot::prelude::*;
use serde_json::{Map, Number, Value};

use crate::error::GodotError;

/// `value` as a Godot value: objects as Dictionaries (string keys), arrays as Arrays, integers
/// as ints (one beyond `int`'s range, which the API never sends, as its decimal text).
pub(crate) fn to_variant(value: &Value) -> Variant {
    match value {
        Value::Null => Variant::nil(),
        Value::Bool(b) => b.to_variant(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_variant(),
            (None, _) if n.is_u64() => n.to_string().to_variant(),
            (None, Some(f)) => f.to_variant(),
            (None, None) => n.to_string().to_variant(),
        },
        Value::String(s) => s.to_variant(),
        Value::Array(items) => {
            let mut array = VarArray::new();
            for item in items {
                array.push(&to_variant(item));
            }
            array.to_variant()
        }
        Value::Object(map) => to_dictionary(map).to_variant(),
    }
}

/// A JSON object as a Dictionary with string keys.
pub(crate) fn to_dictionary(map: &Map<String, Value>) -> VarDictionary {
    let mut dictionary = VarDictionary::new();
    for (key, value) in map {
        dictionary.set(key.as_str(), &to_variant(value));
    }
    dictionary
}

/// A JSON value as a Dictionary: objects as they are, anything else under `"value"` (an
/// operation answering a list or a bare value still reaches GDScript as a Dictionary).
pub(crate) fn answer_dictionary(value: &Value) -> VarDictionary {
    match value {
        Value::Object(map) => to_dictionary(map),
        other => {
            let mut dictionary = VarDictionary::new();
            dictionary.set("value", &to_variant(other));
            dictionary
        }
    }
}

/// A Dictionary of arguments as a JSON object.
///
/// # Errors
/// [`GodotError::Argument`] naming the first value that has no JSON form.
pub(crate) fn arguments_json(arguments: &VarDictionary) -> Result<Value, GodotError> {
    dictionary_json(arguments, "args")
}

fn dictionary_json(dictionary: &VarDictionary, path: &str) -> Result<Value, GodotError> {
    let mut map = Map::new();
    for (key, value) in dictionary.iter_shared() {
        let name = match key.get_type() {
            VariantType::STRING | VariantType::STRING_NAME => key.to_string(),
            other => {
                return Err(GodotError::Argument {
                    path: path.to_owned(),
                    reason: format!("keys must be Strings, not {other:?}"),
                })
            }
        };
        let at = format!("{path}.{name}");
        let json = to_json(&value, &at)?;
        map.insert(name, json);
    }
    Ok(Value::Object(map))
}

/// A Godot value as JSON.
///
/// # Errors
/// [`GodotError::Argument`] for a value with no JSON form (objects, callables, vectors, a NaN).
pub(crate) fn to_json(value: &Variant, path: &str) -> Result<Value, GodotError> {
    let refused = |reason: String| GodotError::Argument {
        path: path.to_owned(),
        reason,
    };
    match value.get_type() {
        VariantType::NIL => Ok(Value::Null),
        VariantType::BOOL => value
            .try_to::<bool>()
            .map(Value::Bool)
            .map_err(|e| refused(e.to_string())),
        VariantType::INT => value
            .try_to::<i64>()
            .map(|i| Value::Number(i.into()))
            .map_err(|e| refused(e.to_string())),
        VariantType::FLOAT => {
            let f = value.try_to::<f64>().map_err(|e| refused(e.to_string()))?;
            Number::from_f64(f)
                .map(Value::Number)
                .ok_or_else(|| refused(format!("{f} is not a number JSON can carry")))
        }
        VariantType::STRING | VariantType::STRING_NAME => Ok(Value::String(value.to_string())),
        VariantType::DICTIONARY => {
            let dictionary = value
                .try_to::<VarDictionary>()
                .map_err(|e| refused(e.to_string()))?;
            dictionary_json(&dictionary, path)
        }
        VariantType::ARRAY => {
            let array = value
                .try_to::<VarArray>()
                .map_err(|e| refused(e.to_string()))?;
            let mut items = Vec::with_capacity(array.len());
            for (i, item) in array.iter_shared().enumerate() {
                items.push(to_json(&item, &format!("{path}[{i}]"))?);
            }
            Ok(Value::Array(items))
        }
        other => Err(refused(format!(
            "a {other:?} cannot be sent (use Dictionaries, Arrays, ints, bools and Strings)"
        ))),
    }
}
