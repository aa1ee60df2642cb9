//! Restoring swaps from the rescue key alone (a new device, a lost store), while the LSP still
//! answers: its list of the account's swaps is matched to our keys by index, and each swap is
//! verified again as when it was created (script rebuilt, our key, our hash for a reverse
//! swap) before it is stored. With the LSP gone *and* the store lost, the server's key and the
//! timeout of a swap are unknowable: keep the store.

use bitcoin::hashes::{sha256, Hash};

use super::record::{self, StoredSwap, SwapProgress};
use super::SwapClient;
use crate::chain::ChainSource;
use crate::lsp::{ListPageRequest, LspSwap, PublicKeyHex, SwapKind};
use crate::store::Store;
use crate::swap::{verify_reverse, verify_submarine, SwapExpectations, SwapScript};
use crate::timer::Timer;
use crate::transport::Transport;

/// How many unused indexes past the highest known one are tried (a swap whose creation failed
/// leaves its index unused).
pub const RESTORE_GAP: u32 = 20;

impl<T: Transport, M: Timer, C: ChainSource, S: Store> SwapClient<T, M, C, S> {
    /// Finds the account's swaps on the LSP that our rescue key made and stores each one not
    /// stored yet, verified again; their coins go to `destination_address` (the claim address of
    /// reverse swaps, the refund address of submarine ones). Returns the indexes restored; call
    /// [`SwapClient::sync_all`] next.
    ///
    /// # Errors
    /// The LSP, the store or the address; a swap that does not verify is skipped, not stored.
    pub async fn restore(&mut self, destination_address: &str) -> Result<Vec<u32>, crate::Error> {
        crate::swap::destination_script(destination_address, self.network())?;
        let mut answers = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .lsp
                .list_swaps(ListPageRequest {
                    limit: Some(100),
                    cursor,
                })
                .await?;
            answers.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let stored: Vec<u32> = record::load_all(&self.store)
            .await?
            .iter()
            .filter(|s| s.progress != SwapProgress::Requested)
            .map(|s| s.index)
            .collect();
        let mut restored = Vec::new();
        let mut index = 0u32;
        let mut last_found = record::next_index(&self.store).await?;
        while index <= last_found.saturating_add(RESTORE_GAP) {
            let key = PublicKeyHex::from(self.rescue.derive_swap_keys(index)?.public_key());
            if let Some(answer) = answers.iter().find(|a| a.user_public_key == key) {
                last_found = last_found.max(index);
                if !stored.contains(&index) {
                    if let Some(swap) = self.restored(index, answer, destination_address)? {
                        record::save(&self.store, &swap).await?;
                        record::bump_next_index(&self.store, index).await?;
                        restored.push(index);
                    }
                }
            }
            index = index.saturating_add(1);
            if index == u32::MAX {
                break;
            }
        }
        Ok(restored)
    }

    /// Swap `index` rebuilt from the LSP's record, if it verifies.
    fn restored(
        &self,
        index: u32,
        answer: &LspSwap,
        destination_address: &str,
    ) -> Result<Option<StoredSwap>, crate::Error> {
        let keys = self.rescue.derive_swap_keys(index)?;
        if answer.kind == SwapKind::Reverse {
            let preimage = self.rescue.derive_preimage(index)?;
            if preimage.payment_hash().to_byte_array() != answer.payment_hash.to_bytes() {
                return Ok(None);
            }
        }
        let expected = SwapExpectations {
            our_pubkey: keys.public_key(),
            server_pubkey: Some(answer.server_public_key.public_key()),
            payment_hash: sha256::Hash::from_byte_array(answer.payment_hash.to_bytes()),
            // The swap exists already: its timeout is what it is; only the script's shape, keys
            // and hash are checked.
            min_timeout_height: answer.timeout_height,
            max_timeout_height: answer.timeout_height,
            network: self.network(),
        };
        let script_hex = answer.redeem_script.to_string();
        let verified: Result<SwapScript, _> = match answer.kind {
            SwapKind::Submarine => verify_submarine(&script_hex, &answer.lockup_address, &expected),
            SwapKind::Reverse => verify_reverse(&script_hex, &answer.lockup_address, &expected),
        };
        let Ok(script) = verified else {
            return Ok(None);
        };
        Ok(Some(StoredSwap {
            index,
            kind: answer.kind,
            id: Some(answer.id.clone()),
            payment_hash: answer.payment_hash,
            bolt11: answer.bolt11.clone(),
            invoice_amount_msat: answer.invoice_amount_msat,
            onchain_amount_msat: answer.onchain_amount_msat,
            script: Some(script),
            lockup_address: Some(answer.lockup_address.clone()),
            destination_address: destination_address.to_owned(),
            progress: SwapProgress::Open,
        }))
    }
}
