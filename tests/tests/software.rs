//! The software inventory end to end (issue 25): a real agent reads a dpkg database in a
//! throwaway root the test installs packages into with the real dpkg (install, upgrade,
//! remove), and a real rpm database made with rpmbuild and `rpm --justdb`; the
//! collector's API, host page and search show the list and its dated changes. The
//! version orderings are checked against the real dpkg and rpm.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failure should stop the test with its message"
)]

mod browser;

use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use simpul_e2e::curl::{curl, login};
use simpul_e2e::wait::wait_for;
use simpul_e2e::{get_json, run, start_agent, Collector};
use simpul_protocol::{compare_versions, PackageSource};

const PW: &str = "a long enough passphrase 1";

/// An empty root dpkg can install into.
fn dpkg_root(dir: &Path) -> PathBuf {
    let root = dir.join("root");
    for d in ["info", "updates", "triggers"] {
        std::fs::create_dir_all(root.join("var/lib/dpkg").join(d)).unwrap();
    }
    for f in ["status", "available"] {
        std::fs::write(root.join("var/lib/dpkg").join(f), "").unwrap();
    }
    root
}

/// A .deb of `name` at `version` with no files and no scripts.
fn deb(dir: &Path, name: &str, version: &str) -> PathBuf {
    let src = dir.join(format!("{name}-{version}"));
    std::fs::create_dir_all(src.join("DEBIAN")).unwrap();
    std::fs::write(
        src.join("DEBIAN/control"),
        format!(
            "Package: {name}\nVersion: {version}\nArchitecture: all\n\
             Maintainer: Simpul tests <tests@localhost>\nDescription: an empty package of the software test\n"
        ),
    )
    .unwrap();
    let out = dir.join(format!("{name}_{version}_all.deb"));
    run(Command::new("dpkg-deb")
        .args(["--build", "--root-owner-group"])
        .arg(&src)
        .arg(&out));
    out
}

fn dpkg(root: &Path, args: &[&str]) {
    run(Command::new("dpkg")
        .arg(format!("--root={}", root.display()))
        .args(["--force-not-root", "--force-script-chrootless"])
        .args(args));
}

/// The host's software as the API gives it; `Null` until the host's first report.
fn software(c: &Collector, agent: &str) -> serde_json::Value {
    let (code, v) = get_json(&c.url(&format!("/api/v1/hosts/{agent}/software")));
    match code {
        200 => v,
        404 => serde_json::Value::Null,
        _ => panic!("{code}: {v}"),
    }
}

