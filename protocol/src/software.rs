//! The software inventory: the packages installed on a host (from dpkg or rpm), sent
//! whole at the agent's start and daily, and in between as the difference against the
//! list sent before, so that a report stays small. Both ends compute the same
//! [`digest`] of the whole list: the collector applies a difference only to the list
//! it is based on, and asks for the whole list again when they disagree.
//!
//! The version comparisons of both package managers live here too ([`compare`]), so
//! that the agent (the newest installed kernel) and the collector ("hosts running
//! openssl below 3.0.11") order versions the same way.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

/// Most packages in one list (a large server has 3,000 to 5,000; 10,000 of them are
/// about 700 KB of JSON, within the collector's 1 MiB body).
pub const MAX_PACKAGES: usize = 10_000;

/// One installed package.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Package {
    pub name: String,
    /// The package manager's whole version: dpkg's `[epoch:]upstream[-revision]`,
    /// rpm's `[epoch:]version-release`.
    pub version: String,
    /// `amd64`, `x86_64`, `all`, `noarch`, ...
    pub arch: String,
}

/// A package version that is no longer installed. A host may have several versions of
/// one package (rpm's kernels, installed side by side), so a version is removed, not a
/// name.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Removed {
    pub name: String,
    pub arch: String,
    pub version: String,
}

/// Which package manager a list is of; it decides how versions compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Dpkg,
    Rpm,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dpkg => "dpkg",
            Self::Rpm => "rpm",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "dpkg" => Some(Self::Dpkg),
            "rpm" => Some(Self::Rpm),
            _ => None,
        }
    }
}

/// The software section of a report.
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Software {
    /// `dpkg` or `rpm`.
    pub source: String,
    /// The [`digest`] of the whole list after this update.
    pub digest: String,
    /// Empty: `packages` is the whole list. Otherwise the digest of the list this
    /// update changes, and `packages` holds the packages installed or changed since it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub base: String,
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::arbitrary::any::<Package>(), 0..4)"
        )
    )]
    pub packages: Vec<Package>,
    /// Packages removed since `base` (only in an update with a base).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::arbitrary::any::<Removed>(), 0..2)"
        )
    )]
    pub removed: Vec<Removed>,
    /// The running kernel's release (`uname -r`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub running_kernel: String,
    /// The release of the newest kernel installed, when the packages tell it; a host
    /// whose newest kernel is not the running one needs a reboot to run it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub newest_kernel: String,
}

impl Software {
    /// Whether the host runs an older kernel than the newest it has installed.
    pub fn reboot_needed(&self) -> Option<bool> {
        reboot_needed(&self.running_kernel, &self.newest_kernel)
    }
}

/// Whether a host running `running` with `newest` installed needs a reboot; `None`
/// when either is unknown.
pub fn reboot_needed(running: &str, newest: &str) -> Option<bool> {
    (!running.is_empty() && !newest.is_empty()).then(|| running != newest)
}

