//! Starting swaps: the index taken and stored first, the LSP asked, and its answer verified
//! field by field (script rebuilt from the keys, hash and timeout; amounts recomputed from the
//! fee terms; the timeout bounded from our own tip; a reverse swap's invoice decoded) before
//! the application is told where to lock or what to pay.

use bitcoin::hashes::{sha256, Hash};

use super::record::{self, StoredSwap, SwapProgress};
use super::{ReverseSwap, SubmarineSwap, SwapClient};
use crate::amount::Msat;
use crate::chain::ChainSource;
use crate::invoice::decode_invoice;
use crate::lsp::{
    CreateReverseSwapRequest, CreateSubmarineSwapRequest, LspSwap, PaymentHash, PublicKeyHex,
    SwapKind,
};
use crate::store::Store;
use crate::swap::{verify_reverse, verify_submarine, SwapError, SwapExpectations, SwapScript};
use crate::timer::Timer;
use crate::transport::Transport;

/// An answer that differs from what we asked or computed.
fn mismatch(field: &'static str, expected: impl ToString, found: impl ToString) -> SwapError {
    SwapError::ServerMismatch {
        field,
        expected: expected.to_string(),
        found: found.to_string(),
    }
}

/// Checks one field of the server's answer.
fn same<V: PartialEq + ToString>(
    field: &'static str,
    expected: V,
    found: V,
) -> Result<(), SwapError> {
    if expected == found {
        Ok(())
    } else {
        Err(mismatch(field, expected, found))
    }
}

impl<T: Transport, M: Timer, C: ChainSource, S: Store> SwapClient<T, M, C, S> {
    /// Starts a submarine swap: the LSP will pay `bolt11` once coins are locked; unpaid, they
    /// go back to `refund_address` after the timeout (with [`SwapClient::sync`]).
    ///
    /// # Errors
    /// The invoice does not decode for the LSP's network or has no amount; the LSP refuses;
    /// [`SwapError::ServerMismatch`], [`SwapError::FeeTooHigh`], a script check of
    /// [`verify_submarine`] or a timeout outside the policy: then nothing is to be locked.
    pub async fn create_submarine(
        &mut self,
        bolt11: &str,
        refund_address: &str,
    ) -> Result<SubmarineSwap, crate::Error> {
        let network = self.network();
        crate::swap::destination_script(refund_address, network)?;
        let invoice = decode_invoice(bolt11, network, self.lsp.timer())?;
        let invoice_msat = invoice
            .amount_msat
            .ok_or_else(|| mismatch("invoice amount", "an amount", "none"))?;
        let hash: PaymentHash = invoice
            .payment_hash
            .parse()
            .map_err(|e| mismatch("invoice payment hash", "hex", e))?;
        let index = record::reserve_index(&self.store).await?;
        let keys = self.rescue.derive_swap_keys(index)?;
        let mut stored = StoredSwap {
            index,
            kind: SwapKind::Submarine,
            id: None,
            payment_hash: hash,
            bolt11: invoice.bolt11.clone(),
            invoice_amount_msat: invoice_msat,
            onchain_amount_msat: Msat::ZERO,
            script: None,
            lockup_address: None,
            destination_address: refund_address.to_owned(),
            progress: SwapProgress::Requested,
        };
        record::save(&self.store, &stored).await?;
        let answer = self
            .lsp
            .create_submarine_swap(CreateSubmarineSwapRequest {
                bolt11: invoice.bolt11.clone(),
                refund_public_key: PublicKeyHex::from(keys.public_key()),
            })
            .await?;
        let verified = self
            .verify_submarine_answer(&answer, &stored, keys.public_key())
            .await;
        let (script, lockup_sat) = match verified {
            Ok(ok) => ok,
            Err(e) => {
                stored.id = Some(answer.id.clone());
                stored.progress = SwapProgress::Refused {
                    reason: e.to_string(),
                };
                record::save(&self.store, &stored).await?;
                return Err(e);
            }
        };
        stored.id = Some(answer.id.clone());
        stored.onchain_amount_msat = answer.onchain_amount_msat;
        stored.script = Some(script);
        stored.lockup_address = Some(answer.lockup_address.clone());
        stored.progress = SwapProgress::Open;
        record::save(&self.store, &stored).await?;
        Ok(SubmarineSwap {
            index,
            id: answer.id,
            lockup_address: answer.lockup_address,
            lockup_amount_sat: lockup_sat,
            timeout_height: answer.timeout_height,
        })
    }

