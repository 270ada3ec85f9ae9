//! Backup obligations end to end: a real agent's `files` probe reports the newest backup
//! of a directory; the collector shows each obligation's state (ok, wrong_place,
//! too_small, failed, never_seen) in the API, CSV and metrics.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::time::Duration;

use simpul_e2e::{get, start_agent, wait_for, Collector};

const OBLIGATIONS: &str = r#"
[[backups]]
id = "dinkes-simpus-db"
agency = "dinkes"
dataset = "SIMPUS database"
interval = "24h"
max_age = "36h"
min_size_bytes = 1048576
locations = ["pusat-data"]

[[backups]]
id = "dinkes-simpus-drc"
agency = "dinkes"
dataset = "SIMPUS database, DRC copy"
interval = "24h"
locations = ["drc"]

[[backups]]
id = "dinkes-arsip"
agency = "dinkes"
dataset = "Arsip surat"
interval = "7d"
min_size_bytes = 1073741824

[[backups]]
id = "dinkes-foto"
agency = "dinkes"
dataset = "Foto kegiatan"
interval = "24h"

[[backups]]
id = "diskominfo-web"
agency = "diskominfo"
dataset = "Website CMS"
interval = "24h"
"#;

#[test]
fn probe_evidence_gives_each_obligation_its_state() {
    let c = Collector::start_full("", OBLIGATIONS);
    let token = c.enrol("dinkes", "backup-01", Some("pusat-data"));
    let data = c.dir.path().join("srv");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("simpus-2026-11-22.sql.gz"), vec![1u8; 2 << 20]).unwrap();
    std::fs::write(data.join("arsip.tar"), vec![1u8; 4096]).unwrap();
    let probes = format!(
        "hostname = \"backup-01\"\n\
         [[backups]]\nobligation = \"dinkes-simpus-db\"\nkind = \"files\"\npath = \"{0}/*.sql.gz\"\n\
         [[backups]]\nobligation = \"dinkes-simpus-drc\"\nkind = \"files\"\npath = \"{0}/*.sql.gz\"\n\
         [[backups]]\nobligation = \"dinkes-arsip\"\nkind = \"files\"\npath = \"{0}/*.tar\"\n\
         [[backups]]\nobligation = \"dinkes-foto\"\nkind = \"files\"\npath = \"{0}/missing/*.jpg\"\n",
        data.display()
    );
    let agent = start_agent(&c.dir.path().join("agent"), &c.url(""), &token, &probes);
    let rows = wait_for("backup evidence", Duration::from_secs(15), || {
        let (_, body) = get(&c.url("/api/v1/backups"));
        let v: serde_json::Value = serde_json::from_str(&body).ok()?;
        (v.as_array()?
            .iter()
            .filter(|r| r["state"] != "never_seen")
            .count()
            == 4)
            .then_some(v)
    });
    drop(agent);
    let state = |id: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone()
    };
    let db = state("dinkes-simpus-db");
    assert_eq!(db["state"], "ok", "{db}");
    assert_eq!(db["last_size_bytes"], 2 << 20);
    assert_eq!(db["last_name"], "simpus-2026-11-22.sql.gz");
    assert_eq!(db["last_host"], "backup-01");
    assert!(db["age_seconds"].as_f64().unwrap() < 60.0);
    assert_eq!(db["restore_test_state"], "never");
    assert_eq!(state("dinkes-simpus-drc")["state"], "wrong_place");
    assert!(state("dinkes-simpus-drc")["message"]
        .as_str()
        .unwrap()
        .contains("required: drc"));
    assert_eq!(state("dinkes-arsip")["state"], "too_small");
    let foto = state("dinkes-foto");
    assert_eq!(foto["state"], "failed", "{foto}");
    assert!(
        foto["message"].as_str().unwrap().contains("cannot read"),
        "{foto}"
    );
    assert_eq!(state("diskominfo-web")["state"], "never_seen");

    let (code, body) = get(&c.url("/api/v1/agencies/dinkes/backups?format=csv"));
    assert_eq!(code, 200);
    assert!(body.starts_with("id,agency,dataset,state,"), "{body}");
    assert_eq!(body.lines().count(), 5, "{body}");
    let (code, _) = get(&c.url("/api/v1/backups?format=pdf"));
    assert_eq!(code, 400);
    let (code, body) = get(&c.url("/api/v1/agencies/dinsos/backups"));
    assert_eq!(code, 404, "{body}");

    let m = wait_for("backup metrics", Duration::from_secs(45), || {
        let m = c.metrics();
        m.contains("simpul_backup_size_bytes{agency=\"dinkes\",obligation=\"dinkes-simpus-db\"}")
            .then_some(m)
    });
    assert_eq!(
        simpul_e2e::sample(
            &m,
            "simpul_backup_state{agency=\"dinkes\",obligation=\"dinkes-simpus-db\",state=\"ok\"}"
        ),
        Some(1.0)
    );
    assert_eq!(
        simpul_e2e::sample(
            &m,
            "simpul_backup_state{agency=\"diskominfo\",obligation=\"diskominfo-web\",state=\"never_seen\"}"
        ),
        Some(1.0)
    );
}
