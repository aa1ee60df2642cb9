//! The database handle: one small interface over SQLite (default) and PostgreSQL, so the
//! repositories in `store/` write every query once.
//!
//! Queries use PostgreSQL's `$1, $2, …` placeholders; the SQLite backend rewrites them to
//! `?1, ?2, …`. Values are 64-bit integers, text or NULL (amounts fit: 21 M BTC is
//! 2.1 × 10¹⁸ msat < 2⁶³). Changes that must happen together go through [`Db::batch`], which
//! runs its statements in one transaction and rolls back when a guarded statement did not
//! touch the expected number of rows — the building block of the ledger's exactly-once rules.

mod migrate;
mod postgres;
mod sqlite;

use std::sync::Arc;

use thiserror::Error;

/// One SQL parameter or column value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A 64-bit integer (amounts, timestamps, counters, flags).
    Int(i64),
    /// Text (ids, hex, JSON).
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<u64> for Value {
    fn from(v: u64) -> Self {
        // Callers validate amounts below 2^63; saturate rather than wrap if one slips through.
        Value::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(i64::from(v))
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(i64::from(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// One result row, columns in `SELECT` order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn get(&self, i: usize) -> Result<&Value, DbError> {
        self.0.get(i).ok_or_else(|| DbError::Decode {
            reason: format!("column {i} missing"),
        })
    }

    /// Column `i` as text.
    pub fn text(&self, i: usize) -> Result<String, DbError> {
        match self.get(i)? {
            Value::Text(s) => Ok(s.clone()),
            other => Err(DbError::Decode {
                reason: format!("column {i}: expected text, got {other:?}"),
            }),
        }
    }

    /// Column `i` as optional text.
    pub fn opt_text(&self, i: usize) -> Result<Option<String>, DbError> {
        match self.get(i)? {
            Value::Null => Ok(None),
            _ => self.text(i).map(Some),
        }
    }

    /// Column `i` as text parsed into `T` (hex newtypes, node ids); text that does not parse
    /// is a decode error.
    pub fn parsed<T: std::str::FromStr>(&self, i: usize) -> Result<T, DbError>
    where
        T::Err: std::fmt::Display,
    {
        let text = self.text(i)?;
        text.parse().map_err(|e| DbError::Decode {
            reason: format!("column {i}: {e}"),
        })
    }

    /// Column `i` as optional text parsed into `T`.
    pub fn opt_parsed<T: std::str::FromStr>(&self, i: usize) -> Result<Option<T>, DbError>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(i)? {
            Value::Null => Ok(None),
            _ => self.parsed(i).map(Some),
        }
    }

    /// Column `i` as a signed integer.
    pub fn int(&self, i: usize) -> Result<i64, DbError> {
        match self.get(i)? {
            Value::Int(v) => Ok(*v),
            other => Err(DbError::Decode {
                reason: format!("column {i}: expected integer, got {other:?}"),
            }),
        }
    }

    /// Column `i` as an unsigned integer (negative values are a decode error).
    pub fn uint(&self, i: usize) -> Result<u64, DbError> {
        let v = self.int(i)?;
        u64::try_from(v).map_err(|_| DbError::Decode {
            reason: format!("column {i}: negative value {v}"),
        })
    }

    /// Column `i` as an optional unsigned integer.
    pub fn opt_uint(&self, i: usize) -> Result<Option<u64>, DbError> {
        match self.get(i)? {
            Value::Null => Ok(None),
            _ => self.uint(i).map(Some),
        }
    }
}

/// One statement of a [`Db::batch`].
#[derive(Debug, Clone)]
pub struct Stmt {
    /// The SQL, with `$n` placeholders.
    pub sql: &'static str,
    /// Its parameters.
    pub params: Vec<Value>,
    /// If set, the transaction rolls back with [`DbError::GuardFailed`] unless the statement
    /// changed exactly this many rows.
    pub expect_rows: Option<u64>,
    /// Whether the statement returns rows (`RETURNING …` or `SELECT`).
    pub returns_rows: bool,
}

impl Stmt {
    /// A statement whose row count is not checked.
    pub fn new(sql: &'static str, params: Vec<Value>) -> Stmt {
        Stmt {
            sql,
            params,
            expect_rows: None,
            returns_rows: false,
        }
    }

    /// A statement that must change exactly `rows` rows, or the whole batch rolls back.
    pub fn guarded(sql: &'static str, params: Vec<Value>, rows: u64) -> Stmt {
        Stmt {
            expect_rows: Some(rows),
            ..Stmt::new(sql, params)
        }
    }

    /// A statement whose returned rows the caller wants (e.g. `INSERT … RETURNING id`).
    pub fn returning(sql: &'static str, params: Vec<Value>) -> Stmt {
        Stmt {
            returns_rows: true,
            ..Stmt::new(sql, params)
        }
    }
}

/// What one statement of a batch produced.
#[derive(Debug, Clone, Default)]
pub struct StmtResult {
    /// Rows changed (for statements without returned rows).
    pub changed: u64,
    /// Rows returned (for [`Stmt::returning`]).
    pub rows: Vec<Row>,
}

/// Why a database operation failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DbError {
    /// The database could not be opened or reached.
    #[error("database connection failed: {reason}")]
    Connect {
        /// What the driver reported.
        reason: String,
    },
    /// A statement failed.
    #[error("database query failed: {reason}")]
    Query {
        /// What the driver reported.
        reason: String,
    },
    /// A unique constraint refused an insert (idempotency races are resolved by re-reading).
    #[error("unique constraint violated: {reason}")]
    Unique {
        /// What the driver reported.
        reason: String,
    },
    /// A guarded statement of a batch changed another number of rows; nothing was changed.
    #[error("statement {index} of the batch changed {changed} rows, expected {expected}")]
    GuardFailed {
        /// The statement's position in the batch.
        index: usize,
        /// Rows it would have changed.
        changed: u64,
        /// Rows it had to change.
        expected: u64,
    },
    /// A stored value did not have the expected shape.
    #[error("stored data could not be read: {reason}")]
    Decode {
        /// What was wrong.
        reason: String,
    },
}

