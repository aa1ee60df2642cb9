//! Tournaments the LSP runs for the account: create, join, watch, cancel, enter results and
//! pay the winners (see [`super::model::LspTournament`] for the lifecycle).
//!
//! A game client (invoice-scope key) joins players, reads a tournament and its entries; the
//! organizer (admin key) does the rest.

use super::client::{checked_id, json_body, Query};
use super::model::{
    CreateTournamentRequest, JoinTournamentRequest, ListPageRequest, LspTournament,
    PublicTournament, TournamentAuditLog, TournamentEntry, TournamentEntryList, TournamentList,
    TournamentPayoutList, TournamentResultsRequest, Validate,
};
use super::{LspClient, LspError};
use crate::timer::Timer;
use crate::transport::{Method, Transport};

impl<T: Transport, M: Timer> LspClient<T, M> {
    /// Creates a tournament (`POST /v1/tournaments`, admin scope). With an `external_id`,
    /// creating again answers the same tournament.
    ///
    /// # Errors
    /// [`LspError::InvalidRequest`] naming the bad field (nothing sent); the server's
    /// `invalid_request` for a join deadline in the past or too far ahead.
    pub async fn create_tournament(
        &self,
        request: CreateTournamentRequest,
    ) -> Result<LspTournament, LspError> {
        request.validate()?;
        let body = json_body(&request)?;
        self.call(Method::Post, "/v1/tournaments", &Query::new(), body)
            .await
    }

    /// One tournament (`GET /v1/tournaments/{id}`, any key).
    ///
    /// # Errors
    /// [`LspError::NotFound`].
    pub async fn get_tournament(&self, id: &str) -> Result<LspTournament, LspError> {
        let id = checked_id("tournament_id", id)?;
        self.call(
            Method::Get,
            &format!("/v1/tournaments/{id}"),
            &Query::new(),
            None,
        )
        .await
    }

    /// The account's tournaments, newest first (`GET /v1/tournaments`, admin scope).
    ///
    /// # Errors
    /// Server and transport errors.
    pub async fn list_tournaments(
        &self,
        request: ListPageRequest,
    ) -> Result<TournamentList, LspError> {
        request.validate()?;
        let query = Query::new()
            .opt("limit", request.limit)
            .opt("cursor", request.cursor);
        self.call(Method::Get, "/v1/tournaments", &query, None)
            .await
    }

    /// Joins a player (`POST /v1/tournaments/{id}/join`, any key): answers the entry with the
    /// hold invoice the player pays. The seat is the player's once the payment is held; the
    /// fee is settled when every seat is taken, and refunded if the tournament is cancelled.
    /// Joining again while the entry invoice is unpaid answers the same entry.
    ///
    /// # Errors
    /// [`LspError::InvalidRequest`] for a bad player id or destination; the server's
    /// `tournament_closed` (deadline passed, full, cancelled) and `already_joined`.
    pub async fn join_tournament(
        &self,
        id: &str,
        request: JoinTournamentRequest,
    ) -> Result<TournamentEntry, LspError> {
        let id = checked_id("tournament_id", id)?;
        request.validate()?;
        let body = json_body(&request)?;
        self.call(
            Method::Post,
            &format!("/v1/tournaments/{id}/join"),
            &Query::new(),
            body,
        )
        .await
    }

    /// A public tournament's lobby (`GET /v1/public/tournaments/{id}`, no key needed): its
    /// terms, seats and seated players, and their prizes once results are in. A keyless
    /// client (empty API key) may call it: what a join page shows players.
    ///
    /// # Errors
    /// [`LspError::NotFound`] also for a tournament that does not take public joins.
    pub async fn get_public_tournament(&self, id: &str) -> Result<PublicTournament, LspError> {
        let id = checked_id("tournament_id", id)?;
        self.call(
            Method::Get,
            &format!("/v1/public/tournaments/{id}"),
            &Query::new(),
            None,
        )
        .await
    }

