//! ECPA account passwords, stored only as Argon2id hashes: hashed by the accounts
//! import, verified by the password login.
//!
//! A check fills 19 MiB of Argon2 memory. The login's checks run at most one per core
//! at once, each in a memory buffer kept for the next check: allocated afresh per check
//! on whichever blocking thread ran it, the buffers stayed in the allocator's
//! per-thread arenas and the portal's memory grew under password logins.

use std::sync::{Mutex, PoisonError};

use argon2::password_hash::{Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::PortalError;

/// Argon2 memory a stored hash may ask for: 64 MiB (the hashes this portal writes use
/// 19 MiB).
const MAX_MEMORY_BLOCKS: usize = 64 * 1024;

/// Argon2id (default parameters) with the given salt, PHC string format.
pub fn hash_password(password: &str, salt: [u8; 16]) -> Result<String, PortalError> {
    let salt = SaltString::encode_b64(&salt).map_err(|e| PortalError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PortalError::Internal(e.to_string()))
}

/// True when `password` matches the stored PHC hash, filling `memory` (grown to the
/// size the hash asks for and left for the next check) instead of allocating.
pub fn verify_password_in(password: &str, hash: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(hash) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm) else {
        return false;
    };
    let version = match hash.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    let blocks = params.block_count();
    if blocks > MAX_MEMORY_BLOCKS {
        return false;
    }
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut computed = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut computed, &mut **memory)
        .is_ok()
        // `Output` compares in constant time.
        && Output::new(&computed).is_ok_and(|computed| computed == expected)
}

/// The password login's checks: at most `parallel` at once (the rest wait their
/// turn without holding a thread), each in a memory buffer reused by the next.
#[derive(Debug)]
pub struct PasswordChecks {
    turns: Semaphore,
    buffers: Mutex<Vec<Vec<Block>>>,
}

impl PasswordChecks {
    pub fn new(parallel: usize) -> Self {
        Self {
            turns: Semaphore::new(parallel.max(1)),
            buffers: Mutex::new(Vec::new()),
        }
    }

    /// One check per available core.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, usize::from))
    }

    /// True when `password` matches `hash`; runs on a blocking thread.
    pub async fn verify(&self, password: String, hash: String) -> Result<bool, PortalError> {
        let _turn = self
            .turns
            .acquire()
            .await
            .map_err(|e| PortalError::Internal(e.to_string()))?;
        let mut memory = self.take_buffer();
        let (matches, memory) = tokio::task::spawn_blocking(move || {
            let matches = verify_password_in(&password, &hash, &mut memory);
            (matches, memory)
        })
        .await
        .map_err(|e| PortalError::Internal(e.to_string()))?;
        self.buffers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(memory);
        Ok(matches)
    }

    fn take_buffer(&self) -> Vec<Block> {
        self.buffers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_default()
    }

    /// Buffers kept for later checks (at most one per check that may run at once).
    pub fn kept_buffers(&self) -> usize {
        self.buffers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("s3cret!", [9; 16]).unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(!hash.contains("s3cret"));
        let mut memory = Vec::new();
        assert!(verify_password_in("s3cret!", &hash, &mut memory));
        assert!(!verify_password_in("s3cret", &hash, &mut memory));
        assert!(!verify_password_in("s3cret!", "not a hash", &mut memory));
    }

    #[test]
    fn a_reused_buffer_gives_the_same_answers() {
        let default = hash_password("s3cret!", [9; 16]).unwrap();
        let small = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(1024, 3, 2, Some(32)).unwrap(),
        )
        .hash_password(b"other", &SaltString::encode_b64(&[3; 16]).unwrap())
        .unwrap()
        .to_string();
        let mut memory = Vec::new();
        for _ in 0..2 {
            assert!(verify_password_in("s3cret!", &default, &mut memory));
            assert!(!verify_password_in("s3cret", &default, &mut memory));
            assert!(verify_password_in("other", &small, &mut memory));
            assert!(!verify_password_in("s3cret!", &small, &mut memory));
        }
        assert_eq!(memory.len(), Params::default().block_count());
    }

    #[test]
    fn a_hash_asking_for_too_much_memory_is_refused() {
        let greedy = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(128 * 1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"pw", &SaltString::encode_b64(&[1; 16]).unwrap())
        .unwrap()
        .to_string();
        let mut memory = Vec::new();
        assert!(!verify_password_in("pw", &greedy, &mut memory));
        assert!(memory.is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn parallel_checks_keep_one_buffer_per_turn() {
        let hash = hash_password("s3cret!", [9; 16]).unwrap();
        let checks = std::sync::Arc::new(PasswordChecks::new(2));
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let checks = checks.clone();
                let hash = hash.clone();
                let password = if i % 2 == 0 { "s3cret!" } else { "wrong" };
                tokio::spawn(async move { checks.verify(password.into(), hash).await.unwrap() })
            })
            .collect();
        let mut answers = Vec::new();
        for handle in handles {
            answers.push(handle.await.unwrap());
        }
        assert_eq!(
            answers,
            [true, false, true, false, true, false, true, false]
        );
        assert!((1..=2).contains(&checks.kept_buffers()));
    }
}
