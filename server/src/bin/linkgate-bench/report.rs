//! The printed result: figures, ratios to the baseline, the issue's floors, the bundle.
use std::fmt::Write;

use crate::bundle::BundleFile;
use crate::first_visit::FirstVisit;
use crate::options::Options;
use crate::revocation::Delays;
use crate::scenario::{Measured, Run, Spread, Unit};

const MB: f64 = 1024.0 * 1024.0;

fn thousands(v: f64) -> String {
    let digits = format!("{:.0}", v.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn spread(s: Spread, fmt: impl Fn(f64) -> String) -> String {
    format!("{} ({}–{})", fmt(s.median), fmt(s.min), fmt(s.max))
}

fn ms(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.1}")
    }
}

fn throughput(m: &Measured) -> String {
    let rps = m.median(|r| r.requests_per_sec);
    match m.unit {
        Unit::Requests => format!("{} req/s", spread(rps, thousands)),
        Unit::Flows => format!(
            "{} flows/s; {} req/s",
            spread(m.median(|r| r.flows_per_sec), thousands),
            thousands(rps.median)
        ),
    }
}

fn ratio(v: f64, base: f64) -> String {
    if base > 0.0 {
        format!("{:.2}×", v / base)
    } else {
        "–".into()
    }
}

pub fn render(
    o: &Options,
    results: &[Measured],
    bundle: &[BundleFile],
    revocation: Option<&Delays>,
    first_visit: Option<&FirstVisit>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} connections for every scenario; {} s warm-up, then {} runs of {} s; median (min–max).\n",
        o.connections, o.warmup_secs, o.runs, o.duration_secs
    );
    let _ = writeln!(
        out,
        "| Scenario | Store | Throughput | p50 ms | p99 ms | CPU s / 1k req | Peak RSS MB |\n|---|---|---|---|---|---|---|"
    );
    for m in results {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {:.0} |",
            m.name,
            m.store,
            throughput(m),
            spread(m.median(|r| r.p50_ms), ms),
            spread(m.median(|r| r.p99_ms), ms),
            spread(m.median(|r| r.cpu_secs_per_1k), |v| format!("{v:.3}")),
            m.peak_memory_bytes as f64 / MB
        );
    }
    let Some(base) = results.first() else {
        return out;
    };
    let b = |f: fn(&Run) -> f64| base.median(f).median;
    let _ = writeln!(
        out,
        "\nAs a ratio to the baseline (medians):\n\n| Scenario | Store | req/s | p50 | p99 | CPU / 1k req | Peak RSS |\n|---|---|---|---|---|---|---|"
    );
    for m in &results[1..] {
        let f = |f: fn(&Run) -> f64| m.median(f).median;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            m.name,
            m.store,
            ratio(f(|r| r.requests_per_sec), b(|r| r.requests_per_sec)),
            ratio(f(|r| r.p50_ms), b(|r| r.p50_ms)),
            ratio(f(|r| r.p99_ms), b(|r| r.p99_ms)),
            ratio(f(|r| r.cpu_secs_per_1k), b(|r| r.cpu_secs_per_1k)),
            ratio(m.peak_memory_bytes as f64, base.peak_memory_bytes as f64),
        );
    }
    let _ = writeln!(out, "\nBundle (release, what the dashboard loads, as served):\n\n| File | Raw KB | gzip -9 KB | brotli KB |\n|---|---|---|---|");
    for f in bundle {
        let _ = writeln!(
            out,
            "| {} | {:.1} | {:.1} | {:.1} |",
            f.name,
            f.raw as f64 / 1024.0,
            f.gzipped as f64 / 1024.0,
            f.brotli as f64 / 1024.0
        );
    }
    if let Some(d) = revocation {
        let _ = writeln!(
            out,
            "\nRevocation on instance A refused by instance B (PostgreSQL, {} tokens cached on B): p50 {} ms, p99 {} ms, max {} ms — p99 ≤ 50 ms (issue 18): {}",
            d.count,
            ms(d.p50_ms),
            ms(d.p99_ms),
            ms(d.max_ms),
            verdict(d.p99_ms <= 50.0)
        );
    }
    if let Some(v) = first_visit {
        let _ = writeln!(
            out,
            "\nFirst dashboard visit (Chromium, Slow 4G, CPU 4× slower, empty cache): {:.0} KB transferred, buttons work after {:.2} s; again with the cache it filled: {:.0} KB, {:.2} s",
            v.bytes as f64 / 1024.0,
            v.hydrated_ms as f64 / 1000.0,
            v.repeat_bytes as f64 / 1024.0,
            v.repeat_hydrated_ms as f64 / 1000.0
        );
    }
    let _ = writeln!(
        out,
        "\nFloors (issue 18, ratios to this run's baseline or peer):\n"
    );
    for line in issue_18_floors(results, base, bundle, revocation, first_visit) {
        let _ = writeln!(out, "- {line}");
    }
    let sockets: u64 = results.iter().map(|m| m.socket_errors).sum();
    if sockets > 0 {
        let _ = writeln!(
            out,
            "\nwrk counted {sockets} socket errors (connect, read, write or timeout)."
        );
    }
    out
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
}

