//! Randomness as a parameter: the OS generator in production, a seeded one in tests.

use std::sync::Mutex;

use rand::{RngCore, SeedableRng, rngs::StdRng};

/// A shared random generator.
pub struct Entropy(Mutex<Box<dyn RngCore + Send>>);

impl Entropy {
    /// Reads from the operating system.
    pub fn os() -> Self {
        Self(Mutex::new(Box::new(rand::rngs::OsRng)))
    }

    /// Deterministic, for tests and benchmarks.
    pub fn seeded(seed: u64) -> Self {
        Self(Mutex::new(Box::new(StdRng::seed_from_u64(seed))))
    }

    pub fn bytes<const N: usize>(&self) -> [u8; N] {
        let mut out = [0u8; N];
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .fill_bytes(&mut out);
        out
    }
}

impl std::fmt::Debug for Entropy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Entropy")
    }
}
