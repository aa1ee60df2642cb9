//! Tournaments the LSP runs for the account: create, join (any key), watch, cancel, enter
//! results and pay the winners; the lobby and join of a public tournament (no key).

use etrid_core::lsp::{
    CreateTournamentRequest, JoinTournamentRequest, ListPageRequest, TournamentResultsRequest,
};
use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::{lsp, promise, JsClient};
use crate::convert::{from_js, from_js_or_default};

#[wasm_bindgen(js_class = Client)]
impl JsClient {
    /// Creates a tournament: entry fee, seats, payout table by rank, organizer fee, join
    /// deadline (admin scope).
    #[wasm_bindgen(js_name = createTournament, unchecked_return_type = "Promise<Tournament>")]
    pub fn create_tournament(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateTournamentRequest")] request: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let request: CreateTournamentRequest = from_js(request, "createTournament request")?;
            lsp(client.create_tournament(request).await)
        })
    }

    /// One tournament (any key).
    #[wasm_bindgen(js_name = getTournament, unchecked_return_type = "Promise<Tournament>")]
    pub fn get_tournament(&self, id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.get_tournament(&id).await) })
    }

    /// The account's tournaments, newest first, a page at a time (admin scope).
    #[wasm_bindgen(js_name = listTournaments, unchecked_return_type = "Promise<TournamentList>")]
    pub fn list_tournaments(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListPageRequest | undefined")] query: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let query: ListPageRequest = from_js_or_default(query, "listTournaments query")?;
            lsp(client.list_tournaments(query).await)
        })
    }

    /// Joins a player (any key): the entry, with the hold invoice (`bolt11`) the player pays.
    /// The seat is the player's once the payment is held; the fee is settled when every seat
    /// is taken, refunded if the tournament is cancelled.
    #[wasm_bindgen(js_name = joinTournament, unchecked_return_type = "Promise<TournamentEntry>")]
    pub fn join_tournament(
        &self,
        id: String,
        #[wasm_bindgen(unchecked_param_type = "JoinTournamentRequest")] request: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let request: JoinTournamentRequest = from_js(request, "joinTournament request")?;
            lsp(client.join_tournament(&id, request).await)
        })
    }

    /// The lobby of a tournament created with `public_join: true` (no key needed: a client
    /// made without `apiKey` may call it): its terms, seats, seated players and, once results
    /// are in, their prizes. What a join page shows players.
    #[wasm_bindgen(
        js_name = getPublicTournament,
        unchecked_return_type = "Promise<PublicTournament>"
    )]
    pub fn get_public_tournament(&self, id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.get_public_tournament(&id).await) })
    }

    /// Joins a player to a tournament created with `public_join: true`, without a key (as
    /// `joinTournament` does with one): the entry, with the hold invoice (`bolt11`) the player
    /// pays from any wallet. The seat is the player's once the payment is held.
    #[wasm_bindgen(
        js_name = joinPublicTournament,
        unchecked_return_type = "Promise<TournamentEntry>"
    )]
    pub fn join_public_tournament(
        &self,
        id: String,
        #[wasm_bindgen(unchecked_param_type = "JoinTournamentRequest")] request: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let request: JoinTournamentRequest = from_js(request, "joinPublicTournament request")?;
            lsp(client.join_public_tournament(&id, request).await)
        })
    }

    /// Every entry of a tournament, in joining order (any key).
    #[wasm_bindgen(
        js_name = listTournamentEntries,
        unchecked_return_type = "Promise<TournamentEntryList>"
    )]
    pub fn list_tournament_entries(&self, id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.list_tournament_entries(&id).await) })
    }

    /// Cancels an open tournament: every held entry fee is failed back (admin scope).
    #[wasm_bindgen(js_name = cancelTournament, unchecked_return_type = "Promise<Tournament>")]
    pub fn cancel_tournament(&self, id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.cancel_tournament(&id).await) })
    }

    /// Enters the final standings of a funded tournament; answers every payout, exact to the
    /// millisatoshi (admin scope).
    #[wasm_bindgen(
        js_name = enterTournamentResults,
        unchecked_return_type = "Promise<TournamentPayoutList>"
    )]
    pub fn enter_tournament_results(
        &self,
        id: String,
        #[wasm_bindgen(unchecked_param_type = "TournamentResultsRequest")] request: JsValue,
    ) -> Promise {
        let client = self.inner.clone();
        promise(async move {
            let request: TournamentResultsRequest =
                from_js(request, "enterTournamentResults request")?;
            lsp(client.enter_tournament_results(&id, request).await)
        })
    }

    /// Pays the winners, or retries failed payouts; no one is paid twice (admin scope).
    #[wasm_bindgen(
        js_name = payTournament,
        unchecked_return_type = "Promise<TournamentPayoutList>"
    )]
    pub fn pay_tournament(&self, id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.pay_tournament(&id).await) })
    }

    /// Every payout of a tournament, best rank first (admin scope).
    #[wasm_bindgen(
        js_name = listTournamentPayouts,
        unchecked_return_type = "Promise<TournamentPayoutList>"
    )]
    pub fn list_tournament_payouts(&self, id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.list_tournament_payouts(&id).await) })
    }

    /// A tournament's audit log, oldest first (admin scope).
    #[wasm_bindgen(
        js_name = tournamentAudit,
        unchecked_return_type = "Promise<TournamentAuditLog>"
    )]
    pub fn tournament_audit(&self, id: String) -> Promise {
        let client = self.inner.clone();
        promise(async move { lsp(client.tournament_audit(&id).await) })
    }
}
