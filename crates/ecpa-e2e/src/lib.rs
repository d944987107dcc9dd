//! The harness for the browser end-to-end tests: starts the real programs
//! (`ecpa-portal`, `ecpa-agent` over SoftHSM2, chromedriver + headless Chromium) on
//! free loopback ports in a temporary directory, and stops all of them when done.

mod axe;
mod browser;
mod pages;
mod process;
mod run_date;
mod stack;

pub use axe::axe_script_path;
pub use browser::Browser;
pub use pages::PageServer;
pub use process::{ChildProcess, free_port, program_path, wait_for_port};
pub use run_date::{portal_clock_start, run_date};
pub use stack::{Card, Stack, StackOptions, dist_dir};