    /// The submarine answer's checks; the script and the amount to lock.
    async fn verify_submarine_answer(
        &self,
        answer: &LspSwap,
        stored: &StoredSwap,
        our_key: bitcoin::secp256k1::PublicKey,
    ) -> Result<(SwapScript, u64), crate::Error> {
        same("kind", SwapKind::Submarine.as_str(), answer.kind.as_str())?;
        same("payment_hash", stored.payment_hash, answer.payment_hash)?;
        same(
            "user_public_key",
            PublicKeyHex::from(our_key),
            answer.user_public_key,
        )?;
        same(
            "invoice_amount_msat",
            stored.invoice_amount_msat,
            answer.invoice_amount_msat,
        )?;
        self.policy
            .check_fees(answer.fee_bps, answer.miner_fee_msat)?;
        let lockup_sat = answer
            .fees()
            .submarine_lockup_sat(stored.invoice_amount_msat.as_u64())?;
        same(
            "onchain_amount_msat",
            lockup_sat.saturating_mul(1_000),
            answer.onchain_amount_msat.as_u64(),
        )?;
        let window = (
            self.policy.submarine_min_timeout_blocks,
            self.policy.submarine_max_timeout_blocks,
        );
        let script = self
            .verified_script(answer, stored, our_key, window)
            .await?;
        Ok((script, lockup_sat))
    }

    /// Starts a reverse swap of `onchain_amount_sat`: pay the answered invoice, then
    /// [`SwapClient::sync`] claims the lockup to `claim_address` once it confirms.
    ///
    /// # Errors
    /// The LSP refuses (`swaps_unavailable` when its wallet is too small);
    /// [`SwapError::ServerMismatch`] (the invoice's hash, amount, payee or network),
    /// [`SwapError::FeeTooHigh`], a script check of [`verify_reverse`] or a timeout outside the
    /// policy: then nothing is to be paid.
    pub async fn create_reverse(
        &mut self,
        onchain_amount_sat: u64,
        claim_address: &str,
    ) -> Result<ReverseSwap, crate::Error> {
        let network = self.network();
        crate::swap::destination_script(claim_address, network)?;
        let onchain = Msat::from_sat(onchain_amount_sat)?;
        let info = self.lsp.swap_info().await?;
        same("network", network.to_string(), info.network.to_string())?;
        let index = record::reserve_index(&self.store).await?;
        let keys = self.rescue.derive_swap_keys(index)?;
        let preimage = self.rescue.derive_preimage(index)?;
        let hash = PaymentHash::from_bytes(preimage.payment_hash().to_byte_array());
        let mut stored = StoredSwap {
            index,
            kind: SwapKind::Reverse,
            id: None,
            payment_hash: hash,
            bolt11: String::new(),
            invoice_amount_msat: Msat::ZERO,
            onchain_amount_msat: onchain,
            script: None,
            lockup_address: None,
            destination_address: claim_address.to_owned(),
            progress: SwapProgress::Requested,
        };
        record::save(&self.store, &stored).await?;
        let answer = self
            .lsp
            .create_reverse_swap(CreateReverseSwapRequest {
                payment_hash: hash,
                claim_public_key: PublicKeyHex::from(keys.public_key()),
                onchain_amount_msat: onchain,
            })
            .await?;
        stored.id = Some(answer.id.clone());
        let verified = self
            .verify_reverse_answer(&answer, &stored, keys.public_key(), info.node_id)
            .await;
        let script = match verified {
            Ok(script) => script,
            Err(e) => {
                stored.progress = SwapProgress::Refused {
                    reason: e.to_string(),
                };
                record::save(&self.store, &stored).await?;
                return Err(e);
            }
        };
        stored.bolt11 = answer.bolt11.clone();
        stored.invoice_amount_msat = answer.invoice_amount_msat;
        stored.script = Some(script);
        stored.lockup_address = Some(answer.lockup_address.clone());
        stored.progress = SwapProgress::Open;
        record::save(&self.store, &stored).await?;
        Ok(ReverseSwap {
            index,
            id: answer.id,
            bolt11: answer.bolt11,
            invoice_amount_msat: answer.invoice_amount_msat,
            onchain_amount_sat,
            timeout_height: answer.timeout_height,
        })
    }

