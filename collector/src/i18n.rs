//! The languages of the pages and reports: Bahasa Indonesia and English, from the
//! Project Fluent message files in `locales/{id,en}/*.ftl` (built into the binary).
//!
//! A text is looked up by its key with [`t`] (or the [`tr!`](crate::tr) macro, with
//! arguments): plurals and number formats come from Fluent and the language's rules, so
//! that English says "1 asset" and "2 assets", and Indonesian "1 aset" and "2 aset".
//! Numbers are written in the language's convention: `1.234,5` in Indonesian, `1,234.5`
//! in English ([`number`], [`percent`], [`bytes`]). The JSON API and the metrics stay
//! language-neutral. A key missing from a file is a test failure
//! (`tests/tests/locales.rs`), and shows as the key itself, never as a panic.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

crate::states! {
    /// A language of the pages.
    pub enum Lang {
        /// Bahasa Indonesia, the default.
        Id = "id",
        En = "en",
    }
}

/// The message files of both languages, built into the binary.
macro_rules! files {
    ($($file:literal),+ $(,)?) => {
        [
            $((Lang::Id, $file, include_str!(concat!("../../locales/id/", $file, ".ftl"))),)+
            $((Lang::En, $file, include_str!(concat!("../../locales/en/", $file, ".ftl"))),)+
        ]
    };
}

/// The message files, by language: (language, file, text). `common`: the page frame,
/// login and words used everywhere; `states`: the states' words and the duties'
/// reasons (shared by the pages and the report); one file per group of pages.
pub const FILES: [(Lang, &str, &str); 26] = files!(
    "common",
    "states",
    "assets",
    "pages",
    "duties",
    "report",
    "links",
    "wan",
    "traffic",
    "hosts",
    "software",
    "websites",
    "certificates"
);

/// What `default_language` and a user's choice may be, for messages.
pub const LANG_RULE: &str = "must be \"id\" (Bahasa Indonesia) or \"en\" (English)";

impl Lang {
    /// The value of an HTML `lang` attribute.
    pub fn tag(self) -> &'static str {
        self.as_str()
    }

    /// The language's own name, for the switch.
    pub fn own_name(self) -> &'static str {
        match self {
            Self::Id => "Bahasa Indonesia",
            Self::En => "English",
        }
    }

    /// The language an `Accept-Language` header prefers among ours (by its weights, in
    /// its order on a tie); None when it names neither.
    pub fn negotiate(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "id" | "in" => Lang::Id,
                "en" => Lang::En,
                _ => continue,
            };
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }

    fn separators(self) -> (char, char) {
        match self {
            Self::Id => ('.', ','),
            Self::En => (',', '.'),
        }
    }
}

struct Catalog {
    id: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog {
    id: bundle(Lang::Id),
    en: bundle(Lang::En),
});

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let id: unic_langid::LanguageIdentifier = lang.as_str().parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // the pages are HTML, escaped by their templates: no bidi isolation marks around
    // arguments
    b.set_use_isolating(false);
    b.set_formatter(Some(match lang {
        Lang::Id => format_id,
        Lang::En => format_en,
    }));
    for (l, file, text) in FILES {
        if l != lang {
            continue;
        }
        match FluentResource::try_new(text.to_owned()) {
            Ok(r) => {
                if let Err(e) = b.add_resource(r) {
                    tracing::error!(lang = lang.as_str(), file, errors = ?e, "message file has duplicate keys");
                }
            }
            Err((r, e)) => {
                tracing::error!(lang = lang.as_str(), file, errors = ?e, "message file does not parse");
                let _ = b.add_resource(r);
            }
        }
    }
    b
}

fn format_id(
    v: &FluentValue<'_>,
    _: &intl_memoizer::concurrent::IntlLangMemoizer,
) -> Option<String> {
    format_value(Lang::Id, v)
}

fn format_en(
    v: &FluentValue<'_>,
    _: &intl_memoizer::concurrent::IntlLangMemoizer,
) -> Option<String> {
    format_value(Lang::En, v)
}

