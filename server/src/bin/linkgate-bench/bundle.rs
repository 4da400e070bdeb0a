//! Scenario 7: what a browser downloads to hydrate the dashboard: raw, and the gzip and
//! brotli copies the server sends (made by the site build; hashed names come from
//! `pkg/hash.txt`).
use std::path::Path;

use crate::BenchError;

pub struct BundleFile {
    pub name: String,
    pub raw: u64,
    pub gzipped: u64,
    pub brotli: u64,
}

/// The served name of each kind: `linkgate.<hash>.<ext>` when the site is hashed.
fn names(pkg: &Path) -> Vec<String> {
    let hashes = std::fs::read_to_string(pkg.join("hash.txt")).unwrap_or_default();
    let hash = |kind: &str| app::site_assets::hash_of(&hashes, kind);
    match (hash("wasm"), hash("js"), hash("css")) {
        (Some(w), Some(j), Some(c)) => vec![
            format!("linkgate.{w}.wasm"),
            format!("linkgate.{j}.js"),
            format!("linkgate.{c}.css"),
        ],
        _ => vec![
            "linkgate_bg.wasm".into(),
            "linkgate.js".into(),
            "linkgate.css".into(),
        ],
    }
}

pub fn measure(site_root: &Path) -> Result<Vec<BundleFile>, BenchError> {
    let pkg = site_root.join("pkg");
    names(&pkg)
        .into_iter()
        .map(|name| {
            let size = |suffix: &str| -> Result<u64, BenchError> {
                let path = pkg.join(format!("{name}{suffix}"));
                std::fs::metadata(&path).map(|m| m.len()).map_err(|_| {
                    BenchError::Check(format!(
                        "{} is missing: build the site with .ci/build-site release",
                        path.display()
                    ))
                })
            };
            Ok(BundleFile {
                raw: size("")?,
                gzipped: size(".gz")?,
                brotli: size(".br")?,
                name,
            })
        })
        .collect()
}
