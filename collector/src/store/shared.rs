//! What collector replicas sharing one database coordinate through: the duty lease, the
//! log of duty ticks, and the hosts' newest state as the other replicas stored it.

use simpul_protocol::{Inventory, Report};

use super::{Db, StoreError};
use crate::params;

/// Takes the lease `name` for `holder` until `now + ttl_secs`, or renews it; true when
/// `holder` holds it now. A lease whose holder stopped renewing is free once expired.
pub fn lease(
    db: &Db,
    name: &str,
    holder: &str,
    now: f64,
    ttl_secs: f64,
) -> Result<bool, StoreError> {
    Ok(db
        .query_row(
            "INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
             WHERE leases.holder = excluded.holder OR leases.expires_at < ?4
             RETURNING holder",
            params![name, holder, now + ttl_secs, now],
            |_| Ok(()),
        )?
        .is_some())
}

/// Gives the lease up (a clean stop), so that another replica takes over at once.
pub fn release(db: &Db, name: &str, holder: &str) -> Result<(), StoreError> {
    db.execute(
        "DELETE FROM leases WHERE name = ?1 AND holder = ?2",
        params![name, holder],
    )?;
    Ok(())
}

/// Claims tick `tick` of `duty` for `replica`; true for the one claim that wins, so
/// that a tick runs once however many replicas reach it.
pub fn claim_tick(
    db: &Db,
    duty: &str,
    tick: i64,
    replica: &str,
    now: f64,
) -> Result<bool, StoreError> {
    Ok(db.execute(
        "INSERT INTO duty_ticks (duty, tick, replica, at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        params![duty, tick, replica, now],
    )? == 1)
}

/// Forgets ticks claimed before `before`.
pub fn prune_ticks(db: &Db, before: f64) -> Result<usize, StoreError> {
    Ok(db.execute("DELETE FROM duty_ticks WHERE at < ?1", params![before])?)
}

/// One host's newest report as some replica stored it.
#[derive(Debug)]
pub struct Stored {
    pub agent_id: String,
    pub sequence: u64,
    pub received_at: f64,
    pub report: Report,
}

/// Hosts fetched per query in [`latest_since`]'s second step (a fixed count, so that
/// one prepared statement serves every chunk).
const CHUNK: usize = 64;

/// The newest report of every host received after `since`; `skip(agent, sequence)`
/// says which are known already. Two steps: which hosts changed (ids and sequences
/// only), then the reports of those this replica does not hold, 64 at a time; so the
/// reports this replica stored itself never cross the wire again.
pub fn latest_since(
    db: &Db,
    since: f64,
    skip: impl Fn(&str, u64) -> bool,
) -> Result<Vec<Stored>, StoreError> {
    let changed: Vec<String> = db
        .query(
            "SELECT agent_id, sequence FROM host_latest WHERE received_at > ?1",
            params![since],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)),
        )?
        .into_iter()
        .filter(|(agent, seq)| !skip(agent, *seq))
        .map(|(agent, _)| agent)
        .collect();
    let placeholders: Vec<String> = (1..=CHUNK).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "SELECT agent_id, sequence, received_at, report_json FROM host_latest WHERE agent_id IN ({})",
        placeholders.join(", ")
    );
    let mut out = Vec::with_capacity(changed.len());
    for chunk in changed.chunks(CHUNK) {
        // a short last chunk repeats its last id: the same statement, the same rows
        let ids: Vec<&dyn super::db::ToVal> = (0..CHUNK)
            .map(|i| &chunk[i.min(chunk.len() - 1)] as &dyn super::db::ToVal)
            .collect();
        let rows: Vec<(String, u64, f64, String)> = db.query(&sql, &ids, |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        for (agent_id, sequence, received_at, json) in rows {
            let report = serde_json::from_str(&json).map_err(|source| StoreError::Json {
                agent: agent_id.clone(),
                source,
            })?;
            out.push(Stored {
                agent_id,
                sequence,
                received_at,
                report,
            });
        }
    }
    Ok(out)
}

