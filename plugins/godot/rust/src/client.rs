//! `LightningClient`: the node a Godot game adds to its scene. Set `base_url`, `api_key` and
//! `network` in the inspector (or call `open_with`), then call it from GDScript: every call
//! returns a [`LightningRequest`] to `await`, and the account's events arrive as signals
//! (`invoice_paid`, `payment_succeeded`, `tournament_updated`, …). Everything is emitted from
//! `_process` on the main thread (Godot objects are not `Send`); the work runs in the
//! engine-independent [`Session`].

use std::collections::{HashMap, VecDeque};

use etrid_core::lsp::{EventPayload, HubEvent, Operation};
use godot::classes::{INode, ImageTexture};
use godot::prelude::*;
use serde_json::{json, Value};

use crate::convert::{answer_dictionary, arguments_json, to_dictionary};
use crate::error::GodotError;
use crate::qr::qr_texture;
use crate::request::LightningRequest;
use crate::session::Session;

/// Completions and events handed to GDScript per frame at most (the rest wait for the next).
const PER_FRAME: usize = 64;

/// A Lightning client of one LSP account, as a node.
#[derive(GodotClass)]
#[class(base=Node)]
pub struct LightningClient {
    /// The LSP's API URL (`https://lsp.example.com`).
    #[export]
    base_url: GString,
    /// The account's API key: an `invoice` key in a game client (it can create invoices and
    /// read events, never pay).
    #[export]
    api_key: GString,
    /// `bitcoin`, `testnet`, `signet` or `regtest`: invoices of another network are refused.
    #[export]
    network: GString,
    /// Open when the node enters the scene (with the exported settings).
    #[export]
    open_on_ready: bool,
    /// Listen to the account's events once open (live ones; `start_events(after)` resumes).
    #[export]
    listen_to_events: bool,
    session: Option<Session>,
    /// Node request id → the session's, and the requests waiting for their answer.
    session_ids: HashMap<u64, u64>,
    requests: HashMap<u64, Gd<LightningRequest>>,
    /// Requests refused before they started: answered on the next frame.
    refused: VecDeque<(u64, Value)>,
    next_id: u64,
    base: Base<Node>,
}

#[godot_api]
impl INode for LightningClient {
    fn init(base: Base<Node>) -> Self {
        LightningClient {
            base_url: GString::new(),
            api_key: GString::new(),
            network: GString::from("bitcoin"),
            open_on_ready: true,
            listen_to_events: true,
            session: None,
            session_ids: HashMap::new(),
            requests: HashMap::new(),
            refused: VecDeque::new(),
            next_id: 1,
            base,
        }
    }

    fn ready(&mut self) {
        if self.open_on_ready && !self.base_url.is_empty() {
            let error = self.open();
            if !error.is_empty() {
                godot_error!("LightningClient: {}", error.get_or_nil("message"));
            }
        }
    }

    fn process(&mut self, _delta: f64) {
        self.pump();
    }

    fn exit_tree(&mut self) {
        self.close();
    }
}

