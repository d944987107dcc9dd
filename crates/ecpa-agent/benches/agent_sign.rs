//! Benchmark: `/sign` over HTTP against the token's own signing time.
fn main() {}
