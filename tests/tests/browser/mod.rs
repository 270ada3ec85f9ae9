//! A headless Chromium driven over WebDriver (Debian's chromium-driver, on loopback),
//! for the tests that look at pages: screenshots kept in `target/web-screenshots`.
//! Included by the test files that need it (`mod browser;`).

#![allow(dead_code, reason = "each test file that includes it uses some of it")]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use simpul_e2e::{free_port, need, Collector, Proc};

pub struct Browser {
    pub client: Client,
    driver: Proc,
    pub shots: PathBuf,
}

impl Browser {
    pub async fn start(dir: &std::path::Path) -> Self {
        Self::start_in(dir, "en-US").await
    }

    /// A browser whose language is `lang` (`id-ID`, `en-US`): its `Accept-Language`.
    pub async fn start_in(dir: &std::path::Path, lang: &str) -> Self {
        let driver = need("chromedriver");
        need("chromium");
        let port = free_port();
        let proc = Proc::spawn(
            "chromedriver",
            // its own process group: the browsers it starts go with it (see `Drop`)
            std::os::unix::process::CommandExt::process_group(
                Command::new(driver).arg(format!("--port={port}")),
                0,
            ),
            dir.join("chromedriver.log"),
        );
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({"binary": "/usr/bin/chromium", "args": ["--headless=new", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900",
                format!("--lang={lang}")],
                "prefs": {"intl.accept_languages": lang}}),
        );
        let t0 = Instant::now();
        let client = loop {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => break c,
                Err(e) if t0.elapsed() < Duration::from_secs(30) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("chromedriver: {e}"),
            }
        };
        let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/web-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        Self {
            client,
            driver: proc,
            shots,
        }
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// The page's width and the window's (CSS px): a page wider than its window
    /// scrolls sideways.
    pub async fn widths(&self) -> (f64, f64) {
        let w = self
            .client
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth]",
                vec![],
            )
            .await
            .unwrap();
        (w[0].as_f64().unwrap(), w[1].as_f64().unwrap())
    }

    pub async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }

    /// The whole page in one picture `name`: the window made as tall as the page (at
    /// most 5000 px) for the shot, then set back to `width` × `height`.
    pub async fn shot_whole(&self, name: &str, width: u32, height: u32) {
        let tall = self
            .client
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .unwrap()
            .as_f64()
            .unwrap();
        self.client
            .set_window_size(width, (tall as u32 + 120).clamp(height, 5000))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.shot(name).await;
        self.client.set_window_size(width, height).await.unwrap();
    }

    /// The page's text. A page that a click is still replacing can drop its body
    /// between finding it and reading it, or have none yet: read the new one then.
    pub async fn text(&self) -> String {
        let mut tries = 0;
        loop {
            let r = match self.client.find(Locator::Css("body")).await {
                Ok(body) => body.text().await,
                Err(e) => Err(e),
            };
            match r {
                Ok(t) => return t,
                // mid-navigation: the old body went stale, or the new one is not there yet
                Err(e)
                    if tries < 40
                        && ["StaleElementReference", "NoSuchElement"]
                            .iter()
                            .any(|k| format!("{e:?}").contains(k)) =>
                {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("reading the page's text: {e}"),
            }
        }
    }

    /// The page's source once it holds `needle`, or after `within` whatever it holds
    /// then: a page just navigated to can still be the document before it (the landing
    /// page of a login that was still loading).
    pub async fn source_with(&self, needle: &str, within: Duration) -> String {
        let t0 = Instant::now();
        loop {
            let html = self.client.source().await.unwrap();
            if html.contains(needle) || t0.elapsed() >= within {
                return html;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn login(&self, c: &Collector, name: &str, password: &str) {
        self.client.goto(&c.url("/")).await.unwrap();
        assert!(
            self.client.current_url().await.unwrap().path() == "/login",
            "pages need a login"
        );
        let form = self.client.form(Locator::Css("form")).await.unwrap();
        form.set_by_name("name", name).await.unwrap();
        form.set_by_name("password", password).await.unwrap();
        form.submit().await.unwrap();
        // on the landing page and done loading it: a goto issued while the landing
        // page still loads can be overtaken by it, and the caller then reads `/` where
        // it asked for another page (fresh-clone CI runs read /links and / without
        // their content so, right after a login that only waited for the URL)
        let t0 = Instant::now();
        loop {
            let away = self.client.current_url().await.unwrap().path() != "/login";
            // mid-navigation a script can fail to run: ask again
            let loaded = away
                && self
                    .client
                    .execute("return document.readyState", vec![])
                    .await
                    .is_ok_and(|v| v == "complete");
            if loaded {
                return;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(10),
                "login of {name} failed (still on the login page: {}): {}",
                !away,
                self.text().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A test that fails mid-way never closes its session: chromedriver's process group
/// (chromedriver and every Chromium process it started) is killed, so that no browser
/// outlives its test.
impl Drop for Browser {
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
    }
}
