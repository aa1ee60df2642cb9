//! The PostgreSQL backend (tokio-postgres, no TLS: run it on loopback or a private network),
//! for deployments that want a database server. One connection; transactions serialise on it.

use std::error::Error as _;
use std::sync::Arc;

use bytes::BytesMut;
use tokio::sync::Mutex;
use tokio_postgres::types::{IsNull, ToSql, Type};
use tokio_postgres::{Client, NoTls};

use super::{check_guard, DbError, Row, Stmt, StmtResult, Value};

/// A shared PostgreSQL connection.
#[derive(Clone)]
pub(super) struct PostgresDb {
    client: Arc<Mutex<Client>>,
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => {
                if *ty == Type::INT4 {
                    i32::try_from(*v)?.to_sql(ty, out)
                } else {
                    v.to_sql(ty, out)
                }
            }
            Value::Text(s) => s.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::INT8 | Type::INT4 | Type::TEXT | Type::VARCHAR | Type::BPCHAR
        )
    }

    tokio_postgres::types::to_sql_checked!();
}

fn query_err(e: tokio_postgres::Error) -> DbError {
    if let Some(db) = e.as_db_error() {
        if *db.code() == tokio_postgres::error::SqlState::UNIQUE_VIOLATION {
            return DbError::Unique {
                reason: db.message().to_owned(),
            };
        }
        return DbError::Query {
            reason: db.message().to_owned(),
        };
    }
    DbError::Query {
        reason: e
            .source()
            .map_or_else(|| e.to_string(), |s| format!("{e}: {s}")),
    }
}

fn read_row(row: &tokio_postgres::Row) -> Result<Row, DbError> {
    let mut out = Vec::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        let value = match *col.type_() {
            Type::INT8 => row
                .try_get::<_, Option<i64>>(i)
                .map(|v| v.map_or(Value::Null, Value::Int)),
            Type::INT4 => row
                .try_get::<_, Option<i32>>(i)
                .map(|v| v.map_or(Value::Null, |v| Value::Int(i64::from(v)))),
            Type::BOOL => row
                .try_get::<_, Option<bool>>(i)
                .map(|v| v.map_or(Value::Null, |v| Value::Int(i64::from(v)))),
            _ => row
                .try_get::<_, Option<String>>(i)
                .map(|v| v.map_or(Value::Null, Value::Text)),
        };
        out.push(value.map_err(|e| DbError::Decode {
            reason: format!("column {}: {e}", col.name()),
        })?);
    }
    Ok(Row(out))
}

fn params(values: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

impl PostgresDb {
    /// Connects to `url` and keeps the connection driven on a background task.
    pub(super) async fn connect(url: &str) -> Result<PostgresDb, DbError> {
        let (client, connection) =
            tokio_postgres::connect(url, NoTls)
                .await
                .map_err(|e| DbError::Connect {
                    reason: e.to_string(),
                })?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::error!(error = %e, "PostgreSQL connection closed");
            }
        });
        Ok(PostgresDb {
            client: Arc::new(Mutex::new(client)),
        })
    }

    pub(super) async fn query(&self, sql: &str, values: Vec<Value>) -> Result<Vec<Row>, DbError> {
        let client = self.client.lock().await;
        let rows = client
            .query(sql, &params(&values))
            .await
            .map_err(query_err)?;
        rows.iter().map(read_row).collect()
    }

    pub(super) async fn execute(&self, sql: &str, values: Vec<Value>) -> Result<u64, DbError> {
        let client = self.client.lock().await;
        client
            .execute(sql, &params(&values))
            .await
            .map_err(query_err)
    }

    pub(super) async fn batch(&self, stmts: Vec<Stmt>) -> Result<Vec<StmtResult>, DbError> {
        let mut client = self.client.lock().await;
        let tx = client.transaction().await.map_err(query_err)?;
        let mut results = Vec::with_capacity(stmts.len());
        for (index, stmt) in stmts.iter().enumerate() {
            let result = if stmt.returns_rows {
                let rows = tx
                    .query(stmt.sql, &params(&stmt.params))
                    .await
                    .map_err(query_err)?
                    .iter()
                    .map(read_row)
                    .collect::<Result<Vec<Row>, DbError>>()?;
                StmtResult {
                    changed: rows.len() as u64,
                    rows,
                }
            } else {
                StmtResult {
                    changed: tx
                        .execute(stmt.sql, &params(&stmt.params))
                        .await
                        .map_err(query_err)?,
                    rows: Vec::new(),
                }
            };
            // Returning `Err` drops `tx`, which rolls the transaction back.
            check_guard(index, stmt, result.changed)?;
            results.push(result);
        }
        tx.commit().await.map_err(query_err)?;
        Ok(results)
    }

    pub(super) async fn execute_script(&self, script: &str) -> Result<(), DbError> {
        let client = self.client.lock().await;
        client.batch_execute(script).await.map_err(query_err)
    }
}
