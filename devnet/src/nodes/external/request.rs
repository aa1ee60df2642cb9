//! The request of `open_channels_to`: its defaults and limits, and checking it.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use ldk_node::bitcoin::secp256k1::PublicKey;
use ldk_node::lightning::ln::msgs::SocketAddress;

use crate::nodes::config::{is_valid_node_name, CHANNEL_SATS_LIMIT, MIN_CHANNEL_SATS};
use crate::nodes::models::OpenExternalRequest;
use crate::nodes::peer::to_socket_address;
use crate::nodes::NodeError;

/// How long [`open_channels_to`](crate::nodes::DevnetApi::open_channels_to) waits when the request does not say, seconds.
pub const DEFAULT_EXTERNAL_TIMEOUT_SECS: u64 = 90;
/// The longest wait a request may ask for, seconds.
pub const MAX_EXTERNAL_TIMEOUT_SECS: u64 = 3600;

/// A checked [`OpenExternalRequest`].
#[derive(Debug, Clone)]
pub(super) struct External {
    pub(super) id: PublicKey,
    pub(super) addr: SocketAddress,
    pub(super) timeout: Duration,
}

impl OpenExternalRequest {
    /// Checks what can be checked without a devnet: the key parses, the address is a loopback
    /// socket address with a port, `from` lists 1-32-character `[A-Za-z0-9_-]` names once each,
    /// the capacity is within the devnet's channel limits
    /// ([`MIN_CHANNEL_SATS`]..[`CHANNEL_SATS_LIMIT`]), `push_msat` ≤ capacity × 1000, and the
    /// timeout is 1..=[`MAX_EXTERNAL_TIMEOUT_SECS`].
    pub fn validate(&self) -> Result<(), NodeError> {
        self.parse().map(|_| ())
    }

