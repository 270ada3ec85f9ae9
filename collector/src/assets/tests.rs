//! The register on hand-made situations: matching, presence, attributes, import.

use std::sync::Arc;

use super::import::{self, Table};
use super::*;
use crate::lan::seen::SeenDevice;
use simpul_protocol::{NetAddress, NetPort};

const DAY: f64 = 86400.0;
const NOW: f64 = 1_795_000_000.0;

fn host(agent: &str, agency: &str, mac: &str, addr: &str, last_seen: Option<f64>) -> HostSighting {
    let mut inv: Inventory = serde_json::from_value(serde_json::json!({
        "os": {"name": "Debian GNU/Linux", "version": "12", "pretty_name": "Debian GNU/Linux 12 (bookworm)", "kernel": "6.1.0", "arch": "x86_64"},
        "cpu": {"model": "Xeon", "sockets": 1, "cores": 8, "threads": 16},
        "memory_bytes": 34359738368u64,
        "system": {"vendor": "Dell Inc.", "product": "PowerEdge R640", "serial": format!("SN-{agent}")},
        "bios": {"vendor": "Dell", "version": "2.1", "date": "01/01/2024"},
        "disks": [{"name": "sda", "model": "SSD", "size_bytes": 960197124096u64, "serial": "", "rotational": false}],
        "interfaces": []
    }))
    .unwrap();
    inv.interfaces = vec![
        NetPort {
            name: "lo".into(),
            mac: "00:00:00:00:00:00".into(),
            speed_mbps: 0,
            addresses: vec![NetAddress {
                address: "127.0.0.1".into(),
                prefix_len: 8,
            }],
        },
        NetPort {
            name: "eth0".into(),
            mac: mac.into(),
            speed_mbps: 1000,
            addresses: vec![NetAddress {
                address: addr.into(),
                prefix_len: 24,
            }],
        },
    ];
    HostSighting {
        agent_id: agent.into(),
        agency: agency.into(),
        site: Some("pusat-data".into()),
        host: format!("{agent}-host"),
        inventory: Some(Arc::new(inv)),
        first_seen: last_seen.map(|t| t - 30.0 * DAY),
        last_seen,
    }
}

fn device(
    agency: &str,
    site: &str,
    id: &str,
    macs: &[&str],
    addrs: &[&str],
    current: bool,
    last: f64,
) -> Sighting {
    Sighting {
        device: SeenDevice {
            agency: agency.into(),
            site: site.into(),
            id: id.into(),
            kind: "host".into(),
            name: format!("dev-{id}"),
            vendor: "Realtek".into(),
            addresses: addrs.iter().map(|s| s.to_string()).collect(),
            macs: macs.iter().map(|s| s.to_string()).collect(),
            first_seen: last - 10.0 * DAY,
            last_seen: last,
        },
        current,
    }
}

fn settings() -> AssetSettings {
    AssetSettings::default()
}

