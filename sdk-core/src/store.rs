//! Durable key-value storage the SDK's flows keep their state in (a swap's index, keys and
//! progress), handed in by the application: a file on desktop, IndexedDB in a browser,
//! PlayerPrefs or a save file in a game. What a flow stores must survive a crash of the app,
//! so a write resolves only once it is durable.

use std::collections::BTreeMap;
use std::sync::Mutex;

use thiserror::Error;

use crate::platform::{boxed, BoxFuture, MaybeSend, MaybeSync};

/// Why the store failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The platform's storage failed (disk full, quota exceeded, permission denied, …).
    #[error("storage failed: {reason}")]
    Io {
        /// What the platform reported.
        reason: String,
    },
    /// A stored value could not be read back as what the flow wrote.
    #[error("stored value {key} is corrupt: {reason}")]
    Corrupt {
        /// The value's key.
        key: String,
        /// What was wrong.
        reason: String,
    },
}

impl StoreError {
    /// The stable code of this error (see [`crate::Error::code`]).
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Io { .. } => "store_io",
            StoreError::Corrupt { .. } => "store_corrupt",
        }
    }
}

/// Durable key-value storage. Keys are short ASCII paths (`swap/7`); values are bytes.
pub trait Store: MaybeSend + MaybeSync {
    /// The value stored under `key`, if any.
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, StoreError>>;

    /// Stores `value` under `key`, replacing what was there; resolves once it is durable.
    fn put<'a>(&'a self, key: &'a str, value: Vec<u8>) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Every key starting with `prefix`, in ascending order.
    fn keys<'a>(&'a self, prefix: &'a str) -> BoxFuture<'a, Result<Vec<String>, StoreError>>;
}

/// A [`Store`] in memory: for tests, and for state an application persists itself.
#[derive(Debug, Default)]
pub struct MemoryStore {
    values: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn values(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        // A poisoned lock only means another thread panicked mid-call; the map is still whole.
        self.values.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Store for MemoryStore {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, StoreError>> {
        boxed(async move { Ok(self.values().get(key).cloned()) })
    }

    fn put<'a>(&'a self, key: &'a str, value: Vec<u8>) -> BoxFuture<'a, Result<(), StoreError>> {
        boxed(async move {
            self.values().insert(key.to_owned(), value);
            Ok(())
        })
    }

    fn keys<'a>(&'a self, prefix: &'a str) -> BoxFuture<'a, Result<Vec<String>, StoreError>> {
        boxed(async move {
            Ok(self
                .values()
                .range(prefix.to_owned()..)
                .take_while(|(k, _)| k.starts_with(prefix))
                .map(|(k, _)| k.clone())
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_replaced_and_keys_listed_by_prefix_in_order() {
        let store = MemoryStore::new();
        pollster::block_on(async {
            assert_eq!(store.get("swap/1").await.unwrap(), None);
            store.put("swap/2", b"b".to_vec()).await.unwrap();
            store.put("swap/1", b"a".to_vec()).await.unwrap();
            store.put("swap/1", b"c".to_vec()).await.unwrap();
            store.put("swaps", b"x".to_vec()).await.unwrap();
            store.put("other", b"y".to_vec()).await.unwrap();
            assert_eq!(store.get("swap/1").await.unwrap(), Some(b"c".to_vec()));
            assert_eq!(store.keys("swap/").await.unwrap(), ["swap/1", "swap/2"]);
            assert_eq!(store.keys("").await.unwrap().len(), 4);
        });
    }
}