fn changes(v: &serde_json::Value) -> Vec<String> {
    v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {}>{}",
                c["name"].as_str().unwrap(),
                c["change"].as_str().unwrap(),
                c["old_version"].as_str().unwrap(),
                c["new_version"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn installing_upgrading_and_removing_packages_show_as_dated_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dpkg_root(dir.path());
    dpkg(
        &root,
        &[
            "-i",
            deb(dir.path(), "simpul-keep", "2.0-1").to_str().unwrap(),
        ],
    );
    dpkg(
        &root,
        &[
            "-i",
            deb(dir.path(), "simpul-hello", "1.0-1").to_str().unwrap(),
        ],
    );
    let c = Collector::start("default_language = \"id\"\n");
    let token = c.enrol("dinkes", "web-01", None);
    let agent_id = simpul_e2e::agent_id(&token);
    let status = root.join("var/lib/dpkg/status");
    let mut agent = start_agent(
        &dir.path().join("agent"),
        &c.url(""),
        &token,
        &format!(
            "hostname = \"web-01\"\n[software]\ndpkg_status = \"{}\"\ncheck_interval_secs = 1\n",
            status.display()
        ),
    );

    // the baseline: two packages, no changes
    let first = wait_for("the first list", Duration::from_secs(20), || {
        let v = software(&c, &agent_id);
        (v["summary"]["packages"] == 2).then_some(v)
    });
    assert_eq!(first["summary"]["source"], "dpkg");
    assert!(first["changes"].as_array().unwrap().is_empty(), "{first}");
    let names: Vec<&str> = first["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["simpul-hello", "simpul-keep"]);

    // upgrade one, install one, then remove one: each a change with its time
    dpkg(
        &root,
        &[
            "-i",
            deb(dir.path(), "simpul-hello", "1.1-1").to_str().unwrap(),
        ],
    );
    dpkg(
        &root,
        &[
            "-i",
            deb(dir.path(), "simpul-new", "0.9-1").to_str().unwrap(),
        ],
    );
    let v = wait_for(
        "the upgrade and the install",
        Duration::from_secs(30),
        || {
            let v = software(&c, &agent_id);
            (v["changes"].as_array().map(Vec::len) == Some(2)).then_some(v)
        },
    );
    // (a check between the two installs dates them apart: compared in any order)
    let mut two = changes(&v);
    two.sort();
    assert_eq!(
        two,
        [
            "simpul-hello upgraded 1.0-1>1.1-1",
            "simpul-new installed >0.9-1"
        ]
    );
    dpkg(&root, &["-r", "simpul-keep"]);
    let v = wait_for("the removal", Duration::from_secs(30), || {
        let v = software(&c, &agent_id);
        (v["changes"].as_array().map(Vec::len) == Some(3)).then_some(v)
    });
    assert_eq!(changes(&v)[0], "simpul-keep removed 2.0-1>");
    assert_eq!(v["summary"]["packages"], 2);
    // the chain of differences (and "still the same" checks) held: the collector never
    // had to ask for the whole list (the agent logs each time it is asked)
    let log = std::fs::read_to_string(dir.path().join("agent/agent.log")).unwrap();
    assert!(!log.contains("asks for the whole software list"), "{log}");

    // the metrics: two packages; the fake kernel release is no installed linux-image, so
    // whether a reboot is needed is unknown and the series absent
    let metrics = wait_for("the software metrics", Duration::from_secs(20), || {
        let m = c.metrics();
        m.contains("simpul_host_packages{agency=\"dinkes\",site=\"\",host=\"web-01\"} 2")
            .then_some(m)
    });
    assert!(
        !metrics.contains("simpul_host_reboot_required{"),
        "{metrics}"
    );
    // a kernel package of the running kernel's flavour (what follows its ABI number,
    // as in 6.1.0-26-amd64) other than the running kernel: a reboot is needed to run it
    let running = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let kernel = match running.trim().splitn(3, '-').nth(2) {
        Some(flavour) => format!("0.0.1-0-{flavour}"),
        None => "0.0.1-0".to_owned(),
    };
    dpkg(
        &root,
        &[
            "-i",
            deb(dir.path(), &format!("linux-image-{kernel}"), "0.0.1-1")
                .to_str()
                .unwrap(),
        ],
    );
    wait_for(
        "simpul_host_reboot_required 1",
        Duration::from_secs(40),
        || {
            c.metrics()
                .contains(
                    "simpul_host_reboot_required{agency=\"dinkes\",site=\"\",host=\"web-01\"} 1",
                )
                .then_some(())
        },
    );
    let summary = software(&c, &agent_id)["summary"].clone();
    assert_eq!(summary["newest_kernel"], kernel.as_str());
    // and since when, for the alert (a gap in the series does not reset it)
    let since = summary["reboot_needed_since_seconds"]
        .as_f64()
        .unwrap_or_else(|| panic!("{summary}"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(now - since >= 0.0 && now - since < 120.0, "{since} {now}");
    let metrics = c.metrics();
    assert_eq!(
        simpul_e2e::sample(
            &metrics,
            "simpul_host_reboot_required_since_timestamp_seconds{agency=\"dinkes\",site=\"\",host=\"web-01\"}"
        ),
        Some(since),
        "{metrics}"
    );

    // which hosts run simpul-hello below 1.2: this one; below 1.1: none
    let (code, s) = get_json(&c.url("/api/v1/software?name=simpul-hello&below=1.2"));
    assert_eq!(code, 200, "{s}");
    assert_eq!(s["hosts"][0]["host"], "web-01");
    assert_eq!(s["hosts"][0]["version"], "1.1-1");
    let (_, s) = get_json(&c.url("/api/v1/software?name=simpul-hello&below=1.1"));
    assert!(s["hosts"].as_array().unwrap().is_empty(), "{s}");
    let (_, s) = get_json(&c.url("/api/v1/software?name=simpul-*"));
    assert_eq!(s["hosts"].as_array().unwrap().len(), 2, "{s}");
    for (query, field) in [
        ("", "name"),
        ("name=*ssl", "name"),
        ("name=a&below=1%202", "below"),
        ("name=a&colour=red", "colour"),
    ] {
        let (code, e) = get_json(&c.url(&format!("/api/v1/software?{query}")));
        assert_eq!(code, 400, "{query}: {e}");
        assert!(e.to_string().contains(field), "{query}: {e}");
    }

    // the yearly report: the servers' software after the PDF's asset register, and three
    // sheets of the workbook, in both languages
    let (_, sc) = get_json(&c.url("/api/v1/scorecard"));
    let year = sc["period"].as_str().unwrap()[..4].to_owned();
    for (lang, heading, reboot, sheets, upgraded) in [
        (
            "id",
            "Perangkat lunak server",
            "ya (kernel",
            [
                "Perangkat lunak",
                "Perubahan perangkat lunak",
                "Paket terpasang",
            ],
            "diperbarui",
        ),
        (
            "en",
            "Server software",
            "yes (kernel",
            ["software", "software_changes", "packages"],
            "upgraded",
        ),
    ] {
        let (code, pdf) =
            simpul_e2e::get_bytes(&c.url(&format!("/reports/{year}.pdf?lang={lang}")));
        assert_eq!(code, 200, "{}", String::from_utf8_lossy(&pdf));
        // kept to look at: target/report-artifacts/software-report-{lang}.pdf
        let kept = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../target/report-artifacts")
            .join(format!("software-report-{lang}.pdf"));
        std::fs::create_dir_all(kept.parent().unwrap()).unwrap();
        std::fs::write(&kept, &pdf).unwrap();
        let out = run(Command::new(simpul_e2e::need("pdftotext"))
            .arg(&kept)
            .arg("-"));
        let text = out
            .replace('\u{a0}', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for want in [heading, reboot, "web-01", "dpkg"] {
            assert!(text.contains(want), "{lang}: {want:?} not in:\n{text}");
        }
        // the PDF counts what the workbook lists (4 changes, 3 packages), without
        // reading the lists
        let counted = if lang == "id" {
            "Setiap perubahan (4 dalam periode) dan daftar paket lengkap (3 paket)"
        } else {
            "Every change (4 in the period) and the whole package list (3 packages)"
        };
        assert!(
            text.contains(counted),
            "{lang}: {counted:?} not in:\n{text}"
        );
        let (code, xlsx) =
            simpul_e2e::get_bytes(&c.url(&format!("/reports/{year}.xlsx?lang={lang}")));
        assert_eq!(code, 200);
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
        let mut sheet = |name: &str| -> Vec<Vec<String>> {
            book.worksheet_range(name)
                .unwrap_or_else(|e| panic!("{lang} {name}: {e}"))
                .rows()
                .map(|r| r.iter().map(ToString::to_string).collect())
                .collect()
        };
        // one server: 3 packages; 2 installed (simpul-new, the kernel), 1 upgraded, 1 removed
        let summary = sheet(sheets[0]);
        assert_eq!(summary.len(), 2, "{summary:?}");
        assert_eq!(
            (&summary[1][1], &summary[1][2], &summary[1][3]),
            (&"web-01".to_owned(), &"dpkg".to_owned(), &"3".to_owned()),
            "{summary:?}"
        );
        assert_eq!(summary[1][8..12], ["2", "1", "0", "1"], "{summary:?}");
        let changes = sheet(sheets[1]);
        assert_eq!(changes.len(), 5, "{changes:?}");
        assert!(
            changes.iter().any(|r| r[3] == "simpul-hello"
                && r[5] == upgraded
                && r[6] == "1.0-1"
                && r[7] == "1.1-1"),
            "{changes:?}"
        );
        let packages: Vec<String> = sheet(sheets[2])[1..].iter().map(|r| r[2].clone()).collect();
        assert_eq!(
            packages,
            [
                format!("linux-image-{kernel}"),
                "simpul-hello".into(),
                "simpul-new".into()
            ]
        );
    }

    // the asset register's CSV: the server's row carries its software
    let (code, csv) = simpul_e2e::get_bytes(&c.url("/api/v1/assets?format=csv"));
    assert_eq!(code, 200);
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .contains(",packages,package_manager,running_kernel,reboot_needed,asset_id"),
        "{csv}"
    );
    let row = csv
        .lines()
        .find(|l| l.contains(&format!("agent:{agent_id}")))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(
        row.ends_with(&format!(",3,dpkg,{},true,agent:{agent_id}", running.trim())),
        "{row}"
    );

    // the pages, in Indonesian: the host page's section, the host's software page, the search
    c.add_user("budi", &["--role", "admin"], PW);
    let cookie = login(&c, "budi", PW);
    let host = curl(&c.url(&format!("/hosts/{agent_id}")), "GET", &[&cookie], "");
    assert_eq!(host.status, 200);
    for want in [
        "Perangkat lunak terpasang",
        "3 paket",
        "perlu dinyalakan ulang",
        "menunggu sejak 20",
        kernel.as_str(),
        "dihapus",
        "diperbarui",
        "dipasang",
        " WIB",
    ] {
        assert!(host.body.contains(want), "{want}: {}", host.body);
    }
    simpul_e2e::lang::assert_indonesian("/hosts/{id}", &host.body);
    let page = curl(
        &c.url(&format!("/hosts/{agent_id}/software")),
        "GET",
        &[&cookie],
        "",
    );
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("simpul-new") && page.body.contains("0.9-1"),
        "{}",
        page.body
    );
    simpul_e2e::lang::assert_indonesian("/hosts/{id}/software", &page.body);
    let search = curl(
        &c.url("/inventory/software?name=simpul-hello&below=1.2"),
        "GET",
        &[&cookie],
        "",
    );
    assert_eq!(search.status, 200);
    assert!(
        search.body.contains("web-01") && search.body.contains("1.1-1"),
        "{}",
        search.body
    );
    simpul_e2e::lang::assert_indonesian("/inventory/software", &search.body);
    let bad = curl(&c.url("/inventory/software?name=*x"), "GET", &[&cookie], "");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("Pencarian tidak valid"), "{}", bad.body);

    // in a real browser (Indonesian), desktop and phone: nothing scrolls sideways
    let shots = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let b = browser::Browser::start_in(shots.path(), "id-ID").await;
        b.login(&c, "budi", PW).await;
        for (width, suffix) in [(1280, ""), (390, "-phone")] {
            b.client.set_window_size(width, 900).await.unwrap();
            for (path, name) in [
                (format!("/hosts/{agent_id}#software"), "software-host"),
                (format!("/hosts/{agent_id}/software"), "software-list"),
                (
                    "/inventory/software?name=simpul-*&below=2".to_owned(),
                    "software-search",
                ),
            ] {
                b.client.goto(&c.url(&path)).await.unwrap();
                tokio::time::sleep(Duration::from_millis(200)).await;
                if suffix == "-phone" {
                    let (scroll, inner) = b.widths().await;
                    assert!(scroll <= inner + 1.0, "{path}: {scroll} > {inner}");
                }
                b.shot(&format!("{name}-id{suffix}")).await;
            }
        }
        b.client.clone().close().await.unwrap();
    });
    agent.terminate();
}