    /// The reverse answer's checks, its invoice decoded; the script.
    async fn verify_reverse_answer(
        &self,
        answer: &LspSwap,
        stored: &StoredSwap,
        our_key: bitcoin::secp256k1::PublicKey,
        lsp_node: crate::lsp::NodeId,
    ) -> Result<SwapScript, crate::Error> {
        same("kind", SwapKind::Reverse.as_str(), answer.kind.as_str())?;
        same("payment_hash", stored.payment_hash, answer.payment_hash)?;
        same(
            "user_public_key",
            PublicKeyHex::from(our_key),
            answer.user_public_key,
        )?;
        same(
            "onchain_amount_msat",
            stored.onchain_amount_msat,
            answer.onchain_amount_msat,
        )?;
        self.policy
            .check_fees(answer.fee_bps, answer.miner_fee_msat)?;
        let invoice_msat = answer
            .fees()
            .reverse_invoice_msat(stored.onchain_amount_msat.as_u64() / 1_000)?;
        same(
            "invoice_amount_msat",
            invoice_msat,
            answer.invoice_amount_msat.as_u64(),
        )?;
        // The invoice itself: our hash, that amount, the LSP's node, this network, not expired.
        let invoice = decode_invoice(&answer.bolt11, self.network(), self.lsp.timer())?;
        same(
            "invoice payment_hash",
            stored.payment_hash.to_string(),
            invoice.payment_hash,
        )?;
        same(
            "invoice amount_msat",
            invoice_msat,
            invoice.amount_msat.map_or(0, Msat::as_u64),
        )?;
        same("invoice payee", lsp_node.to_string(), invoice.payee_pubkey)?;
        let window = (
            self.policy.reverse_min_timeout_blocks,
            self.policy.reverse_max_timeout_blocks,
        );
        self.verified_script(answer, stored, our_key, window).await
    }

    /// The answer's script, rebuilt and checked: our key in our branch, the server's announced
    /// key in its own, our payment hash, the address, and a timeout within `window` (fewest,
    /// most) blocks of our own chain tip.
    async fn verified_script(
        &self,
        answer: &LspSwap,
        stored: &StoredSwap,
        our_key: bitcoin::secp256k1::PublicKey,
        window: (u32, u32),
    ) -> Result<SwapScript, crate::Error> {
        let tip = self.chain.tip_height().await?;
        let expected = SwapExpectations {
            our_pubkey: our_key,
            server_pubkey: Some(answer.server_public_key.public_key()),
            payment_hash: sha256::Hash::from_byte_array(stored.payment_hash.to_bytes()),
            min_timeout_height: tip.saturating_add(window.0),
            max_timeout_height: tip.saturating_add(window.1),
            network: self.network(),
        };
        let script_hex = answer.redeem_script.to_string();
        let script = match stored.kind {
            SwapKind::Submarine => {
                verify_submarine(&script_hex, &answer.lockup_address, &expected)?
            }
            SwapKind::Reverse => verify_reverse(&script_hex, &answer.lockup_address, &expected)?,
        };
        same(
            "timeout_height",
            script.timeout_height(),
            answer.timeout_height,
        )?;
        Ok(script)
    }
}
