//! Which URLs an LNURL may point to: `https`, or plain `http` only where TLS adds nothing
//! (Tor `.onion` services, per LUD-01) or cannot exist (loopback hosts, for local development
//! and our devnet LSP, which serves plain HTTP on 127.0.0.1).

use url::{Host, Url};

use super::LnurlError;

/// Parses `text` as an absolute URL and checks it is one an LNURL may point to.
pub(crate) fn parse_service_url(text: &str) -> Result<Url, LnurlError> {
    let url = Url::parse(text).map_err(|e| LnurlError::InvalidUrl {
        reason: e.to_string(),
    })?;
    check_service_url(&url)?;
    Ok(url)
}

/// Checks that `url` has a host and a scheme LNURL allows for that host.
pub(crate) fn check_service_url(url: &Url) -> Result<(), LnurlError> {
    let host = url.host().ok_or_else(|| LnurlError::InvalidUrl {
        reason: "the URL has no host".to_owned(),
    })?;
    let allowed = match url.scheme() {
        "https" => true,
        "http" => allows_plain_http(&host),
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(LnurlError::InsecureScheme {
            scheme: url.scheme().to_owned(),
            host: host.to_string(),
        })
    }
}

/// The scheme to reach `host` with: `http` for onion and loopback hosts, `https` otherwise.
pub(crate) fn web_scheme_for(host: &Host<&str>) -> &'static str {
    if allows_plain_http(host) {
        "http"
    } else {
        "https"
    }
}

/// True for hosts where plain HTTP is acceptable: Tor onion services and loopback addresses.
fn allows_plain_http(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(domain) => {
            let domain = domain.trim_end_matches('.').to_ascii_lowercase();
            domain.ends_with(".onion") || domain == "localhost" || domain.ends_with(".localhost")
        }
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_is_always_allowed() {
        assert!(parse_service_url("https://example.com/x").is_ok());
        assert!(parse_service_url("https://[2001:db8::1]/x").is_ok());
    }

    #[test]
    fn plain_http_only_for_onion_and_loopback() {
        for ok in [
            "http://abcdefghijklmnop.onion/pay",
            "http://127.0.0.1:8080/lnurlp/alice",
            "http://127.1.2.3/x",
            "http://localhost:3000/x",
            "http://[::1]:9000/x",
        ] {
            assert!(parse_service_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com/x",
            "http://10.0.0.1/x",
            "http://onion.com/",
        ] {
            assert!(
                matches!(
                    parse_service_url(bad),
                    Err(LnurlError::InsecureScheme { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn other_schemes_and_non_urls_are_refused() {
        assert!(matches!(
            parse_service_url("ftp://example.com/x"),
            Err(LnurlError::InsecureScheme { .. })
        ));
        assert!(matches!(
            parse_service_url("mailto:alice@example.com"),
            Err(LnurlError::InvalidUrl { .. })
        ));
        assert!(matches!(
            parse_service_url("not a url"),
            Err(LnurlError::InvalidUrl { .. })
        ));
    }
}
