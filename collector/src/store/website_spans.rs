//! A site's availability evidence, kept small (issue 26): the collector's consecutive
//! probes of one state, each starting within the cover of the one before, are one span
//! in `website_spans` (its first and last probe, the end the last one vouches for, and
//! how many probes). A site that stays up all month is one row, not 43,200 probes, so
//! the availability of a month or a year reads a handful of rows, and outlives the raw
//! probes' retention (`website_check_retention_days`) up to `span_retention_days`.
//!
//! A probe vouches for the site from its start for [`COVER_INTERVALS`] probe intervals
//! at most, or until the next probe: a probe of another state, or one after the cover
//! has run out, starts a new span and ends the one before at its start. Time no span
//! covers is `unknown` (the collector's own outage), not down. Spans never overlap.

use crate::params;
use crate::store::db::{Db, DbError};

/// The prober name of the collector's own probes: only they count for availability.
const COLLECTOR: &str = crate::config::websites::COLLECTOR_PROBER;

/// How many probe intervals one probe vouches for at most.
pub const COVER_INTERVALS: f64 = 2.5;

/// One run of probes of one state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    /// The first probe's start, Unix seconds.
    pub first: f64,
    /// The last probe's start.
    pub last: f64,
    /// Where the evidence ends: the last probe's start plus the cover, or the next
    /// span's first probe, whichever is earlier.
    pub end: f64,
    pub up: bool,
    pub probes: i64,
}

/// What one more probe does to the newest span.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// The probe is not newer than the newest span's last one: nothing (a probe is
    /// never stored twice; the collector probes in order).
    Ignore,
    /// Same state, within the cover: the span goes on to the probe.
    Extend,
    /// Another state, or after a gap: a new span, and the one before ends at the
    /// probe's start if it vouched for longer.
    Start,
}

/// What a probe starting at `start`, up or not, does after `newest`.
pub fn step(newest: Option<&Span>, start: f64, up: bool) -> Step {
    match newest {
        Some(n) if start <= n.last => Step::Ignore,
        Some(n) if n.up == up && start <= n.end => Step::Extend,
        _ => Step::Start,
    }
}

/// Applies one probe to `spans` (oldest first), as [`record`] does in the store.
pub fn push(spans: &mut Vec<Span>, start: f64, up: bool, cover: f64) {
    match step(spans.last(), start, up) {
        Step::Ignore => {}
        Step::Extend => {
            if let Some(n) = spans.last_mut() {
                n.last = start;
                n.end = start + cover;
                n.probes += 1;
            }
        }
        Step::Start => {
            if let Some(n) = spans.last_mut() {
                n.end = n.end.min(start);
            }
            spans.push(Span {
                first: start,
                last: start,
                end: start + cover,
                up,
                probes: 1,
            });
        }
    }
}

/// The spans of `probes` (start, up), in order, from none.
pub fn fold(probes: impl IntoIterator<Item = (f64, bool)>, cover: f64) -> Vec<Span> {
    let mut spans = Vec::new();
    for (start, up) in probes {
        push(&mut spans, start, up, cover);
    }
    spans
}

/// The newest span of `website`.
fn newest(db: &Db, website: &str) -> Result<Option<Span>, DbError> {
    Ok(db
        .query(
            "SELECT first_at, last_at, end_at, up, probes FROM website_spans
              WHERE website = ?1 ORDER BY first_at DESC LIMIT 1",
            params![website],
            row,
        )?
        .into_iter()
        .next())
}

fn row(r: &crate::store::db::Row<'_>) -> Result<Span, DbError> {
    Ok(Span {
        first: r.get(0)?,
        last: r.get(1)?,
        end: r.get(2)?,
        up: r.get::<_, i64>(3)? != 0,
        probes: r.get(4)?,
    })
}

/// Adds the collector's probe of `website` that started at `start` to its spans;
/// `cover` is how long a probe vouches for at most (the probe interval times
/// [`COVER_INTERVALS`]).
pub fn record(db: &Db, website: &str, start: f64, up: bool, cover: f64) -> Result<(), DbError> {
    let newest = newest(db, website)?;
    match step(newest.as_ref(), start, up) {
        Step::Ignore => Ok(()),
        Step::Extend => {
            let n = newest.expect("Extend has a newest span");
            db.execute(
                "UPDATE website_spans SET last_at = ?3, end_at = ?4, probes = probes + 1
                  WHERE website = ?1 AND first_at = ?2",
                params![website, n.first, start, start + cover],
            )?;
            Ok(())
        }
        Step::Start => {
            if let Some(n) = newest.filter(|n| n.end > start) {
                db.execute(
                    "UPDATE website_spans SET end_at = ?3 WHERE website = ?1 AND first_at = ?2",
                    params![website, n.first, start],
                )?;
            }
            db.execute(
                "INSERT INTO website_spans (website, first_at, last_at, end_at, up, probes)
                 VALUES (?1, ?2, ?2, ?3, ?4, 1) ON CONFLICT DO NOTHING",
                params![website, start, start + cover, i64::from(up)],
            )?;
            Ok(())
        }
    }
}