#[test]
fn an_agent_and_its_lan_sighting_are_one_asset() {
    let hosts = [host(
        "a1",
        "dinkes",
        "02:00:00:00:00:01",
        "10.1.0.5",
        Some(NOW - 60.0),
    )];
    let seen = [
        device(
            "dinkes",
            "kantor",
            "mac:02:00:00:00:00:01",
            &["02:00:00:00:00:01"],
            &["10.1.0.5"],
            true,
            NOW - 600.0,
        ),
        device(
            "dinkes",
            "kantor",
            "mac:02:00:00:00:00:99",
            &["02:00:00:00:00:99"],
            &["10.1.0.9"],
            true,
            NOW - 600.0,
        ),
        // the same MAC in another agency is another machine
        device(
            "bappeda",
            "kantor",
            "mac:02:00:00:00:00:01",
            &["02:00:00:00:00:01"],
            &["10.2.0.5"],
            true,
            NOW - 600.0,
        ),
    ];
    let reg = build(&hosts, &seen, &[], &settings(), NOW);
    assert_eq!(reg.len(), 3, "{reg:#?}");
    let a = reg.iter().find(|a| a.id == "agent:a1").unwrap();
    assert_eq!(a.source, "agent+lan");
    assert_eq!(a.kind, "server");
    assert_eq!(a.site, "pusat-data");
    assert_eq!(a.addresses, ["10.1.0.5"]);
    assert_eq!(
        a.macs,
        ["02:00:00:00:00:01"],
        "the loopback's zero MAC is left out"
    );
    assert_eq!(a.status, Presence::Present);
    assert_eq!(a.serial, "SN-a1");
    assert_eq!(a.os, "Debian GNU/Linux 12 (bookworm)");
    assert_eq!((a.cpu_cores, a.cpu_threads), (Some(8), Some(16)));
    assert_eq!(a.first_seen_seconds, Some(NOW - 60.0 - 30.0 * DAY));
    assert_eq!(
        a.member_ids(),
        ["agent:a1", "lan:dinkes/kantor/mac:02:00:00:00:00:01"]
    );
    assert!(reg
        .iter()
        .any(|a| a.id == "lan:bappeda/kantor/mac:02:00:00:00:00:01" && a.source == "lan"));
}

#[test]
fn a_device_without_mac_is_the_host_at_its_address_only_while_current() {
    let hosts = [host(
        "a1",
        "dinkes",
        "02:00:00:00:00:01",
        "10.1.0.5",
        Some(NOW - 60.0),
    )];
    let now_there = [device(
        "dinkes",
        "kantor",
        "ip:10.1.0.5",
        &[],
        &["10.1.0.5"],
        true,
        NOW,
    )];
    assert_eq!(build(&hosts, &now_there, &[], &settings(), NOW).len(), 1);
    // an address seen long ago may have been another machine's (DHCP)
    let long_ago = [device(
        "dinkes",
        "kantor",
        "ip:10.1.0.5",
        &[],
        &["10.1.0.5"],
        false,
        NOW - 90.0 * DAY,
    )];
    let reg = build(&hosts, &long_ago, &[], &settings(), NOW);
    assert_eq!(reg.len(), 2);
    let gone = reg.iter().find(|a| a.source == "lan").unwrap();
    assert_eq!(gone.status, Presence::NotSeen);
    assert_eq!(gone.last_seen_seconds, Some(NOW - 90.0 * DAY));
}

#[test]
fn presence_of_servers_and_devices() {
    let hosts = [
        host(
            "fresh",
            "dinkes",
            "02:00:00:00:00:01",
            "10.1.0.1",
            Some(NOW - 6.0 * DAY),
        ),
        host(
            "stale",
            "dinkes",
            "02:00:00:00:00:02",
            "10.1.0.2",
            Some(NOW - 8.0 * DAY),
        ),
        host("never", "dinkes", "", "", None),
    ];
    let mut never = hosts[2].clone();
    never.inventory = None;
    let hosts = [hosts[0].clone(), hosts[1].clone(), never];
    let seen = [
        device(
            "dinkes",
            "kantor",
            "mac:02:00:00:00:00:77",
            &["02:00:00:00:00:77"],
            &[],
            false,
            NOW - 3.0 * DAY,
        ),
        // a stale server still on its LAN is present
        device(
            "dinkes",
            "kantor",
            "mac:02:00:00:00:00:02",
            &["02:00:00:00:00:02"],
            &[],
            false,
            NOW - 2.0 * DAY,
        ),
    ];
    let reg = build(&hosts, &seen, &[], &settings(), NOW);
    let st = |id: &str| {
        let a = reg.iter().find(|a| a.id == id).unwrap();
        (a.status, a.last_seen_seconds)
    };
    assert_eq!(
        st("agent:fresh"),
        (Presence::Present, Some(NOW - 6.0 * DAY))
    );
    assert_eq!(
        st("agent:stale"),
        (Presence::NotSeen, Some(NOW - 2.0 * DAY)),
        "not seen since the LAN saw it last"
    );
    assert_eq!(st("agent:never"), (Presence::NeverSeen, None));
    assert_eq!(
        st("lan:dinkes/kantor/mac:02:00:00:00:00:77"),
        (Presence::NotSeen, Some(NOW - 3.0 * DAY))
    );
    let mut s = settings();
    s.absent_after = crate::period::Span::new("10d");
    let reg = build(&hosts, &seen, &[], &s, NOW);
    assert_eq!(
        reg.iter().find(|a| a.id == "agent:stale").unwrap().status,
        Presence::Present
    );
}

