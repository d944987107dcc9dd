//! What every scenario shares.

use std::path::PathBuf;
use std::sync::LazyLock;

use tokio::sync::{Mutex, MutexGuard};

/// Where scenarios save screenshots: `target/e2e-screenshots/`.
pub static SCREENSHOTS: LazyLock<PathBuf> = LazyLock::new(|| {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.join("e2e-screenshots")))
        .unwrap_or_else(|| std::env::temp_dir().join("ecpa-e2e-screenshots"))
});

static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// Scenarios run one at a time: each starts a Chromium, and the machine has two cores.
pub async fn serial() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().await
}
