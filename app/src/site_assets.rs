//! The bundle's file names: content-hashed (`linkgate.<hash>.css`, listed in `pkg/hash.txt`
//! by the site build) so browsers keep them for a year, or plain in a build without hashes.
use std::path::Path;
use std::sync::{Arc, Mutex};

use leptos::config::LeptosOptions;

/// The hash list of a built site, if its files have hashed names.
pub fn hash_file(site_root: &Path) -> Option<std::path::PathBuf> {
    let path = site_root.join("pkg").join("hash.txt");
    path.is_file().then_some(path)
}

/// The hash a hash list gives one kind of file (`js`, `wasm`, `css`): lines `kind: hash`.
pub fn hash_of(list: &str, kind: &str) -> Option<String> {
    list.lines().find_map(|l| {
        l.strip_prefix(kind)
            .and_then(|rest| rest.strip_prefix(':'))
            .map(|h| h.trim().to_owned())
    })
}

/// The stylesheet's URL path, read once per hash list (one server has one; tests run
/// several in a process).
pub fn stylesheet_href(options: &LeptosOptions) -> &'static str {
    static SEEN: Mutex<Vec<(Arc<str>, &'static str)>> = Mutex::new(Vec::new());
    if !options.hash_files {
        return "/pkg/linkgate.css";
    }
    let Ok(mut seen) = SEEN.lock() else {
        return "/pkg/linkgate.css";
    };
    if let Some((_, href)) = seen.iter().find(|(k, _)| *k == options.hash_file) {
        return href;
    }
    let hashed = std::fs::read_to_string(options.hash_file.as_ref())
        .ok()
        .and_then(|list| hash_of(&list, "css"));
    let href: &'static str = match hashed {
        // Leaked once per hash list: a process serves one site (tests, a few).
        Some(h) => Box::leak(format!("/pkg/linkgate.{h}.css").into_boxed_str()),
        None => "/pkg/linkgate.css",
    };
    seen.push((options.hash_file.clone(), href));
    href
}
