//! CSV for the supervision exports (scorecard, SLA, backups, LAN, inventory): RFC 4180
//! quoting, and every cell neutralised against formula injection.
//!
//! Cells carry text that agency LANs control (SNMP sysName, LLDP names, vendor, serial,
//! agent-reported strings). A spreadsheet runs a cell that starts with `=`, `+`, `-`,
//! `@`, a tab or a carriage return as a formula, so such a cell gets a leading `'`
//! (OWASP "CSV Injection"). Plain numbers (`-3.5`, `+1`) are left alone: they are no
//! formula, and a supervisor's spreadsheet must still read them as numbers.
//!
//! Every CSV the product writes goes through [`Csv`], which applies [`field`] to every
//! cell, so a new column cannot forget it.

use std::borrow::Cow;
use std::fmt::{Display, Write as _};

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `s` as one CSV field: a formula-looking value gets a leading `'`; quoted, with quotes
/// doubled, when it holds a comma, a quote or a line break.
pub fn field(s: &str) -> Cow<'_, str> {
    let s: Cow<'_, str> = if s.starts_with(FORMULA_START) && !is_plain_number(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    };
    if s.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        s
    }
}

/// Whether a spreadsheet reads `s` as a number: a finite decimal. Rust's `f64` parser
/// also takes `+inf`, `-NaN` and `+infinity`, which a spreadsheet runs as a formula
/// naming a cell range (`#NAME?` at best): a device announcing one as its name must
/// still get the `'` (hostile-LAN suite, issue 20).
fn is_plain_number(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// A CSV document: a header line, then rows whose every cell goes through [`field`].
#[derive(Debug)]
pub struct Csv {
    out: String,
}

impl Csv {
    /// A document with the column names `header`.
    pub fn new<S: AsRef<str>>(header: &[S]) -> Self {
        let mut c = Self { out: String::new() };
        let names: Vec<&str> = header.iter().map(AsRef::as_ref).collect();
        c.push(names.iter().map(|h| h as &dyn Display));
        c
    }

    /// Appends one row.
    pub fn row(&mut self, cells: &[&dyn Display]) {
        self.push(cells.iter().copied());
    }

    fn push<'a>(&mut self, cells: impl Iterator<Item = &'a dyn Display>) {
        let mut cell = String::new();
        for (i, c) in cells.enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            cell.clear();
            let _ = write!(cell, "{c}");
            self.out += &field(&cell);
        }
        self.out.push('\n');
    }

    /// The document's text.
    pub fn finish(self) -> String {
        self.out
    }
}

/// A CSV document for a spreadsheet set to the Indonesian locale: a UTF-8 byte order
/// mark (without it, spreadsheets read UTF-8 as the local code page and garble names),
/// `;` between cells (a comma is the decimal separator there) and decimal commas in
/// plain numbers (`99.95` becomes `99,95`, read as a number). Integers, addresses
/// (`10.0.0.5`) and versions (`6.1.0`) are left as they are.
pub fn for_indonesian_spreadsheet(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8 + 3);
    out.push('\u{feff}');
    // one pass over the RFC 4180 text written by [`Csv`] (quoted cells may hold commas,
    // quotes and line breaks): runs of plain bytes are copied whole into the cell
    let b = text.as_bytes();
    let mut cell = String::new();
    let (mut quoted, mut in_row) = (false, false);
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        match (quoted, b[i]) {
            (true, b'"') if b.get(i + 1) == Some(&b'"') => {
                cell.push_str(&text[start..i]);
                cell.push('"');
                i += 2;
            }
            (_, b'"') => {
                cell.push_str(&text[start..i]);
                quoted = !quoted;
                i += 1;
            }
            (false, c @ (b',' | b'\n')) => {
                cell.push_str(&text[start..i]);
                semicolon_cell(&mut out, &cell, in_row);
                cell.clear();
                in_row = c == b',';
                if c == b'\n' {
                    out.push_str("\r\n");
                }
                i += 1;
            }
            _ => {
                i += 1;
                continue;
            }
        }
        start = i;
    }
    cell.push_str(&text[start..]);
    if !cell.is_empty() || in_row {
        semicolon_cell(&mut out, &cell, in_row);
        out.push_str("\r\n");
    }
    out
}

/// One cell of [`for_indonesian_spreadsheet`]: after a `;` unless first in its row, a
/// plain number with its decimal comma, quoted when it holds `;`, a quote or a break.
fn semicolon_cell(out: &mut String, cell: &str, after_another: bool) {
    if after_another {
        out.push(';');
    }
    let one_point = cell.bytes().filter(|c| *c == b'.').count() == 1;
    let cell = if one_point && is_plain_number(cell) && cell.parse::<f64>().is_ok() {
        Cow::Owned(cell.replace('.', ","))
    } else {
        Cow::Borrowed(cell)
    };
    // the cells were neutralised by `field` already; only the quoting changes
    if cell.contains([';', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&cell);
    }
}

#[cfg(test)]
mod tests {
    use super::{field, for_indonesian_spreadsheet, Csv};

    #[test]
    fn an_indonesian_spreadsheet_gets_a_bom_semicolons_and_decimal_commas() {
        let mut c = Csv::new(&[
            "agency",
            "name",
            "availability_percent",
            "address",
            "kernel",
            "hosts",
        ]);
        c.row(&[
            &"dinkes",
            &"Dinas \"A\"; B, C\nD",
            &"99.95",
            &"10.0.0.5",
            &"6.1.0",
            &"1200",
        ]);
        c.row(&[&"x", &"=cmd", &"-0.5", &"", &"1e3", &"+1"]);
        let out = for_indonesian_spreadsheet(&c.finish());
        assert_eq!(
            out,
            "\u{feff}agency;name;availability_percent;address;kernel;hosts\r\n\
             dinkes;\"Dinas \"\"A\"\"; B, C\nD\";99,95;10.0.0.5;6.1.0;1200\r\n\
             x;'=cmd;-0,5;;1e3;+1\r\n"
        );
    }

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(field("web-01"), "web-01");
        assert_eq!(field("Dinas \"A\", B"), "\"Dinas \"\"A\"\", B\"");
    }

    #[test]
    fn csv_formula_injection_is_neutralised() {
        assert_eq!(
            field("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(field("=1+2"), "'=1+2");
        assert_eq!(field("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(field("-2+3"), "'-2+3");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("\tx"), "'\tx");
        assert_eq!(field("\rx"), "\"'\rx\"");
        assert_eq!(field("-"), "'-");
        // numbers stay numbers
        assert_eq!(field("-3.5"), "-3.5");
        assert_eq!(field("+1"), "+1");
        assert_eq!(field("99.95"), "99.95");
        // what Rust's f64 parser takes but a spreadsheet does not read as a number
        for s in ["+inf", "-inf", "+NaN", "-infinity", "+1e999"] {
            assert_eq!(field(s), format!("'{s}"), "{s}");
        }
        assert_eq!(field("-1.5e3"), "-1.5e3");
        // a formula character later in the cell is harmless
        assert_eq!(field("web=01"), "web=01");
    }

    #[test]
    fn every_cell_of_a_table_goes_through_field() {
        let mut t = Csv::new(&["name", "n"]);
        t.row(&[&"=cmd", &-2]);
        t.row(&[&"a,b", &String::from("@x")]);
        assert_eq!(t.finish(), "name,n\n'=cmd,-2\n\"a,b\",'@x\n");
    }
}
