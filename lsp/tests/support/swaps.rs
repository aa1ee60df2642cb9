//! Helpers of the swap end-to-end tests: the SDK's swap client of an account over the devnet's
//! Esplora API, fresh user addresses, and waiting for a swap's status at the LSP.

use std::time::{Duration, Instant};

use bitcoin::secp256k1::{Secp256k1, SecretKey};
use bitcoin::{Address, CompressedPublicKey};
use etrid_core::chain::EsploraChain;
use etrid_core::lsp::SwapStatus;
use etrid_core::native::{ReqwestTransport, TokioTimer};
use etrid_core::store::MemoryStore;
use etrid_core::swap::flow::SwapClient;
use etrid_core::swap::RescueKey;

use super::{Client, Harness};

/// The chain source the tests' swap clients use.
pub type Chain = EsploraChain<ReqwestTransport, TokioTimer>;

/// A swap client as the tests make it.
pub type Swaps = SwapClient<ReqwestTransport, TokioTimer, Chain, MemoryStore>;

/// The devnet's chain through its Esplora API.
pub fn chain(h: &Harness) -> Chain {
    let esplora = h.devnet.api().info().esplora_url;
    EsploraChain::new(&esplora, ReqwestTransport::new().unwrap(), TokioTimer)
}

/// A swap client of account `i` with rescue key `rescue` and an empty store.
pub fn swap_client(h: &Harness, i: usize, rescue: [u8; 32]) -> Swaps {
    SwapClient::new(
        h.admin(i),
        chain(h),
        MemoryStore::new(),
        RescueKey::from_bytes(rescue),
    )
}

/// A fresh regtest address of a key nobody else has.
pub fn user_address() -> Address {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).unwrap();
    let key = SecretKey::from_slice(&bytes).unwrap();
    Address::p2wpkh(
        &CompressedPublicKey(key.public_key(&Secp256k1::new())),
        bitcoin::Network::Regtest,
    )
}

/// Polls swap `id` until it has `status`; fails after 60 s.
pub async fn wait_status(client: &Client, id: &str, status: SwapStatus) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match client.get_swap(id).await {
            Ok(swap) if swap.status == status => return,
            Ok(swap) => assert!(Instant::now() < deadline, "swap {id} stuck: {swap:?}"),
            Err(e) => assert!(Instant::now() < deadline, "swap {id}: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
