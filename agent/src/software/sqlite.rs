//! A read-only scan of one table of an SQLite database file, write-ahead log included:
//! what reading rpm's `rpmdb.sqlite` needs, without starting `rpm` (whose start-up costs
//! more CPU than the whole list) and without linking SQLite into the agent.
//!
//! It follows the published file format (sqlite.org/fileformat2.html): the 100-byte
//! header, table b-trees (interior and leaf pages), records, overflow chains, and the
//! WAL (sqlite.org/walformat.html): frames whose salts and cumulative checksum are valid,
//! up to the last commit frame, stand in for the pages of the database file; frames of a
//! transaction still being written (no commit frame yet) are not seen, as SQLite's own
//! readers do not see them. A row's payload is read only as far as its reader asks, so a
//! large value spilled over overflow pages costs only the pages before the bytes wanted.
//!
//! Anything it does not understand (another format, a page type out of place, a loop in
//! the tree) is an error naming the file and the page, never a guess: the caller then
//! asks `rpm` instead.

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Why the database could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {what}")]
pub struct SqliteError {
    path: PathBuf,
    what: String,
}

/// An open database file, with its WAL's committed pages.
pub struct Database {
    path: PathBuf,
    file: File,
    page_size: usize,
    /// The usable bytes of a page (the page less the reserved bytes at its end).
    usable: usize,
    /// Pages in the database (from the last commit frame when the WAL has one).
    pages: u32,
    wal: Option<Wal>,
}

/// The pages of the WAL's committed transactions: page number → offset of the newest
/// committed frame's page data in the WAL file.
struct Wal {
    file: File,
    frames: HashMap<u32, u64>,
}

const HEADER: &[u8; 16] = b"SQLite format 3\0";
const WAL_MAGIC_LE: u32 = 0x377f_0682;
const WAL_MAGIC_BE: u32 = 0x377f_0683;
const LEAF_TABLE: u8 = 0x0d;
const INTERIOR_TABLE: u8 = 0x05;

