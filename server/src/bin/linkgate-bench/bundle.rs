//! Scenario 7: what a browser downloads to hydrate the dashboard, raw and gzipped (-9).
use std::path::Path;
use std::process::Command;

use crate::BenchError;

pub struct BundleFile {
    pub name: &'static str,
    pub raw: u64,
    pub gzipped: u64,
}

pub fn measure(site_root: &Path) -> Result<Vec<BundleFile>, BenchError> {
    ["linkgate_bg.wasm", "linkgate.js"]
        .into_iter()
        .map(|name| {
            let path = site_root.join("pkg").join(name);
            let raw = std::fs::metadata(&path)?.len();
            let gz = Command::new("gzip")
                .arg("-9")
                .arg("-c")
                .arg(&path)
                .output()?;
            if !gz.status.success() {
                return Err(BenchError::Check(format!(
                    "gzip of {} failed",
                    path.display()
                )));
            }
            Ok(BundleFile {
                name,
                raw,
                gzipped: gz.stdout.len() as u64,
            })
        })
        .collect()
}