/// Numbers in a message in the language's convention (strings as they are).
fn format_value(lang: Lang, v: &FluentValue<'_>) -> Option<String> {
    match v {
        FluentValue::Number(n) => {
            let decimals = n.options.minimum_fraction_digits.unwrap_or(0);
            Some(number(lang, n.value, decimals))
        }
        _ => None,
    }
}

/// The text of `key` in `lang` (the key itself when no file has it).
pub fn t(lang: Lang, key: &str) -> String {
    format(lang, key, None)
}

/// The text of `key` in `lang` with arguments.
pub fn t_args(lang: Lang, key: &str, args: &FluentArgs<'_>) -> String {
    format(lang, key, Some(args))
}

fn format(lang: Lang, key: &str, args: Option<&FluentArgs<'_>>) -> String {
    let c = &*CATALOG;
    let b = match lang {
        Lang::Id => &c.id,
        Lang::En => &c.en,
    };
    let Some(pattern) = b.get_message(key).and_then(|m| m.value()) else {
        return key.to_owned();
    };
    let mut errors = Vec::new();
    b.format_pattern(pattern, args, &mut errors).into_owned()
}

/// `tr!(lang, "key")` or `tr!(lang, "key", name = value, ...)`: the text of a message,
/// with its arguments (numbers select plurals and are written in the language's
/// convention; strings are inserted as they are).
#[macro_export]
macro_rules! tr {
    ($lang:expr, $key:literal) => {
        $crate::i18n::t($lang, $key)
    };
    ($lang:expr, $key:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        let mut args = fluent_bundle::FluentArgs::new();
        $(args.set(stringify!($name), fluent_bundle::FluentValue::from($value));)+
        $crate::i18n::t_args($lang, $key, &args)
    }};
}

/// A text the domain writes for a reader whose language it does not know: a message key
/// and its arguments, written out in the reader's language by [`Msg::render`]. Stored
/// as JSON where it is kept (the scorecard of a past month), so that a past month reads
/// in today's language too.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Msg {
    pub key: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(String, Arg)>,
}

/// An argument of a [`Msg`]: a number (plurals, the language's number format) or a text
/// inserted as it is (a name, an address, a time already written in its zone).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Arg {
    Num(f64),
    Text(String),
    /// Messages written one after the other, separated by commas.
    List(Vec<Msg>),
}

impl Msg {
    /// The message `key` without arguments.
    pub fn new(key: &str) -> Self {
        Self {
            key: key.to_owned(),
            args: Vec::new(),
        }
    }

    /// With the number argument `name`.
    #[must_use]
    pub fn num(mut self, name: &str, n: impl Into<f64>) -> Self {
        self.args.push((name.to_owned(), Arg::Num(n.into())));
        self
    }

    /// With the count argument `name` (a usize, for plurals).
    #[must_use]
    pub fn count(self, name: &str, n: usize) -> Self {
        self.num(name, n as f64)
    }

    /// With the text argument `name`.
    #[must_use]
    pub fn text(mut self, name: &str, s: impl Into<String>) -> Self {
        self.args.push((name.to_owned(), Arg::Text(s.into())));
        self
    }

    /// With the argument `name`: `items` written one after the other.
    #[must_use]
    pub fn list(mut self, name: &str, items: Vec<Msg>) -> Self {
        self.args.push((name.to_owned(), Arg::List(items)));
        self
    }

    /// Whether it is empty (kept before messages had keys: show its English text).
    pub fn is_empty(&self) -> bool {
        self.key.is_empty()
    }

    /// The text in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        if self.args.is_empty() {
            return t(lang, &self.key);
        }
        let mut args = FluentArgs::new();
        for (name, a) in &self.args {
            match a {
                Arg::Num(n) => args.set(name.as_str(), FluentValue::from(*n)),
                Arg::Text(s) => args.set(name.as_str(), FluentValue::from(s.as_str())),
                Arg::List(items) => args.set(
                    name.as_str(),
                    FluentValue::from(
                        items
                            .iter()
                            .map(|m| m.render(lang))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                ),
            }
        }
        t_args(lang, &self.key, &args)
    }
}

