//! Lightning Addresses (LUD-16) served for accounts: the admin operations, and the two LNURL-pay
//! endpoints any wallet calls without a key (LUD-06 with LUD-09 messages and LUD-12 comments).
//! Each payment is an ordinary invoice of the account whose description hash is the SHA-256 of
//! the address's metadata; the payer's comment and the address are kept in the invoice's
//! metadata, so the payee reads them from `invoice.paid`.

use bitcoin::hashes::{sha256, Hash};
use etrid_core::lnurl::encode_lnurl;
use etrid_core::lsp::limits::{
    DEFAULT_ADDRESS_MAX_MSAT, DEFAULT_ADDRESS_MIN_MSAT, MAX_ADDRESS_NAME_LEN,
};
use etrid_core::lsp::{
    CreateInvoiceRequest, CreateLightningAddressRequest, DescriptionHash, LightningAddressList,
    LspLightningAddress, Validate,
};
use serde_json::{json, Map, Value};

use super::Engine;
use crate::error::ServerError;
use crate::store::{AddressRecord, AuthContext, ListFilter, NewAddress};

/// How long a Lightning Address invoice stays payable: a wallet pays it right after asking.
const ADDRESS_INVOICE_EXPIRY_SECS: u64 = 600;

/// Where wallets reach this LSP: the base of its LNURL callbacks and the host of its Lightning
/// Addresses (`--public-url`, else the address the API listens on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// `scheme://host[:port][/prefix]`, no trailing slash.
    base: String,
    /// `host[:port]`: the part after `@`.
    host: String,
}

impl PublicUrl {
    /// The public URL `url` (http or https, no query or fragment).
    ///
    /// # Errors
    /// [`ServerError::Config`] for anything else.
    pub fn parse(url: &str) -> Result<PublicUrl, ServerError> {
        let bad = |reason: &str| ServerError::Config {
            reason: format!("public_url {url:?}: {reason}"),
        };
        let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad("must be http or https"));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(bad("must not have a query or fragment"));
        }
        let host = match (parsed.host_str(), parsed.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => return Err(bad("has no host")),
        };
        Ok(PublicUrl {
            base: parsed.as_str().trim_end_matches('/').to_owned(),
            host,
        })
    }

    /// `host[:port]`: the part after `@` of the addresses served here.
    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    /// `name@host`.
    fn address(&self, name: &str) -> String {
        format!("{name}@{}", self.host)
    }

    /// The LUD-16 endpoint of `name`.
    fn pay_request_url(&self, name: &str) -> String {
        format!("{}/.well-known/lnurlp/{name}", self.base)
    }

    /// The LUD-06 callback of `name`.
    fn callback_url(&self, name: &str) -> String {
        format!("{}/v1/lnurlp/{name}/callback", self.base)
    }

    /// The LNURL-withdraw link (LUD-03) of the voucher with `secret`.
    pub(crate) fn withdraw_url(&self, secret: &str) -> String {
        format!("{}/v1/lnurlw/{secret}", self.base)
    }

    /// Its callback, which takes the wallet's invoice.
    pub(crate) fn withdraw_callback_url(&self, secret: &str) -> String {
        format!("{}/v1/lnurlw/{secret}/callback", self.base)
    }
}

/// A LUD-06 error: `{"status": "ERROR", "reason"}` for the wallet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LnurlRefusal(pub String);

impl LnurlRefusal {
    /// The LUD-06 error JSON.
    pub fn to_json(&self) -> Value {
        json!({ "status": "ERROR", "reason": self.0 })
    }
}

impl From<ServerError> for LnurlRefusal {
    /// A refusal of the wallet's request says why; a failure of the server says only that.
    fn from(e: ServerError) -> LnurlRefusal {
        if e.code().http_status() < 500 {
            return LnurlRefusal(e.to_string());
        }
        tracing::warn!(error = %e, "LNURL request failed");
        LnurlRefusal("the service failed; try again".into())
    }
}

