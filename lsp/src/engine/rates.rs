//! Fiat exchange rates for quotes (S28), from a pluggable source. Three sources, one JSON shape
//! (an object of fiat units per bitcoin by ISO 4217 code, as decimal strings:
//! `{"EUR": "92000.50", "USD": "100000"}`):
//! - none: quotes are refused with `unknown_currency` (the default);
//! - a file of fixed rates (`--fiat-rates-file`), read again at every quote, so an operator, or a
//!   test, moves a price by rewriting it;
//! - an HTTP(S) URL (`--fiat-rates-url`, off by default), fetched at most every
//!   10 seconds and kept meanwhile; when it cannot be fetched, quotes are refused
//!   with `rates_unavailable` rather than made at a stale rate.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use tokio::sync::Mutex;

use crate::error::ServerError;

/// How long rates fetched over HTTP are used before they are fetched again.
pub(crate) const HTTP_RATES_MAX_AGE: Duration = Duration::from_secs(10);
/// How long one fetch may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest rates document read.
const MAX_RATES_BYTES: usize = 64 * 1024;

/// Rates by currency code.
type Rates = BTreeMap<String, Decimal>;

/// Where rates come from.
#[derive(Debug)]
pub enum RateSource {
    /// No rates: every quote is refused.
    None,
    /// A JSON file of fixed rates, read at every quote.
    File(PathBuf),
    /// A JSON document fetched over HTTP(S), kept for 10 seconds.
    Http(HttpRates),
}

/// Rates fetched from a URL and the last good fetch.
#[derive(Debug)]
pub struct HttpRates {
    url: String,
    client: reqwest::Client,
    last: Mutex<Option<(Instant, Rates)>>,
}

impl HttpRates {
    /// A source fetching `url`.
    ///
    /// # Errors
    /// [`ServerError::Config`] when the HTTP client cannot be built.
    pub fn new(url: &str) -> Result<HttpRates, ServerError> {
        let client = reqwest::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .build()
            .map_err(|e| ServerError::Config {
                reason: format!("fiat rates client: {e}"),
            })?;
        Ok(HttpRates {
            url: url.to_owned(),
            client,
            last: Mutex::new(None),
        })
    }

    async fn rates(&self) -> Result<Rates, ServerError> {
        let mut last = self.last.lock().await;
        if let Some((at, rates)) = last.as_ref() {
            if at.elapsed() < HTTP_RATES_MAX_AGE {
                return Ok(rates.clone());
            }
        }
        let unavailable = |reason: String| ServerError::RatesUnavailable {
            reason: format!("{}: {reason}", self.url),
        };
        let response = self
            .client
            .get(&self.url)
            .send()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if !response.status().is_success() {
            return Err(unavailable(format!("HTTP {}", response.status())));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if body.len() > MAX_RATES_BYTES {
            return Err(unavailable(format!("more than {MAX_RATES_BYTES} bytes")));
        }
        let rates: Rates = serde_json::from_slice(&body)
            .map_err(|e| unavailable(format!("not an object of decimal strings: {e}")))?;
        *last = Some((Instant::now(), rates.clone()));
        Ok(rates)
    }
}

impl RateSource {
    /// The source the options name: a file, a URL, or none.
    ///
    /// # Errors
    /// [`ServerError::Config`] when both a file and a URL are given, or the URL is not http(s).
    pub fn from_options(
        file: Option<&PathBuf>,
        url: Option<&str>,
    ) -> Result<RateSource, ServerError> {
        match (file, url) {
            (Some(_), Some(_)) => Err(ServerError::Config {
                reason: "give fiat_rates_file or fiat_rates_url, not both".into(),
            }),
            (Some(path), None) => Ok(RateSource::File(path.clone())),
            (None, Some(url)) => {
                let parsed = url::Url::parse(url).map_err(|e| ServerError::Config {
                    reason: format!("fiat_rates_url {url:?}: {e}"),
                })?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(ServerError::Config {
                        reason: format!("fiat_rates_url {url:?}: must be http or https"),
                    });
                }
                Ok(RateSource::Http(HttpRates::new(url)?))
            }
            (None, None) => Ok(RateSource::None),
        }
    }

