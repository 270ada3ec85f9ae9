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

/// The message files, by language: (language, file, text).
pub const FILES: [(Lang, &str, &str); 4] = [
    (
        Lang::Id,
        "common",
        include_str!("../../locales/id/common.ftl"),
    ),
    (
        Lang::Id,
        "assets",
        include_str!("../../locales/id/assets.ftl"),
    ),
    (
        Lang::En,
        "common",
        include_str!("../../locales/en/common.ftl"),
    ),
    (
        Lang::En,
        "assets",
        include_str!("../../locales/en/assets.ftl"),
    ),
];

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
        assert_eq!(bytes(Lang::Id, 1_610_612_736), "1,5 GiB");
        assert_eq!(bytes(Lang::En, 1_610_612_736), "1.5 GiB");
        assert_eq!(bytes(Lang::Id, 1234), "1,2 KiB");
        assert_eq!(bytes(Lang::En, 512), "512 B");
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
    }
}