#[test]
fn one_machine_seen_at_two_sites_is_one_asset() {
    let seen = [
        device(
            "dinkes",
            "gedung-a",
            "mac:02:00:00:00:00:05",
            &["02:00:00:00:00:05"],
            &["10.1.0.5"],
            false,
            NOW - 5.0 * DAY,
        ),
        device(
            "dinkes",
            "gedung-b",
            "mac:02:00:00:00:00:05",
            &["02:00:00:00:00:05"],
            &["10.2.0.5"],
            true,
            NOW,
        ),
    ];
    let reg = build(&[], &seen, &[], &settings(), NOW);
    assert_eq!(reg.len(), 1);
    assert_eq!(
        reg[0].id, "lan:dinkes/gedung-b/mac:02:00:00:00:00:05",
        "the current sighting names it"
    );
    assert_eq!(reg[0].addresses, ["10.1.0.5", "10.2.0.5"]);
    assert_eq!(reg[0].status, Presence::Present);
    assert_eq!(reg[0].first_seen_seconds, Some(NOW - 15.0 * DAY));
}

fn recorded(id: &str, agency: &str, tag: &str) -> Recorded {
    Recorded {
        asset_id: id.into(),
        agency: agency.into(),
        attributes: Attributes {
            tag: tag.into(),
            responsible: "Ani".into(),
            ..Attributes::default()
        },
        updated_at: NOW - DAY,
        updated_by: "budi".into(),
    }
}

#[test]
fn attributes_recorded_on_a_device_follow_it_to_its_agent() {
    let hosts = [host(
        "a1",
        "dinkes",
        "02:00:00:00:00:01",
        "10.1.0.5",
        Some(NOW),
    )];
    let seen = [device(
        "dinkes",
        "kantor",
        "mac:02:00:00:00:00:01",
        &["02:00:00:00:00:01"],
        &[],
        true,
        NOW,
    )];
    let rec = [recorded(
        "lan:dinkes/kantor/mac:02:00:00:00:00:01",
        "dinkes",
        "KB-001",
    )];
    let reg = build(&hosts, &seen, &rec, &settings(), NOW);
    assert_eq!(reg.len(), 1);
    assert_eq!(reg[0].id, "agent:a1");
    assert_eq!(reg[0].attributes.tag, "KB-001");
    assert_eq!(reg[0].attributes_updated_by.as_deref(), Some("budi"));
}

#[test]
fn attributes_are_checked() {
    let ok = check(
        Attributes {
            tag: "  KB-01 ".into(),
            notes: "line one\r\nline two".into(),
            procurement_year: Some(2021),
            ..Attributes::default()
        },
        NOW,
    )
    .unwrap();
    assert_eq!(ok.tag, "KB-01");
    assert_eq!(ok.notes, "line one\nline two");
    let bad = check(
        Attributes {
            tag: "a\tb".into(),
            location: "x".repeat(121),
            procurement_year: Some(1969),
            ..Attributes::default()
        },
        NOW,
    )
    .unwrap_err();
    assert_eq!(bad.len(), 3, "{bad:?}");
    let bad = describe(&bad);
    assert!(bad.starts_with("asset_tag: no control characters (tabs, line breaks); location: at most 120 characters (this one has 121); procurement_year: 1969 is not a year from 1970 to"), "{bad}");
}

