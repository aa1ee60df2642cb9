//! Lightning Addresses (LUD-16): `username@domain`, resolved to the LNURL-pay endpoint
//! `https://domain/.well-known/lnurlp/username`.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use url::Url;

use super::service_url::{check_service_url, web_scheme_for};
use super::LnurlError;

/// The longest username accepted, in characters (the RFC 5321 limit for an e-mail local part).
const MAX_USERNAME_LEN: usize = 64;
/// The longest domain name accepted, in characters (RFC 1035).
const MAX_DOMAIN_LEN: usize = 253;
/// The longest label of a domain name, in characters (RFC 1035).
const MAX_LABEL_LEN: usize = 63;

/// A validated Lightning Address such as `alice@example.com` (LUD-16).
///
/// The username is limited to `a-z 0-9 - _ .` plus `+` for LUD-16 tags (`alice+tips@…`).
/// LUD-16 allows only lowercase, so uppercase input is lowercased rather than refused (phones
/// capitalise the first letter); the domain, being case-insensitive, is lowercased too. The
/// domain is a DNS name, optionally with a port; for local development an IPv4 address or
/// `localhost` is accepted as well.
///
/// Serialised as the plain `username@domain` string, and validated again when deserialised.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LightningAddress {
    username: String,
    domain: String,
}

impl LightningAddress {
    /// Parses and validates `text` (`username@domain`, optionally prefixed `lightning:`).
    ///
    /// # Errors
    /// [`LnurlError::InvalidAddress`] saying what is wrong: no or several `@`, an empty or too
    /// long username, a forbidden character, or an invalid domain or port.
    pub fn parse(text: &str) -> Result<LightningAddress, LnurlError> {
        let text = text.trim();
        let text = match text.get(..10) {
            Some(head) if head.eq_ignore_ascii_case("lightning:") => text.get(10..).unwrap_or(""),
            _ => text,
        };
        let (username, domain) = text
            .split_once('@')
            .ok_or_else(|| invalid("a Lightning Address has the form username@domain"))?;
        if domain.contains('@') {
            return Err(invalid("a Lightning Address has exactly one '@'"));
        }
        let username = username.to_lowercase();
        check_username(&username)?;
        let domain = domain.to_ascii_lowercase();
        check_domain(&domain)?;
        Ok(LightningAddress { username, domain })
    }

    /// The username, lowercase (the part before `@`, including any `+tag`).
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The domain, lowercase, with its port if one was given.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The LNURL-pay endpoint to request: `https://domain/.well-known/lnurlp/username`, with
    /// `http` for `.onion` and loopback domains (LUD-16 and our local-development rule).
    ///
    /// # Errors
    /// [`LnurlError::InvalidAddress`] only if the validated parts still do not form a URL,
    /// which validation is meant to rule out.
    pub fn to_url(&self) -> Result<Url, LnurlError> {
        let https = format!(
            "https://{}/.well-known/lnurlp/{}",
            self.domain, self.username
        );
        let mut url = Url::parse(&https).map_err(|e| invalid(&e.to_string()))?;
        let scheme = url.host().map(|host| web_scheme_for(&host));
        if let Some(scheme @ "http") = scheme {
            url.set_scheme(scheme)
                .map_err(|()| invalid("cannot use plain http"))?;
        }
        check_service_url(&url).map_err(|e| invalid(&e.to_string()))?;
        Ok(url)
    }
}

impl fmt::Display for LightningAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.username, self.domain)
    }
}

impl FromStr for LightningAddress {
    type Err = LnurlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LightningAddress::parse(s)
    }
}

impl TryFrom<String> for LightningAddress {
    type Error = LnurlError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        LightningAddress::parse(&value)
    }
}

impl From<LightningAddress> for String {
    fn from(address: LightningAddress) -> String {
        address.to_string()
    }
}

/// An [`LnurlError::InvalidAddress`] with `reason`.
fn invalid(reason: &str) -> LnurlError {
    LnurlError::InvalidAddress {
        reason: reason.to_owned(),
    }
}

/// Checks a lowercased username against LUD-16's character set.
fn check_username(username: &str) -> Result<(), LnurlError> {
    if username.is_empty() {
        return Err(invalid("the username is empty"));
    }
    if username.chars().count() > MAX_USERNAME_LEN {
        return Err(invalid("the username is longer than 64 characters"));
    }
    if let Some(bad) = username
        .chars()
        .find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '-' | '_' | '.' | '+'))
    {
        return Err(LnurlError::InvalidAddress {
            reason: format!("the username may not contain {bad:?}"),
        });
    }
    Ok(())
}

/// Checks a lowercased `host[:port]`: a DNS name, `localhost` or an IPv4 address.
fn check_domain(domain: &str) -> Result<(), LnurlError> {
    let host = match domain.rsplit_once(':') {
        Some((host, port)) => {
            let valid_port = !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit())
                && port.parse::<u16>().is_ok_and(|p| p != 0);
            if !valid_port {
                return Err(invalid("the port is not a number from 1 to 65535"));
            }
            host
        }
        None => domain,
    };
    if host.is_empty() {
        return Err(invalid("the domain is empty"));
    }
    if host == "localhost" || host.parse::<Ipv4Addr>().is_ok() {
        return Ok(());
    }
    if host.len() > MAX_DOMAIN_LEN {
        return Err(invalid("the domain is longer than 253 characters"));
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return Err(invalid("the domain needs a dot, as in example.com"));
    }
    for label in &labels {
        let valid = !label.is_empty()
            && label.len() <= MAX_LABEL_LEN
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            return Err(LnurlError::InvalidAddress {
                reason: format!("{label:?} is not a valid domain label"),
            });
        }
    }
    if labels
        .last()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(invalid("the top-level domain cannot be numeric"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Parsing and rejecting addresses is scenario S04 (tests/scenarios/s04_lnurl.json, run by the
    // offline_scenarios integration test); here what the file cannot express.

    #[test]
    fn s04_address_displays_as_its_normalised_parts() {
        let address = LightningAddress::parse(" lightning:Satoshi@Bitcoin.ORG ").unwrap();
        assert_eq!(address.username(), "satoshi");
        assert_eq!(address.domain(), "bitcoin.org");
        assert_eq!(address.to_string(), "satoshi@bitcoin.org");
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let address = LightningAddress::parse("alice@example.com").unwrap();
        let json = serde_json::to_string(&address).unwrap();
        assert_eq!(json, "\"alice@example.com\"");
        assert_eq!(
            serde_json::from_str::<LightningAddress>(&json).unwrap(),
            address
        );
        assert!(serde_json::from_str::<LightningAddress>("\"nope\"").is_err());
        assert_eq!("alice@example.com".parse::<LightningAddress>(), Ok(address));
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(text in ".{0,200}") {
            if let Ok(address) = LightningAddress::parse(&text) {
                proptest::prop_assert!(address.to_url().is_ok());
            }
        }
    }
}