#[test]
fn a_real_rpm_database_is_read_with_rpm() {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().join("rpmbuild");
    std::fs::create_dir_all(top.join("SPECS")).unwrap();
    let db = dir.path().join("rpmdb");
    std::fs::create_dir_all(&db).unwrap();
    let spec = top.join("SPECS/simpul-hello.spec");
    std::fs::write(
        &spec,
        "Name: simpul-hello\nVersion: 3.0.7\nRelease: 27.el9\nEpoch: 1\nSummary: empty\n\
         License: Apache-2.0\nBuildArch: noarch\n%description\nAn empty package of the software test.\n%files\n",
    )
    .unwrap();
    run(Command::new("rpmbuild")
        .arg("-bb")
        .arg("--define")
        .arg(format!("_topdir {}", top.display()))
        .arg("--define")
        .arg(format!("_rpmdir {}", dir.path().join("rpms").display()))
        .arg(&spec));
    run(Command::new("rpm").arg("--dbpath").arg(&db).arg("--initdb"));
    run(Command::new("rpm")
        .arg("--dbpath")
        .arg(&db)
        .args(["-i", "--justdb", "--nodeps"])
        .arg(
            dir.path()
                .join("rpms/noarch/simpul-hello-3.0.7-27.el9.noarch.rpm"),
        ));

    let c = Collector::start("");
    let token = c.enrol("dinkes", "rhel-01", None);
    let agent_id = simpul_e2e::agent_id(&token);
    let mut agent = start_agent(
        &dir.path().join("agent"),
        &c.url(""),
        &token,
        &format!(
            "hostname = \"rhel-01\"\n[software]\ndpkg_status = \"{}\"\nrpm_dbpath = \"{}\"\ncheck_interval_secs = 1\n",
            dir.path().join("no-dpkg/status").display(),
            db.display()
        ),
    );
    let v = wait_for("the rpm list", Duration::from_secs(20), || {
        let v = software(&c, &agent_id);
        (v["summary"]["packages"] == 1).then_some(v)
    });
    assert_eq!(v["summary"]["source"], "rpm");
    assert_eq!(v["packages"][0]["name"], "simpul-hello");
    assert_eq!(v["packages"][0]["version"], "1:3.0.7-27.el9");
    assert_eq!(v["packages"][0]["arch"], "noarch");
    // by rpm's ordering the epoch puts it above 3.0.8; not below 2:0 is false
    let (_, s) = get_json(&c.url("/api/v1/software?name=simpul-hello&below=3.0.8"));
    assert!(s["hosts"].as_array().unwrap().is_empty(), "{s}");
    let (_, s) = get_json(&c.url("/api/v1/software?name=simpul-hello&below=2:0"));
    assert_eq!(s["hosts"].as_array().unwrap().len(), 1, "{s}");
    agent.terminate();
}

