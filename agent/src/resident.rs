//! Gives back the pages of code that ran once and is not running now (issue 25's
//! footprint).
//!
//! The kernel maps a program's file pages in blocks around each page touched
//! (fault-around, 64 KiB), and keeps them mapped: the agent's start-up (the config,
//! the TLS roots, the first inventory and software list) leaves most of its binary and
//! of libc resident, though its steady loop runs a fraction of them. After start-up
//! and after each rare task, the daemon (and the traffic helper, after its first polls)
//! drops its mappings of clean file pages: code and read-only data of the program and
//! its libraries, in mappings that hold no page of their own (no copy-on-write page,
//! so nothing but the file's contents). The pages stay in the page cache, where the
//! kernel can reclaim them under pressure, and the next use of one maps it again (a
//! minor fault, no disk read while it is cached).
//!
//! The one module of the agent with `unsafe` code: two calls into the C library
//! (madvise, malloc_trim), each with its reasons.
#![allow(unsafe_code)]

use std::ffi::c_void;
use std::ptr::NonNull;

/// A mapping of `/proc/self/smaps`: its range, whether it is a read-only private
/// mapping of a file, and its resident and anonymous KiB.
#[derive(Debug, Clone, PartialEq)]
struct Mapping {
    start: usize,
    end: usize,
    clean_file: bool,
    rss_kib: u64,
    anonymous_kib: u64,
}

/// The mappings of an smaps text.
fn mappings(smaps: &str) -> Vec<Mapping> {
    let mut out: Vec<Mapping> = Vec::new();
    for line in smaps.lines() {
        let mut words = line.split_whitespace();
        let Some(first) = words.next() else { continue };
        if let Some((a, b)) = first.split_once('-') {
            if let (Ok(start), Ok(end)) =
                (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16))
            {
                let perms = words.next().unwrap_or("");
                let _offset = words.next();
                let _dev = words.next();
                let inode = words.next().unwrap_or("0");
                let path = words.next().unwrap_or("");
                let p = perms.as_bytes();
                out.push(Mapping {
                    start,
                    end,
                    // readable, not writable, private, of a file (not [heap], [vdso]…)
                    clean_file: p.len() == 4
                        && p[0] == b'r'
                        && p[1] == b'-'
                        && p[3] == b'p'
                        && inode != "0"
                        && path.starts_with('/'),
                    rss_kib: 0,
                    anonymous_kib: 0,
                });
                continue;
            }
        }
        let Some(m) = out.last_mut() else { continue };
        let mut kib = || {
            words
                .next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        match first {
            "Rss:" => m.rss_kib = kib(),
            "Anonymous:" => m.anonymous_kib = kib(),
            _ => {}
        }
    }
    out
}

/// The mappings whose resident pages can go: clean file pages only (a mapping with an
/// anonymous page holds data written after it was mapped, e.g. relocations, and is
/// left alone).
fn releasable(all: &[Mapping]) -> impl Iterator<Item = &Mapping> {
    all.iter()
        .filter(|m| m.clean_file && m.anonymous_kib == 0 && m.rss_kib > 0 && m.end > m.start)
}

/// Drops this process's resident pages of clean file mappings; returns the KiB
/// released (what smaps counted resident in them).
pub fn release_file_pages() -> std::io::Result<u64> {
    let smaps = std::fs::read_to_string("/proc/self/smaps")?;
    let mut released = 0;
    for m in releasable(&mappings(&smaps)) {
        let Some(addr) = NonNull::new(m.start as *mut c_void) else {
            continue;
        };
        // SAFETY: the range is a whole mapping of this process, readable and not
        // writable, of a file, private, with no anonymous (copied) page: its contents
        // are the file's, and MADV_DONTNEED only unmaps them; the next access maps the
        // same file pages again. No Rust object lives in it (code and read-only data).
        let done = unsafe {
            nix::sys::mman::madvise(
                addr,
                m.end - m.start,
                nix::sys::mman::MmapAdvise::MADV_DONTNEED,
            )
        };
        if done.is_ok() {
            released += m.rss_kib;
        }
    }
    Ok(released)
}

/// Returns the heap's free memory to the kernel (glibc keeps what a busy moment
/// freed: the traffic helper's first round of polls, the daemon's first inventory);
/// nothing where the C library is not glibc.
pub fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory of glibc's heap to the kernel.
    unsafe {
        nix::libc::malloc_trim(0);
    }
}

/// [`release_file_pages`] and [`trim_heap`]: what a long-running process of the agent
/// does once a busy moment is over.
pub fn settle() -> std::io::Result<u64> {
    trim_heap();
    release_file_pages()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMAPS: &str = "\
5581c2a00000-5581c2a80000 r--p 00000000 fd:01 1234 /usr/bin/simpul-agent
Rss:                 400 kB
Anonymous:             0 kB
5581c2a80000-5581c2e00000 r-xp 00080000 fd:01 1234 /usr/bin/simpul-agent
Rss:                2900 kB
Anonymous:             0 kB
5581c2e00000-5581c2e40000 r--p 00400000 fd:01 1234 /usr/bin/simpul-agent
Rss:                 256 kB
Anonymous:           256 kB
5581c2e40000-5581c2e41000 rw-p 00440000 fd:01 1234 /usr/bin/simpul-agent
Rss:                   4 kB
Anonymous:             4 kB
5581c3000000-5581c3100000 rw-p 00000000 00:00 0 [heap]
Rss:                 364 kB
Anonymous:           364 kB
7f0000000000-7f0000001000 r-xp 00000000 00:00 0 [vdso]
Rss:                   4 kB
Anonymous:             0 kB
7f0000100000-7f0000280000 r-xp 00028000 fd:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6
Rss:                1100 kB
Anonymous:             0 kB
";

    #[test]
    fn only_clean_file_pages_are_released() {
        let all = mappings(SMAPS);
        assert_eq!(all.len(), 7);
        let kept: Vec<(usize, u64)> = releasable(&all).map(|m| (m.start, m.rss_kib)).collect();
        // the program's read-only data and code, and libc's code; not the relocated
        // read-only data (copied pages), the data, the heap or the vdso
        assert_eq!(
            kept,
            [
                (0x5581c2a00000, 400),
                (0x5581c2a80000, 2900),
                (0x7f0000100000, 1100)
            ]
        );
    }

    #[test]
    fn released_pages_come_back_with_their_contents() {
        // a constant in this program's read-only data and a function in its code, read
        // before and after
        static TABLE: [u64; 4] = [0x5349_4d50_554c, 2, 3, 5];
        fn sum(t: &[u64]) -> u64 {
            t.iter().sum()
        }
        let before = sum(std::hint::black_box(&TABLE));
        let released = release_file_pages().unwrap();
        assert!(released > 0, "nothing was resident in clean file mappings");
        assert_eq!(sum(std::hint::black_box(&TABLE)), before);
        // and the process goes on: a formatted string uses libc and the program's code
        assert_eq!(format!("{before:x}"), "53494d505556");
    }
}
