//! What a process has used, read from /proc: CPU seconds (user + system) and peak resident
//! memory, whose high-water mark can be reset so each scenario gets its own peak.
use std::path::Path;

use crate::BenchError;

/// Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux).
const TICKS_PER_SEC: f64 = 100.0;

pub fn cpu_seconds(pid: u32) -> Result<f64, BenchError> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name may hold spaces; fields count from the last ')'.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or(BenchError::Proc("stat"))?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let ticks = |i: usize| -> Result<f64, BenchError> {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .ok_or(BenchError::Proc("stat times"))
    };
    Ok((ticks(11)? + ticks(12)?) / TICKS_PER_SEC)
}

pub fn reset_peak_memory(pid: u32) -> Result<(), BenchError> {
    // "5" resets VmHWM to the current resident set (Linux 4.0+).
    std::fs::write(Path::new(&format!("/proc/{pid}/clear_refs")), "5")?;
    Ok(())
}

pub fn peak_memory_bytes(pid: u32) -> Result<u64, BenchError> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .ok_or(BenchError::Proc("VmHWM"))
}