/// Builds the packages of `spec` with the real rpmbuild and installs them (`--justdb`)
/// into a new database `dir/rpmdb`; returns that directory.
fn rpm_database(dir: &Path, spec_text: &str, target: &str) -> PathBuf {
    let top = dir.join("rpmbuild");
    std::fs::create_dir_all(top.join("SPECS")).unwrap();
    let spec = top.join("SPECS/test.spec");
    std::fs::write(&spec, spec_text).unwrap();
    let rpms = dir.join("rpms");
    run(Command::new("rpmbuild")
        .args(["-bb", "--quiet", "--target", target])
        .arg("--define")
        .arg(format!("_topdir {}", top.display()))
        .arg("--define")
        .arg(format!("_rpmdir {}", rpms.display()))
        .arg(&spec));
    let db = dir.join("rpmdb");
    std::fs::create_dir_all(&db).unwrap();
    run(Command::new("rpm").arg("--dbpath").arg(&db).arg("--initdb"));
    let mut files: Vec<PathBuf> = walk(&rpms);
    files.sort();
    run(Command::new("rpm")
        .arg("--dbpath")
        .arg(&db)
        .args(["-i", "--justdb", "--nodeps", "--noscripts", "--notriggers"])
        .args(&files));
    db
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flat_map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p)
            } else {
                vec![p]
            }
        })
        .collect()
}

