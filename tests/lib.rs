//! Test support: helpers shared by the test files in this directory.

pub mod replay;

/// Benchmark support: runs `f` repeatedly for about `budget` (at least five
/// times, after one warm-up call) and returns the mean time per call.
pub fn measure(budget: std::time::Duration, mut f: impl FnMut()) -> std::time::Duration {
    f();
    let start = std::time::Instant::now();
    let mut n = 0u32;
    while start.elapsed() < budget || n < 5 {
        f();
        n += 1;
    }
    start.elapsed() / n
}
