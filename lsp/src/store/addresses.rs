//! Lightning Addresses served for accounts (LUD-16): one row per name, unique on the server.

use etrid_core::amount::Msat;

use super::{page, Cursor, ListFilter, Store, StoreError, LIST_TAIL};
use crate::db::{DbError, Row, Value};
use crate::ids;
use crate::time::now_secs;

const COLUMNS: &str = "id, name, account_id, description, min_sendable_msat, max_sendable_msat, \
    comment_allowed, success_message, created_at";

/// A Lightning Address as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressRecord {
    /// Opaque id (list cursors).
    pub id: String,
    /// The name before `@`.
    pub name: String,
    /// The account paid through it.
    pub account_id: String,
    /// What wallets show the payer.
    pub description: String,
    /// The least a payment may be.
    pub min_sendable: Msat,
    /// The most a payment may be.
    pub max_sendable: Msat,
    /// Characters of comment a payer may attach.
    pub comment_allowed: u32,
    /// The message wallets show once paid.
    pub success_message: Option<String>,
    /// Creation time.
    pub created_at: u64,
}

/// A new address's fields.
#[derive(Debug, Clone)]
pub struct NewAddress {
    /// The name before `@`.
    pub name: String,
    /// The account paid through it.
    pub account_id: String,
    /// What wallets show the payer.
    pub description: String,
    /// The least a payment may be.
    pub min_sendable: Msat,
    /// The most a payment may be.
    pub max_sendable: Msat,
    /// Characters of comment a payer may attach.
    pub comment_allowed: u32,
    /// The message wallets show once paid.
    pub success_message: Option<String>,
}

fn record_from_row(r: &Row) -> Result<AddressRecord, StoreError> {
    Ok(AddressRecord {
        id: r.text(0)?,
        name: r.text(1)?,
        account_id: r.text(2)?,
        description: r.text(3)?,
        min_sendable: Msat::from_msat(r.uint(4)?),
        max_sendable: Msat::from_msat(r.uint(5)?),
        comment_allowed: u32::try_from(r.uint(6)?).map_err(|_| DbError::Decode {
            reason: "comment_allowed out of range".into(),
        })?,
        success_message: r.opt_text(7)?,
        created_at: r.uint(8)?,
    })
}

impl Store {
    /// Records a new address.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the name is taken (by any account).
    pub async fn insert_address(&self, new: NewAddress) -> Result<AddressRecord, StoreError> {
        let record = AddressRecord {
            id: ids::new_id("la")?,
            name: new.name,
            account_id: new.account_id,
            description: new.description,
            min_sendable: new.min_sendable,
            max_sendable: new.max_sendable,
            comment_allowed: new.comment_allowed,
            success_message: new.success_message,
            created_at: now_secs(),
        };
        let inserted = self
            .db
            .execute(
                "INSERT INTO lightning_addresses (id, name, account_id, description, \
                 min_sendable_msat, max_sendable_msat, comment_allowed, success_message, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                vec![
                    record.id.clone().into(),
                    record.name.clone().into(),
                    record.account_id.clone().into(),
                    record.description.clone().into(),
                    record.min_sendable.as_u64().into(),
                    record.max_sendable.as_u64().into(),
                    u64::from(record.comment_allowed).into(),
                    record.success_message.clone().into(),
                    record.created_at.into(),
                ],
            )
            .await;
        match inserted {
            Ok(_) => Ok(record),
            Err(DbError::Unique { .. }) => Err(StoreError::Conflict {
                reason: format!("the name {:?} is taken on this LSP", record.name),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// The address called `name`, whichever account it serves.
    ///
    /// # Errors
    /// Database failures.
    pub async fn address_by_name(&self, name: &str) -> Result<Option<AddressRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM lightning_addresses WHERE name = $1");
        self.db
            .query_opt(&sql, vec![name.into()])
            .await?
            .map(|r| record_from_row(&r))
            .transpose()
    }

    /// A page of the account's addresses, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_addresses(
        &self,
        account_id: &str,
        filter: &ListFilter,
    ) -> Result<(Vec<AddressRecord>, Option<String>), StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM lightning_addresses WHERE account_id = $1 {}",
            LIST_TAIL.replace("status = $2", "name = $2")
        );
        let mut params = vec![Value::from(account_id)];
        params.extend(filter.params());
        let items = self
            .db
            .query(&sql, params)
            .await?
            .iter()
            .map(record_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(page(items, filter.limit, |a| Cursor {
            created_at: a.created_at,
            id: a.id.clone(),
        }))
    }

    /// Deletes the account's address `name`; the name is free again.
    ///
    /// # Errors
    /// `not_found` when the account has no such address.
    pub async fn delete_address(&self, account_id: &str, name: &str) -> Result<(), StoreError> {
        let deleted = self
            .db
            .execute(
                "DELETE FROM lightning_addresses WHERE name = $1 AND account_id = $2",
                vec![name.into(), account_id.into()],
            )
            .await?;
        if deleted == 0 {
            return Err(StoreError::not_found("Lightning Address"));
        }
        Ok(())
    }
}