/// The digest of a whole list, in any order: FNV-1a (64 bit) over the sorted lines
/// `name \t arch \t version \n`, as 16 hex digits.
pub fn digest<'a>(packages: impl IntoIterator<Item = &'a Package>) -> String {
    let mut lines: Vec<(&str, &str, &str)> = packages
        .into_iter()
        .map(|p| (p.name.as_str(), p.arch.as_str(), p.version.as_str()))
        .collect();
    lines.sort_unstable();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (n, a, v) in lines {
        for part in [n, "\t", a, "\t", v, "\n"] {
            for b in part.bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    format!("{h:016x}")
}

/// The difference from `old` to `new` (both whole lists): the packages of `new` that
/// `old` has not (a new version of a package is one of them), and those of `old` that
/// `new` has not; each sorted.
pub fn difference(old: &[Package], new: &[Package]) -> (Vec<Package>, Vec<Removed>) {
    use std::collections::HashSet;
    let before: HashSet<&Package> = old.iter().collect();
    let after: HashSet<&Package> = new.iter().collect();
    let mut added: Vec<Package> = new
        .iter()
        .filter(|p| !before.contains(p))
        .cloned()
        .collect();
    added.sort();
    added.dedup();
    let mut removed: Vec<Removed> = old
        .iter()
        .filter(|p| !after.contains(p))
        .map(|p| Removed {
            name: p.name.clone(),
            arch: p.arch.clone(),
            version: p.version.clone(),
        })
        .collect();
    removed.sort_by(|a, b| (&a.name, &a.arch, &a.version).cmp(&(&b.name, &b.arch, &b.version)));
    removed.dedup();
    (added, removed)
}

/// Orders two versions of `source`'s packages.
pub fn compare(source: Source, a: &str, b: &str) -> Ordering {
    let (ea, va, ra) = split_evr(a);
    let (eb, vb, rb) = split_evr(b);
    let seg: fn(&str, &str) -> Ordering = match source {
        Source::Dpkg => dpkg_segment,
        Source::Rpm => rpm_segment,
    };
    ea.cmp(&eb)
        .then_with(|| seg(va, vb))
        // a missing release orders before any (rpm.vercmp of rpm 4.18 does the same)
        .then_with(|| seg(ra, rb))
}

/// `[epoch:]version[-release]`: the epoch (0 when absent or not a number), the
/// version, the release (after the last `-`; empty when none).
fn split_evr(s: &str) -> (u64, &str, &str) {
    let (epoch, rest) = match s.split_once(':') {
        Some((e, rest)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => {
            (e.parse().unwrap_or(u64::MAX), rest)
        }
        _ => (0, s),
    };
    match rest.rsplit_once('-') {
        Some((v, r)) => (epoch, v, r),
        None => (epoch, rest, ""),
    }
}

/// dpkg's ordering of one part (`verrevcmp` of dpkg's lib/dpkg/version.c): runs of
/// non-digits compare character by character, letters before other characters and
/// `~` before everything, even the end; runs of digits compare as numbers.
fn dpkg_segment(a: &str, b: &str) -> Ordering {
    fn order(c: Option<u8>) -> i32 {
        match c {
            None => 0,
            Some(c) if c.is_ascii_digit() => 0,
            Some(c) if c.is_ascii_alphabetic() => i32::from(c),
            Some(b'~') => -1,
            Some(c) => i32::from(c) + 256,
        }
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let digit = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !digit(a, i)) || (j < b.len() && !digit(b, j)) {
            let (ac, bc) = (order(a.get(i).copied()), order(b.get(j).copied()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while digit(a, i) && digit(b, j) {
            if first_diff == Ordering::Equal {
                first_diff = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        if digit(a, i) {
            return Ordering::Greater;
        }
        if digit(b, j) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

/// rpm's ordering of one part (`rpmvercmp` of rpm's rpmio/rpmvercmp.c): alphanumeric
/// segments, separators ignored; numbers after letters; `~` before everything, even
/// the end; `^` after the end but before anything else.
fn rpm_segment(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let skip = |s: &[u8], mut k: usize| {
        while k < s.len() && !s[k].is_ascii_alphanumeric() && s[k] != b'~' && s[k] != b'^' {
            k += 1;
        }
        k
    };
    loop {
        i = skip(a, i);
        j = skip(b, j);
        let (x, y) = (a.get(i).copied(), b.get(j).copied());
        if x == Some(b'~') || y == Some(b'~') {
            if x != Some(b'~') {
                return Ordering::Greater;
            }
            if y != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if x == Some(b'^') || y == Some(b'^') {
            if x.is_none() {
                return Ordering::Less;
            }
            if y.is_none() {
                return Ordering::Greater;
            }
            if x != Some(b'^') {
                return Ordering::Greater;
            }
            if y != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(x), Some(_)) = (x, y) else { break };
        let numeric = x.is_ascii_digit();
        let class = |c: &u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let end_a = i + a[i..].iter().take_while(|c| class(c)).count();
        let end_b = j + b[j..].iter().take_while(|c| class(c)).count();
        if end_b == j {
            // the segments are of different kinds: a number is newer than letters
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let (mut sa, mut sb) = (&a[i..end_a], &b[j..end_b]);
        if numeric {
            while sa.first() == Some(&b'0') {
                sa = &sa[1..];
            }
            while sb.first() == Some(&b'0') {
                sb = &sb[1..];
            }
            match sa.len().cmp(&sb.len()) {
                Ordering::Equal => {}
                other => return other,
            }
        }
        match sa.cmp(sb) {
            Ordering::Equal => {}
            other => return other,
        }
        i = end_a;
        j = end_b;
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, version: &str, arch: &str) -> Package {
        Package {
            name: name.into(),
            version: version.into(),
            arch: arch.into(),
        }
    }

    #[test]
    fn the_digest_ignores_order_and_sees_every_field() {
        let a = [
            p("openssl", "3.0.11-1", "amd64"),
            p("bash", "5.2-1", "amd64"),
        ];
        let b = [a[1].clone(), a[0].clone()];
        assert_eq!(digest(&a), digest(&b));
        assert_ne!(digest(&a), digest(&[a[0].clone()]));
        assert_ne!(
            digest(&a),
            digest(&[a[0].clone(), p("bash", "5.2-2", "amd64")])
        );
        assert_ne!(
            digest(&a),
            digest(&[a[0].clone(), p("bash", "5.2-1", "i386")])
        );
        assert_eq!(digest(&[]), "cbf29ce484222325");
    }

    #[test]
    fn the_difference_applied_to_the_old_list_gives_the_new_one() {
        let old = vec![
            p("openssl", "3.0.11-1", "amd64"),
            p("bash", "5.2-1", "amd64"),
            p("vim", "9.0-1", "amd64"),
        ];
        let new = vec![
            p("openssl", "3.0.13-1", "amd64"),
            p("bash", "5.2-1", "amd64"),
            p("curl", "8.5-1", "amd64"),
        ];
        let (changed, removed) = difference(&old, &new);
        assert_eq!(
            changed,
            vec![
                p("curl", "8.5-1", "amd64"),
                p("openssl", "3.0.13-1", "amd64")
            ]
        );
        let r = |name: &str, version: &str| Removed {
            name: name.into(),
            arch: "amd64".into(),
            version: version.into(),
        };
        assert_eq!(removed, vec![r("openssl", "3.0.11-1"), r("vim", "9.0-1")]);
        // kernels side by side: a new one is added, the others stay
        let k = |v: &str| p("kernel-core", v, "x86_64");
        let old = vec![k("5.14.0-70"), k("5.14.0-427")];
        let mut new = old.clone();
        new.push(k("5.14.0-503"));
        let (added, removed) = difference(&old, &new);
        assert_eq!(added, vec![k("5.14.0-503")]);
        assert!(removed.is_empty());
    }

    /// Pairs and their order as `dpkg --compare-versions` gives it (the agent's tests
    /// also ask the real dpkg, see tests/tests/software.rs).
    #[test]
    fn dpkg_orders_versions_as_dpkg_does() {
        for (a, b, want) in [
            ("1.0", "1.0", Ordering::Equal),
            ("1.0~rc1", "1.0", Ordering::Less),
            ("1.0", "1.0+b1", Ordering::Less),
            ("1:1.0", "2.0", Ordering::Greater),
            ("3.0.11-1~deb12u2", "3.0.11", Ordering::Greater),
            ("3.0.11-1~deb12u2", "3.0.13-1~deb12u1", Ordering::Less),
            ("1.10", "1.9", Ordering::Greater),
            ("1.0a", "1.0", Ordering::Greater),
            ("1.0-1", "1.0-1~bpo1", Ordering::Greater),
            ("2.36-9+deb12u4", "2.36-9+deb12u10", Ordering::Less),
            ("0:1.2", "1.2", Ordering::Equal),
            ("1.001", "1.1", Ordering::Equal),
        ] {
            assert_eq!(compare(Source::Dpkg, a, b), want, "{a} vs {b}");
            assert_eq!(compare(Source::Dpkg, b, a), want.reverse(), "{b} vs {a}");
        }
    }

    /// Cases from rpm's own test suite (tests/rpmvercmp.at).
    #[test]
    fn rpm_orders_versions_as_rpmvercmp_does() {
        for (a, b, want) in [
            ("1.0", "1.0", 0),
            ("1.0", "2.0", -1),
            ("2.0.1", "2.0.1", 0),
            ("2.0", "2.0.1", -1),
            ("2.0.1a", "2.0.1", 1),
            ("5.5p1", "5.5p2", -1),
            ("5.5p10", "5.5p1", 1),
            ("10xyz", "10.1xyz", -1),
            ("xyz10", "xyz10.1", -1),
            ("xyz.4", "8", -1),
            ("xyz.4", "2", -1),
            ("5.5p2", "5.6p1", -1),
            ("5.6p1", "6.5p1", -1),
            ("6.0.rc1", "6.0", 1),
            ("10b2", "10a1", 1),
            ("1.0aa", "1.0a", 1),
            ("10.0001", "10.1", 0),
            ("10.0001", "10.0039", -1),
            ("4.999.9", "5.0", -1),
            ("20101121", "20101122", -1),
            ("2_0", "2_0", 0),
            ("2.0", "2_0", 0),
            ("a", "b", -1),
            ("a+", "a_", 0),
            ("+", "_", 0),
            ("1.0~rc1", "1.0", -1),
            ("1.0~rc1", "1.0~rc2", -1),
            ("1.0~rc1~git123", "1.0~rc1", -1),
            ("1.0^", "1.0", 1),
            ("1.0^git1", "1.0^git2", -1),
            ("1.0^git1", "1.01", -1),
            ("1.0^20160101", "1.0.1", -1),
            ("1.0~rc1^git1", "1.0~rc1", 1),
            ("1.0^git1~pre", "1.0^git1", -1),
        ] {
            let want = want.cmp(&0);
            assert_eq!(rpm_segment(a, b), want, "{a} vs {b}");
            assert_eq!(rpm_segment(b, a), want.reverse(), "{b} vs {a}");
        }
        // epoch, then version, then release
        assert_eq!(
            compare(Source::Rpm, "1:1.0-1.el9", "2.0-1.el9"),
            Ordering::Greater
        );
        assert_eq!(
            compare(Source::Rpm, "3.0.7-24.el9", "3.0.7-27.el9"),
            Ordering::Less
        );
        // a missing release orders before any, as rpm 4.18's rpm.vercmp has it
        assert_eq!(
            compare(Source::Rpm, "3.0.7-24.el9", "3.0.7"),
            Ordering::Greater
        );
    }

    #[test]
    fn reboot_is_needed_only_when_both_kernels_are_known_and_differ() {
        assert_eq!(
            reboot_needed("6.1.0-25-amd64", "6.1.0-26-amd64"),
            Some(true)
        );
        assert_eq!(
            reboot_needed("6.1.0-26-amd64", "6.1.0-26-amd64"),
            Some(false)
        );
        assert_eq!(reboot_needed("6.1.0-26-amd64", ""), None);
    }
}