impl DbError {
    /// Whether this is a failed guard of a batch (the state changed under us).
    pub fn is_guard(&self) -> bool {
        matches!(self, DbError::GuardFailed { .. })
    }
}

#[derive(Clone)]
enum Backend {
    Sqlite(sqlite::SqliteDb),
    Postgres(postgres::PostgresDb),
}

/// A handle on the server's database; cheap to clone.
#[derive(Clone)]
pub struct Db {
    backend: Arc<Backend>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match *self.backend {
            Backend::Sqlite(_) => "Db(sqlite)",
            Backend::Postgres(_) => "Db(postgres)",
        })
    }
}

impl Db {
    /// Opens the database at `url` and applies pending migrations.
    ///
    /// `url` is `sqlite://<path>` (or a bare path) or `postgres://user:pass@host/db`.
    ///
    /// # Errors
    /// [`DbError::Connect`] when it cannot be opened, [`DbError::Query`] when a migration fails.
    pub async fn open(url: &str) -> Result<Db, DbError> {
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres(postgres::PostgresDb::connect(url).await?)
        } else {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            Backend::Sqlite(sqlite::SqliteDb::open(path).await?)
        };
        let db = Db {
            backend: Arc::new(backend),
        };
        migrate::run(&db).await?;
        Ok(db)
    }

    /// Whether this is the PostgreSQL backend.
    pub fn is_postgres(&self) -> bool {
        matches!(*self.backend, Backend::Postgres(_))
    }

    /// Runs a query and returns its rows.
    ///
    /// # Errors
    /// [`DbError::Query`] when it fails.
    pub async fn query(&self, sql: &str, params: Vec<Value>) -> Result<Vec<Row>, DbError> {
        match &*self.backend {
            Backend::Sqlite(db) => db.query(sql, params).await,
            Backend::Postgres(db) => db.query(sql, params).await,
        }
    }

    /// Runs a query expected to return at most one row.
    ///
    /// # Errors
    /// [`DbError::Query`] when it fails.
    pub async fn query_opt(&self, sql: &str, params: Vec<Value>) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, params).await?.into_iter().next())
    }

    /// Runs one statement and returns the number of rows it changed.
    ///
    /// # Errors
    /// [`DbError::Query`] or [`DbError::Unique`] when it fails.
    pub async fn execute(&self, sql: &str, params: Vec<Value>) -> Result<u64, DbError> {
        match &*self.backend {
            Backend::Sqlite(db) => db.execute(sql, params).await,
            Backend::Postgres(db) => db.execute(sql, params).await,
        }
    }

    /// Runs the statements in one transaction: all take effect or none does.
    ///
    /// # Errors
    /// [`DbError::GuardFailed`] when a guarded statement changed another number of rows (the
    /// transaction was rolled back), or the driver's error.
    pub async fn batch(&self, stmts: Vec<Stmt>) -> Result<Vec<StmtResult>, DbError> {
        match &*self.backend {
            Backend::Sqlite(db) => db.batch(stmts).await,
            Backend::Postgres(db) => db.batch(stmts).await,
        }
    }

    /// Runs a script of DDL statements (migrations).
    pub(crate) async fn execute_script(&self, script: &str) -> Result<(), DbError> {
        match &*self.backend {
            Backend::Sqlite(db) => db.execute_script(script).await,
            Backend::Postgres(db) => db.execute_script(script).await,
        }
    }
}

/// Checks a batch statement's row count against its guard.
fn check_guard(index: usize, stmt: &Stmt, changed: u64) -> Result<(), DbError> {
    match stmt.expect_rows {
        Some(expected) if expected != changed => Err(DbError::GuardFailed {
            index,
            changed,
            expected,
        }),
        _ => Ok(()),
    }
}
