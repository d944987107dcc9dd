//! Replays every stored fuzz input (`fuzz/corpus/TARGET/*`) through its target: the
//! inputs libFuzzer kept for coverage and every one that once crashed stay checked.
#![allow(clippy::expect_used, clippy::panic)]

use std::panic::catch_unwind;
use std::path::{Path, PathBuf};

use ecpa_fuzz::TARGETS;

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target)
}

#[test]
fn every_stored_input_passes_its_target() {
    let mut failed = Vec::new();
    for (target, run) in TARGETS {
        let dir = corpus_dir(target);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mut replayed = 0;
        for entry in entries {
            let path = entry.expect("corpus entry").path();
            let input = std::fs::read(&path).expect("corpus file");
            if catch_unwind(|| run(&input)).is_err() {
                failed.push(path.display().to_string());
            }
            replayed += 1;
        }
        assert!(replayed >= 1, "{target}: the corpus is empty");
        println!("{target}: {replayed} inputs");
    }
    assert!(failed.is_empty(), "inputs that fail: {failed:#?}");
}
