//! JSON-RPC parameters: positional or named, with bitcoind's error codes and messages for
//! missing, mistyped and malformed values.

use std::str::FromStr;

use serde_json::Value;

/// bitcoind's `RPC_MISC_ERROR`.
pub(crate) const RPC_MISC_ERROR: i32 = -1;
/// bitcoind's `RPC_TYPE_ERROR`.
pub(crate) const RPC_TYPE_ERROR: i32 = -3;
/// bitcoind's `RPC_INVALID_PARAMETER`.
pub(crate) const RPC_INVALID_PARAMETER: i32 = -8;

/// An error object of a JSON-RPC reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RpcError {
    /// bitcoind's error code.
    pub(crate) code: i32,
    /// The message.
    pub(crate) message: String,
}

impl RpcError {
    /// An error with a code and message.
    pub(crate) fn new(code: i32, message: impl Into<String>) -> Self {
        RpcError {
            code,
            message: message.into(),
        }
    }
}

impl From<super::super::error::ChainError> for RpcError {
    fn from(e: super::super::error::ChainError) -> Self {
        let (code, message) = e.rpc_error();
        RpcError { code, message }
    }
}

/// A method's parameters, in positional order.
#[derive(Debug)]
pub(crate) struct Params<'a> {
    method: &'a str,
    values: Vec<Value>,
}

/// The JSON type name bitcoind uses in type errors.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl<'a> Params<'a> {
    /// Reads `params` (array, object of named parameters, or null) for `method` whose
    /// parameter names are `names`. Fails like bitcoind on unknown names or too many values.
    pub(crate) fn new(
        method: &'a str,
        params: Option<&Value>,
        names: &[&str],
    ) -> Result<Self, RpcError> {
        let values = match params {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a.clone(),
            Some(Value::Object(map)) => {
                let mut values = vec![Value::Null; names.len()];
                for (key, value) in map {
                    let Some(pos) = names.iter().position(|n| n == key) else {
                        return Err(RpcError::new(
                            RPC_INVALID_PARAMETER,
                            format!("Unknown named parameter {key}"),
                        ));
                    };
                    if let Some(slot) = values.get_mut(pos) {
                        *slot = value.clone();
                    }
                }
                while values.last() == Some(&Value::Null) {
                    values.pop();
                }
                values
            }
            Some(_) => return Err(RpcError::new(-32600, "Params must be an array or object")),
        };
        if values.len() > names.len() {
            return Err(RpcError::new(
                RPC_MISC_ERROR,
                format!(
                    "{method}: too many parameters ({} > {})",
                    values.len(),
                    names.len()
                ),
            ));
        }
        Ok(Params { method, values })
    }

    /// The value at `i`, `None` when absent or null.
    pub(crate) fn opt(&self, i: usize) -> Option<&Value> {
        self.values.get(i).filter(|v| !v.is_null())
    }

    /// The value at `i`, or bitcoind's usage error.
    pub(crate) fn req(&self, i: usize, name: &str) -> Result<&Value, RpcError> {
        self.opt(i).ok_or_else(|| self.missing(name))
    }

    fn missing(&self, name: &str) -> RpcError {
        RpcError::new(
            RPC_MISC_ERROR,
            format!("{}: missing required parameter '{name}'", self.method),
        )
    }

    /// A required string.
    pub(crate) fn str(&self, i: usize, name: &str) -> Result<&str, RpcError> {
        let v = self.req(i, name)?;
        v.as_str().ok_or_else(|| type_error(v, "string"))
    }

    /// A required 64-hex hash (block hash or txid) parsed as `T`.
    pub(crate) fn hash<T: FromStr>(&self, i: usize, name: &str) -> Result<T, RpcError> {
        let s = self.str(i, name)?;
        if s.len() != 64 {
            return Err(RpcError::new(
                RPC_INVALID_PARAMETER,
                format!("{name} must be of length 64 (not {}, for '{s}')", s.len()),
            ));
        }
        T::from_str(s).map_err(|_| {
            RpcError::new(
                RPC_INVALID_PARAMETER,
                format!("{name} must be hexadecimal string (not '{s}')"),
            )
        })
    }

    /// An integer (required when `default` is `None`).
    pub(crate) fn int(&self, i: usize, name: &str, default: Option<i64>) -> Result<i64, RpcError> {
        let Some(v) = self.opt(i) else {
            return default.ok_or_else(|| self.missing(name));
        };
        v.as_i64().ok_or_else(|| match v {
            Value::Number(_) => RpcError::new(RPC_TYPE_ERROR, "JSON integer out of range"),
            _ => type_error(v, "number"),
        })
    }

    /// A boolean, also accepting 0/1 as bitcoind does for verbosity flags.
    pub(crate) fn flag(&self, i: usize, default: bool) -> Result<bool, RpcError> {
        match self.opt(i) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::Number(n)) => Ok(n.as_i64().is_some_and(|n| n != 0)),
            Some(v) => Err(type_error(v, "bool")),
        }
    }

    /// A verbosity level: a number, or `true`/`false` for 1/0.
    pub(crate) fn verbosity(&self, i: usize, default: i64) -> Result<i64, RpcError> {
        match self.opt(i) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(i64::from(*b)),
            Some(Value::Number(n)) => n
                .as_i64()
                .ok_or_else(|| RpcError::new(RPC_TYPE_ERROR, "JSON integer out of range")),
            Some(v) => Err(type_error(v, "number")),
        }
    }
}

/// bitcoind's type error: `JSON value of type string is not of expected type number`.
fn type_error(v: &Value, expected: &str) -> RpcError {
    RpcError::new(
        RPC_TYPE_ERROR,
        format!(
            "JSON value of type {} is not of expected type {expected}",
            type_name(v)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitcoin::BlockHash;
    use serde_json::json;

    #[test]
    fn positional_and_named_parameters() {
        let arr = json!(["00".repeat(32), 0]);
        let p = Params::new("getblock", Some(&arr), &["blockhash", "verbosity"]).unwrap();
        assert!(p.hash::<BlockHash>(0, "blockhash").is_ok());
        assert_eq!(p.verbosity(1, 1).unwrap(), 0);
        let named = json!({"verbosity": 2, "blockhash": "ab"});
        let p = Params::new("getblock", Some(&named), &["blockhash", "verbosity"]).unwrap();
        assert_eq!(p.verbosity(1, 1).unwrap(), 2);
        let e = p.hash::<BlockHash>(0, "blockhash").unwrap_err();
        assert_eq!(e.code, RPC_INVALID_PARAMETER);
        assert_eq!(
            e.message,
            "blockhash must be of length 64 (not 2, for 'ab')"
        );
    }

    #[test]
    fn errors_match_bitcoind_codes() {
        let p = Params::new("getblockhash", Some(&json!(["1"])), &["height"]).unwrap();
        assert_eq!(p.int(0, "height", None).unwrap_err().code, RPC_TYPE_ERROR);
        let p = Params::new("getblockhash", None, &["height"]).unwrap();
        assert_eq!(p.int(0, "height", None).unwrap_err().code, RPC_MISC_ERROR);
        assert!(Params::new("getblockcount", Some(&json!([1])), &[]).is_err());
        assert!(Params::new("getblock", Some(&json!({"nope": 1})), &["blockhash"]).is_err());
    }
}