fn register() -> Vec<Asset> {
    let hosts = [
        host("a1", "dinkes", "02:00:00:00:00:01", "10.1.0.1", Some(NOW)),
        host("a2", "dinkes", "02:00:00:00:00:02", "10.1.0.2", Some(NOW)),
    ];
    let seen = [device(
        "dinkes",
        "kantor",
        "mac:02:00:00:00:00:03",
        &["02:00:00:00:00:03"],
        &[],
        true,
        NOW,
    )];
    let rec = [recorded("agent:a2", "dinkes", "KB-002")];
    build(&hosts, &seen, &rec, &settings(), NOW)
}

fn table(csv: &str) -> Table {
    import::read(csv.as_bytes()).unwrap()
}

#[test]
fn an_import_plans_changes_by_mac_serial_and_tag() {
    let reg = register();
    // Indonesian headers, a BOM and ';' as a spreadsheet in the Indonesian locale saves
    let t = table("\u{feff}Alamat MAC;Nomor Seri;Kode Barang;Penanggung Jawab;Lokasi;Tahun Pengadaan;Catatan\n02-00-00-00-00-01;;KB-001;Ani;Ruang Server, Rak 2;2021;\n;;KB-002;;;-;dipinjam\n02:00:00:00:00:03;;;;;;\n");
    let p = import::plan(&t, &reg, NOW);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!((p.rows, p.changes.len(), p.unchanged), (3, 2, 1), "{p:#?}");
    let c = &p.changes[0];
    assert_eq!((c.line, c.asset_id.as_str()), (2, "agent:a1"));
    let fields: Vec<_> = c
        .changes
        .iter()
        .map(|x| (x.field.as_str(), x.new_value.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("asset_tag", "KB-001"),
            ("responsible", "Ani"),
            ("location", "Ruang Server, Rak 2"),
            ("procurement_year", "2021")
        ]
    );
    // found by its recorded tag; empty cells leave, "-" clears
    let c = &p.changes[1];
    assert_eq!((c.line, c.asset_id.as_str()), (3, "agent:a2"));
    assert_eq!(c.new.responsible, "Ani");
    assert_eq!(c.new.notes, "dipinjam");
}

#[test]
fn bad_rows_are_named_by_line() {
    let reg = register();
    let t = table("mac,serial,asset_tag,procurement_year\n02:00:00:00:00:01,,KB-9,2021\n02:00:00:00:00:99,,,\n02:00:00:00:00:01,,,\n02:00:00:00:00:03,,KB-002,\n02:00:00:00:00:02,SN-a1,,\n,,,2020\n02:00:00:00:00:02,,,20x1\n");
    let p = import::plan(&t, &reg, NOW);
    let got: Vec<(usize, &str)> = p
        .errors
        .iter()
        .map(|e| (e.line, e.message.as_str()))
        .collect();
    assert_eq!(got.len(), 6, "{got:#?}");
    assert_eq!(got[0], (3, "no asset has MAC address 02:00:00:00:00:99"));
    assert!(
        got[1].0 == 4 && got[1].1.contains("is also on line 2"),
        "{got:?}"
    );
    assert!(
        got[2].0 == 5
            && got[2]
                .1
                .contains("asset tag \"KB-002\" is already recorded for asset agent:a2"),
        "{got:?}"
    );
    assert!(
        got[3].0 == 6 && got[3].1.contains("one row names one asset"),
        "{got:?}"
    );
    assert_eq!(
        got[4],
        (
            7,
            "no asset_id, MAC address, serial or asset tag to find the asset by"
        )
    );
    assert!(
        got[5].0 == 8 && got[5].1.contains("procurement_year \"20x1\" is not a year"),
        "{got:?}"
    );
    assert_eq!(
        p.changes.len(),
        1,
        "the good row is planned, but nothing applies"
    );

    let p = import::plan(&table("mac,colour\n"), &reg, NOW);
    assert_eq!(p.errors[0].line, 1);
    assert!(
        p.errors[0]
            .message
            .starts_with("column \"colour\" is not known; the columns are asset_id"),
        "{:?}",
        p.errors
    );
    let p = import::plan(&table("responsible\nAni\n"), &reg, NOW);
    assert!(
        p.errors[0]
            .message
            .starts_with("no column to find the assets by"),
        "{:?}",
        p.errors
    );
    assert!(import::read(b"mac\n\xff\xfe\n").unwrap_err()[0]
        .message
        .contains("neither an XLSX workbook nor UTF-8"));
}