    /// The current rate of `currency`, fiat units per bitcoin.
    ///
    /// # Errors
    /// `unknown_currency` when the source has no positive rate for it; `rates_unavailable`
    /// when the URL cannot be fetched; `internal_error` when the file cannot be read or parsed.
    pub async fn rate(&self, currency: &str) -> Result<Decimal, ServerError> {
        let rates = match self {
            RateSource::None => {
                return Err(ServerError::UnknownCurrency {
                    currency: currency.to_owned(),
                    reason: "this LSP has no fiat rates (--fiat-rates-file, --fiat-rates-url)"
                        .into(),
                })
            }
            RateSource::File(path) => read_file(path).await?,
            RateSource::Http(http) => http.rates().await?,
        };
        rates
            .get(currency)
            .copied()
            .filter(|rate| *rate > Decimal::ZERO)
            .ok_or_else(|| ServerError::UnknownCurrency {
                currency: currency.to_owned(),
                reason: format!("this LSP has no rate for {currency}"),
            })
    }
}

async fn read_file(path: &Path) -> Result<Rates, ServerError> {
    let file = path.to_path_buf();
    let text = tokio::task::spawn_blocking(move || std::fs::read_to_string(file))
        .await
        .map_err(|e| ServerError::Io {
            op: "read the fiat rates file",
            reason: e.to_string(),
        })?
        .map_err(|e| ServerError::Io {
            op: "read the fiat rates file",
            reason: format!("{}: {e}", path.display()),
        })?;
    serde_json::from_str(&text).map_err(|e| ServerError::Config {
        reason: format!("fiat rates file {}: {e}", path.display()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A plain HTTP server answering every request with `body` (and counting requests), on a
    /// thread: the rates provider a production LSP would call.
    fn serve(status: &'static str, body: &'static str) -> (String, Arc<AtomicUsize>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/rates.json", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&hits);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                counted.fetch_add(1, Ordering::SeqCst);
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        (url, hits)
    }

    #[tokio::test]
    async fn http_rates_are_fetched_kept_and_typed_when_missing_or_unreachable() {
        let (url, hits) = serve("200 OK", r#"{"EUR": "92000.50", "USD": "100000"}"#);
        let source = RateSource::from_options(None, Some(&url)).unwrap();
        assert_eq!(
            source.rate("EUR").await.unwrap(),
            Decimal::new(9_200_050, 2)
        );
        assert_eq!(source.rate("USD").await.unwrap(), Decimal::new(100_000, 0));
        assert_eq!(
            hits.load(Ordering::SeqCst),
            1,
            "kept, not fetched per quote"
        );
        let missing = source.rate("JPY").await.unwrap_err();
        assert!(
            matches!(missing, ServerError::UnknownCurrency { .. }),
            "{missing:?}"
        );

        let (broken, _) = serve("503 Service Unavailable", "{}");
        let down = RateSource::from_options(None, Some(&broken)).unwrap();
        let err = down.rate("EUR").await.unwrap_err();
        assert!(
            matches!(err, ServerError::RatesUnavailable { .. }),
            "{err:?}"
        );
        let (garbage, _) = serve("200 OK", "not json");
        let err = RateSource::from_options(None, Some(&garbage))
            .unwrap()
            .rate("EUR")
            .await
            .unwrap_err();
        assert!(
            matches!(err, ServerError::RatesUnavailable { .. }),
            "{err:?}"
        );
        let nowhere = RateSource::from_options(None, Some("http://127.0.0.1:9/rates")).unwrap();
        assert!(matches!(
            nowhere.rate("EUR").await.unwrap_err(),
            ServerError::RatesUnavailable { .. }
        ));
    }

    #[test]
    fn a_file_and_a_url_together_or_a_non_http_url_are_refused() {
        let file = PathBuf::from("/tmp/rates.json");
        assert!(RateSource::from_options(Some(&file), Some("https://x.example/r")).is_err());
        assert!(RateSource::from_options(None, Some("ftp://x.example/r")).is_err());
        assert!(matches!(
            RateSource::from_options(None, None).unwrap(),
            RateSource::None
        ));
    }
}
