//! The SQLite backend: one connection in WAL mode behind a mutex, driven on tokio's blocking
//! pool. SQLite has one writer at a time anyway; one connection keeps transactions simple.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql};

use super::{check_guard, DbError, Row, Stmt, StmtResult, Value};

/// A shared SQLite connection.
#[derive(Clone)]
pub(super) struct SqliteDb {
    conn: Arc<Mutex<Connection>>,
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

fn query_err(e: rusqlite::Error) -> DbError {
    if let rusqlite::Error::SqliteFailure(code, _) = &e {
        if code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        {
            return DbError::Unique {
                reason: e.to_string(),
            };
        }
    }
    DbError::Query {
        reason: e.to_string(),
    }
}

/// Rewrites `$n` placeholders to SQLite's `?n`.
fn to_sqlite(sql: &str) -> String {
    sql.replace('$', "?")
}

fn read_row(row: &rusqlite::Row<'_>, columns: usize) -> rusqlite::Result<Row> {
    let mut out = Vec::with_capacity(columns);
    for i in 0..columns {
        out.push(match row.get_ref(i)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(v) => Value::Int(v),
            ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Real(r) => Value::Text(r.to_string()),
            ValueRef::Blob(b) => Value::Text(String::from_utf8_lossy(b).into_owned()),
        });
    }
    Ok(Row(out))
}

fn run_query(conn: &Connection, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
    let mut stmt = conn.prepare_cached(&to_sqlite(sql)).map_err(query_err)?;
    let columns = stmt.column_count();
    let rows = stmt
        .query_map(rusqlite::params_from_iter(params.iter()), |r| {
            read_row(r, columns)
        })
        .map_err(query_err)?;
    rows.collect::<rusqlite::Result<Vec<Row>>>()
        .map_err(query_err)
}

fn run_execute(conn: &Connection, sql: &str, params: &[Value]) -> Result<u64, DbError> {
    let mut stmt = conn.prepare_cached(&to_sqlite(sql)).map_err(query_err)?;
    let n = stmt
        .execute(rusqlite::params_from_iter(params.iter()))
        .map_err(query_err)?;
    Ok(n as u64)
}

impl SqliteDb {
    /// Opens (creating if needed) the database file at `path`.
    pub(super) async fn open(path: &str) -> Result<SqliteDb, DbError> {
        let path = path.to_owned();
        let conn = tokio::task::spawn_blocking(move || -> Result<Connection, DbError> {
            if let Some(dir) = Path::new(&path).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir).map_err(|e| DbError::Connect {
                        reason: format!("create {}: {e}", dir.display()),
                    })?;
                }
            }
            let conn = Connection::open(&path).map_err(|e| DbError::Connect {
                reason: format!("{path}: {e}"),
            })?;
            // WAL: readers never block the writer; NORMAL sync is durable across process crashes
            // (only an OS crash may lose the last commits, never corrupt the file).
            conn.execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
            )
            .map_err(|e| DbError::Connect {
                reason: e.to_string(),
            })?;
            conn.set_prepared_statement_cache_capacity(256);
            Ok(conn)
        })
        .await
        .map_err(|e| DbError::Connect {
            reason: e.to_string(),
        })??;
        Ok(SqliteDb {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a transaction open: rusqlite rolls back
        // on drop. The connection itself is still usable.
        conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn with_conn<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, DbError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || f(&mut Self::lock(&conn)))
            .await
            .map_err(|e| DbError::Query {
                reason: format!("database task failed: {e}"),
            })?
    }

    pub(super) async fn query(&self, sql: &str, params: Vec<Value>) -> Result<Vec<Row>, DbError> {
        let sql = sql.to_owned();
        self.with_conn(move |c| run_query(c, &sql, &params)).await
    }

    pub(super) async fn execute(&self, sql: &str, params: Vec<Value>) -> Result<u64, DbError> {
        let sql = sql.to_owned();
        self.with_conn(move |c| run_execute(c, &sql, &params)).await
    }

    pub(super) async fn batch(&self, stmts: Vec<Stmt>) -> Result<Vec<StmtResult>, DbError> {
        self.with_conn(move |c| {
            let tx = c
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(query_err)?;
            let mut results = Vec::with_capacity(stmts.len());
            for (index, stmt) in stmts.iter().enumerate() {
                let result = if stmt.returns_rows {
                    let rows = run_query(&tx, stmt.sql, &stmt.params)?;
                    StmtResult {
                        changed: rows.len() as u64,
                        rows,
                    }
                } else {
                    StmtResult {
                        changed: run_execute(&tx, stmt.sql, &stmt.params)?,
                        rows: Vec::new(),
                    }
                };
                // Returning `Err` drops `tx`, which rolls the transaction back.
                check_guard(index, stmt, result.changed)?;
                results.push(result);
            }
            tx.commit().map_err(query_err)?;
            Ok(results)
        })
        .await
    }

    pub(super) async fn execute_script(&self, script: &str) -> Result<(), DbError> {
        let script = script.to_owned();
        self.with_conn(move |c| c.execute_batch(&script).map_err(query_err))
            .await
    }
}
