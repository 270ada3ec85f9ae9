//! Collector ingest load generator: simulates N agents sending gzip heartbeats.
//!
//! `ingest-load enrol --data-dir D --agents N [--agencies K]` enrols N agents straight into the store
//! (before the collector starts) and writes `D/bench-tokens.txt`; with `--store-url
//! postgres://...` the agents go into that PostgreSQL database instead.
//! `ingest-load run --url URL --tokens FILE --seconds S --concurrency C` sends heartbeats
//! round-robin over the agents for S seconds from C concurrent connections and prints
//! reports/s and latency percentiles; with `--interval I` each agent sends once every I
//! seconds, spread evenly (an open loop, as a real fleet), instead of as fast as the
//! collector answers. Loopback only: the URL must be 127.0.0.1.

use std::io::Write;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};

fn arg(args: &[String], name: &str) -> anyhow::Result<String> {
    args.windows(2)
        .find(|w| w[0] == name)
        .map(|w| w[1].clone())
        .with_context(|| format!("missing {name}"))
}

fn heartbeat(id: &str, host: &str, seq: u64) -> Vec<u8> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let r = serde_json::json!({
        "version": 1, "agent_id": id, "host": {"hostname": host, "machine_id": "0123456789abcdef0123456789abcdef"},
        "sequence": seq, "sample_time_seconds": now, "interval_secs": 30, "agent_version": "0.1.0",
        "health": {
            "cpu": {"usage_ratio": 0.12, "per_core_usage_ratio": [0.1, 0.14, 0.11, 0.13]},
            "load": {"load1": 0.4, "load5": 0.35, "load15": 0.3},
            "memory": {"total_bytes": 16_000_000_000u64, "available_bytes": 9_000_000_000u64, "used_bytes": 7_000_000_000u64},
            "swap": {"total_bytes": 2_000_000_000u64, "available_bytes": 2_000_000_000u64, "used_bytes": 0},
            "filesystems": [
                {"mount": "/", "device": "/dev/sda1", "fs_type": "ext4", "size_bytes": 100_000_000_000u64, "free_bytes": 60_000_000_000u64, "available_bytes": 55_000_000_000u64, "inodes_total": 6_000_000, "inodes_free": 5_000_000},
                {"mount": "/var", "device": "/dev/sda2", "fs_type": "xfs", "size_bytes": 200_000_000_000u64, "free_bytes": 90_000_000_000u64, "available_bytes": 90_000_000_000u64, "inodes_total": 9_000_000, "inodes_free": 8_000_000}
            ],
            "network": [{"name": "eth0", "rx_bytes": 123456789, "tx_bytes": 98765432, "rx_packets": 1234567, "tx_packets": 987654, "rx_errors": 0, "tx_errors": 0, "rx_drops": 3, "tx_drops": 0}],
            "processes": 187
        },
        "uptime": {"boot_time_seconds": (now as u64) - 864_000, "uptime_seconds": 864_000.0},
        "collectors": [{"name": "cpu", "success": true}, {"name": "memory", "success": true}]
    });
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = enc.write_all(&serde_json::to_vec(&r).unwrap_or_default());
    enc.finish().unwrap_or_default()
}

