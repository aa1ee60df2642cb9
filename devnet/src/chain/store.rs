//! Persistence: blocks are appended to `<data_dir>/blocks.dat` in consensus encoding and read
//! back on start. The file is a header (magic + genesis hash) followed by records of a 4-byte
//! little-endian length and the block bytes. A torn last record is cut off on open.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use bitcoin::blockdata::constants::genesis_block;
use bitcoin::consensus::{deserialize, serialize};
use bitcoin::hashes::Hash;
use bitcoin::Block;

use super::error::ChainError;
use super::params::NETWORK;

/// File name inside the data directory.
const FILE_NAME: &str = "blocks.dat";
/// First bytes of the file.
const MAGIC: &[u8; 8] = b"ETRIDBLK";
/// Magic plus the genesis hash.
const HEADER_LEN: usize = 8 + 32;
/// Refuse records larger than a block can be.
const MAX_RECORD: usize = 8_000_000;

/// The append-only block file.
#[derive(Debug)]
pub(crate) struct BlockStore {
    file: File,
    path: PathBuf,
    /// Height of the last block written.
    height: u32,
}

fn storage_error(path: &Path, e: impl std::fmt::Display) -> ChainError {
    ChainError::Storage {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

fn header() -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(genesis_block(NETWORK).block_hash().as_byte_array());
    bytes
}

impl BlockStore {
    /// Opens (or creates) the block file in `dir` and returns it with the blocks it holds, in
    /// height order starting at height 1.
    pub(crate) fn open(dir: &Path) -> Result<(Self, Vec<Block>), ChainError> {
        fs::create_dir_all(dir).map_err(|e| storage_error(dir, e))?;
        let path = dir.join(FILE_NAME);
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| storage_error(&path, e))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| storage_error(&path, e))?;
        if bytes.is_empty() {
            file.write_all(&header())
                .map_err(|e| storage_error(&path, e))?;
            return Ok((
                BlockStore {
                    file,
                    path,
                    height: 0,
                },
                Vec::new(),
            ));
        }
        if bytes.get(..HEADER_LEN) != Some(&header()[..]) {
            return Err(ChainError::CorruptStore {
                height: 0,
                reason: format!("{} is not a regtest block file", path.display()),
            });
        }
        let (blocks, valid_len) = parse_records(&bytes[HEADER_LEN..])?;
        let valid_len = HEADER_LEN + valid_len;
        if valid_len < bytes.len() {
            file.set_len(valid_len as u64)
                .map_err(|e| storage_error(&path, e))?;
        }
        let height = u32::try_from(blocks.len()).unwrap_or(u32::MAX);
        Ok((BlockStore { file, path, height }, blocks))
    }

    /// Height of the last block written.
    pub(crate) fn height(&self) -> u32 {
        self.height
    }

    /// Appends the block at height `self.height() + 1`.
    pub(crate) fn append(&mut self, block: &Block) -> Result<(), ChainError> {
        let bytes = serialize(block);
        let len = u32::try_from(bytes.len()).map_err(|e| storage_error(&self.path, e))?;
        let mut record = Vec::with_capacity(bytes.len() + 4);
        record.extend_from_slice(&len.to_le_bytes());
        record.extend_from_slice(&bytes);
        self.file
            .write_all(&record)
            .map_err(|e| storage_error(&self.path, e))?;
        self.height = self.height.saturating_add(1);
        Ok(())
    }
}

/// Decodes records until the end or a torn record; returns the blocks and the bytes they use.
/// A complete record that does not decode is corruption, not a torn write.
fn parse_records(mut rest: &[u8]) -> Result<(Vec<Block>, usize), ChainError> {
    let mut blocks = Vec::new();
    let mut used = 0;
    while let Some((len_bytes, tail)) = rest.split_first_chunk::<4>() {
        let len = u32::from_le_bytes(*len_bytes) as usize;
        let height = u32::try_from(blocks.len() + 1).unwrap_or(u32::MAX);
        if len > MAX_RECORD {
            return Err(ChainError::CorruptStore {
                height,
                reason: format!("record of {len} bytes"),
            });
        }
        let Some((body, after)) = tail.split_at_checked(len) else {
            break;
        };
        let block: Block = deserialize(body).map_err(|e| ChainError::CorruptStore {
            height,
            reason: e.to_string(),
        })?;
        blocks.push(block);
        used += 4 + len;
        rest = after;
    }
    Ok((blocks, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_and_reads_back_and_cuts_a_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let genesis = genesis_block(NETWORK);
        {
            let (mut store, blocks) = BlockStore::open(dir.path()).unwrap();
            assert!(blocks.is_empty());
            store.append(&genesis).unwrap();
            store.append(&genesis).unwrap();
            assert_eq!(store.height(), 2);
        }
        let path = dir.path().join(FILE_NAME);
        let full = fs::metadata(&path).unwrap().len();
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&[10, 0, 0, 0, 1, 2]).unwrap();
        drop(f);
        let (store, blocks) = BlockStore::open(dir.path()).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[1], genesis);
        assert_eq!(store.height(), 2);
        assert_eq!(fs::metadata(&path).unwrap().len(), full);
    }

    #[test]
    fn refuses_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join(FILE_NAME),
            b"not a block file at all, clearly not one",
        )
        .unwrap();
        assert!(matches!(
            BlockStore::open(dir.path()),
            Err(ChainError::CorruptStore { .. })
        ));
    }
}
