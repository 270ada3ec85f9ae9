//! Checks that pages and exports are valid and safe: HTML5 without a parse error or live
//! markup, strings without a hostile character (the requests, the login and the CSV
//! checks are the tests crate's `simpul_e2e::curl`).

/// HTML5 parse errors of a page, exact ones included (a control character or a
/// noncharacter in the text is one).
pub fn html_errors(html: &str) -> Vec<String> {
    use html5ever::tendril::TendrilSink;
    let opts = html5ever::ParseOpts {
        tokenizer: html5ever::tokenizer::TokenizerOpts {
            exact_errors: true,
            ..Default::default()
        },
        tree_builder: html5ever::tree_builder::TreeBuilderOpts {
            exact_errors: true,
            ..Default::default()
        },
    };
    let dom = html5ever::parse_document(markup5ever_rcdom::RcDom::default(), opts).one(html);
    let mut errors: Vec<String> = dom.errors.borrow().iter().map(|e| e.to_string()).collect();
    live_markup(&dom.document, &mut errors);
    errors
}

/// Elements and attributes of the parsed page that a hostile name could have made
/// live: an inline script that mentions `alert`, an event handler attribute, an
/// `img`, `iframe` or `object` (no page of Simpul has one).
pub fn live_markup(node: &markup5ever_rcdom::Handle, out: &mut Vec<String>) {
    if let markup5ever_rcdom::NodeData::Element { name, attrs, .. } = &node.data {
        let tag = name.local.to_string();
        if ["img", "iframe", "object", "embed"].contains(&tag.as_str()) {
            out.push(format!("a live <{tag}>"));
        }
        if tag == "script" {
            let mut text = String::new();
            for c in node.children.borrow().iter() {
                if let markup5ever_rcdom::NodeData::Text { contents } = &c.data {
                    text += &contents.borrow();
                }
            }
            if text.contains("alert") {
                out.push(format!("a live script: {text}"));
            }
        }
        for a in attrs.borrow().iter() {
            if a.name.local.to_lowercase().starts_with("on") {
                out.push(format!(
                    "an event handler {}=\"{}\" on <{tag}>",
                    a.name.local, a.value
                ));
            }
        }
    }
    for c in node.children.borrow().iter() {
        live_markup(c, out);
    }
}

/// Characters a hostile name must never bring through: controls, bidi overrides and
/// isolates, line separators, noncharacters.
pub fn is_hostile_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FDD0}'..='\u{FDEF}')
        || (c as u32) & 0xFFFE == 0xFFFE
}

/// Every string in a JSON value.
pub fn json_strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k);
            json_strings(x, out);
        }),
        _ => {}
    }
}