impl Engine {
    /// Creates a Lightning Address for the account.
    ///
    /// # Errors
    /// `invalid_request` for a bad name or bounds, `conflict` when the name is taken.
    pub async fn create_address(
        &self,
        ctx: &AuthContext,
        req: CreateLightningAddressRequest,
        public: &PublicUrl,
    ) -> Result<LspLightningAddress, ServerError> {
        req.validate()?;
        let record = self
            .store
            .insert_address(NewAddress {
                description: req
                    .description
                    .unwrap_or_else(|| format!("Pay {}", public.address(&req.name))),
                name: req.name,
                account_id: ctx.account_id.clone(),
                min_sendable: req.min_sendable_msat.unwrap_or(DEFAULT_ADDRESS_MIN_MSAT),
                max_sendable: req.max_sendable_msat.unwrap_or(DEFAULT_ADDRESS_MAX_MSAT),
                comment_allowed: req.comment_allowed.unwrap_or(0),
                success_message: req.success_message,
            })
            .await?;
        address_model(record, public)
    }

    /// A page of the account's addresses, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_addresses(
        &self,
        ctx: &AuthContext,
        filter: &ListFilter,
        public: &PublicUrl,
    ) -> Result<LightningAddressList, ServerError> {
        let (records, next_cursor) = self.store.list_addresses(&ctx.account_id, filter).await?;
        let items = records
            .into_iter()
            .map(|r| address_model(r, public))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LightningAddressList { items, next_cursor })
    }

    /// Deletes the account's address `name`.
    ///
    /// # Errors
    /// `not_found`.
    pub async fn delete_address(&self, ctx: &AuthContext, name: &str) -> Result<(), ServerError> {
        Ok(self.store.delete_address(&ctx.account_id, name).await?)
    }

    /// The LUD-06 pay request of `name`, for any wallet.
    ///
    /// # Errors
    /// A [`LnurlRefusal`] for an unknown name.
    pub async fn lnurl_pay_request(
        &self,
        name: &str,
        public: &PublicUrl,
    ) -> Result<Value, LnurlRefusal> {
        let served = self.served_address(name).await?;
        let record = &served.record;
        let mut answer = json!({
            "tag": "payRequest",
            "callback": public.callback_url(&served.requested),
            "minSendable": record.min_sendable.as_u64(),
            "maxSendable": record.max_sendable.as_u64(),
            "metadata": metadata(&served, public),
        });
        if record.comment_allowed > 0 {
            answer["commentAllowed"] = json!(record.comment_allowed);
        }
        Ok(answer)
    }

    /// The LUD-06 callback of `name`: an invoice of its account for `amount` msat whose
    /// description hash commits to the metadata, the comment kept in the invoice's metadata.
    /// `allow(name)` takes a token of the address's rate limit (asked only for served names,
    /// so unknown names cost the limiter nothing).
    ///
    /// # Errors
    /// A [`LnurlRefusal`] for an unknown name, the rate limit, a missing or out-of-range
    /// amount, or a comment longer than the address accepts.
    pub async fn lnurl_pay_callback(
        &self,
        name: &str,
        amount_msat: Option<u64>,
        comment: Option<String>,
        public: &PublicUrl,
        allow: impl FnOnce(&str) -> bool,
    ) -> Result<Value, LnurlRefusal> {
        let served = self.served_address(name).await?;
        let record = &served.record;
        if !allow(&record.name) {
            return Err(LnurlRefusal(
                "too many invoices asked of this address; try again shortly".into(),
            ));
        }
        let amount = amount_msat.ok_or_else(|| LnurlRefusal("amount (msat) is required".into()))?;
        if amount < record.min_sendable.as_u64() || amount > record.max_sendable.as_u64() {
            return Err(LnurlRefusal(format!(
                "amount must be {} to {} msat",
                record.min_sendable.as_u64(),
                record.max_sendable.as_u64()
            )));
        }
        let comment = comment.filter(|c| !c.is_empty());
        if let Some(comment) = &comment {
            let len = comment.chars().count();
            if len > record.comment_allowed as usize {
                return Err(LnurlRefusal(format!(
                    "the comment has {len} characters; at most {} are accepted",
                    record.comment_allowed
                )));
            }
        }
        let metadata_text = metadata(&served, public);
        let hash = sha256::Hash::hash(metadata_text.as_bytes()).to_byte_array();
        let mut invoice_metadata = Map::new();
        invoice_metadata.insert(
            "lightning_address".into(),
            json!(public.address(&served.requested)),
        );
        if let Some(tag) = &served.tag {
            invoice_metadata.insert("tag".into(), json!(tag));
        }
        if let Some(comment) = comment {
            invoice_metadata.insert("comment".into(), json!(comment));
        }
        let request = CreateInvoiceRequest {
            amount_msat: Some(etrid_core::amount::Msat::from_msat(amount)),
            description: None,
            description_hash: Some(DescriptionHash::from_bytes(hash)),
            expiry_secs: Some(ADDRESS_INVOICE_EXPIRY_SECS),
            external_id: None,
            metadata: Some(invoice_metadata),
            quote_id: None,
        };
        let ctx = AuthContext::on_behalf_of(&record.account_id);
        let (invoice, _) = self
            .create_invoice(&ctx, request)
            .await
            .map_err(LnurlRefusal::from)?;
        let mut answer = json!({ "pr": invoice.bolt11, "routes": [] });
        if let Some(message) = &record.success_message {
            answer["successAction"] = json!({ "tag": "message", "message": message });
        }
        Ok(answer)
    }

    /// The address `name` (`base` or `base+tag`, LUD-16) and its tag, or the refusal a wallet
    /// gets for a name this LSP does not serve.
    pub(super) async fn served_address(&self, name: &str) -> Result<Served, LnurlRefusal> {
        let name = name.to_ascii_lowercase();
        let (base, tag) = match name.split_once('+') {
            Some((base, tag)) => (base, Some(tag)),
            None => (name.as_str(), None),
        };
        let tag_ok = tag.is_none_or(|t| {
            !t.is_empty()
                && t.len() <= MAX_ADDRESS_NAME_LEN
                && t.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        });
        if !tag_ok {
            return Err(LnurlRefusal(format!(
                "the tag of {name:?} must be 1 to {MAX_ADDRESS_NAME_LEN} of a-z 0-9 - _"
            )));
        }
        let record = self
            .store
            .address_by_name(base)
            .await
            .map_err(|e| LnurlRefusal::from(ServerError::from(e)))?
            .ok_or_else(|| LnurlRefusal(format!("no Lightning Address {name:?} here")))?;
        Ok(Served {
            tag: tag.map(str::to_owned),
            requested: name.clone(),
            record,
        })
    }
}