#[godot_api]
impl LightningClient {
    /// A request finished (also fired on the request itself as `completed`).
    #[signal]
    fn request_completed(request_id: i64, ok: bool, result: VarDictionary);
    /// Any account event: its type (`invoice.paid`, …), what it carries, its id.
    #[signal]
    fn event_received(event_type: GString, data: VarDictionary, event_id: i64);
    /// An invoice was paid and credited.
    #[signal]
    fn invoice_paid(invoice: VarDictionary);
    /// A hold invoice's payment is held: settle or cancel it.
    #[signal]
    fn invoice_accepted(invoice: VarDictionary);
    /// An invoice expired unpaid.
    #[signal]
    fn invoice_expired(invoice: VarDictionary);
    /// An invoice was cancelled.
    #[signal]
    fn invoice_cancelled(invoice: VarDictionary);
    /// A payment succeeded (with its preimage and fee).
    #[signal]
    fn payment_succeeded(payment: VarDictionary);
    /// A payment failed (with `failure_reason`); its reservation was released.
    #[signal]
    fn payment_failed(payment: VarDictionary);
    /// A tournament changed: a seat taken or freed, funded, results, payouts, cancelled.
    #[signal]
    fn tournament_updated(tournament: VarDictionary);
    /// A player's entry changed.
    #[signal]
    fn tournament_entry(entry: VarDictionary);
    /// A winner's payout changed.
    #[signal]
    fn tournament_payout(payout: VarDictionary);
    /// A voucher was claimed.
    #[signal]
    fn voucher_claimed(voucher: VarDictionary);
    /// A voucher expired unclaimed; its value returned.
    #[signal]
    fn voucher_expired(voucher: VarDictionary);
    /// Another account of the LSP transferred to this one (a stream paying it).
    #[signal]
    fn transfer_received(transfer: VarDictionary);
    /// A keysend naming one of the account's Lightning Addresses was received and credited.
    #[signal]
    fn keysend_received(keysend: VarDictionary);
    /// A swap changed status (lockup seen or confirmed, paid, claimed, settled, refunded, ...).
    #[signal]
    fn swap_updated(swap: VarDictionary);
    /// The event stream reopened without a known position: re-read what you are watching.
    #[signal]
    fn events_resync();
    /// The event stream failed; it keeps retrying (nothing delivered is delivered again).
    #[signal]
    fn events_error(error: VarDictionary);

    /// Opens the client with the exported settings; an empty Dictionary on success, else the
    /// error (`{"code", "message"}`).
    #[func]
    fn open(&mut self) -> VarDictionary {
        let config = json!({
            "base_url": self.base_url.to_string(),
            "api_key": self.api_key.to_string(),
            "network": self.network.to_string(),
        });
        self.open_json(&config)
    }

    /// Opens the client with a configuration Dictionary (`base_url`, `api_key`, `network`,
    /// `request_timeout_ms`, `payment_policy`, `reconnect`), as every binding takes it.
    #[func]
    fn open_with(&mut self, config: VarDictionary) -> VarDictionary {
        match arguments_json(&config) {
            Ok(json) => self.open_json(&json),
            Err(e) => to_dictionary_or_empty(&e.to_json()),
        }
    }

    /// Closes the client: requests in flight complete as `cancelled`, the event stream closes.
    #[func]
    fn close(&mut self) {
        let ids: Vec<u64> = self.requests.keys().copied().collect();
        if let Some(mut session) = self.session.take() {
            for id in &ids {
                if let Some(session_id) = self.session_ids.get(id) {
                    session.cancel(*session_id);
                }
            }
        }
        self.session_ids.clear();
        let cancelled =
            etrid_core::lsp::error_json("cancelled", "the client was closed", false, None);
        for id in ids {
            self.refused.push_back((id, cancelled.clone()));
        }
    }

    /// Whether the client is open.
    #[func]
    fn is_open(&self) -> bool {
        self.session.is_some()
    }

    /// Any operation by its snake_case name (`create_invoice`, `join_tournament`,
    /// `create_stream`, …) with the API's fields as a Dictionary.
    #[func]
    fn request(&mut self, operation: GString, args: VarDictionary) -> Gd<LightningRequest> {
        let name = operation.to_string();
        let started = arguments_json(&args).and_then(|json| {
            let operation = Operation::from_name(&name)
                .ok_or(GodotError::UnknownOperation { name: name.clone() })?;
            self.start(operation, json)
        });
        self.track(&name, started)
    }

    /// Cancels a request: it completes as `cancelled` on the next frame. `false` when it has
    /// already completed.
    #[func]
    fn cancel(&mut self, request: Gd<LightningRequest>) -> bool {
        let Ok(id) = u64::try_from(request.bind().get_id()) else {
            return false;
        };
        let (Some(session), Some(session_id)) = (self.session.as_mut(), self.session_ids.get(&id))
        else {
            return false;
        };
        session.cancel(*session_id)
    }

