//! One scenario: a warm-up, then several measured runs of the same load, each with the
//! server's CPU time over the run; the process's peak memory over the whole scenario.
use crate::proc_usage::{cpu_seconds, peak_memory_bytes, reset_peak_memory};
use crate::wrk::{self, Load, Outcome};
use crate::BenchError;

#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub warmup_secs: u32,
    pub duration_secs: u32,
    pub runs: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Requests,
    /// Whole account flows, five requests each.
    Flows,
}

#[derive(Clone, Copy, Debug)]
pub struct Run {
    pub requests_per_sec: f64,
    pub flows_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub cpu_secs_per_1k: f64,
}

#[derive(Clone, Debug)]
pub struct Measured {
    pub name: String,
    pub store: &'static str,
    pub unit: Unit,
    pub runs: Vec<Run>,
    pub peak_memory_bytes: u64,
    pub socket_errors: u64,
}

impl Measured {
    pub fn median(&self, figure: impl Fn(&Run) -> f64) -> Spread {
        Spread::of(self.runs.iter().map(figure).collect())
    }
}

/// Median, minimum and maximum over the runs.
#[derive(Clone, Copy, Debug)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    fn of(mut values: Vec<f64>) -> Spread {
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = match n {
            0 => 0.0,
            _ if n % 2 == 1 => values[n / 2],
            _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
        };
        Spread {
            median,
            min: values.first().copied().unwrap_or(0.0),
            max: values.last().copied().unwrap_or(0.0),
        }
    }
}

fn check(name: &str, o: &Outcome) -> Result<(), BenchError> {
    if o.requests == 0 || o.http_errors > 0 || o.unexpected > 0 {
        return Err(BenchError::Failed(
            name.to_owned(),
            format!(
                "{} requests, {} answered 4xx/5xx, {} unexpected answers in a flow {}",
                o.requests, o.http_errors, o.unexpected, o.note
            ),
        ));
    }
    Ok(())
}

/// Runs `load_for(seconds, previous outcome)` once to warm up and `plan.runs` times measured
/// against the process `pid`. The load is asked for before each run (codes are single use).
pub async fn measure(
    plan: Plan,
    name: &str,
    store: &'static str,
    unit: Unit,
    pid: u32,
    mut load_for: impl AsyncFnMut(u32, Option<Outcome>) -> Result<Load, BenchError>,
) -> Result<Measured, BenchError> {
    measure_together(plan, name, store, unit, &[pid], async |secs, previous| {
        Ok(vec![load_for(secs, previous).await?])
    })
    .await
}

/// [`measure`] with several loads at once, one per server process in `pids` (instances on
/// one database): requests add up, latency is the worse of the loads', CPU is the sum over
/// the processes and memory the largest peak.
pub async fn measure_together(
    plan: Plan,
    name: &str,
    store: &'static str,
    unit: Unit,
    pids: &[u32],
    mut loads_for: impl AsyncFnMut(u32, Option<Outcome>) -> Result<Vec<Load>, BenchError>,
) -> Result<Measured, BenchError> {
    eprintln!("  {name} ({store})");
    for pid in pids {
        reset_peak_memory(*pid)?;
    }
    let loads = loads_for(plan.warmup_secs, None).await?;
    let mut previous = run_together(&loads, plan.warmup_secs).await?;
    check(name, &previous)?;
    let mut runs = Vec::new();
    let mut socket_errors = 0;
    for _ in 0..plan.runs {
        let loads = loads_for(plan.duration_secs, Some(previous.clone())).await?;
        let cpu_before = total_cpu(pids)?;
        let o = run_together(&loads, plan.duration_secs).await?;
        let cpu = total_cpu(pids)? - cpu_before;
        check(name, &o)?;
        let secs = o.duration_us as f64 / 1e6;
        runs.push(Run {
            requests_per_sec: o.requests_per_sec(),
            flows_per_sec: o.flows as f64 / secs,
            p50_ms: o.p50_us as f64 / 1e3,
            p99_ms: o.p99_us as f64 / 1e3,
            cpu_secs_per_1k: cpu / o.requests as f64 * 1000.0,
        });
        socket_errors += o.socket_errors;
        previous = o;
    }
    let mut peak = 0;
    for pid in pids {
        peak = peak.max(peak_memory_bytes(*pid)?);
    }
    Ok(Measured {
        name: name.to_owned(),
        store,
        unit,
        runs,
        peak_memory_bytes: peak,
        socket_errors,
    })
}

fn total_cpu(pids: &[u32]) -> Result<f64, BenchError> {
    pids.iter().map(|p| cpu_seconds(*p)).sum()
}

/// The loads at the same time, as one outcome (durations are the longest).
async fn run_together(loads: &[Load], seconds: u32) -> Result<Outcome, BenchError> {
    let mut running = tokio::task::JoinSet::new();
    for load in loads {
        let load = load.clone();
        running.spawn(async move { wrk::run(&load, seconds).await });
    }
    let mut outcomes = Vec::new();
    while let Some(done) = running.join_next().await {
        outcomes.push(done.map_err(|_| BenchError::Wrk("a wrk task failed".into()))??);
    }
    let mut all = outcomes
        .first()
        .cloned()
        .ok_or_else(|| BenchError::Wrk("no load to run".into()))?;
    for o in outcomes.iter().skip(1) {
        all.requests += o.requests;
        all.duration_us = all.duration_us.max(o.duration_us);
        all.p50_us = all.p50_us.max(o.p50_us);
        all.p99_us = all.p99_us.max(o.p99_us);
        all.socket_errors += o.socket_errors;
        all.http_errors += o.http_errors;
        all.flows += o.flows;
        all.unexpected += o.unexpected;
        if all.note.is_empty() {
            all.note.clone_from(&o.note);
        }
    }
    Ok(all)
}
