//! Accessibility measured with axe-core (npm), injected into the page under test.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::Browser;

/// `axe.min.js`: `ECPA_AXE_CORE_JS`, else the copy `scripts/setup.sh` installs under
/// `ECPA_TOOLS_DIR` (default `~/.local/share/ecpa-tools`).
pub fn axe_script_path() -> PathBuf {
    if let Some(path) = std::env::var_os("ECPA_AXE_CORE_JS") {
        return PathBuf::from(path);
    }
    let tools = std::env::var_os("ECPA_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").unwrap_or_default();
            PathBuf::from(home).join(".local/share/ecpa-tools")
        });
    tools.join("node_modules/axe-core/axe.min.js")
}

/// Runs axe on the document and answers its serious and critical violations, one
/// line each (`rule: help — elements`); the `done` callback is WebDriver's.
const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ["violations"] })
  .then((result) => done(result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => v.id + " (" + v.impact + "): " + v.help + " — "
      + v.nodes.map((n) => n.target.join(" ")).join(", "))))
  .catch((e) => done(["axe did not run: " + e]));
"#;

impl Browser {
    /// The serious and critical axe-core violations of the page as it is now
    /// (axe is injected once per loaded document).
    pub async fn axe_violations(&self) -> Result<Vec<String>> {
        let client = self.client();
        let loaded = client
            .execute("return typeof window.axe === 'object';", Vec::new())
            .await?;
        if loaded != Value::Bool(true) {
            let path = axe_script_path();
            let source = std::fs::read_to_string(&path).with_context(|| {
                format!(
                    "reading axe-core from {} (scripts/setup.sh installs it)",
                    path.display()
                )
            })?;
            client
                .execute(&format!("{source}\n;return true;"), Vec::new())
                .await
                .context("injecting axe-core")?;
        }
        let answer = client
            .execute_async(RUN_AXE, Vec::new())
            .await
            .context("running axe-core")?;
        let Value::Array(lines) = answer else {
            bail!("axe-core answered {answer}");
        };
        Ok(lines
            .into_iter()
            .map(|line| line.as_str().unwrap_or_default().to_owned())
            .collect())
    }
}