impl Database {
    /// Opens `path` (and `path-wal` where it exists).
    pub fn open(path: &Path) -> Result<Self, SqliteError> {
        let fail = |what: String| SqliteError {
            path: path.to_owned(),
            what,
        };
        let file = File::open(path).map_err(|e| fail(e.to_string()))?;
        let mut head = [0u8; 100];
        file.read_exact_at(&mut head, 0)
            .map_err(|e| fail(format!("no SQLite header: {e}")))?;
        if &head[..16] != HEADER {
            return Err(fail("not an SQLite 3 database".into()));
        }
        let page_size = match u16::from_be_bytes([head[16], head[17]]) {
            1 => 65_536,
            n if n >= 512 && n.is_power_of_two() => usize::from(n),
            n => return Err(fail(format!("page size {n} is not valid"))),
        };
        if head[56..60] != [0, 0, 0, 1] {
            return Err(fail("text encoding is not UTF-8".into()));
        }
        let usable = page_size - usize::from(head[20]);
        if usable < 480 {
            return Err(fail(format!("{usable} usable bytes per page is too few")));
        }
        let len = file.metadata().map_err(|e| fail(e.to_string()))?.len();
        let mut pages = u32::try_from(len / page_size as u64).unwrap_or(u32::MAX);
        let wal_path = wal_path(path);
        let wal = match File::open(&wal_path) {
            Ok(f) => Wal::read(f, page_size).map_err(|what| SqliteError {
                path: wal_path,
                what,
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(fail(format!("cannot open its WAL: {e}"))),
        };
        if let Some((_, size)) = &wal {
            pages = *size;
        }
        Ok(Self {
            path: path.to_owned(),
            file,
            page_size,
            usable,
            pages,
            wal: wal.map(|(w, _)| w),
        })
    }

    /// An error about this database.
    pub fn error(&self, what: String) -> SqliteError {
        SqliteError {
            path: self.path.clone(),
            what,
        }
    }

    /// Page `n` (from 1), the WAL's newest committed copy where it has one.
    fn page(&self, n: u32, buf: &mut Vec<u8>) -> Result<(), SqliteError> {
        if n == 0 || n > self.pages {
            return Err(self.error(format!(
                "page {n} is outside the database's {} pages",
                self.pages
            )));
        }
        buf.resize(self.page_size, 0);
        let read = match self
            .wal
            .as_ref()
            .and_then(|w| Some((w, *w.frames.get(&n)?)))
        {
            Some((wal, at)) => wal.file.read_exact_at(buf, at),
            None => self
                .file
                .read_exact_at(buf, u64::from(n - 1) * self.page_size as u64),
        };
        read.map_err(|e| self.error(format!("cannot read page {n}: {e}")))
    }

    /// The root page of table `name`, from the schema table.
    pub fn table_root(&self, name: &str) -> Result<u32, SqliteError> {
        let mut root = None;
        self.scan(1, &mut |_, mut row| {
            if row.text(self, 0)?.as_deref() == Some("table")
                && row.text(self, 1)?.as_deref() == Some(name)
            {
                root = row.int(self, 3)?;
            }
            Ok(root.is_none())
        })?;
        match root {
            Some(r) if r > 0 => u32::try_from(r).map_err(|_| self.error(format!("root {r}"))),
            _ => Err(self.error(format!("it has no table {name}"))),
        }
    }

    /// Calls `each` with every row of the table whose b-tree starts at page `root`, in
    /// rowid order, until it returns `Ok(false)`.
    pub fn scan(
        &self,
        root: u32,
        each: &mut dyn FnMut(i64, Row<'_>) -> Result<bool, SqliteError>,
    ) -> Result<(), SqliteError> {
        let mut stack = vec![root];
        let mut visited = 0u32;
        let mut buf = Vec::new();
        while let Some(n) = stack.pop() {
            visited += 1;
            if visited > self.pages {
                return Err(self.error(format!("the tree of page {root} loops")));
            }
            self.page(n, &mut buf)?;
            let base = if n == 1 { 100 } else { 0 };
            let kind = buf[base];
            let cells = usize::from(u16::from_be_bytes([buf[base + 3], buf[base + 4]]));
            let header = if kind == LEAF_TABLE { 8 } else { 12 };
            let pointer = |i: usize| -> Result<usize, SqliteError> {
                let at = base + header + 2 * i;
                let p = buf
                    .get(at..at + 2)
                    .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
                    .filter(|&p| p >= base + header && p < self.usable)
                    .ok_or_else(|| self.error(format!("page {n}: cell {i} points outside")))?;
                Ok(p)
            };
            match kind {
                INTERIOR_TABLE => {
                    // children pushed right to left, so that they are visited left to right
                    let right = be32(&buf, base + 8);
                    stack.push(right);
                    for i in (0..cells).rev() {
                        let p = pointer(i)?;
                        let child = buf
                            .get(p..p + 4)
                            .ok_or_else(|| self.error(format!("page {n}: cell {i} is cut")))?;
                        stack.push(be32(child, 0));
                    }
                }
                LEAF_TABLE => {
                    for i in 0..cells {
                        let p = pointer(i)?;
                        let cut = || self.error(format!("page {n}: cell {i} is cut"));
                        let (size, a) = varint(&buf[p..self.usable]).ok_or_else(cut)?;
                        let (rowid, b) = varint(&buf[p + a..self.usable]).ok_or_else(cut)?;
                        let start = p + a + b;
                        let size = usize::try_from(size).map_err(|_| cut())?;
                        let local = self.local_size(size);
                        let end = start + local;
                        if end + usize::from(local < size) * 4 > self.usable {
                            return Err(cut());
                        }
                        let overflow = (local < size).then(|| be32(&buf, end));
                        let row = Row::new(&buf[start..end], size, overflow);
                        if !each(rowid as i64, row)? {
                            return Ok(());
                        }
                    }
                }
                k => {
                    return Err(
                        self.error(format!("page {n} is of type {k:#04x}, not a table page"))
                    )
                }
            }
        }
        Ok(())
    }

    /// The bytes of a table leaf cell's payload of `size` bytes kept on the page itself
    /// (the rest goes to overflow pages).
    fn local_size(&self, size: usize) -> usize {
        let u = self.usable;
        let max = u - 35;
        if size <= max {
            return size;
        }
        let min = (u - 12) * 32 / 255 - 23;
        let k = min + (size - min) % (u - 4);
        if k <= max {
            k
        } else {
            min
        }
    }
}

/// The WAL beside a database file.
fn wal_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    p.into()
}

impl Wal {
    /// The committed frames of a WAL file, and the database's size in pages after the
    /// last commit; `None` when the WAL holds no valid commit (empty, reset, or its
    /// header invalid: SQLite then reads the database file alone, as this does).
    fn read(file: File, page_size: usize) -> Result<Option<(Self, u32)>, String> {
        let len = file.metadata().map_err(|e| e.to_string())?.len();
        let mut head = [0u8; 32];
        if len < 32 || file.read_exact_at(&mut head, 0).is_err() {
            return Ok(None);
        }
        let word = be32;
        let big = match word(&head, 0) {
            WAL_MAGIC_BE => true,
            WAL_MAGIC_LE => false,
            _ => return Ok(None),
        };
        if word(&head, 8) as usize != page_size {
            // a WAL of another page size belongs to no database of this one
            return Ok(None);
        }
        let mut sum = checksum(big, (0, 0), &head[..24]);
        if sum != (word(&head, 24), word(&head, 28)) {
            return Ok(None);
        }
        let salts = (word(&head, 16), word(&head, 20));
        let mut frames = HashMap::new();
        let mut pending = Vec::new();
        let mut size = None;
        let frame_len = 24 + page_size as u64;
        let mut frame = vec![0u8; 24 + page_size];
        let mut at = 32u64;
        while at + frame_len <= len {
            if file.read_exact_at(&mut frame, at).is_err() {
                break;
            }
            if (word(&frame, 8), word(&frame, 12)) != salts {
                break;
            }
            sum = checksum(big, sum, &frame[..8]);
            sum = checksum(big, sum, &frame[24..]);
            if sum != (word(&frame, 16), word(&frame, 20)) {
                break;
            }
            pending.push((word(&frame, 0), at + 24));
            let commit = word(&frame, 4);
            if commit != 0 {
                frames.extend(pending.drain(..));
                size = Some(commit);
            }
            at += frame_len;
        }
        Ok(size.map(|s| (Self { file, frames }, s)))
    }
}

/// The big-endian 32-bit word at `i` of `b` (which the caller checked is long enough).
pub fn be32(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// SQLite's WAL checksum over `data` (a multiple of 8 bytes), continuing from `s`.
fn checksum(big: bool, (mut s0, mut s1): (u32, u32), data: &[u8]) -> (u32, u32) {
    let word = |b: &[u8]| {
        let b = [b[0], b[1], b[2], b[3]];
        if big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    };
    for pair in data.chunks_exact(8) {
        s0 = s0.wrapping_add(word(&pair[..4])).wrapping_add(s1);
        s1 = s1.wrapping_add(word(&pair[4..])).wrapping_add(s0);
    }
    (s0, s1)
}

/// SQLite's variable-length integer: its value and length, `None` when cut.
fn varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &byte) in b.iter().enumerate().take(9) {
        if i == 8 {
            return Some(((v << 8) | u64::from(byte), 9));
        }
        v = (v << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// One row's payload (a record): the part on its leaf page, and the rest read from the
/// overflow chain only as far as asked.
pub struct Row<'a> {
    local: &'a [u8],
    size: usize,
    /// The bytes read beyond `local`, and the next overflow page to read.
    more: Vec<u8>,
    next: Option<u32>,
    hops: u32,
}

impl<'a> Row<'a> {
    fn new(local: &'a [u8], size: usize, overflow: Option<u32>) -> Self {
        Self {
            local,
            size,
            more: Vec::new(),
            next: overflow,
            hops: 0,
        }
    }

    /// Bytes `start..end` of the payload (`end` at most its size), following the
    /// overflow chain only as far as needed.
    pub fn bytes(
        &mut self,
        db: &Database,
        start: usize,
        end: usize,
    ) -> Result<std::borrow::Cow<'_, [u8]>, SqliteError> {
        let end = end.min(self.size);
        let start = start.min(end);
        if end <= self.local.len() {
            return Ok(self.local[start..end].into());
        }
        let want = end - self.local.len();
        let mut page = Vec::new();
        while self.more.len() < want {
            let Some(n) = self.next.filter(|&n| n != 0) else {
                return Err(db.error(format!(
                    "a row's overflow chain ends after {} of its {} bytes",
                    self.local.len() + self.more.len(),
                    self.size
                )));
            };
            self.hops += 1;
            if self.hops > db.pages {
                return Err(db.error("an overflow chain loops".into()));
            }
            db.page(n, &mut page)?;
            let rest = self.size - self.local.len() - self.more.len();
            self.more
                .extend_from_slice(&page[4..4 + rest.min(db.usable - 4)]);
            self.next = Some(be32(&page, 0));
        }
        if start >= self.local.len() {
            let l = self.local.len();
            return Ok(self.more[start - l..end - l].into());
        }
        let mut out = self.local[start..].to_vec();
        out.extend_from_slice(&self.more[..end - self.local.len()]);
        Ok(out.into())
    }

    /// Column `index` as text; `None` when it is not text or the record has fewer
    /// columns.
    fn text(&mut self, db: &Database, index: usize) -> Result<Option<String>, SqliteError> {
        match self.column(db, index)? {
            Some((at, len, t)) if t >= 13 && t % 2 == 1 => {
                let v = self.bytes(db, at, at + len)?;
                Ok(Some(String::from_utf8_lossy(&v).into_owned()))
            }
            _ => Ok(None),
        }
    }

    /// Column `index` as an integer; `None` when it is not one.
    fn int(&mut self, db: &Database, index: usize) -> Result<Option<i64>, SqliteError> {
        let Some((at, len, t)) = self.column(db, index)? else {
            return Ok(None);
        };
        Ok(match t {
            1..=6 => {
                let v = self.bytes(db, at, at + len)?;
                let mut x = if v.first().is_some_and(|b| b & 0x80 != 0) {
                    -1i64
                } else {
                    0
                };
                for &b in v.iter() {
                    x = (x << 8) | i64::from(b);
                }
                Some(x)
            }
            8 => Some(0),
            9 => Some(1),
            _ => None,
        })
    }

    /// Where column `index` of the record lies in the payload (offset and length) and
    /// its serial type, from the record's header; `None` when the record has fewer
    /// columns.
    pub fn column(
        &mut self,
        db: &Database,
        index: usize,
    ) -> Result<Option<(usize, usize, u64)>, SqliteError> {
        // the header of a record of a few columns is a few bytes: 9 per column at most
        let head = self.bytes(db, 0, 9 * (index + 2))?.into_owned();
        let Some((header_len, mut at)) = varint(&head) else {
            return Ok(None);
        };
        let mut offset = usize::try_from(header_len).unwrap_or(usize::MAX);
        for i in 0..=index {
            if at as u64 >= header_len {
                return Ok(None);
            }
            let Some((t, n)) = head.get(at..).and_then(varint) else {
                return Ok(None);
            };
            at += n;
            let len = serial_len(t);
            if i == index {
                return Ok(Some((offset, len, t)));
            }
            offset = offset.saturating_add(len);
        }
        Ok(None)
    }
}

/// The length of a value of serial type `t`.
fn serial_len(t: u64) -> usize {
    match t {
        0 | 8 | 9 | 10 | 11 => 0,
        1..=4 => t as usize,
        5 => 6,
        6 | 7 => 8,
        t => ((t - 12) / 2) as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::{params, Connection};

    /// Row `i`'s value: from a few bytes to several overflow pages, its bytes telling
    /// where they are, so that a byte read from the wrong place shows.
    fn value(i: i64) -> Vec<u8> {
        let len = match i % 5 {
            0 => 3,
            1 => 400,
            2 => 4_000,
            3 => 20_000,
            _ => 70_000,
        };
        (0..len)
            .map(|k| ((k * 7 + i as usize * 13) % 251) as u8)
            .collect()
    }

    /// Every row of table `t` through [`Database::scan`], read whole and in part.
    fn read_all(path: &Path, table: &str) -> Vec<(i64, Vec<u8>)> {
        let db = Database::open(path).unwrap();
        let root = db.table_root(table).unwrap();
        let mut rows = Vec::new();
        db.scan(root, &mut |rowid, mut row| {
            let (off, len, serial) = row.column(&db, 1)?.unwrap();
            assert_eq!(serial, 12 + 2 * len as u64);
            // a middle part first, then the whole: the chain is followed once, in order
            let mid = row
                .bytes(&db, off + len / 2, off + len / 2 + 10)?
                .into_owned();
            let whole = row.bytes(&db, off, off + len)?.into_owned();
            assert_eq!(mid, whole[len / 2..(len / 2 + 10).min(len)]);
            rows.push((rowid, whole));
            Ok(true)
        })
        .unwrap();
        rows
    }

    fn expected(ids: impl Iterator<Item = i64>) -> Vec<(i64, Vec<u8>)> {
        ids.map(|i| (i, value(i))).collect()
    }

    #[test]
    fn every_row_of_a_deep_table_is_read_as_sqlite_wrote_it() {
        for page_size in [512, 4096, 65_536] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("t.sqlite");
            let c = Connection::open(&path).unwrap();
            c.execute_batch(&format!(
                "PRAGMA page_size = {page_size}; CREATE TABLE other (x); \
                 CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);"
            ))
            .unwrap();
            let tx = c.unchecked_transaction().unwrap();
            for i in 1..=600 {
                tx.execute("INSERT INTO Packages VALUES (?1, ?2)", params![i, value(i)])
                    .unwrap();
            }
            tx.commit().unwrap();
            // holes: rows deleted, so that freed pages and a sparse tree are met
            c.execute("DELETE FROM Packages WHERE hnum % 7 = 0", [])
                .unwrap();
            drop(c);
            let got = read_all(&path, "Packages");
            assert_eq!(
                got,
                expected((1..=600).filter(|i| i % 7 != 0)),
                "page size {page_size}"
            );
        }
    }

    /// `dir/rpmdb.sqlite` in WAL mode with rows 1 to `rows`, all checkpointed into
    /// the file (an empty WAL), and its connection, which keeps the WAL from being
    /// checkpointed again while it is open.
    fn wal_database(dir: &Path, rows: i64) -> (PathBuf, Connection) {
        let path = dir.join("rpmdb.sqlite");
        let c = Connection::open(&path).unwrap();
        c.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; \
             CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL);",
        )
        .unwrap();
        for i in 1..=rows {
            c.execute("INSERT INTO Packages VALUES (?1, ?2)", params![i, value(i)])
                .unwrap();
        }
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
        (path, c)
    }