#[test]
fn an_export_reads_back_and_the_digest_follows_the_changes() {
    let reg = register();
    let t = table("agency,agency_name,asset_type,name,vendor,model,serial,addresses,macs,source,first_seen,last_seen,asset_id,asset_tag\ndinkes,Dinas Kesehatan,server,a1-host,Dell,R640,SN-a1,10.1.0.1,02:00:00:00:00:01,agent,,,agent:a1,KB-7\n");
    let p = import::plan(&t, &reg, NOW);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.changes[0].asset_id, "agent:a1");
    let q = import::plan(&table("asset_id,asset_tag\nagent:a1,KB-8\n"), &reg, NOW);
    assert_ne!(p.digest, q.digest);
    assert_eq!(p.digest, import::plan(&t, &reg, NOW).digest);
}

#[test]
fn an_xlsx_reads_like_its_csv() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["mac", "asset_tag", "procurement_year"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "02:00:00:00:00:01").unwrap();
    sheet.write_string(1, 1, "KB-001").unwrap();
    sheet.write_number(1, 2, 2021.0).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let t = import::read(&bytes).unwrap();
    assert_eq!(
        t,
        table("mac,asset_tag,procurement_year\n02:00:00:00:00:01,KB-001,2021\n")
    );
    assert!(import::read(b"PK\x03\x04broken").unwrap_err()[0]
        .message
        .starts_with("not a readable XLSX workbook"));
}

#[test]
fn crlf_files_keep_their_line_numbers_and_an_export_imports_back_unchanged() {
    let mut reg = register();
    let a1 = reg.iter_mut().find(|a| a.id == "agent:a1").unwrap();
    a1.attributes.notes = "+62 812 3456".into();
    let t = table("mac,notes\r\n02:00:00:00:00:01,'+62 812 3456\r\n02:00:00:00:00:99,x\r\n");
    let p = import::plan(&t, &reg, NOW);
    assert_eq!(p.unchanged, 1, "the export's guard is taken off: {p:#?}");
    assert_eq!(p.errors[0].line, 3, "{:?}", p.errors);
}

#[test]
fn macs_in_the_usual_spellings_and_a_clear_error_for_others() {
    assert_eq!(
        import::normal_mac("02-00-00-00-00-0A").as_deref(),
        Some("02:00:00:00:00:0a")
    );
    assert_eq!(
        import::normal_mac("0200.0000.000a").as_deref(),
        Some("02:00:00:00:00:0a")
    );
    assert_eq!(import::normal_mac("zz:zz"), None);
    let p = import::plan(
        &table("mac,asset_tag\n0200.0000.0001,KB-5\nzz:zz,KB-6\n"),
        &register(),
        NOW,
    );
    assert_eq!(p.changes.len(), 1, "{p:#?}");
    assert_eq!(
        p.errors[0].message,
        "\"zz:zz\" is not a MAC address; write it like 02:00:00:00:00:0a"
    );
    // an asset tag differs from another asset's not by its case alone
    let p = import::plan(
        &table("mac,asset_tag\n02:00:00:00:00:01,kb-002\n"),
        &register(),
        NOW,
    );
    assert!(
        p.errors[0]
            .message
            .contains("already recorded for asset agent:a2"),
        "{p:#?}"
    );
}