    pub(super) fn parse(&self) -> Result<External, NodeError> {
        let id =
            PublicKey::from_str(self.node_id.trim()).map_err(|e| NodeError::input("node_id", e))?;
        let addr = SocketAddr::from_str(self.address.trim())
            .map_err(|e| NodeError::input("address", e))?;
        if !addr.ip().is_loopback() {
            return Err(NodeError::input(
                "address",
                format!("{addr} is not a loopback address"),
            ));
        }
        if addr.port() == 0 {
            return Err(NodeError::input(
                "address",
                "port 0 is not a listening port",
            ));
        }
        if self.from.is_empty() {
            return Err(NodeError::input("from", "name at least one devnet node"));
        }
        let mut seen = HashSet::new();
        for name in &self.from {
            if !is_valid_node_name(name) {
                return Err(NodeError::input(
                    "from",
                    format!("node name {name:?} must be 1-32 characters of [A-Za-z0-9_-]"),
                ));
            }
            if !seen.insert(name.as_str()) {
                return Err(NodeError::input(
                    "from",
                    format!("{name:?} is listed twice"),
                ));
            }
        }
        if self.capacity_sats < MIN_CHANNEL_SATS || self.capacity_sats >= CHANNEL_SATS_LIMIT {
            return Err(NodeError::input(
                "capacity_sats",
                format!("must be at least {MIN_CHANNEL_SATS} and below {CHANNEL_SATS_LIMIT}"),
            ));
        }
        let capacity_msat = self
            .capacity_sats
            .checked_mul(1000)
            .ok_or_else(|| NodeError::input("capacity_sats", "too large"))?;
        if self.push_msat > capacity_msat {
            return Err(NodeError::input(
                "push_msat",
                format!("must be at most the capacity, {capacity_msat} msat"),
            ));
        }
        let secs = self.timeout_secs.unwrap_or(DEFAULT_EXTERNAL_TIMEOUT_SECS);
        if secs == 0 || secs > MAX_EXTERNAL_TIMEOUT_SECS {
            return Err(NodeError::input(
                "timeout_secs",
                format!("must be 1..={MAX_EXTERNAL_TIMEOUT_SECS}"),
            ));
        }
        Ok(External {
            id,
            addr: to_socket_address(addr),
            timeout: Duration::from_secs(secs),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "02eec7245d6b7d2ccb30380bfbe2a3648cd7a942653f5aa340edcea1f283686619";

    fn request() -> OpenExternalRequest {
        OpenExternalRequest {
            node_id: KEY.into(),
            address: "127.0.0.1:9735".into(),
            from: vec!["router1".into(), "router2".into()],
            capacity_sats: 500_000,
            push_msat: 500_000_000,
            announce: true,
            timeout_secs: None,
        }
    }

    fn field_of(r: &OpenExternalRequest) -> String {
        match r.validate() {
            Err(NodeError::InvalidInput { field, .. }) => field,
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn valid_request_parses() {
        let ext = request().parse().unwrap();
        assert_eq!(ext.id.to_string(), KEY);
        assert_eq!(ext.addr.to_string(), "127.0.0.1:9735");
        assert_eq!(
            ext.timeout,
            Duration::from_secs(DEFAULT_EXTERNAL_TIMEOUT_SECS)
        );
        let v6 = OpenExternalRequest {
            address: "[::1]:9735".into(),
            push_msat: 0,
            timeout_secs: Some(MAX_EXTERNAL_TIMEOUT_SECS),
            ..request()
        };
        assert!(v6.validate().is_ok());
    }

    #[test]
    fn validation_rejects_each_bad_field() {
        let cases: Vec<(OpenExternalRequest, &str)> = vec![
            (
                OpenExternalRequest {
                    node_id: "02zz".into(),
                    ..request()
                },
                "node_id",
            ),
            (
                OpenExternalRequest {
                    node_id: KEY[..64].into(),
                    ..request()
                },
                "node_id",
            ),
            (
                OpenExternalRequest {
                    address: "10.0.0.1:9735".into(),
                    ..request()
                },
                "address",
            ),
            (
                OpenExternalRequest {
                    address: "localhost:9735".into(),
                    ..request()
                },
                "address",
            ),
            (
                OpenExternalRequest {
                    address: "127.0.0.1:0".into(),
                    ..request()
                },
                "address",
            ),
            (
                OpenExternalRequest {
                    from: vec![],
                    ..request()
                },
                "from",
            ),
            (
                OpenExternalRequest {
                    from: vec!["router1".into(), "router1".into()],
                    ..request()
                },
                "from",
            ),
            (
                OpenExternalRequest {
                    from: vec!["a/b".into()],
                    ..request()
                },
                "from",
            ),
            (
                OpenExternalRequest {
                    from: vec!["x".repeat(33)],
                    ..request()
                },
                "from",
            ),
            (
                OpenExternalRequest {
                    capacity_sats: MIN_CHANNEL_SATS - 1,
                    push_msat: 0,
                    ..request()
                },
                "capacity_sats",
            ),
            (
                OpenExternalRequest {
                    capacity_sats: CHANNEL_SATS_LIMIT,
                    ..request()
                },
                "capacity_sats",
            ),
            (
                OpenExternalRequest {
                    capacity_sats: u64::MAX,
                    ..request()
                },
                "capacity_sats",
            ),
            (
                OpenExternalRequest {
                    push_msat: 500_000_001,
                    capacity_sats: 500_000,
                    ..request()
                },
                "push_msat",
            ),
            (
                OpenExternalRequest {
                    timeout_secs: Some(0),
                    ..request()
                },
                "timeout_secs",
            ),
            (
                OpenExternalRequest {
                    timeout_secs: Some(MAX_EXTERNAL_TIMEOUT_SECS + 1),
                    ..request()
                },
                "timeout_secs",
            ),
        ];
        for (req, field) in cases {
            assert_eq!(field_of(&req), field, "{req:?}");
        }
    }

    #[test]
    fn push_equal_to_capacity_is_allowed() {
        let full = OpenExternalRequest {
            push_msat: 500_000 * 1000,
            ..request()
        };
        assert!(full.validate().is_ok());
    }

    #[test]
    fn json_defaults_and_snake_case() {
        let json = format!(
            r#"{{"node_id":"{KEY}","address":"127.0.0.1:1","from":["r"],"capacity_sats":30000}}"#
        );
        let req: OpenExternalRequest = serde_json::from_str(&json).unwrap();
        assert_eq!(req.push_msat, 0);
        assert!(req.announce);
        assert_eq!(req.timeout_secs, None);
        assert!(req.validate().is_ok());
        let back = serde_json::to_value(&req).unwrap();
        assert_eq!(back["capacity_sats"], 30_000);
        assert_eq!(back["announce"], true);
    }
}