    /// Joins a player to a public tournament without a key
    /// (`POST /v1/public/tournaments/{id}/join`): as [`Self::join_tournament`], for a player
    /// who followed a join link. The player pays the entry's hold invoice from any wallet.
    ///
    /// # Errors
    /// As [`Self::join_tournament`]; [`LspError::NotFound`] for a tournament that does not
    /// take public joins; `rate_limited` when joins to it come faster than the server's
    /// invoice rate.
    pub async fn join_public_tournament(
        &self,
        id: &str,
        request: JoinTournamentRequest,
    ) -> Result<TournamentEntry, LspError> {
        let id = checked_id("tournament_id", id)?;
        request.validate()?;
        let body = json_body(&request)?;
        self.call(
            Method::Post,
            &format!("/v1/public/tournaments/{id}/join"),
            &Query::new(),
            body,
        )
        .await
    }

    /// Every entry of a tournament, in joining order (`GET /v1/tournaments/{id}/entries`, any
    /// key).
    ///
    /// # Errors
    /// [`LspError::NotFound`].
    pub async fn list_tournament_entries(&self, id: &str) -> Result<TournamentEntryList, LspError> {
        let id = checked_id("tournament_id", id)?;
        self.call(
            Method::Get,
            &format!("/v1/tournaments/{id}/entries"),
            &Query::new(),
            None,
        )
        .await
    }

    /// Cancels an open tournament (`POST /v1/tournaments/{id}/cancel`, admin scope): every
    /// held entry fee is failed back to its payer. Repeating it answers the cancelled
    /// tournament.
    ///
    /// # Errors
    /// The server's `conflict` once the tournament is full (its pool is settled).
    pub async fn cancel_tournament(&self, id: &str) -> Result<LspTournament, LspError> {
        let id = checked_id("tournament_id", id)?;
        self.call(
            Method::Post,
            &format!("/v1/tournaments/{id}/cancel"),
            &Query::new(),
            None,
        )
        .await
    }

    /// Enters the final standings of a funded tournament (`POST
    /// /v1/tournaments/{id}/results`, admin scope) and computes every payout, exact to the
    /// millisatoshi. Entering the same standings again answers the same; other standings are
    /// refused.
    ///
    /// # Errors
    /// [`LspError::InvalidRequest`] (a player who holds no settled entry, ranks out of order);
    /// `conflict` before the pool is funded or when other results were entered.
    pub async fn enter_tournament_results(
        &self,
        id: &str,
        request: TournamentResultsRequest,
    ) -> Result<TournamentPayoutList, LspError> {
        let id = checked_id("tournament_id", id)?;
        request.validate()?;
        let body = json_body(&request)?;
        self.call(
            Method::Post,
            &format!("/v1/tournaments/{id}/results"),
            &Query::new(),
            body,
        )
        .await
    }

    /// Pays the winners (`POST /v1/tournaments/{id}/payouts`, admin scope) and answers the
    /// payouts as they stand: payouts between accounts are done in the answer, Lightning
    /// payouts may still be in flight (`tournament.payout` events follow). Call it again to
    /// retry failed payouts: each payout is paid at most once, whatever happens.
    ///
    /// # Errors
    /// `conflict` before the results are entered.
    pub async fn pay_tournament(&self, id: &str) -> Result<TournamentPayoutList, LspError> {
        let id = checked_id("tournament_id", id)?;
        self.call(
            Method::Post,
            &format!("/v1/tournaments/{id}/payouts"),
            &Query::new(),
            None,
        )
        .await
    }

    /// Every payout of a tournament, best rank first (`GET /v1/tournaments/{id}/payouts`,
    /// admin scope).
    ///
    /// # Errors
    /// [`LspError::NotFound`].
    pub async fn list_tournament_payouts(
        &self,
        id: &str,
    ) -> Result<TournamentPayoutList, LspError> {
        let id = checked_id("tournament_id", id)?;
        self.call(
            Method::Get,
            &format!("/v1/tournaments/{id}/payouts"),
            &Query::new(),
            None,
        )
        .await
    }

    /// A tournament's audit log, oldest first (`GET /v1/tournaments/{id}/audit`, admin
    /// scope): every join, seat, settlement, refund, result and payout.
    ///
    /// # Errors
    /// [`LspError::NotFound`].
    pub async fn tournament_audit(&self, id: &str) -> Result<TournamentAuditLog, LspError> {
        let id = checked_id("tournament_id", id)?;
        self.call(
            Method::Get,
            &format!("/v1/tournaments/{id}/audit"),
            &Query::new(),
            None,
        )
        .await
    }
}