/// The store: `--store-url postgres://...` when given, else SQLite in the data dir.
fn open(args: &[String], dir: &std::path::Path) -> anyhow::Result<simpul_collector::store::Db> {
    Ok(match arg(args, "--store-url") {
        Ok(url) => simpul_collector::store::open_postgres(&url, None)?,
        Err(_) => simpul_collector::store::open_sqlite(dir)?,
    })
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("enrol") => {
            let dir = std::path::PathBuf::from(arg(&args, "--data-dir")?);
            let n: usize = arg(&args, "--agents")?.parse()?;
            // `--agencies K`: the agents round-robin over opd-001 .. opd-K (which the
            // collector.toml must declare); else all of dinkes
            let agencies: usize = arg(&args, "--agencies").map_or(Ok(0), |k| k.parse())?;
            let conn = open(&args, &dir)?;
            let mut out = String::new();
            conn.transaction(|conn| -> anyhow::Result<()> {
                for i in 0..n {
                    let host = format!("bench-{i:05}");
                    let agency = if agencies == 0 {
                        "dinkes".to_owned()
                    } else {
                        format!("opd-{:03}", i % agencies + 1)
                    };
                    let (b, token) = simpul_collector::store::add_agent(conn, &agency, &host, Some("pusat-data"))?;
                    out.push_str(&format!("{} {} {}\n", b.id, host, token));
                }
                Ok(())
            })?;
            std::fs::write(dir.join("bench-tokens.txt"), out)?;
            println!("enrolled {n} agents");
        }
        Some("spans") => {
            // a month of 30 s heartbeats for every enrolled agent, folded into spans by
            // the collector's own rule, with two outages and one reboot per host
            use simpul_collector::sla::engine::{continues, Span};
            let dir = std::path::PathBuf::from(arg(&args, "--data-dir")?);
            let from: f64 = arg(&args, "--from")?.parse()?;
            let to: f64 = arg(&args, "--to")?.parse()?;
            let conn = open(&args, &dir)?;
            let agents: Vec<String> =
                conn.query("SELECT id FROM agents", simpul_collector::params![], |r| r.get(0))?;
            let grace = 90.0;
            let (mut beats, mut rows) = (0u64, 0u64);
            conn.transaction(|conn| -> anyhow::Result<()> {
            for (i, id) in agents.iter().enumerate() {
                let k = i as f64;
                let outages = [
                    (from + 3.0 * 86400.0 + k * 7.0, 600.0 + k % 1800.0),
                    (from + 17.0 * 86400.0 + k * 11.0, 300.0 + k % 600.0),
                ];
                let reboot_at = from + 24.0 * 86400.0 + k * 13.0;
                let mut boot = from - 86400.0;
                let mut spans: Vec<Span> = Vec::new();
                let mut t = from - 30.0 + (k % 30.0);
                while t < to {
                    if outages.iter().any(|(s, d)| t >= *s && t < s + d) {
                        t += 30.0;
                        continue;
                    }
                    if t >= reboot_at && boot < reboot_at {
                        boot = reboot_at;
                        t = reboot_at + 45.0;
                    }
                    beats += 1;
                    match spans.last_mut() {
                        Some(s) if continues(s, t, Some(boot), grace) => s.end = t,
                        _ => spans.push(Span::point(t, Some(boot))),
                    }
                    t += 30.0;
                }
                for s in &spans {
                    conn.execute(
                        "INSERT INTO spans (agent_id, start, \"end\", boot_time, grace) VALUES (?1, ?2, ?3, ?4, ?5)",
                        simpul_collector::params![id, s.start, s.end, s.boot, grace],
                    )?;
                    rows += 1;
                }
            }
            Ok(())
            })?;
            println!("heartbeats: {beats}  span rows: {rows}");
        }
        Some("run") => {
            let url = arg(&args, "--url")?;
            // several comma-separated URLs: agent i always goes to URL i % n, as a load
            // balancer hashing on the client would send it
            let urls: Vec<String> = url.split(',').map(str::to_owned).collect();
            if urls.iter().any(|u| !u.starts_with("http://127.")) {
                bail!("--url must be loopback addresses (http://127.x.x.x:PORT[,http://127.x.x.x:PORT...])");
            }
            let tokens = std::fs::read_to_string(arg(&args, "--tokens")?)?;
            let agents: Vec<(String, String, String)> = tokens
                .lines()
                .filter_map(|l| {
                    let mut f = l.split(' ');
                    Some((f.next()?.to_owned(), f.next()?.to_owned(), f.next()?.to_owned()))
                })
                .collect();
            let secs: u64 = arg(&args, "--seconds")?.parse()?;
            let conc: usize = arg(&args, "--concurrency")?.parse()?;
            anyhow::ensure!(secs <= 600 && conc <= 1024 && !agents.is_empty(), "bounds: seconds <= 600, concurrency <= 1024");
            let interval: Option<f64> = match arg(&args, "--interval") {
                Ok(s) => Some(s.parse()?),
                Err(_) => None,
            };
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
            rt.block_on(run(urls, agents, Duration::from_secs(secs), conc, interval))?;
        }
        _ => bail!("usage: ingest-load enrol --data-dir D --agents N [--agencies K] | spans --data-dir D --from T --to T | run --url URL --tokens FILE --seconds S --concurrency C [--interval SECS]"),
    }
    Ok(())
}