/// A state's word (`breached`, `no_data`, `never_seen`: the machine value of any of
/// the `states!` enums) in `lang`, for CSV cells and texts; an unknown value as it is.
pub fn state_word(lang: Lang, value: &str) -> String {
    let key = match value {
        "met" => "state-met",
        "breached" => "state-breached",
        "no_data" => "state-no-data",
        "on_track" => "state-on-track",
        "at_risk" => "state-at-risk",
        "ok" => "state-ok",
        "late" => "state-late",
        "too_small" => "state-too-small",
        "wrong_place" => "state-wrong-place",
        "missing" => "state-missing",
        "failed" => "state-failed",
        "never_seen" => "state-never-seen",
        "due" => "state-due",
        "never" => "state-never",
        "overdue" => "state-overdue",
        "current" => "state-current",
        "changed" => "state-changed",
        "none" => "state-none",
        "attention" => "state-attention",
        "warning" => "state-warning",
        "failing" => "state-failing",
        "not_applicable" => "state-not-applicable",
        "up" => "state-up",
        "down" => "state-down",
        _ => return value.to_owned(),
    };
    t(lang, key)
}

/// The column names of a CSV file for a reader of `lang`, from (English name, message
/// key) pairs: in English the names (the API's, snake_case), in Indonesian the messages.
pub fn column_names(lang: Lang, columns: &[(&str, &str)]) -> Vec<String> {
    columns
        .iter()
        .map(|(name, key)| match lang {
            Lang::En => (*name).to_owned(),
            Lang::Id => t(lang, key),
        })
        .collect()
}

/// A device's or an asset's type (`server`, `router`, `switch`, `host`, `unknown`,
/// `segment`) in `lang`; another as it is.
pub fn kind_word(lang: Lang, value: &str) -> String {
    let key = match value {
        "server" => "kind-server",
        "router" => "kind-router",
        "switch" => "kind-switch",
        "host" => "kind-host",
        "unknown" => "kind-unknown",
        "segment" => "kind-segment",
        _ => return value.to_owned(),
    };
    t(lang, key)
}

/// A duration in the largest fitting unit: `45 s`, `12 min`, `3.5 h`, `2.1 d` in
/// English; `45 detik`, `12 menit`, `3,5 jam`, `2,1 hari` in Indonesian.
pub fn duration(lang: Lang, secs: f64) -> String {
    let s = secs.max(0.0);
    let (value, decimals, unit) = if s < 120.0 {
        (s, 0, 0)
    } else if s < 7200.0 {
        (s / 60.0, 0, 1)
    } else if s < 2.0 * 86400.0 {
        (s / 3600.0, 1, 2)
    } else {
        (s / 86400.0, 1, 3)
    };
    const UNITS: [[&str; 4]; 2] = [["detik", "menit", "jam", "hari"], ["s", "min", "h", "d"]];
    let units = match lang {
        Lang::Id => UNITS[0],
        Lang::En => UNITS[1],
    };
    format!("{} {}", number(lang, value, decimals), units[unit])
}

/// `x` with `decimals` decimals and thousands grouped, in `lang`'s convention:
/// `1.234,5` (id), `1,234.5` (en).
pub fn number(lang: Lang, x: f64, decimals: usize) -> String {
    let (group, point) = lang.separators();
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    if x < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        out.push('-');
    }
    let digits = int.len();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (digits - i) % 3 == 0 {
            out.push(group);
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// A ratio as a percentage with `digits` decimals: `99,95 %` (id), `99.95 %` (en).
pub fn percent(lang: Lang, ratio: f64, digits: usize) -> String {
    format!("{} %", number(lang, ratio * 100.0, digits))
}

/// Bytes in binary units with one decimal: `1,5 GiB` (id), `1.5 GiB` (en), `512 B`.
pub fn bytes(lang: Lang, b: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < UNITS.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{} B", number(lang, b as f64, 0))
    } else {
        format!("{} {}", number(lang, v, 1), UNITS[i])
    }
}

