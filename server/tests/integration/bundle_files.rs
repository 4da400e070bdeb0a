//! Issue 18: the bundle under content-hashed names, kept by browsers for a year, sent as
//! the brotli or gzip copy the browser accepts; pages name the hashed files.
use crate::common::{plain_client, Backend, Fixture};
use reqwest::StatusCode;

const JS: &str = "0123456789abcdef0123";
const WASM: &str = "abcdef0123456789abcd";
const CSS: &str = "fedcba9876543210fedc";

/// A site as `.ci/lib.sh`'s `fingerprint_pkg` lays it out, with marked contents.
fn hashed_site() -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("linkgate-site-{}", uuid::Uuid::new_v4()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(
        pkg.join("hash.txt"),
        format!("js: {JS}\nwasm: {WASM}\ncss: {CSS}\n"),
    )
    .unwrap();
    for (hash, ext) in [(JS, "js"), (WASM, "wasm"), (CSS, "css")] {
        let name = format!("linkgate.{hash}.{ext}");
        std::fs::write(pkg.join(&name), format!("plain {ext}")).unwrap();
        std::fs::write(pkg.join(format!("{name}.br")), format!("brotli {ext}")).unwrap();
        std::fs::write(pkg.join(format!("{name}.gz")), format!("gzip {ext}")).unwrap();
    }
    root
}

async fn fetch(
    url: &str,
    accept_encoding: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut rb = plain_client().get(url);
    if let Some(e) = accept_encoding {
        rb = rb.header("accept-encoding", e);
    }
    let r = rb.send().await.unwrap();
    (r.status(), r.headers().clone(), r.text().await.unwrap())
}

#[tokio::test]
async fn pages_name_hashed_files_sent_compressed_and_kept_a_year() {
    let site = hashed_site();
    let root = site.to_string_lossy().into_owned();
    let fx = Fixture::start_with(Backend::Sqlite, |c| c.site_root = root).await;
    let base = fx.server.base.clone();

    let (status, _, page) = fetch(&format!("{base}/signin"), None).await;
    assert_eq!(status, StatusCode::OK);
    for href in [
        format!("/pkg/linkgate.{CSS}.css"),
        format!("/pkg/linkgate.{JS}.js"),
        format!("/pkg/linkgate.{WASM}.wasm"),
    ] {
        assert!(page.contains(&href), "the page names {href}: {page}");
    }
    assert!(!page.contains("/pkg/linkgate.css"), "no unhashed name");

    let css = format!("{base}/pkg/linkgate.{CSS}.css");
    for (accepts, encoding, body) in [
        (Some("gzip, deflate, br, zstd"), Some("br"), "brotli css"),
        (Some("gzip"), Some("gzip"), "gzip css"),
        (None, None, "plain css"),
    ] {
        let (status, headers, got) = fetch(&css, accepts).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(got, body, "{accepts:?}");
        assert_eq!(
            headers.get("content-encoding").map(|v| v.to_str().unwrap()),
            encoding
        );
        assert_eq!(headers["content-type"], "text/css");
        assert_eq!(
            headers["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(headers["vary"], "accept-encoding");
    }
    let (_, headers, _) = fetch(&format!("{base}/pkg/linkgate.{WASM}.wasm"), Some("br")).await;
    assert_eq!(headers["content-type"], "application/wasm");
    // The list itself changes in place: never kept.
    let (_, headers, _) = fetch(&format!("{base}/pkg/hash.txt"), None).await;
    assert_eq!(headers["cache-control"], "no-cache");
    let (status, _, _) = fetch(&format!("{base}/pkg/linkgate.{CSS}.css.map"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    fx.finish().await;
    std::fs::remove_dir_all(site).unwrap();
}