    /// Creates an invoice for `amount_msat` (0: any amount) described by `description`.
    #[func]
    fn create_invoice(&mut self, amount_msat: i64, description: GString) -> Gd<LightningRequest> {
        let mut args = serde_json::Map::new();
        if amount_msat != 0 {
            args.insert("amount_msat".into(), amount_msat.into());
        }
        if !description.is_empty() {
            args.insert("description".into(), description.to_string().into());
        }
        self.named(Operation::CreateInvoice, Value::Object(args))
    }

    /// Waits until invoice `invoice_id` is paid, held, expired or cancelled, or `timeout_ms`
    /// passes (0: until its expiry): `{"status", "invoice"}`.
    #[func]
    fn wait_for_payment(&mut self, invoice_id: GString, timeout_ms: i64) -> Gd<LightningRequest> {
        let mut args = json!({ "invoice_id": invoice_id.to_string() });
        if timeout_ms > 0 {
            args["timeout_ms"] = timeout_ms.into();
        }
        self.named(Operation::WaitForPayment, args)
    }

    /// Pays a BOLT11 invoice (admin key); `idempotency_key` makes a retry never pay twice.
    #[func]
    fn pay_invoice(&mut self, bolt11: GString, idempotency_key: GString) -> Gd<LightningRequest> {
        let args =
            json!({ "bolt11": bolt11.to_string(), "idempotency_key": idempotency_key.to_string() });
        self.named(Operation::PayInvoice, args)
    }

    /// Creates a hold invoice for `payment_hash` (hex; the game keeps the preimage).
    #[func]
    fn create_hold_invoice(
        &mut self,
        payment_hash: GString,
        amount_msat: i64,
        description: GString,
    ) -> Gd<LightningRequest> {
        let mut args =
            json!({ "payment_hash": payment_hash.to_string(), "amount_msat": amount_msat });
        if !description.is_empty() {
            args["description"] = description.to_string().into();
        }
        self.named(Operation::CreateHoldInvoice, args)
    }

    /// Settles a held hold invoice with its preimage (hex).
    #[func]
    fn settle_hold_invoice(
        &mut self,
        invoice_id: GString,
        preimage: GString,
    ) -> Gd<LightningRequest> {
        let args =
            json!({ "invoice_id": invoice_id.to_string(), "preimage": preimage.to_string() });
        self.named(Operation::SettleHoldInvoice, args)
    }

    /// Cancels a hold invoice: the payer is refunded.
    #[func]
    fn cancel_hold_invoice(&mut self, invoice_id: GString) -> Gd<LightningRequest> {
        self.named(
            Operation::CancelHoldInvoice,
            json!({ "invoice_id": invoice_id.to_string() }),
        )
    }

    /// Sends `amount_msat` to node `destination` by keysend.
    #[func]
    fn keysend(
        &mut self,
        destination: GString,
        amount_msat: i64,
        idempotency_key: GString,
    ) -> Gd<LightningRequest> {
        let args = json!({
            "destination": destination.to_string(),
            "amount_msat": amount_msat,
            "idempotency_key": idempotency_key.to_string(),
        });
        self.named(Operation::Keysend, args)
    }

    /// The account's balance: `{"available_msat", "reserved_msat"}`.
    #[func]
    fn get_balance(&mut self) -> Gd<LightningRequest> {
        self.named(Operation::Balance, json!({}))
    }

    /// Joins player `player_id` to a tournament, prizes to `payout` (`{"type": "account",
    /// "account_id"}`, `{"type": "lightning_address", "address"}`, …): the entry with its
    /// hold invoice to pay.
    #[func]
    fn join_tournament(
        &mut self,
        tournament_id: GString,
        player_id: GString,
        payout: VarDictionary,
    ) -> Gd<LightningRequest> {
        let started = arguments_json(&payout).and_then(|payout| {
            let args = json!({
                "tournament_id": tournament_id.to_string(),
                "player_id": player_id.to_string(),
                "payout": payout,
            });
            self.start(Operation::JoinTournament, args)
        });
        self.track(&Operation::JoinTournament.name(), started)
    }

