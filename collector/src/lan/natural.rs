//! Natural order for interface and port names: `p2` before `p11`, `Gi1/0/2` before
//! `Gi1/0/10`, `ether2` before `ether10`. The one comparator wherever ports are
//! listed or laid out (the diagram's hosts under a switch, the diff, the pages).

use std::cmp::Ordering;

/// One run of a name: digits (compared as numbers) or anything else (compared as
/// text, ignoring ASCII case).
#[derive(Debug, PartialEq, Eq)]
enum Run<'a> {
    Digits(&'a str),
    Text(&'a str),
}

fn runs(s: &str) -> impl Iterator<Item = Run<'_>> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let digit = first.is_ascii_digit();
        let end = rest
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() != digit)
            .map_or(rest.len(), |(i, _)| i);
        let (run, tail) = rest.split_at(end);
        rest = tail;
        Some(if digit {
            Run::Digits(run)
        } else {
            Run::Text(run)
        })
    })
}

/// Numbers of any length, by value: fewer significant digits is smaller.
fn cmp_digits(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

/// Compares `a` and `b` in natural order. A total order consistent with equality:
/// names that only differ in case or leading zeros are ordered by their plain text
/// at the end, so sorting is deterministic.
pub fn cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (runs(a), runs(b));
    loop {
        let o = match (x.next(), y.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(Run::Digits(p)), Some(Run::Digits(q))) => cmp_digits(p, q),
            // a number before text: `p2` before `pa`
            (Some(Run::Digits(_)), Some(Run::Text(_))) => Ordering::Less,
            (Some(Run::Text(_)), Some(Run::Digits(_))) => Ordering::Greater,
            (Some(Run::Text(p)), Some(Run::Text(q))) => p
                .chars()
                .map(|c| c.to_ascii_lowercase())
                .cmp(q.chars().map(|c| c.to_ascii_lowercase())),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
}

/// Sorts names in natural order.
pub fn sort<S: AsRef<str>>(v: &mut [S]) {
    v.sort_by(|a, b| cmp(a.as_ref(), b.as_ref()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
        v.reverse();
        sort(&mut v);
        v
    }

    #[test]
    fn ports_sort_by_their_numbers() {
        assert_eq!(
            sorted(&["p1", "p2", "p10", "p11"]),
            ["p1", "p2", "p10", "p11"]
        );
        assert_eq!(
            sorted(&["Gi1/0/1", "Gi1/0/2", "Gi1/0/10", "Gi1/1/1", "Gi2/0/1"]),
            ["Gi1/0/1", "Gi1/0/2", "Gi1/0/10", "Gi1/1/1", "Gi2/0/1"]
        );
        assert_eq!(
            sorted(&["ether1", "ether2", "ether10", "sfp-sfpplus1", "wlan1"]),
            ["ether1", "ether2", "ether10", "sfp-sfpplus1", "wlan1"]
        );
        assert_eq!(
            sorted(&["ge-0/0/9", "ge-0/0/10", "xe-0/0/0"]),
            ["ge-0/0/9", "ge-0/0/10", "xe-0/0/0"]
        );
        assert_eq!(cmp("p2", "p11"), Ordering::Less);
        assert_eq!(cmp("Gi1/0/10", "Gi1/0/2"), Ordering::Greater);
    }

    #[test]
    fn edge_cases_are_a_total_order() {
        // the empty name first; a prefix before the longer name
        assert_eq!(sorted(&["", "eth", "eth0"]), ["", "eth", "eth0"]);
        // case does not matter, except to break a tie
        assert_eq!(sorted(&["Port 3", "port 12"]), ["Port 3", "port 12"]);
        assert_eq!(cmp("ETH1", "eth1"), "ETH1".cmp("eth1"));
        // leading zeros: the same number, then by text
        assert_eq!(sorted(&["p010", "p9", "p10"]), ["p9", "p010", "p10"]);
        // numbers longer than any integer type
        assert_eq!(
            cmp(
                "p123456789012345678901234567890",
                "p99999999999999999999999999999"
            ),
            Ordering::Greater
        );
        // not ASCII
        assert_eq!(
            sorted(&["pört2", "pört10", "pört1"]),
            ["pört1", "pört2", "pört10"]
        );
        for (a, b) in [("a1", "a1"), ("x", "x")] {
            assert_eq!(cmp(a, b), Ordering::Equal);
        }
    }
}
