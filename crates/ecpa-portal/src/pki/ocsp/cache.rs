//! Good OCSP answers, kept until their nextUpdate so a returning card costs no request.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use der::Encode;
use x509_ocsp::CertId;

/// Most answers kept; when full, the cache starts over.
const CAPACITY: usize = 200_000;

/// A certificate as OCSP names it: its CertID's DER.
pub type Key = Vec<u8>;

pub fn key(id: &CertId) -> Option<Key> {
    id.to_der().ok()
}

/// Good answers by certificate, with the nextUpdate (Unix seconds) each holds until.
#[derive(Debug, Default)]
pub struct GoodAnswers(Mutex<HashMap<Key, i64>>);

impl GoodAnswers {
    /// A good answer for `key` still holds at `now`.
    pub fn holds(&self, key: &Key, now: i64) -> bool {
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(key).is_some_and(|&until| now <= until)
    }

    pub fn put(&self, key: Key, until: i64) {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(key, until);
    }
}