    /// A tournament: seats, pool, status, results.
    #[func]
    fn get_tournament(&mut self, tournament_id: GString) -> Gd<LightningRequest> {
        self.named(
            Operation::GetTournament,
            json!({ "tournament_id": tournament_id.to_string() }),
        )
    }

    /// Pauses a stream (time stops being charged).
    #[func]
    fn pause_stream(&mut self, stream_id: GString) -> Gd<LightningRequest> {
        self.named(
            Operation::PauseStream,
            json!({ "stream_id": stream_id.to_string() }),
        )
    }

    /// Resumes a paused stream.
    #[func]
    fn resume_stream(&mut self, stream_id: GString) -> Gd<LightningRequest> {
        self.named(
            Operation::ResumeStream,
            json!({ "stream_id": stream_id.to_string() }),
        )
    }

    /// Stops a stream for good: what its running time earned is paid.
    #[func]
    fn stop_stream(&mut self, stream_id: GString) -> Gd<LightningRequest> {
        self.named(
            Operation::StopStream,
            json!({ "stream_id": stream_id.to_string() }),
        )
    }

    /// Opens the account's event stream after event `after` (-1: live events only); each
    /// event then fires once, in order, across reconnects.
    #[func]
    fn start_events(&mut self, after: i64) -> VarDictionary {
        let Some(session) = self.session.as_mut() else {
            return to_dictionary_or_empty(&GodotError::NotOpen.to_json());
        };
        match session.start_events(u64::try_from(after).ok()) {
            Ok(()) => VarDictionary::new(),
            Err(e) => to_dictionary_or_empty(&e.to_json()),
        }
    }

    /// Closes the event stream.
    #[func]
    fn stop_events(&mut self) {
        if let Some(session) = self.session.as_mut() {
            session.stop_events();
        }
    }

    /// The id of the last event delivered (-1: none yet), to resume after it.
    #[func]
    fn last_event_id(&self) -> i64 {
        self.session
            .as_ref()
            .and_then(Session::last_event_id)
            .and_then(|id| i64::try_from(id).ok())
            .unwrap_or(-1)
    }

    /// `text` (an invoice, an LNURL) as a QR code texture, `module_pixels` pixels per module
    /// (1 to 32); null, with the reason in the log, when it cannot be drawn.
    #[func]
    fn qr_texture(&self, text: GString, module_pixels: i64) -> Option<Gd<ImageTexture>> {
        let pixels = u32::try_from(module_pixels).unwrap_or(0);
        match qr_texture(&text.to_string(), pixels) {
            Ok(texture) => Some(texture),
            Err(reason) => {
                godot_error!("LightningClient.qr_texture: {reason}");
                None
            }
        }
    }
}

impl LightningClient {
    fn open_json(&mut self, config: &Value) -> VarDictionary {
        self.close();
        match Session::new(&config.to_string()) {
            Ok(mut session) => {
                if self.listen_to_events {
                    if let Err(e) = session.start_events(None) {
                        return to_dictionary_or_empty(&e.to_json());
                    }
                }
                self.session = Some(session);
                VarDictionary::new()
            }
            Err(e) => to_dictionary_or_empty(&e.to_json()),
        }
    }

    /// Starts `operation` on the session: its session id.
    fn start(&mut self, operation: Operation, args: Value) -> Result<u64, GodotError> {
        self.session
            .as_mut()
            .ok_or(GodotError::NotOpen)?
            .call(operation, args)
    }

    /// Starts a named operation and tracks it.
    fn named(&mut self, operation: Operation, args: Value) -> Gd<LightningRequest> {
        let started = self.start(operation, args);
        self.track(&operation.name(), started)
    }

    /// The request object of a started (or refused) call.
    fn track(&mut self, name: &str, started: Result<u64, GodotError>) -> Gd<LightningRequest> {
        let id = self.next_id;
        self.next_id += 1;
        let request = LightningRequest::create(id, name);
        match started {
            Ok(session_id) => {
                self.session_ids.insert(session_id, id);
            }
            Err(e) => self.refused.push_back((id, e.to_json())),
        }
        self.requests.insert(id, request.clone());
        request
    }

