//! Chains already proven for card certificates, so a returning card costs no CA
//! signature checks. Lives in a [`super::TrustStore`], so a reload of the anchors or
//! CRLs (a new store) starts with none.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// Most certificates remembered; when full, the cache starts over.
const CAPACITY: usize = 200_000;

/// A proven chain: the CA path (indices into the store's CAs) and the certificate
/// signature it was proven for.
#[derive(Debug)]
struct Proven {
    signature: Vec<u8>,
    path: Vec<usize>,
}

/// Proven chains by certificate identity (SHA-256 of the tbsCertificate).
#[derive(Debug, Default)]
pub struct ChainCache(Mutex<HashMap<[u8; 32], Proven>>);

impl Clone for ChainCache {
    /// A copy starts empty: what was proven belongs to the store that proved it.
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl ChainCache {
    /// The path proven for this identity, if it was proven for these signature bytes.
    pub fn get(&self, identity: &[u8; 32], signature: &[u8]) -> Option<Vec<usize>> {
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(identity)
            .filter(|p| p.signature == signature)
            .map(|p| p.path.clone())
    }

    pub fn put(&self, identity: [u8; 32], signature: &[u8], path: Vec<usize>) {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(
            identity,
            Proven {
                signature: signature.to_vec(),
                path,
            },
        );
    }

    /// How many certificates are remembered.
    pub fn count(&self) -> usize {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}