async fn run(
    urls: Vec<String>,
    agents: Vec<(String, String, String)>,
    dur: Duration,
    conc: usize,
    interval: Option<f64>,
) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(conc)
        .build()?;
    let urls: std::sync::Arc<Vec<String>> =
        std::sync::Arc::new(urls.iter().map(|u| format!("{u}/api/v1/reports")).collect());
    let agents = std::sync::Arc::new(agents);
    let start = tokio::time::Instant::now();
    let deadline = Instant::now() + dur;
    let base_seq = SystemTime::now().duration_since(UNIX_EPOCH)?.as_micros() as u64;
    let mut tasks = Vec::new();
    for w in 0..conc {
        let (client, urls, agents) = (client.clone(), urls.clone(), agents.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0u64;
            let mut i = w;
            let n = agents.len();
            while Instant::now() < deadline {
                if let Some(every) = interval {
                    // agent i % n sends at (round + its offset in the fleet) * interval
                    let due = ((i / n) as f64 + (i % n) as f64 / n as f64) * every;
                    tokio::time::sleep_until(start + Duration::from_secs_f64(due)).await;
                    if Instant::now() >= deadline {
                        break;
                    }
                }
                let (id, host, token) = &agents[i % agents.len()];
                let seq = base_seq + (i / agents.len()) as u64;
                let body = heartbeat(id, host, seq);
                let url = &urls[(i % n) % urls.len()];
                let t = Instant::now();
                let sent_at = start.elapsed().as_secs_f64();
                let ok = match client
                    .post(url)
                    .bearer_auth(token)
                    .header("content-type", "application/json")
                    .header("content-encoding", "gzip")
                    .body(body)
                    .send()
                    .await
                {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if ok {
                    lat.push((sent_at, t.elapsed().as_secs_f64()));
                } else {
                    errors += 1;
                }
                i += conc;
            }
            (lat, errors)
        }));
    }
    let mut lat = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await?;
        lat.extend(l);
        errors += e;
    }
    // with an interval, the first round is every agent's first report (a new span, a
    // token not yet cached): the steady state is what follows it
    let first_round = interval.unwrap_or(0.0);
    let mut steady: Vec<f64> = lat
        .iter()
        .filter(|(at, _)| *at >= first_round)
        .map(|(_, l)| *l)
        .collect();
    let mut lat: Vec<f64> = lat.into_iter().map(|(_, l)| l).collect();
    lat.sort_by(f64::total_cmp);
    steady.sort_by(f64::total_cmp);
    let pct = |v: &[f64], p: f64| {
        v.get(((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
            * 1000.0
    };
    println!(
        "agents={} concurrency={conc} seconds={} reports_ok={} errors={errors} reports_per_s={:.0} p50_ms={:.2} p99_ms={:.2} max_ms={:.2} after_first_round: p50_ms={:.2} p99_ms={:.2} max_ms={:.2}",
        agents.len(),
        dur.as_secs(),
        lat.len(),
        lat.len() as f64 / dur.as_secs_f64(),
        pct(&lat, 0.50),
        pct(&lat, 0.99),
        pct(&lat, 1.0),
        pct(&steady, 0.50),
        pct(&steady, 0.99),
        pct(&steady, 1.0)
    );
    Ok(())
}