/// The spans of `website` that overlap [`from`, `to`), oldest first.
pub fn between(db: &Db, website: &str, from: f64, to: f64) -> Result<Vec<Span>, DbError> {
    db.query(
        "SELECT first_at, last_at, end_at, up, probes FROM website_spans
          WHERE website = ?1 AND first_at < ?3 AND end_at > ?2
          ORDER BY first_at",
        params![website, from, to],
        row,
    )
}

/// Deletes the spans that ended before `before`.
pub fn prune(db: &Db, before: f64) -> Result<usize, DbError> {
    db.execute(
        "DELETE FROM website_spans WHERE end_at < ?1",
        params![before],
    )
}

/// The median gap between consecutive starts, else `default`.
fn median_gap(starts: &[f64], default: f64) -> f64 {
    let mut gaps: Vec<f64> = starts
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|g| *g > 0.0)
        .collect();
    if gaps.is_empty() {
        return default;
    }
    gaps.sort_by(f64::total_cmp);
    gaps[gaps.len() / 2]
}

/// Migration 25: the spans of the collector's probes already stored, site by site,
/// each probe vouching for [`COVER_INTERVALS`] times the site's median gap between
/// probes (what availability used before spans; the interval is not known to a
/// migration), 60 s for a site probed once.
pub fn backfill(tx: &Db) -> Result<(), DbError> {
    let sites: Vec<String> = tx.query(
        "SELECT DISTINCT website FROM website_checks WHERE prober = ?1 ORDER BY website",
        params![COLLECTOR],
        |r| r.get(0),
    )?;
    let up = simpul_webcheck::State::Up.as_str();
    for site in sites {
        let probes: Vec<(f64, bool)> = tx.query(
            "SELECT started_at, state FROM website_checks
              WHERE website = ?1 AND prober = ?2 ORDER BY started_at",
            params![site, COLLECTOR],
            |r| Ok((r.get(0)?, r.get::<_, String>(1)? == up)),
        )?;
        let starts: Vec<f64> = probes.iter().map(|p| p.0).collect();
        let cover = median_gap(&starts, 60.0) * COVER_INTERVALS;
        for s in fold(probes, cover) {
            tx.execute(
                "INSERT INTO website_spans (website, first_at, last_at, end_at, up, probes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
                params![site, s.first, s.last, s.end, i64::from(s.up), s.probes],
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(probes: &[(f64, bool)], cover: f64) -> Vec<(f64, f64, f64, bool, i64)> {
        fold(probes.iter().copied(), cover)
            .iter()
            .map(|s| (s.first, s.last, s.end, s.up, s.probes))
            .collect()
    }

    #[test]
    fn a_state_change_or_a_gap_starts_a_span_and_ends_the_one_before() {
        // every 60 s (cover 150 s): up, up, up, down, down, up; a gap to 1000; a probe
        // repeated and one older than the newest are ignored
        let probes = [
            (0.0, true),
            (60.0, true),
            (120.0, true),
            (180.0, false),
            (240.0, false),
            (240.0, false),
            (200.0, true),
            (300.0, true),
            (1000.0, true),
        ];
        assert_eq!(
            folded(&probes, 150.0),
            [
                (0.0, 120.0, 180.0, true, 3),
                (180.0, 240.0, 300.0, false, 2),
                (300.0, 300.0, 450.0, true, 1),
                (1000.0, 1000.0, 1150.0, true, 1),
            ]
        );
        // a month up every 60 s is one span
        let month: Vec<(f64, bool)> = (0..43_200).map(|i| (f64::from(i) * 60.0, true)).collect();
        assert_eq!(folded(&month, 150.0).len(), 1);
    }

    #[test]
    fn the_store_keeps_the_same_spans_as_the_fold_and_the_backfill_rebuilds_them() {
        crate::store::testing::each_engine(|db| {
            let probes = [
                (0.0, true),
                (60.0, true),
                (120.0, true),
                (180.0, false),
                (240.0, false),
                (300.0, true),
                (1000.0, true),
                (1060.0, false),
            ];
            for &(t, up) in &probes {
                let state = if up { "up" } else { "timeout" };
                db.execute(
                    "INSERT INTO website_checks (website, prober, started_at, state, status,
                       total_seconds, cert_verdict, cert_not_after, reason)
                     VALUES ('s', ?1, ?2, ?3, NULL, 0.1, NULL, NULL, '')",
                    params![COLLECTOR, t, state],
                )
                .unwrap();
                record(db, "s", t, up, 150.0).unwrap();
            }
            let stored = |db: &Db| -> Vec<(f64, f64, f64, bool, i64)> {
                between(db, "s", -1e9, 1e9)
                    .unwrap()
                    .iter()
                    .map(|s| (s.first, s.last, s.end, s.up, s.probes))
                    .collect()
            };
            let want = folded(&probes, 150.0);
            assert_eq!(stored(db), want);
            // overlap: the spans that reach into [200, 350)
            let some: Vec<f64> = between(db, "s", 200.0, 350.0)
                .unwrap()
                .iter()
                .map(|s| s.first)
                .collect();
            assert_eq!(some, [180.0, 300.0]);
            // the migration's back-fill gives the same (median gap 60 s)
            db.execute("DELETE FROM website_spans", params![]).unwrap();
            backfill(db).unwrap();
            assert_eq!(stored(db), want);
            // retention: spans that ended before 500 go
            assert_eq!(prune(db, 500.0).unwrap(), 3);
            assert_eq!(stored(db).len(), 2);
        });
    }
}
