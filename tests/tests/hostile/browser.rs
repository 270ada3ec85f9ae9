//! The LAN pages of a collector in a real headless Chromium.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use simpul_e2e::Collector;

/// The LAN pages in a real headless Chromium (Debian's chromium and chromium-driver,
/// on loopback): after logging in, neither the diagram nor the diff opens a dialog;
/// screenshots go to target/web-screenshots/.
pub fn in_a_browser(c: &Collector, dir: &Path, admin: &str, password: &str) {
    use fantoccini::{ClientBuilder, Locator};
    let driver = simpul_e2e::need("chromedriver");
    simpul_e2e::need("chromium");
    let port = simpul_e2e::free_port();
    let _driver = simpul_e2e::Proc::spawn(
        "chromedriver",
        Command::new(driver).arg(format!("--port={port}")),
        dir.join("chromedriver.log"),
    );
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/web-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({"binary": "/usr/bin/chromium", "args": ["--headless=new", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"]}),
        );
        let t0 = Instant::now();
        let b = loop {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(b) => break b,
                Err(e) => {
                    assert!(t0.elapsed() < Duration::from_secs(30), "chromedriver: {e}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        };
        b.goto(&c.url("/login")).await.unwrap();
        let form = b.form(Locator::Css("form")).await.unwrap();
        form.set_by_name("name", admin).await.unwrap();
        form.set_by_name("password", password).await.unwrap();
        form.submit().await.unwrap();
        let t0 = Instant::now();
        while b.current_url().await.unwrap().path() == "/login" {
            assert!(t0.elapsed() < Duration::from_secs(10), "login failed");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        for (page, shot) in [
            ("/lan/dinkes", "hostile-lan"),
            ("/lan/dinkes?from=1&to=2", "hostile-lan-diff"),
            ("/inventory", "hostile-inventory"),
        ] {
            b.goto(&c.url(page)).await.unwrap();
            // give a script the name might have planted time to run
            tokio::time::sleep(Duration::from_millis(500)).await;
            assert!(
                b.get_alert_text().await.is_err(),
                "a dialog opened on {page}"
            );
            let text = b
                .find(Locator::Css("body"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            // (the diagram cuts long names to fit their box)
            assert!(
                text.contains("=2+3<script>alert(5)</"),
                "{page} shows the name as text: {text}"
            );
            // the diagram, not the list of SNMP errors above it
            b.execute(
                "const s = document.querySelector('svg'); if (s) s.scrollIntoView();",
                vec![],
            )
            .await
            .unwrap();
            let png = b.screenshot().await.unwrap();
            std::fs::write(shots.join(format!("{shot}.png")), png).unwrap();
        }
        b.close().await.unwrap();
    });
}
