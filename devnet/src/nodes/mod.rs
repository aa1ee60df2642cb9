//! The node orchestrator: LDK Node peers (an LSP, routers, payers) on the devnet chain, their
//! funding and channels, payments, channels to external nodes and the operations the control
//! API serves.
//!
//! # Throughput limits we cannot configure (ldk-node 0.7.1)
//!
//! Two per-channel limits bound how many and how much HTLCs can be in flight:
//! - `ChannelHandshakeConfig::our_max_accepted_htlcs` (lightning 0.2.7 `util/config.rs:243`,
//!   default `DEFAULT_MAX_HTLCS = 50`, maximum `chan_utils::max_htlcs` = 483, or 114 for
//!   zero-fee-commitment channels): at most 50 HTLCs towards a node per channel at once.
//! - `max_inbound_htlc_value_in_flight_percent_of_channel` (default 10): the acceptor of an
//!   announced channel lets at most 10 % of the capacity be in flight towards it. ldk-node raises
//!   it to 100 only for the opener of an unannounced channel (`lib.rs:1093-1099`) and for LSPS2
//!   service nodes (`builder.rs:1466-1479`).
//!
//! ldk-node builds its `UserConfig` internally (`config.rs:317 default_user_config`, then
//! `lib.rs:1089 open_channel_inner` and `event.rs:1240-1265` for inbound channels); its public
//! `Config` and `ChannelConfig` carry no handshake fields, and the `ChannelManager` (whose
//! `set_current_config` could change it) is private. So 483 cannot be set through the 0.7.1
//! API. What would unblock it: an ldk-node release exposing handshake settings in `Config`, or a
//! `[patch.crates-io]` fork of ldk-node 0.7.1 adding
//! `user_config.channel_handshake_config.our_max_accepted_htlcs = 483` (and
//! `max_inbound_htlc_value_in_flight_percent_of_channel = 100`) in `default_user_config`; the
//! devnet needs no code change either way. Until then the devnet sizes channels (2,000,000 sat)
//! so the 10 % in-flight cap still allows 200,000 sat per route, and benchmarks keep fewer than
//! 50 payments in flight per channel.

mod api;
mod config;
mod devnet;
mod error;
mod external;
mod models;
mod payments;
mod peer;
mod setup;

pub use api::{DevnetApi, MAX_BLOCKS_PER_CALL};
pub use config::{
    ChannelPlan, DevnetConfig, Role, ANCHOR_RESERVE_SATS, CHANNEL_SATS_LIMIT,
    DEFAULT_SPARE_ONCHAIN_SATS, MAX_ACCEPTED_HTLCS, MIN_CHANNEL_SATS,
};
pub use devnet::Devnet;
pub use error::NodeError;
pub use external::{DEFAULT_EXTERNAL_TIMEOUT_SECS, MAX_EXTERNAL_TIMEOUT_SECS};
pub use models::{
    ChainInfo, ChannelSummary, CreatedInvoice, DevnetInfo, FundRequest, Funded, InvoiceRequest,
    KeysendRequest, MineRequest, Mined, NodeSummary, OpenExternalRequest, OpenedChannel,
    PayRequest, PaymentOutcome, PaymentState, TlvRecord,
};
pub use payments::{
    parse_tlvs, wait_payment, DEFAULT_INVOICE_EXPIRY_SECS, DEFAULT_PAYMENT_TIMEOUT,
    MIN_CUSTOM_TLV_TYPE,
};
pub use peer::DevnetNode;