/// An address as a wallet asked for it: its record, and the tag after `+` if any.
pub(super) struct Served {
    /// The address's record (its account, bounds and messages).
    pub(super) record: AddressRecord,
    /// The name as asked (`base+tag`): the identifier the metadata names.
    pub(super) requested: String,
    /// The tag, when one was asked.
    pub(super) tag: Option<String>,
}

/// The metadata string (LUD-06): the description and the identifier (LUD-16, the address as
/// asked, tag included). The same string in the pay request and in the invoice's description
/// hash.
fn metadata(served: &Served, public: &PublicUrl) -> String {
    json!([
        ["text/plain", served.record.description],
        ["text/identifier", public.address(&served.requested)]
    ])
    .to_string()
}

/// The API model of an address.
fn address_model(
    record: AddressRecord,
    public: &PublicUrl,
) -> Result<LspLightningAddress, ServerError> {
    let lnurl =
        encode_lnurl(&public.pay_request_url(&record.name)).map_err(|e| ServerError::Config {
            reason: format!("public_url cannot form an LNURL: {e}"),
        })?;
    Ok(LspLightningAddress {
        address: public.address(&record.name),
        lnurl,
        name: record.name,
        description: record.description,
        min_sendable_msat: record.min_sendable,
        max_sendable_msat: record.max_sendable,
        comment_allowed: record.comment_allowed,
        success_message: record.success_message,
        created_at: record.created_at,
    })
}