#[test]
fn a_device_whose_mac_became_known_stays_one_asset_with_its_tag() {
    let seen = [
        device(
            "dinkes",
            "kantor",
            "ip:10.1.0.20",
            &[],
            &["10.1.0.20"],
            false,
            NOW - DAY,
        ),
        device(
            "dinkes",
            "kantor",
            "mac:02:00:00:00:00:20",
            &["02:00:00:00:00:20"],
            &["10.1.0.20"],
            true,
            NOW,
        ),
        // two machines with their own MACs that held one address in turn stay two
        device(
            "dinkes",
            "kantor",
            "mac:02:00:00:00:00:30",
            &["02:00:00:00:00:30"],
            &["10.1.0.30"],
            false,
            NOW - DAY,
        ),
        device(
            "dinkes",
            "kantor",
            "mac:02:00:00:00:00:31",
            &["02:00:00:00:00:31"],
            &["10.1.0.30"],
            true,
            NOW,
        ),
    ];
    let rec = [recorded(
        "lan:dinkes/kantor/ip:10.1.0.20",
        "dinkes",
        "KB-CCTV-01",
    )];
    let reg = build(&[], &seen, &rec, &settings(), NOW);
    assert_eq!(reg.len(), 3, "{reg:#?}");
    let cctv = reg
        .iter()
        .find(|a| a.id == "lan:dinkes/kantor/mac:02:00:00:00:00:20")
        .unwrap();
    assert_eq!(cctv.status, Presence::Present);
    assert_eq!(cctv.attributes.tag, "KB-CCTV-01", "the tag follows it");
}

#[test]
fn the_indonesian_export_imports_back_unchanged() {
    let mut reg = register();
    let a1 = reg.iter_mut().find(|a| a.id == "agent:a1").unwrap();
    a1.attributes.tag = "KB-02.06.01.0001".into();
    a1.attributes.location = "Ruang server lt. 2".into();
    let zone = crate::period::Zone::jakarta();
    // a1's software: 786 dpkg packages, a newer kernel waiting
    let software: super::SoftwareByAgent = [(
        "a1".to_owned(),
        crate::software::Summary {
            agent_id: "a1".into(),
            source: "dpkg".into(),
            packages: 786,
            running_kernel: "6.1.0-25-amd64".into(),
            newest_kernel: "6.1.0-26-amd64".into(),
            reboot_needed: Some(true),
            reboot_needed_since_seconds: Some(NOW - 86_400.0),
            first_seconds: NOW - 7.0 * 86_400.0,
            updated_seconds: NOW,
        },
    )]
    .into();
    let id = super::to_csv_in(
        &reg,
        &zone,
        |a| format!("Dinas {a}"),
        &software,
        crate::i18n::Lang::Id,
    );
    assert!(
        id.starts_with("Kode Perangkat Daerah,Nama Perangkat Daerah,Jenis aset,Nama,"),
        "{id}"
    );
    assert!(id.contains(",KB-02.06.01.0001,"), "{id}");
    assert!(
        id.lines().next().unwrap().ends_with(
            ",Jumlah paket,Pengelola paket,Kernel berjalan,Perlu dinyalakan ulang,ID aset"
        ),
        "{id}"
    );
    assert!(id.contains(",786,dpkg,6.1.0-25-amd64,ya,agent:a1"), "{id}");
    // as the page sends it to a spreadsheet in the Indonesian locale
    let file = crate::csv::for_indonesian_spreadsheet(&id);
    let t = import::read(file.as_bytes()).unwrap_or_else(|e| panic!("{e:?}\n{file}"));
    let p = import::plan(&t, &reg, NOW);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert!(p.changes.is_empty(), "{:#?}", p.changes);
    assert_eq!(p.unchanged, reg.len());
    // and the English file is the API's
    let en = super::to_csv_in(
        &reg,
        &zone,
        |a| format!("Dinas {a}"),
        &software,
        crate::i18n::Lang::En,
    );
    assert_eq!(
        en,
        super::to_csv(&reg, &zone, |a| format!("Dinas {a}"), &software)
    );
    assert!(
        en.contains(",786,dpkg,6.1.0-25-amd64,true,agent:a1"),
        "{en}"
    );
    // which imports back too
    let t = import::read(en.as_bytes()).unwrap_or_else(|e| panic!("{e:?}\n{en}"));
    assert!(import::plan(&t, &reg, NOW).errors.is_empty());
}
