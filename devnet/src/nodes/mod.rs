//! The node orchestrator: LDK Node peers (an LSP, routers, payers) on the devnet chain, their
//! funding and channels, payments, channels to external nodes and the operations the control
//! API serves.
//!
//! # Per-channel limits on payments in flight
//!
//! Two per-channel limits bound how many and how much HTLCs can be in flight:
//! - `ChannelHandshakeConfig::our_max_accepted_htlcs` (lightning 0.2.7 `util/config.rs:243`,
//!   default `DEFAULT_MAX_HTLCS = 50`, maximum `chan_utils::max_htlcs` = 483, or 114 for
//!   zero-fee-commitment channels): how many HTLCs a peer may have pending to a node on one
//!   channel. ldk-node 0.7.1 has no setting for it; the workspace uses it patched
//!   (`vendor/ldk-node`, `Builder::set_max_accepted_htlcs`), and every devnet node accepts
//!   [`MAX_ACCEPTED_HTLCS`] (483) on the channels it opens and accepts.
//! - `max_inbound_htlc_value_in_flight_percent_of_channel` (default 10): the acceptor of an
//!   announced channel lets at most 10 % of the capacity be in flight towards it. ldk-node raises
//!   it to 100 only for the opener of an unannounced channel (`lib.rs:1093-1099`) and for LSPS2
//!   service nodes (`builder.rs:1466-1479`). The devnet sizes channels (2,000,000 sat) so the
//!   cap still allows 200,000 sat in flight per channel.

mod api;
mod config;
mod devnet;
mod error;
mod external;
mod lnd;
mod models;
mod payments;
mod peer;
mod setup;

pub use api::{DevnetApi, MAX_BLOCKS_PER_CALL};
pub use config::{
    ChannelPlan, DevnetConfig, Role, ANCHOR_RESERVE_SATS, CHANNEL_SATS_LIMIT,
    DEFAULT_SPARE_ONCHAIN_SATS, EXTERNAL_NODE_FUNDING_SATS, MAX_ACCEPTED_HTLCS, MAX_LND_NODES,
    MIN_CHANNEL_SATS,
};
pub use devnet::Devnet;
pub use error::NodeError;
pub use external::{DEFAULT_EXTERNAL_TIMEOUT_SECS, MAX_EXTERNAL_TIMEOUT_SECS};
pub use lnd::{
    find_lnd_binary, LndAttempt, LndChannel, LndCreatedInvoice, LndInfo, LndInvoice,
    LndInvoiceHtlc, LndNode, LndPayReq, LndPayment, LndRest, LndSend, KEYSEND_PREIMAGE_TLV,
    LND_VERSION,
};
pub use models::{
    ChainInfo, ChannelSummary, CreatedInvoice, DevnetInfo, FundRequest, Funded, InvoiceRequest,
    KeysendRequest, LndSummary, MineRequest, Mined, NodeSummary, OpenExternalRequest,
    OpenedChannel, PayRequest, PaymentOutcome, PaymentState, TlvRecord,
};
pub use payments::{
    parse_tlvs, wait_payment, DEFAULT_INVOICE_EXPIRY_SECS, DEFAULT_PAYMENT_TIMEOUT,
    MIN_CUSTOM_TLV_TYPE,
};
pub use peer::DevnetNode;
