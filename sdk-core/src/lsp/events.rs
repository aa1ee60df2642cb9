//! Account events: the `GET /v1/events` page and [`EventSubscription`], which follows the
//! WebSocket stream, resumes with `after=<last id>` after a drop (backoff on the [`Timer`]),
//! and never yields an event twice.

use std::time::Duration;

use futures_util::future::{select, Either};
use serde::Deserialize;

use super::client::Query;
use super::model::{EventList, EventType, ListEventsRequest, LspEvent, Validate};
use super::{LspClient, LspError};
use crate::timer::Timer;
use crate::transport::{EventStream, Method, Transport};

/// The stream's path.
const STREAM_PATH: &str = "/v1/events/stream";

/// The longest single sleep asked of the timer while reading (browser timers overflow on
/// longer ones); a read simply continues after it.
const MAX_READ_SLEEP: Duration = Duration::from_secs(3600);

impl<T: Transport, M: Timer> LspClient<T, M> {
    /// Events with id > `after`, ascending (`GET /v1/events`, invoice scope).
    ///
    /// # Errors
    /// `cursor_expired` ([`LspError::Api`], 410) when `after` is older than the retention.
    pub async fn list_events(&self, request: ListEventsRequest) -> Result<EventList, LspError> {
        request.validate()?;
        let query = Query::new()
            .opt("after", request.after)
            .opt("limit", request.limit);
        self.call(Method::Get, "/v1/events", &query, None).await
    }

    /// A subscription to the account's events: every event with id > `after` (or only live
    /// ones when `None`), then live events. Nothing is opened until the first read.
    pub fn subscribe_events(&self, after: Option<u64>) -> EventSubscription<T, M> {
        EventSubscription {
            client: self.clone(),
            last_id: after,
            stream: None,
            opened_at: Duration::ZERO,
            failures: 0,
            last_error: String::new(),
            ever_opened: false,
            blind_reopen: false,
            gap: false,
        }
    }
}

/// A resumable event stream: yields typed [`LspEvent`]s in id order, remembers the last id,
/// reconnects with `after=<last id>` when the stream fails or closes (per the client's
/// [`ReconnectPolicy`](super::ReconnectPolicy)), and drops any event it already yielded.
///
/// Reading is cancel-safe when the transport's `next_message` is: dropping a pending
/// [`next`](Self::next) loses no event.
pub struct EventSubscription<T, M> {
    client: LspClient<T, M>,
    last_id: Option<u64>,
    stream: Option<Box<dyn EventStream>>,
    /// When the current stream was opened (timer time).
    opened_at: Duration,
    /// Consecutive failures since the last delivered event or stable stream.
    failures: u32,
    last_error: String,
    /// Whether a stream was ever open.
    ever_opened: bool,
    /// A stream was reopened without a known last id: events in the gap cannot be replayed.
    blind_reopen: bool,
    /// A read returned `None` for such a reopen, not for its deadline.
    gap: bool,
}

impl<T, M> std::fmt::Debug for EventSubscription<T, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventSubscription")
            .field("last_id", &self.last_id)
            .field("connected", &self.stream.is_some())
            .field("failures", &self.failures)
            .finish_non_exhaustive()
    }
}

/// The envelope of a stream message, read first to learn its id and type.
#[derive(Deserialize)]
struct Envelope {
    id: u64,
    #[serde(rename = "type")]
    event_type: String,
}

impl<T: Transport, M: Timer> EventSubscription<T, M> {
    /// The id of the last event yielded (or the `after` given), to resume from later.
    pub fn last_id(&self) -> Option<u64> {
        self.last_id
    }

    /// Whether the last `None` from [`next_before`](Self::next_before) meant a gap (the stream
    /// reopened before any event id was known, so events in between cannot be replayed) rather
    /// than the deadline. Reading it clears it.
    pub fn take_gap(&mut self) -> bool {
        std::mem::take(&mut self.gap)
    }

    /// Whether a stream is currently open.
    pub fn is_connected(&self) -> bool {
        self.stream.is_some()
    }

    /// The next event, reconnecting as needed.
    ///
    /// # Errors
    /// [`LspError::StreamGaveUp`] after too many consecutive failures (the subscription can
    /// still be read again, starting a new round of attempts); [`LspError::Decode`] for a
    /// message that is not a valid event (the stream stays usable).
    pub async fn next(&mut self) -> Result<LspEvent, LspError> {
        loop {
            if let Some(event) = self.next_before(Duration::MAX).await? {
                return Ok(event);
            }
        }
    }

