//! The machine's CPU load over a phase of a benchmark (the side-by-side bench only).

/// The whole machine's CPU time from `/proc/stat` (Linux): what share of every core was busy
/// between two readings, to say whether a phase was bound by the CPU.
#[derive(Clone, Copy)]
pub(crate) struct CpuTimes {
    busy: u64,
    total: u64,
}

impl CpuTimes {
    /// Now; zero on a system without `/proc/stat` (the share then reads as NaN).
    pub(crate) fn now() -> CpuTimes {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let fields: Vec<u64> = stat
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .filter_map(|f| f.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal …: idle and iowait are not busy.
        let total: u64 = fields.iter().take(8).sum();
        let idle = fields.get(3).copied().unwrap_or(0) + fields.get(4).copied().unwrap_or(0);
        CpuTimes {
            busy: total.saturating_sub(idle),
            total,
        }
    }

    /// The share (0–100 %) of all cores busy since `self`.
    pub(crate) fn busy_percent_since(self) -> f64 {
        let now = CpuTimes::now();
        let total = now.total.saturating_sub(self.total);
        if total == 0 {
            return f64::NAN;
        }
        100.0 * now.busy.saturating_sub(self.busy) as f64 / total as f64
    }
}