    #[test]
    fn the_wal_s_committed_transactions_are_seen_and_an_open_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let (path, c) = wal_database(dir.path(), 40);
        // after the checkpoint, in the WAL only: one row gone, one changed, two new
        c.execute("DELETE FROM Packages WHERE hnum = 3", [])
            .unwrap();
        c.execute(
            "UPDATE Packages SET blob = ?1 WHERE hnum = 4",
            params![value(1004)],
        )
        .unwrap();
        for i in [41, 42] {
            c.execute("INSERT INTO Packages VALUES (?1, ?2)", params![i, value(i)])
                .unwrap();
        }
        let wal = std::fs::metadata(dir.path().join("rpmdb.sqlite-wal")).unwrap();
        assert!(wal.len() > 32, "the changes are in the WAL");
        let mut want: Vec<(i64, Vec<u8>)> = expected((1..=42).filter(|&i| i != 3));
        want[2].1 = value(1004);
        assert_eq!(read_all(&path, "Packages"), want);

        // a transaction still open, whose pages spill into the WAL: not seen
        let w = Connection::open(&path).unwrap();
        w.execute_batch("PRAGMA cache_size = 1; BEGIN;").unwrap();
        for i in 100..=160 {
            w.execute("INSERT INTO Packages VALUES (?1, ?2)", params![i, value(i)])
                .unwrap();
        }
        let spilled = std::fs::metadata(dir.path().join("rpmdb.sqlite-wal")).unwrap();
        assert!(
            spilled.len() > wal.len(),
            "the open transaction wrote frames"
        );
        assert_eq!(read_all(&path, "Packages"), want);
        w.execute_batch("ROLLBACK;").unwrap();
    }

    #[test]
    fn a_torn_last_commit_leaves_the_commit_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let (_, c) = wal_database(dir.path(), 10);
        c.execute("INSERT INTO Packages VALUES (11, ?1)", params![value(11)])
            .unwrap();
        c.execute("DELETE FROM Packages WHERE hnum = 2", [])
            .unwrap();
        // a copy of the database and its WAL as they are now, the connection still open
        let copy = dir.path().join("copy");
        std::fs::create_dir(&copy).unwrap();
        for f in ["rpmdb.sqlite", "rpmdb.sqlite-wal"] {
            std::fs::copy(dir.path().join(f), copy.join(f)).unwrap();
        }
        assert_eq!(
            read_all(&copy.join("rpmdb.sqlite"), "Packages"),
            expected((1..=11).filter(|&i| i != 2))
        );
        // the last frame (the delete's commit) torn: the insert's commit is what stands
        let wal = copy.join("rpmdb.sqlite-wal");
        let mut bytes = std::fs::read(&wal).unwrap();
        let end = bytes.len() - 100;
        bytes[end] ^= 0xff;
        std::fs::write(&wal, &bytes).unwrap();
        assert_eq!(
            read_all(&copy.join("rpmdb.sqlite"), "Packages"),
            expected(1..=11)
        );
        // the WAL's header torn: the database file alone
        bytes[30] ^= 0xff;
        std::fs::write(&wal, &bytes).unwrap();
        assert_eq!(
            read_all(&copy.join("rpmdb.sqlite"), "Packages"),
            expected(1..=10)
        );
    }

    #[test]
    fn what_is_not_a_database_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Packages");
        std::fs::write(&path, vec![0u8; 8192]).unwrap();
        let e = Database::open(&path).err().unwrap().to_string();
        assert!(
            e.contains("Packages") && e.contains("not an SQLite 3 database"),
            "{e}"
        );
        let missing = Database::open(&dir.path().join("none"))
            .err()
            .unwrap()
            .to_string();
        assert!(missing.contains("none"), "{missing}");
        // a database without the table
        let path = dir.path().join("t.sqlite");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE x (y)")
            .unwrap();
        let e = Database::open(&path)
            .unwrap()
            .table_root("Packages")
            .unwrap_err();
        assert!(e.to_string().contains("no table Packages"), "{e}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// A damaged file is an error or a list, never a panic or an endless loop.
        #[test]
        fn damaged_databases_never_panic(
            flips in proptest::collection::vec((0usize..40_000, 1u8..=255), 1..20)
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("t.sqlite");
            let c = Connection::open(&path).unwrap();
            c.execute_batch("PRAGMA page_size = 1024; CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB);")
                .unwrap();
            for i in 1..=30 {
                c.execute("INSERT INTO Packages VALUES (?1, ?2)", params![i, value(i)]).unwrap();
            }
            drop(c);
            let mut bytes = std::fs::read(&path).unwrap();
            for (at, x) in flips {
                let at = at % bytes.len();
                bytes[at] ^= x;
            }
            std::fs::write(&path, &bytes).unwrap();
            if let Ok(db) = Database::open(&path) {
                if let Ok(root) = db.table_root("Packages") {
                    let _ = db.scan(root, &mut |_, mut row| {
                        if let Some((off, len, _)) = row.column(&db, 1)? {
                            row.bytes(&db, off, off.saturating_add(len))?;
                        }
                        Ok(true)
                    });
                }
            }
        }
    }

    #[test]
    fn varints_of_one_to_nine_bytes() {
        assert_eq!(varint(&[0x05]), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0xff; 9]), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81]), None);
    }
}
