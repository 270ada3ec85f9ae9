//! Memory and swap from `/proc/meminfo`.

use simpul_protocol::{Memory, Report};

use super::{kv_field, parse_error, CollectError, Collector, ProcFile, Roots};

fn kib(text: &str, key: &str) -> Option<u64> {
    let v = kv_field(text, key)?;
    let n: u64 = v.trim_end_matches("kB").trim().parse().ok()?;
    n.checked_mul(1024)
}

/// Parses (memory, swap) from `/proc/meminfo`. Kernels before 3.14 have no
/// `MemAvailable`: available memory is then estimated as MemFree + Buffers + Cached +
/// SReclaimable (what `free` printed before 3.14) and marked as estimated.
pub fn parse_meminfo(text: &str) -> Option<(Memory, Memory)> {
    let total = kib(text, "MemTotal")?;
    let (avail, estimated) = match kib(text, "MemAvailable") {
        Some(a) => (a, false),
        None => {
            let free = kib(text, "MemFree")?;
            let rest: u64 = ["Buffers", "Cached", "SReclaimable"]
                .iter()
                .filter_map(|k| kib(text, k))
                .sum();
            (free.saturating_add(rest), true)
        }
    };
    let avail = avail.min(total);
    let swap_total = kib(text, "SwapTotal").unwrap_or(0);
    let swap_free = kib(text, "SwapFree").unwrap_or(0).min(swap_total);
    Some((
        Memory {
            total_bytes: total,
            available_bytes: avail,
            used_bytes: total - avail,
            estimated,
        },
        Memory {
            total_bytes: swap_total,
            available_bytes: swap_free,
            used_bytes: swap_total - swap_free,
            estimated: false,
        },
    ))
}

/// Fills `health.memory` and `health.swap`.
pub struct MemoryCollector {
    meminfo: ProcFile,
}

impl MemoryCollector {
    pub fn new(roots: &Roots) -> Self {
        Self {
            meminfo: ProcFile::new(roots.proc.join("meminfo")),
        }
    }
}

impl Collector for MemoryCollector {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn collect(&mut self, report: &mut Report) -> Result<(), CollectError> {
        let (text, path) = self.meminfo.read()?;
        let (mem, swap) =
            parse_meminfo(text).ok_or_else(|| parse_error(path, "MemTotal or MemFree missing"))?;
        let h = report.health.get_or_insert_with(Default::default);
        h.memory = Some(mem);
        h.swap = Some(swap);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fixture() {
        let r = super::super::fixture_report(MemoryCollector::new);
        let h = r.health.unwrap();
        assert_eq!(
            h.memory.unwrap(),
            Memory {
                total_bytes: 32_768_000 * 1024,
                available_bytes: 20_480_000 * 1024,
                used_bytes: 12_288_000 * 1024,
                estimated: false,
            }
        );
        assert_eq!(h.swap.unwrap().used_bytes, (8_388_604 - 8_000_000) * 1024);
    }

    /// Issue 25: a kernel before 3.14 has no `MemAvailable`; the collector used to fail
    /// and lose total and swap with it.
    #[test]
    fn old_kernel_without_memavailable_is_estimated() {
        let roots = super::super::fixture_tree("old-kernel");
        let mut r = super::super::empty_report();
        MemoryCollector::new(&roots).collect(&mut r).unwrap();
        let h = r.health.unwrap();
        let avail = (412_340 + 198_452 + 5_120_644 + 351_040) * 1024;
        assert_eq!(
            h.memory.unwrap(),
            Memory {
                total_bytes: 8_061_532 * 1024,
                available_bytes: avail,
                used_bytes: 8_061_532 * 1024 - avail,
                estimated: true,
            }
        );
        assert_eq!(h.swap.unwrap().total_bytes, 4_194_300 * 1024);
        assert!(
            parse_meminfo("MemTotal: 100 kB\n").is_none(),
            "no MemFree either"
        );
    }
}