/// A rate in decimal SI units of bits per second, 3 significant digits at most:
/// `41,2 Mbit/s` (id), `41.2 Mbit/s` (en), `950 bit/s`, `1,25 Gbit/s`.
pub fn bits_per_second(lang: Lang, bps: f64) -> String {
    const UNITS: [&str; 5] = ["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"];
    let mut v = bps.max(0.0);
    let mut i = 0;
    while v >= 999.5 && i + 1 < UNITS.len() {
        v /= 1000.0;
        i += 1;
    }
    let decimals = if i == 0 || v >= 99.95 {
        0
    } else if v >= 9.995 {
        1
    } else {
        2
    };
    format!("{} {}", number(lang, v, decimals), UNITS[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(number(Lang::Id, 1234567.891, 2), "1.234.567,89");
        assert_eq!(number(Lang::En, 1234567.891, 2), "1,234,567.89");
        assert_eq!(number(Lang::Id, 999.0, 0), "999");
        assert_eq!(number(Lang::Id, -1500.0, 0), "-1.500");
        assert_eq!(number(Lang::En, -0.0001, 2), "0.00");
        assert_eq!(percent(Lang::Id, 0.9995, 2), "99,95 %");
        assert_eq!(percent(Lang::En, 0.9995, 2), "99.95 %");
        assert_eq!(bits_per_second(Lang::Id, 41_220_000.0), "41,2 Mbit/s");
        assert_eq!(bits_per_second(Lang::En, 1_250_000_000.0), "1.25 Gbit/s");
        assert_eq!(bits_per_second(Lang::En, 950.0), "950 bit/s");
        assert_eq!(bits_per_second(Lang::En, 999_600.0), "1.00 Mbit/s");
        assert_eq!(bits_per_second(Lang::Id, 100_000_000.0), "100 Mbit/s");
        assert_eq!(bytes(Lang::Id, 1_610_612_736), "1,5 GiB");
        assert_eq!(bytes(Lang::En, 1_610_612_736), "1.5 GiB");
        assert_eq!(bytes(Lang::Id, 1234), "1,2 KiB");
        assert_eq!(bytes(Lang::En, 512), "512 B");
        assert_eq!(duration(Lang::Id, 3.5 * 3600.0), "3,5 jam");
        assert_eq!(duration(Lang::En, 3.5 * 3600.0), "3.5 h");
        assert_eq!(duration(Lang::Id, 45.0), "45 detik");
        assert_eq!(duration(Lang::En, 3.0 * 86400.0), "3.0 d");
    }

    #[test]
    fn accept_language_picks_ours_by_weight() {
        assert_eq!(
            Lang::negotiate("id-ID,id;q=0.9,en-US;q=0.8"),
            Some(Lang::Id)
        );
        assert_eq!(Lang::negotiate("en-US,en;q=0.9,id;q=0.8"), Some(Lang::En));
        assert_eq!(Lang::negotiate("fr-FR, en;q=0.5, id;q=0.7"), Some(Lang::Id));
        assert_eq!(Lang::negotiate("ms, jv"), None);
        assert_eq!(Lang::negotiate("id;q=0"), None);
        assert_eq!(Lang::negotiate(""), None);
    }

    #[test]
    fn plurals_and_arguments_come_from_the_files() {
        assert_eq!(tr!(Lang::En, "assets-count", count = 1), "1 asset");
        assert_eq!(tr!(Lang::En, "assets-count", count = 1234), "1,234 assets");
        assert_eq!(tr!(Lang::Id, "assets-count", count = 1234), "1.234 aset");
        assert_eq!(t(Lang::Id, "no-such-key"), "no-such-key");
        let m = Msg::new("assets-count").count("count", 2);
        assert_eq!(m.render(Lang::En), "2 assets");
        assert_eq!(m.render(Lang::Id), "2 aset");
        let back: Msg = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
    }
}
