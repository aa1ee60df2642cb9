//! Public tournaments: the lobby anyone may read and the join anyone may make, without a key,
//! for tournaments created with `public_join` (a join link handed to players, as the console
//! shows it). A join here is the organizer's account joining the player, exactly as a key of
//! that account would; everything else about the tournament stays behind the account's keys.

use std::collections::HashMap;

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    EntryStatus, JoinTournamentRequest, PublicPlayer, PublicTournament, TournamentEntry,
};
use etrid_core::tournament::PrizePool;

use super::Engine;
use crate::error::ServerError;
use crate::store::AuthContext;

impl Engine {
    /// The lobby of a public tournament: terms, seats, seated players and their prizes.
    ///
    /// # Errors
    /// `not_found` for an unknown or private tournament; database failures.
    pub async fn public_tournament(&self, id: &str) -> Result<PublicTournament, ServerError> {
        // A plain read, as keyed reads are: the runner keeps seats and status current, and a
        // keyless route anyone can poll must not take the tournaments' lock.
        let t = self.store.public_tournament(id).await?.tournament;
        let prizes: HashMap<String, _> = self
            .store
            .tournament_payouts(&t.id)
            .await?
            .into_iter()
            .map(|p| (p.player_id.clone(), p))
            .collect();
        let players = self
            .store
            .tournament_entries(&t.id)
            .await?
            .into_iter()
            .map(|e| e.entry)
            .filter(|e| {
                matches!(
                    e.status,
                    EntryStatus::Held | EntryStatus::Settled | EntryStatus::Refunded
                )
            })
            .map(|e| {
                let prize = prizes.get(&e.player_id);
                PublicPlayer {
                    rank: prize.map(|p| p.rank),
                    prize_msat: prize.map(|p| p.amount_msat),
                    prize_status: prize.map(|p| p.status),
                    player_id: e.player_id,
                    status: e.status,
                }
            })
            .collect();
        // Before funding, the pool a full tournament will have (its terms were checked to be
        // representable when it was created, so the split cannot fail).
        let prize_total_msat = t.prize_total_msat.unwrap_or_else(|| {
            PrizePool::from_entries(t.entry_fee_msat, t.seats, t.organizer_fee_bps)
                .map_or(Msat::from_msat(0), |pool| pool.prize_total())
        });
        Ok(PublicTournament {
            id: t.id,
            name: t.name,
            status: t.status,
            entry_fee_msat: t.entry_fee_msat,
            seats: t.seats,
            seats_taken: t.seats_taken,
            payout_table_bps: t.payout_table_bps,
            organizer_fee_bps: t.organizer_fee_bps,
            join_deadline: t.join_deadline,
            prize_total_msat,
            players,
        })
    }

    /// Joins a player to a public tournament without a key: the organizer's account joins
    /// the player, as [`Engine::join_tournament`] does for a key of that account.
    ///
    /// # Errors
    /// `not_found` for an unknown or private tournament; as [`Engine::join_tournament`].
    pub async fn join_public_tournament(
        &self,
        id: &str,
        req: JoinTournamentRequest,
    ) -> Result<(TournamentEntry, bool), ServerError> {
        let rec = self.store.public_tournament(id).await?;
        let organizer = AuthContext::on_behalf_of(&rec.account_id);
        self.join_tournament(&organizer, id, req).await
    }
}
