//! Helpers both benchmark binaries use: counts from the environment and percentiles.

/// A count from the environment variable `name`, or `default` when it is unset.
pub(crate) fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name).map_or(default, |v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name} must be a count"))
    })
}

/// The `p` quantile (0.0–1.0) of `sorted`, NaN when it is empty.
pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}