/// The package list `simpul-agent once` reports for an rpm database, read directly
/// (`rpm_sqlite = true`) or through `rpm -qa`.
fn once_packages(dir: &Path, db: &Path, direct: bool) -> Vec<serde_json::Value> {
    let config = dir.join(format!("once-{direct}.toml"));
    std::fs::write(
        &config,
        format!(
            "[software]\ndpkg_status = \"{}\"\nrpm_dbpath = \"{}\"\nrpm_sqlite = {direct}\n",
            dir.join("no-dpkg/status").display(),
            db.display()
        ),
    )
    .unwrap();
    let out = run(Command::new(simpul_e2e::bin("simpul-agent"))
        .args(["once", "--config"])
        .arg(&config)
        .env("RUST_LOG", "warn"));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut list = v["software"]["packages"].as_array().unwrap().clone();
    list.sort_by_key(|p| p["name"].as_str().unwrap().to_owned());
    list
}

/// rpm's SQLite database read by the agent itself lists what `rpm -qa` lists: real
/// headers made by rpmbuild (epochs, two architectures, a long name, 100 files each so
/// that headers spill over overflow pages), and a WAL with a transaction SQLite has not
/// checkpointed yet, which rpm and the agent must both see.
#[test]
fn rpm_s_sqlite_database_read_directly_lists_what_rpm_lists() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!("simpul-{}", "panjang".repeat(30));
    let mut spec = String::from(
        "Name: simpul-base\nVersion: 3.0.7\nRelease: 27.el9\nEpoch: 1\nSummary: base\n\
         License: Apache-2.0\n%description\nThe base package.\n%install\n\
         for i in $(seq 0 24); do mkdir -p %{buildroot}/opt/t/s$i; \
         (cd %{buildroot}/opt/t/s$i && touch $(seq -f 'file%03g' 1 100)); done\n%files\n/opt/t/s0\n",
    );
    for i in 1..=24 {
        let name = if i == 7 {
            long.clone()
        } else {
            format!("simpul-sub{i}")
        };
        spec += &format!(
            "%package -n {name}\nSummary: sub\nVersion: 2.{i}.0\n{}{}%description -n {name}\nA sub-package.\n\
             %files -n {name}\n/opt/t/s{i}\n",
            if i % 3 == 0 { format!("Epoch: {}\n", i / 3) } else { String::new() },
            if i % 4 == 0 { "BuildArch: noarch\n" } else { "" },
        );
    }
    let db = rpm_database(dir.path(), &spec, "x86_64");
    let by_rpm = once_packages(dir.path(), &db, false);
    assert_eq!(by_rpm.len(), 25, "{by_rpm:?}");
    let direct = once_packages(dir.path(), &db, true);
    assert_eq!(direct, by_rpm);
    let long_one = direct.iter().find(|p| p["name"] == long.as_str()).unwrap();
    assert_eq!(long_one["arch"], "x86_64");
    let sub6 = direct.iter().find(|p| p["name"] == "simpul-sub6").unwrap();
    assert_eq!(sub6["version"], "2:2.6.0-27.el9");
    assert_eq!(sub6["arch"], "x86_64");
    let sub8 = direct.iter().find(|p| p["name"] == "simpul-sub8").unwrap();
    assert_eq!(sub8["arch"], "noarch");

    // a transaction in the WAL, not checkpointed while its writer stays open: two
    // packages gone; rpm sees that, and so must the agent
    let sqlite = db.join("rpmdb.sqlite");
    let writer = rusqlite::Connection::open(&sqlite).unwrap();
    writer
        .execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; PRAGMA foreign_keys = OFF; \
             DELETE FROM Packages WHERE hnum IN (SELECT hnum FROM Packages ORDER BY hnum LIMIT 2);",
        )
        .unwrap();
    let wal = std::fs::metadata(db.join("rpmdb.sqlite-wal"))
        .unwrap()
        .len();
    assert!(wal > 32, "the delete is in the WAL ({wal} bytes)");
    let by_rpm = once_packages(dir.path(), &db, false);
    assert_eq!(by_rpm.len(), 23, "{by_rpm:?}");
    assert_eq!(once_packages(dir.path(), &db, true), by_rpm);
    drop(writer);

    // read directly, the list needs no rpm program at all
    let no_rpm = |db: &Path| {
        let config = dir.path().join("no-rpm.toml");
        std::fs::write(
            &config,
            format!(
                "[software]\ndpkg_status = \"/nonexistent/status\"\nrpm = \"/nonexistent/rpm\"\nrpm_dbpath = \"{}\"\n",
                db.display()
            ),
        )
        .unwrap();
        let out = run(Command::new(simpul_e2e::bin("simpul-agent"))
            .args(["once", "--config"])
            .arg(&config));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let error = v["collectors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "software")
            .map(|c| c["error"].as_str().unwrap().to_owned());
        (v["software"]["packages"].as_array().map(Vec::len), error)
    };
    assert_eq!(no_rpm(&db), (Some(23), None));
    // a Berkeley DB `Packages` newer than it (a host converted back): rpm is asked
    std::fs::write(db.join("Packages"), "").unwrap();
    let (list, error) = no_rpm(&db);
    assert_eq!(list, None);
    assert!(error.unwrap().contains("/nonexistent/rpm"));
    std::fs::remove_file(db.join("Packages")).unwrap();
    // a database it cannot read itself: rpm is asked, and the error names both reasons
    let mut bytes = std::fs::read(&sqlite).unwrap();
    bytes[100] = 0x42; // page 1's type: no b-tree page
    std::fs::write(&sqlite, &bytes).unwrap();
    let (list, error) = no_rpm(&db);
    assert_eq!(list, None);
    let error = error.unwrap();
    assert!(
        error.contains("/nonexistent/rpm") && error.contains("page 1 is of type 0x42"),
        "{error}"
    );
}