    /// The next event, or `None` once the timer's clock reaches `deadline` (a duration since
    /// the Unix epoch) first. Backoff waits are cut short at the deadline.
    ///
    /// Also `None` right after the stream was reopened while no event id is known yet (a
    /// subscription started with `after = None` that dropped before its first event): events
    /// of the gap cannot be replayed, so re-read the state you are watching, then read on.
    ///
    /// # Errors
    /// As [`next`](Self::next).
    pub async fn next_before(&mut self, deadline: Duration) -> Result<Option<LspEvent>, LspError> {
        loop {
            let now = self.client.timer().now();
            if now >= deadline {
                return Ok(None);
            }
            if self.stream.is_none() && !self.open(deadline).await? {
                return Ok(None);
            }
            if std::mem::take(&mut self.blind_reopen) {
                self.gap = true;
                return Ok(None);
            }
            let Some(stream) = self.stream.as_mut() else {
                continue;
            };
            let remaining = deadline
                .saturating_sub(self.client.timer().now())
                .min(MAX_READ_SLEEP);
            let read = stream.next_message();
            let sleep = self.client.timer().sleep(remaining);
            let message = match select(read, sleep).await {
                Either::Left((message, _)) => message,
                // The loop's first check returns at the deadline.
                Either::Right(((), _)) => continue,
            };
            match message {
                Some(Ok(text)) => {
                    self.failures = 0;
                    if let Some(event) = self.accept(&text)? {
                        return Ok(Some(event));
                    }
                }
                Some(Err(error)) => self.dropped(error.to_string()),
                None => self.dropped("closed by the server".to_owned()),
            }
        }
    }

    /// Opens the stream now if it is not open, retrying per the reconnect policy.
    ///
    /// # Errors
    /// [`LspError::StreamGaveUp`] when every attempt failed.
    pub async fn connect(&mut self) -> Result<(), LspError> {
        while self.stream.is_none() {
            self.open(Duration::MAX).await?;
        }
        Ok(())
    }

    /// Closes the stream; a later read reconnects from the last id.
    pub async fn close(&mut self) {
        if let Some(mut stream) = self.stream.take() {
            stream.close().await;
        }
    }

    /// Opens the stream after the backoff the failure count calls for. `Ok(false)` when the
    /// deadline came first.
    async fn open(&mut self, deadline: Duration) -> Result<bool, LspError> {
        let policy = self.client.config().reconnect;
        if self.failures > 0 {
            if self.failures >= policy.max_attempts {
                let attempts = self.failures;
                self.failures = 0;
                return Err(LspError::StreamGaveUp {
                    attempts,
                    last_error: std::mem::take(&mut self.last_error),
                });
            }
            let timer = self.client.timer();
            let wait = policy
                .backoff(self.failures)
                .min(deadline.saturating_sub(timer.now()));
            timer.sleep(wait).await;
            if timer.now() >= deadline {
                return Ok(false);
            }
        }
        let query = Query::new().opt("after", self.last_id);
        let url = self.client.ws_url(STREAM_PATH, &query);
        let headers: Vec<_> = self.client.auth_header().into_iter().collect();
        match self.client.transport().open_events(url, headers).await {
            Ok(stream) => {
                self.blind_reopen = self.ever_opened && self.last_id.is_none();
                self.ever_opened = true;
                self.stream = Some(stream);
                self.opened_at = self.client.timer().now();
                Ok(true)
            }
            Err(error) => {
                self.failures = self.failures.saturating_add(1);
                self.last_error = error.to_string();
                Ok(true)
            }
        }
    }

    /// Forgets a failed or closed stream and counts the failure, unless the stream had been
    /// stable for a full maximum backoff.
    fn dropped(&mut self, reason: String) {
        self.stream = None;
        let lived = self.client.timer().now().saturating_sub(self.opened_at);
        if lived >= self.client.config().reconnect.max_backoff {
            self.failures = 1;
        } else {
            self.failures = self.failures.saturating_add(1);
        }
        self.last_error = reason;
    }

    /// Decodes a message; `None` for an event already yielded or of a type this client does
    /// not know (skipped, but remembered as seen).
    fn accept(&mut self, text: &str) -> Result<Option<LspEvent>, LspError> {
        let envelope: Envelope = serde_json::from_str(text).map_err(|e| LspError::decode(&e))?;
        if self.last_id.is_some_and(|last| envelope.id <= last) {
            return Ok(None);
        }
        // Seen from here on, even if it does not decode: a bad event is reported once.
        self.last_id = Some(envelope.id);
        if EventType::from_name(&envelope.event_type).is_none() {
            return Ok(None);
        }
        serde_json::from_str(text)
            .map(Some)
            .map_err(|e| LspError::decode(&e))
    }
}