fn code_kb_gzipped(bundle: &[BundleFile]) -> Option<f64> {
    let code: Vec<&BundleFile> = bundle
        .iter()
        .filter(|f| f.name.ends_with(".wasm") || f.name.ends_with(".js"))
        .collect();
    (!code.is_empty()).then(|| code.iter().map(|b| b.gzipped).sum::<u64>() as f64 / 1024.0)
}

fn issue_18_floors(
    results: &[Measured],
    base: &Measured,
    bundle: &[BundleFile],
    revocation: Option<&Delays>,
    first_visit: Option<&FirstVisit>,
) -> Vec<String> {
    let rps = |m: &Measured| m.median(|r| r.requests_per_sec).median;
    let cpu = |m: &Measured| m.median(|r| r.cpu_secs_per_1k).median;
    let find =
        |name: &str, store: &str| results.iter().find(|m| m.name == name && m.store == store);
    let mut lines = Vec::new();
    let peer_oauth = results
        .iter()
        .find(|m| m.name == "Peer token endpoint, OAuth (no ID token)")
        .map(rps);
    for store in ["SQLite", "PostgreSQL"] {
        for name in [
            "Account lookup",
            "Account lookup, warm cache",
            "Account lookup, warm cache, two instances",
        ] {
            if let Some(m) = find(name, store) {
                let r = rps(m) / rps(base);
                lines.push(format!(
                    "{name} on {store} ÷ baseline ≥ 0.40: {r:.2} — {}",
                    verdict(r >= 0.40)
                ));
            }
        }
        for name in ["Code exchange", "Code exchange, two instances"] {
            if let (Some(m), Some(peer)) = (find(name, store), peer_oauth) {
                let r = rps(m) / peer;
                lines.push(format!(
                    "{name} on {store} ÷ peer (OAuth row) ≥ 1.5: {r:.2} — {}",
                    verdict(r >= 1.5)
                ));
            }
        }
        if let Some(m) = find("Full Sandbox flow", store) {
            let r = m.median(|r| r.flows_per_sec).median / rps(base);
            let note = if store == "SQLite" {
                verdict(r >= 0.006)
            } else {
                "(floor is for SQLite)"
            };
            lines.push(format!(
                "Full Sandbox flow on {store}, flows/s ÷ baseline req/s ≥ 0.006: {r:.4} — {note}"
            ));
        }
        if let Some(m) = find("Dashboard accounts page", store) {
            let r = cpu(m) / cpu(base);
            lines.push(format!(
                "Dashboard CPU per page on {store} ÷ baseline CPU per request ≤ 90×: {r:.0}× — {}",
                verdict(r <= 90.0)
            ));
        }
    }
    if let Some(gz) = code_kb_gzipped(bundle) {
        lines.push(format!(
            "wasm + JS a dashboard page loads ≤ 300 KB gzipped: {gz:.0} KB — {}",
            verdict(gz <= 300.0)
        ));
    }
    if let Some(v) = first_visit {
        let s = v.hydrated_ms as f64 / 1000.0;
        lines.push(format!(
            "First dashboard visit, Slow 4G + 4× CPU, until buttons work ≤ 3 s: {s:.2} s — {}",
            verdict(s <= 3.0)
        ));
    }
    if let Some(d) = revocation {
        lines.push(format!(
            "Revocation on A refused on B (PostgreSQL) p99 ≤ 50 ms: {} ms (max {} ms) — {}",
            ms(d.p99_ms),
            ms(d.max_ms),
            verdict(d.p99_ms <= 50.0)
        ));
    }
    let server_peak = results
        .iter()
        .filter(|m| m.store == "SQLite" || m.store == "PostgreSQL")
        .map(|m| m.peak_memory_bytes)
        .max()
        .unwrap_or(0) as f64
        / MB;
    lines.push(format!(
        "Peak RSS of the server in any scenario ≤ 150 MB: {server_peak:.0} MB — {}",
        verdict(server_peak <= 150.0)
    ));
    lines
}