/// A real CentOS 7 database (its 144 package headers as that system's rpm wrote them,
/// converted to rpm's SQLite backend by `rpmdb --rebuilddb`; see
/// tests/fixtures/software/README.md): read directly, the agent lists what rpm lists
/// from it, and what the checked-in `rpm -qa` of that system says.
#[test]
fn a_real_centos_7_database_is_read_directly_as_rpm_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/software");
    let db = dir.path().join("rpmdb");
    std::fs::create_dir_all(&db).unwrap();
    let sqlite = std::fs::File::create(db.join("rpmdb.sqlite")).unwrap();
    let status = Command::new("xz")
        .arg("-dc")
        .arg(fixtures.join("centos-7-rpmdb.sqlite.xz"))
        .stdout(sqlite)
        .status()
        .unwrap();
    assert!(status.success(), "xz -dc: {status}");

    let triples = |list: Vec<serde_json::Value>| {
        let mut t: Vec<(String, String, String)> = list
            .iter()
            .map(|p| {
                let f = |k: &str| p[k].as_str().unwrap().to_owned();
                (f("name"), f("version"), f("arch"))
            })
            .collect();
        t.sort();
        t
    };
    let direct = triples(once_packages(dir.path(), &db, true));
    assert_eq!(direct.len(), 144);
    assert_eq!(direct, triples(once_packages(dir.path(), &db, false)));
    let mut recorded: Vec<(String, String, String)> =
        std::fs::read_to_string(fixtures.join("centos-7-rpm-qa"))
            .unwrap()
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                let evr = match f[1] {
                    "0" => format!("{}-{}", f[2], f[3]),
                    e => format!("{e}:{}-{}", f[2], f[3]),
                };
                (f[0].to_owned(), evr, f[4].to_owned())
            })
            .collect();
    recorded.sort();
    assert_eq!(direct, recorded);
    assert!(direct.contains(&(
        "openssl-libs".to_owned(),
        "1:1.0.2k-12.el7".to_owned(),
        "x86_64".to_owned()
    )));
}