    /// Hands what finished and what happened to GDScript, as signals on the main thread.
    fn pump(&mut self) {
        let mut finished: Vec<(u64, bool, Value)> = self
            .refused
            .drain(..)
            .map(|(id, error)| (id, false, error))
            .collect();
        let mut events = Vec::new();
        if let Some(session) = self.session.as_mut() {
            for completion in session.poll(PER_FRAME) {
                let Some(id) = self.session_ids.remove(&completion.request_id) else {
                    continue;
                };
                match completion.outcome {
                    Ok(answer) => finished.push((id, true, answer)),
                    Err(error) => finished.push((id, false, error)),
                }
            }
            events = session.poll_events(PER_FRAME);
        }
        // Signals are emitted with nothing of `self` borrowed, and the request's through a
        // `base_mut` guard (which lets Godot call back into this node): a handler, or a
        // coroutine resumed by `await`, may call the client again.
        for (id, ok, answer) in finished {
            let Some(mut request) = self.requests.remove(&id) else {
                continue;
            };
            let result = answer_dictionary(&answer);
            {
                let _reentrant = self.base_mut();
                request.bind_mut().complete(ok, &result);
            }
            let request_id = i64::try_from(id).unwrap_or(i64::MAX);
            self.signals()
                .request_completed()
                .emit(request_id, ok, &result);
        }
        for item in events {
            self.emit_event(&item);
        }
    }

    /// Fires the signals of one event-stream item.
    fn emit_event(&mut self, item: &HubEvent) {
        let event = match item {
            HubEvent::Event(event) => event,
            HubEvent::Resync => {
                self.signals().events_resync().emit();
                return;
            }
            HubEvent::StreamError(_) => {
                let json = item.to_json();
                let error = to_dictionary_or_empty(&json["error"]);
                self.signals().events_error().emit(&error);
                return;
            }
            _ => return,
        };
        let Ok(json) = serde_json::to_value(event.as_ref()) else {
            return;
        };
        let data = to_dictionary_or_empty(&json["data"]);
        let event_type = GString::from(event.event_type().as_str());
        let event_id = i64::try_from(event.id).unwrap_or(i64::MAX);
        self.signals()
            .event_received()
            .emit(&event_type, &data, event_id);
        let mut signals = self.signals();
        match &event.payload {
            EventPayload::InvoicePaid(_) => signals.invoice_paid().emit(&data),
            EventPayload::InvoiceAccepted(_) => signals.invoice_accepted().emit(&data),
            EventPayload::InvoiceExpired(_) => signals.invoice_expired().emit(&data),
            EventPayload::InvoiceCancelled(_) => signals.invoice_cancelled().emit(&data),
            EventPayload::PaymentSucceeded(_) => signals.payment_succeeded().emit(&data),
            EventPayload::PaymentFailed(_) => signals.payment_failed().emit(&data),
            EventPayload::TournamentUpdated(_) => signals.tournament_updated().emit(&data),
            EventPayload::TournamentEntry(_) => signals.tournament_entry().emit(&data),
            EventPayload::TournamentPayout(_) => signals.tournament_payout().emit(&data),
            EventPayload::VoucherClaimed(_) => signals.voucher_claimed().emit(&data),
            EventPayload::VoucherExpired(_) => signals.voucher_expired().emit(&data),
            EventPayload::TransferReceived(_) => signals.transfer_received().emit(&data),
            EventPayload::KeysendReceived(_) => signals.keysend_received().emit(&data),
            EventPayload::SwapUpdated(_) => signals.swap_updated().emit(&data),
        }
    }
}

/// A JSON object as a Dictionary (anything else: an empty one).
fn to_dictionary_or_empty(value: &Value) -> VarDictionary {
    value
        .as_object()
        .map_or_else(VarDictionary::new, to_dictionary)
}