/// Inventory versions received after `since`: (agent, inventory, sample time).
pub fn inventories_since(db: &Db, since: f64) -> Result<Vec<(String, Inventory, f64)>, StoreError> {
    let rows: Vec<(String, String, f64)> = db.query(
        "SELECT agent_id, inventory_json, sample_time FROM inventory WHERE received_at > ?1",
        params![since],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    rows.into_iter()
        .map(|(agent, json, t)| {
            let inv = serde_json::from_str(&json).map_err(|source| StoreError::Json {
                agent: agent.clone(),
                source,
            })?;
            Ok((agent, inv, t))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing;

    fn lease_holder(db: &Db, name: &str) -> Result<Option<(String, f64)>, StoreError> {
        Ok(db.query_row(
            "SELECT holder, expires_at FROM leases WHERE name = ?1",
            params![name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    #[test]
    fn one_holder_at_a_time_and_one_claim_per_tick() {
        testing::each_engine(|db| {
            assert!(lease(db, "duties", "a", 100.0, 30.0).unwrap());
            assert!(
                !lease(db, "duties", "b", 110.0, 30.0).unwrap(),
                "a holds it"
            );
            assert!(lease(db, "duties", "a", 120.0, 30.0).unwrap(), "renewed");
            assert!(!lease(db, "duties", "b", 149.0, 30.0).unwrap());
            assert!(
                lease(db, "duties", "b", 151.0, 30.0).unwrap(),
                "a stopped renewing"
            );
            assert_eq!(
                lease_holder(db, "duties").unwrap(),
                Some(("b".into(), 181.0))
            );
            release(db, "duties", "a").unwrap();
            assert!(
                lease_holder(db, "duties").unwrap().is_some(),
                "not a's to release"
            );
            release(db, "duties", "b").unwrap();
            assert!(
                lease(db, "duties", "a", 152.0, 30.0).unwrap(),
                "released: free"
            );

            assert!(claim_tick(db, "duties", 7, "a", 210.0).unwrap());
            assert!(!claim_tick(db, "duties", 7, "b", 210.5).unwrap());
            assert!(claim_tick(db, "prune", 7, "b", 210.5).unwrap());
            assert!(claim_tick(db, "duties", 8, "b", 240.0).unwrap());
            assert_eq!(prune_ticks(db, 240.0).unwrap(), 2);
        });
    }

    #[test]
    fn what_other_replicas_stored_is_read_back() {
        testing::each_engine(|db| {
            for i in 0..100 {
                let id = format!("a{i:03}");
                let mut r: Report = serde_json::from_value(serde_json::json!({
                    "version": 1, "agent_id": id, "host": {"hostname": "h", "machine_id": "m"},
                    "sequence": 7, "sample_time_seconds": 1000.0, "interval_secs": 30,
                    "agent_version": "0.1.0"
                }))
                .unwrap();
                r.sequence = 7 + i;
                db.execute(
                    "INSERT INTO host_latest (agent_id, sequence, sample_time, received_at, report_json)
                     VALUES (?1, ?2, 1000, ?3, ?4)",
                    params![id, r.sequence, 100.0 + i as f64, serde_json::to_string(&r).unwrap()],
                )
                .unwrap();
            }
            // received after 120: a020..a099; of those this replica holds the even ones
            let got = latest_since(db, 119.5, |agent, seq| {
                agent[1..].parse::<u64>().unwrap() % 2 == 0 && seq >= 7
            })
            .unwrap();
            let mut ids: Vec<&str> = got.iter().map(|s| s.agent_id.as_str()).collect();
            ids.sort_unstable();
            let want: Vec<String> = (20..100)
                .filter(|i| i % 2 == 1)
                .map(|i| format!("a{i:03}"))
                .collect();
            assert_eq!(ids, want.iter().map(String::as_str).collect::<Vec<_>>());
            assert!(got.iter().all(|s| s.report.sequence == s.sequence));
        });
    }
}