/// Versions of the real Debian status file (the fixture) and hard cases, ordered by
/// Simpul and by the real `dpkg --compare-versions`; rpm's cases by rpm's own
/// `rpm.vercmp`.
#[test]
fn versions_order_as_the_real_dpkg_and_rpm_order_them() {
    let status = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/software/debian-12-dpkg-status"),
    )
    .unwrap();
    let mut versions: Vec<&str> = status
        .lines()
        .filter_map(|l| l.strip_prefix("Version: "))
        .collect();
    versions.sort_unstable();
    versions.dedup();
    // hard cases, each against each
    let hard = [
        "1.0~rc1",
        "1.0",
        "1.0+b1",
        "1:0.1",
        "1.0-1~bpo12+1",
        "1.0a",
        "1.0.0",
        "2.36-9+deb12u10",
        "2.36-9+deb12u4",
        "0.0~git20230101.abc-1",
        "1:2:3",
        "1.0--1",
        "1.0~",
    ];
    let mut pairs: Vec<(&str, &str)> = hard
        .iter()
        .flat_map(|a| hard.iter().map(move |b| (*a, *b)))
        .collect();
    // the real list: neighbours in sorted order plus a stride, pairs close and far
    for (i, a) in versions.iter().enumerate() {
        for b in [
            versions.get(i + 1),
            versions.get((i * 7 + 3) % versions.len()),
        ]
        .into_iter()
        .flatten()
        {
            pairs.push((*a, *b));
        }
    }
    pairs.truncate(hard.len() * hard.len() + 400);
    let mut checked = 0;
    for (a, b) in &pairs {
        let dpkg_lt = Command::new("dpkg")
            .args(["--compare-versions", a, "lt", b])
            .status()
            .unwrap()
            .success();
        let dpkg_eq = Command::new("dpkg")
            .args(["--compare-versions", a, "eq", b])
            .status()
            .unwrap()
            .success();
        let want = if dpkg_lt {
            Ordering::Less
        } else if dpkg_eq {
            Ordering::Equal
        } else {
            Ordering::Greater
        };
        assert_eq!(
            compare_versions(PackageSource::Dpkg, a, b),
            want,
            "{a} vs {b}"
        );
        checked += 1;
    }
    assert!(checked >= 400, "{checked}");

    let rpm_pairs = [
        ("1.0", "1.0"),
        ("2.0.1a", "2.0.1"),
        ("5.5p10", "5.5p1"),
        ("xyz.4", "8"),
        ("10xyz", "10.1xyz"),
        ("1.0~rc1", "1.0"),
        ("1.0^", "1.0"),
        ("1.0^git1", "1.01"),
        ("1.0~rc1^git1", "1.0~rc1"),
        ("3.0.7-27.el9", "3.0.7-24.el9"),
        ("3.0.7-24.el9", "3.0.7"),
        ("1.0", "1.0-1"),
        ("1:1.0-1", "2.0-1"),
        ("2.0-1.el9_4", "2.0-1.el9"),
        ("6.0.rc1", "6.0"),
        ("a+", "a_"),
        ("10.0001", "10.1"),
        ("1.0aa", "1.0a"),
    ];
    let lua: String = rpm_pairs
        .iter()
        // rpm's print writes no line break: a space after each answer
        .map(|(a, b)| format!("print(tostring(rpm.vercmp(\"{a}\", \"{b}\")) .. \" \") "))
        .collect();
    let out = run(Command::new("rpm")
        .arg("--eval")
        .arg(format!("%{{lua: {lua}}}")));
    let got: Vec<i32> = out.split_whitespace().map(|x| x.parse().unwrap()).collect();
    assert_eq!(got.len(), rpm_pairs.len(), "{out}");
    for ((a, b), want) in rpm_pairs.iter().zip(got) {
        assert_eq!(
            compare_versions(PackageSource::Rpm, a, b),
            want.cmp(&0),
            "{a} vs {b}"
        );
    }
}
