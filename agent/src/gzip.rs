//! gzip (RFC 1952) of the agent's request bodies, with a deflate (RFC 1951) encoder of
//! its own that touches little memory.
//!
//! flate2's encoder here (zlib-rs) allocates about 370 KB of state and clears a 128 KB
//! hash table for every body; in `perf` samples of a quiet agent the send was 40 % of
//! a cycle, most of it that clearing (bench/RESULTS.md, 2026-11-30). A heartbeat is a
//! few kilobytes of JSON whose repeats (keys, the names of cores and filesystems) are
//! what compresses: this encoder finds them with LZ77 (one step of lazy matching) over
//! a 16 KB hash table and writes one block of dynamic Huffman codes, or of the fixed
//! ones when that is shorter, or stored blocks when the input does not compress. Any
//! gzip reader reads the result (the collector's flate2, `gzip -d`); the tests read it
//! back with flate2's decoder.

/// gzip's header: deflate, no flags, no time, no extra flags, OS unknown.
pub const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

/// log2 of the hash table's entries.
const HASH_BITS: u32 = 12;
/// The farthest back a match may point (deflate's window).
const MAX_DISTANCE: usize = 32 * 1024;
/// deflate's shortest and longest match.
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
/// The most a stored block holds.
const STORED_MAX: usize = 65_535;

/// Base lengths of the length codes 257..=285, and their extra bits.
const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Base distances of the distance codes 0..=29, and their extra bits.
const DISTANCE_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// The fixed Huffman code of a literal/length symbol (RFC 1951, 3.2.6), bit-reversed
/// as deflate's LSB-first bit order wants it, and its length in bits.
fn fixed_code(symbol: u16) -> (u32, u32) {
    let (code, bits) = match symbol {
        0..=143 => (0x30 + symbol, 8),
        144..=255 => (0x190 + symbol - 144, 9),
        256..=279 => (symbol - 256, 7),
        _ => (0xc0 + symbol - 280, 8),
    };
    (reverse(u32::from(code), bits), bits)
}

/// The low `bits` bits of `v` in reverse order.
fn reverse(v: u32, bits: u32) -> u32 {
    v.reverse_bits() >> (32 - bits)
}

/// The last index of `bases` whose value is at most `v`.
fn code_of(bases: &[u16], v: usize) -> usize {
    bases.partition_point(|&b| usize::from(b) <= v) - 1
}

/// Writes bits least significant first.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, v: u32, bits: u32) {
        self.acc |= u64::from(v) << self.n;
        self.n += bits;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// Pads to a byte boundary and returns the bytes.
    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

fn hash(data: &[u8], i: usize) -> usize {
    let v = u32::from(data[i]) | u32::from(data[i + 1]) << 8 | u32::from(data[i + 2]) << 16;
    (v.wrapping_mul(0x9e37_79b1) >> (32 - HASH_BITS)) as usize
}

/// A match in [`lz77`]'s tokens: this bit, the length at bit 16, the distance below.
const MATCH: u32 = 1 << 31;

/// The longest match for position `i` at the position its hash was last seen, as
/// (length, distance) (length 0: none); `i` goes into the table.
fn find(data: &[u8], table: &mut [u32], i: usize) -> (usize, usize) {
    if i + MIN_MATCH > data.len() {
        return (0, 0);
    }
    let h = hash(data, i);
    let seen = table[h] as usize;
    table[h] = (i + 1) as u32;
    if seen == 0 || i - (seen - 1) > MAX_DISTANCE {
        return (0, 0);
    }
    let from = seen - 1;
    let most = MAX_MATCH.min(data.len() - i);
    let length = data[from..from + most]
        .iter()
        .zip(&data[i..i + most])
        .take_while(|(a, b)| a == b)
        .count();
    (length, i - from)
}

/// LZ77 of `data` with one step of lazy matching (a match is put off by a byte when
/// the next position has a longer one): a literal byte (its value) or a [`MATCH`] per
/// token.
fn lz77(data: &[u8]) -> Vec<u32> {
    let mut tokens = Vec::with_capacity(data.len() / 2 + 1);
    // the last position + 1 at which each hash was seen (0: never)
    let mut table = vec![0u32; 1 << HASH_BITS];
    let mut i = 0;
    let mut found = find(data, &mut table, 0);
    while i < data.len() {
        let (mut length, mut distance) = found;
        if length < MIN_MATCH {
            tokens.push(u32::from(data[i]));
            i += 1;
            found = find(data, &mut table, i);
            continue;
        }
        let next = find(data, &mut table, i + 1);
        if next.0 > length {
            tokens.push(u32::from(data[i]));
            i += 1;
            (length, distance) = next;
        }
        tokens.push(MATCH | (length as u32) << 16 | distance as u32);
        // the positions inside the match go into the table too: later repeats of them
        // are found
        for j in i + 1..(i + length).min(data.len().saturating_sub(MIN_MATCH - 1)) {
            table[hash(data, j)] = (j + 1) as u32;
        }
        i += length;
        found = find(data, &mut table, i);
    }
    tokens
}

/// The literal/length symbol of a token, and its extra bits (value, count).
fn length_symbol(token: u32) -> (usize, u32, u32) {
    if token & MATCH == 0 {
        return (token as usize, 0, 0);
    }
    let length = ((token >> 16) & 0x1ff) as usize;
    let lc = code_of(&LENGTH_BASE, length);
    (
        257 + lc,
        (length - usize::from(LENGTH_BASE[lc])) as u32,
        u32::from(LENGTH_EXTRA[lc]),
    )
}

/// The distance symbol of a match token, and its extra bits (value, count).
fn distance_symbol(token: u32) -> (usize, u32, u32) {
    let distance = (token & 0xffff) as usize;
    let dc = code_of(&DISTANCE_BASE, distance);
    (
        dc,
        (distance - usize::from(DISTANCE_BASE[dc])) as u32,
        u32::from(DISTANCE_EXTRA[dc]),
    )
}

/// The lengths of a Huffman code for `freqs`, none over `limit` bits (0 for an unused
/// symbol). At least two symbols get a code, so that the code is complete, as
/// decoders require.
fn code_lengths(freqs: &[u32], limit: u8) -> Vec<u8> {
    let mut f = freqs.to_vec();
    for _ in f.iter().filter(|&&x| x > 0).count()..2 {
        if let Some(x) = f.iter_mut().find(|x| **x == 0) {
            *x = 1;
        }
    }
    loop {
        let lengths = huffman_depths(&f);
        if lengths.iter().all(|&l| l <= limit) {
            return lengths;
        }
        // too deep: flatten the frequencies and build again
        for x in f.iter_mut().filter(|x| **x > 0) {
            *x = (*x >> 1).max(1);
        }
    }
}

/// The depth of each used symbol in a Huffman tree of `freqs`.
fn huffman_depths(freqs: &[u32]) -> Vec<u8> {
    use std::cmp::Reverse;
    let mut heap: std::collections::BinaryHeap<Reverse<(u64, usize)>> = freqs
        .iter()
        .enumerate()
        .filter(|(_, &x)| x > 0)
        .map(|(s, &x)| Reverse((u64::from(x), s)))
        .collect();
    let mut parent = vec![usize::MAX; freqs.len()];
    while let (Some(Reverse((a, i))), Some(Reverse((b, j)))) = (heap.pop(), heap.pop()) {
        let node = parent.len();
        parent.push(usize::MAX);
        parent[i] = node;
        parent[j] = node;
        heap.push(Reverse((a + b, node)));
    }
    (0..freqs.len())
        .map(|s| {
            let mut depth = 0;
            let mut k = s;
            while freqs[s] > 0 && parent[k] != usize::MAX {
                k = parent[k];
                depth += 1;
            }
            depth
        })
        .collect()
}

/// The canonical codes of `lengths` (RFC 1951, 3.2.2), bit-reversed for writing.
fn canonical_codes(lengths: &[u8]) -> Vec<u32> {
    let mut count = [0u32; 16];
    for &l in lengths.iter().filter(|&&l| l > 0) {
        count[usize::from(l)] += 1;
    }
    let mut next = [0u32; 16];
    let mut code = 0;
    for bits in 1..16 {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    lengths
        .iter()
        .map(|&l| {
            if l == 0 {
                return 0;
            }
            let c = next[usize::from(l)];
            next[usize::from(l)] += 1;
            reverse(c, u32::from(l))
        })
        .collect()
}

/// The order in which a dynamic block gives the code lengths' code lengths.
const CODE_LENGTH_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// A sequence of code lengths, run-length coded with deflate's symbols 16 (repeat the
/// last 3-6 times), 17 (3-10 zeros) and 18 (11-138 zeros): (symbol, extra, extra bits).
fn run_lengths(seq: &[u8]) -> Vec<(usize, u32, u32)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < seq.len() {
        let l = seq[i];
        let run = seq[i..].iter().take_while(|&&x| x == l).count();
        let mut rest = run;
        if l == 0 {
            while rest >= 11 {
                let k = rest.min(138);
                out.push((18, (k - 11) as u32, 7));
                rest -= k;
            }
            if rest >= 3 {
                out.push((17, (rest - 3) as u32, 3));
                rest = 0;
            }
        } else {
            out.push((usize::from(l), 0, 0));
            rest -= 1;
            while rest >= 3 {
                let k = rest.min(6);
                out.push((16, (k - 3) as u32, 2));
                rest -= k;
            }
        }
        out.extend(std::iter::repeat_n((usize::from(l), 0, 0), rest));
        i += run;
    }
    out
}

/// A block's codes: literal/length and distance, each (bit-reversed code, length).
struct Codes {
    literal: Vec<(u32, u8)>,
    distance: Vec<(u32, u8)>,
}

impl Codes {
    fn fixed() -> Self {
        Self {
            literal: (0..288u16)
                .map(|s| {
                    let (c, b) = fixed_code(s);
                    (c, b as u8)
                })
                .collect(),
            distance: (0..30).map(|d| (reverse(d, 5), 5)).collect(),
        }
    }

    fn of(literal: &[u8], distance: &[u8]) -> Self {
        let pair = |l: &[u8]| {
            canonical_codes(l)
                .into_iter()
                .zip(l.iter().copied())
                .collect()
        };
        Self {
            literal: pair(literal),
            distance: pair(distance),
        }
    }

    /// The bits of the tokens and the end of block in these codes.
    fn cost(&self, lit_freq: &[u32], dist_freq: &[u32]) -> u64 {
        let bits = |codes: &[(u32, u8)], freq: &[u32]| -> u64 {
            freq.iter()
                .zip(codes)
                .map(|(&f, &(_, l))| u64::from(f) * u64::from(l))
                .sum()
        };
        bits(&self.literal, lit_freq) + bits(&self.distance, dist_freq)
    }

    fn write(&self, w: &mut Bits, tokens: &[u32]) {
        for &t in tokens {
            let (sym, extra, n) = length_symbol(t);
            let (code, len) = self.literal[sym];
            w.put(code, u32::from(len));
            if t & MATCH != 0 {
                w.put(extra, n);
                let (sym, extra, n) = distance_symbol(t);
                let (code, len) = self.distance[sym];
                w.put(code, u32::from(len));
                w.put(extra, n);
            }
        }
        let (code, len) = self.literal[256];
        w.put(code, u32::from(len));
    }
}

/// `data` as one final deflate block: of dynamic Huffman codes or of the fixed ones,
/// whichever is shorter.
fn compressed_block(data: &[u8]) -> Vec<u8> {
    let tokens = lz77(data);
    let mut lit_freq = [0u32; 286];
    let mut dist_freq = [0u32; 30];
    for &t in &tokens {
        lit_freq[length_symbol(t).0] += 1;
        if t & MATCH != 0 {
            dist_freq[distance_symbol(t).0] += 1;
        }
    }
    lit_freq[256] = 1;
    let lit_len = code_lengths(&lit_freq, 15);
    let dist_len = code_lengths(&dist_freq, 15);
    let hlit = 257.max(lit_len.iter().rposition(|&l| l > 0).map_or(0, |p| p + 1));
    let hdist = 1.max(dist_len.iter().rposition(|&l| l > 0).map_or(0, |p| p + 1));
    let mut seq = lit_len[..hlit].to_vec();
    seq.extend_from_slice(&dist_len[..hdist]);
    let runs = run_lengths(&seq);
    let mut cl_freq = [0u32; 19];
    for &(sym, _, _) in &runs {
        cl_freq[sym] += 1;
    }
    let cl_len = code_lengths(&cl_freq, 7);
    let cl_codes = canonical_codes(&cl_len);
    let hclen = 4.max(
        CODE_LENGTH_ORDER
            .iter()
            .rposition(|&s| cl_len[s] > 0)
            .map_or(0, |p| p + 1),
    );
    let dynamic = Codes::of(&lit_len, &dist_len);
    let fixed = Codes::fixed();
    let header: u64 = 14
        + 3 * hclen as u64
        + runs
            .iter()
            .map(|&(sym, _, n)| u64::from(cl_len[sym]) + u64::from(n))
            .sum::<u64>();

    let mut w = Bits {
        out: Vec::with_capacity(data.len() / 3 + 64),
        acc: 0,
        n: 0,
    };
    w.put(1, 1); // BFINAL
    if fixed.cost(&lit_freq, &dist_freq) <= header + dynamic.cost(&lit_freq, &dist_freq) {
        w.put(1, 2); // BTYPE 01: fixed Huffman codes
        fixed.write(&mut w, &tokens);
        return w.finish();
    }
    w.put(2, 2); // BTYPE 10: dynamic Huffman codes
    w.put((hlit - 257) as u32, 5);
    w.put((hdist - 1) as u32, 5);
    w.put((hclen - 4) as u32, 4);
    for &s in &CODE_LENGTH_ORDER[..hclen] {
        w.put(u32::from(cl_len[s]), 3);
    }
    for &(sym, extra, n) in &runs {
        w.put(cl_codes[sym], u32::from(cl_len[sym]));
        w.put(extra, n);
    }
    dynamic.write(&mut w, &tokens);
    w.finish()
}

/// `data` in stored blocks (no compression), the last one final.
fn stored_blocks(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 5 * (data.len() / STORED_MAX + 1));
    let mut chunks = data.chunks(STORED_MAX).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        // BFINAL on the last, BTYPE 00, then LEN and NLEN on the next byte boundary
        out.push(u8::from(chunks.peek().is_none()));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

/// `data` as one gzip member.
pub fn compress(data: &[u8]) -> Vec<u8> {
    let mut body = compressed_block(data);
    if body.len() > data.len() + 5 * (data.len() / STORED_MAX + 1) {
        body = stored_blocks(data);
    }
    let mut out = Vec::with_capacity(HEADER.len() + body.len() + 8);
    out.extend_from_slice(&HEADER);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
    // ISIZE: the length modulo 2^32
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use proptest::prelude::*;

    use super::*;
    use crate::collectors::{empty_report, fixture_roots, registry};

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn zlib_size(data: &[u8]) -> usize {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap().len()
    }

    /// A heartbeat of the fixture host, as the daemon sends it (an array of one).
    fn heartbeat() -> Vec<u8> {
        let mut r = empty_report();
        for mut c in registry(&fixture_roots(), &Default::default()) {
            c.collect(&mut r).unwrap();
        }
        serde_json::to_vec(&[r]).unwrap()
    }

    /// Every code of the fixed table is the one RFC 1951 lists (read MSB first).
    #[test]
    fn fixed_codes_are_rfc_1951_s() {
        let msb = |s| {
            let (c, b) = fixed_code(s);
            (reverse(c, b), b)
        };
        assert_eq!(msb(0), (0b0011_0000, 8));
        assert_eq!(msb(143), (0b1011_1111, 8));
        assert_eq!(msb(144), (0b1_1001_0000, 9));
        assert_eq!(msb(255), (0b1_1111_1111, 9));
        assert_eq!(msb(256), (0, 7));
        assert_eq!(msb(279), (0b001_0111, 7));
        assert_eq!(msb(280), (0b1100_0000, 8));
        assert_eq!(msb(287), (0b1100_0111, 8));
        assert_eq!(code_of(&LENGTH_BASE, 3), 0);
        assert_eq!(code_of(&LENGTH_BASE, 12), 8);
        assert_eq!(code_of(&LENGTH_BASE, 257), 27);
        assert_eq!(code_of(&LENGTH_BASE, 258), 28);
        assert_eq!(code_of(&DISTANCE_BASE, 1), 0);
        assert_eq!(code_of(&DISTANCE_BASE, 32_768), 29);
    }

    /// A heartbeat of the fixture host compresses to within a tenth of what zlib makes
    /// of it, and
    /// reads back whole: nothing, one byte, runs longer than a match and farther
    /// apart than the window, and noise (stored blocks, over a block's limit) too.
    #[test]
    fn bodies_read_back_whole() {
        let hb = heartbeat();
        let packed = compress(&hb);
        assert_eq!(gunzip(&packed), hb);
        let zlib = zlib_size(&hb);
        assert!(
            packed.len() * 10 < zlib * 11,
            "{} bytes of JSON: {} here, {zlib} by zlib",
            hb.len(),
            packed.len()
        );
        assert_eq!(gunzip(&compress(b"")), b"");
        assert_eq!(gunzip(&compress(b"a")), b"a");
        let run = vec![b'x'; 100_000];
        let packed = compress(&run);
        assert!(packed.len() < 1_000, "{}", packed.len());
        assert_eq!(gunzip(&packed), run);
        let mut far = hb.repeat(3);
        far.splice(hb.len()..hb.len(), vec![b' '; MAX_DISTANCE + 7]);
        assert_eq!(gunzip(&compress(&far)), far);
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let noise: Vec<u8> = (0..150_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x.to_le_bytes()[0]
            })
            .collect();
        let packed = compress(&noise);
        assert!(packed.len() <= noise.len() + 3 * 5 + 18, "{}", packed.len());
        assert_eq!(gunzip(&packed), noise);
    }

    proptest! {
        /// Any bytes read back whole, from a small alphabet (many matches) or not.
        #[test]
        fn any_bytes_read_back_whole(
            data in prop::collection::vec(any::<u8>(), 0..5_000),
            small in prop::collection::vec(0u8..4, 0..20_000),
        ) {
            prop_assert_eq!(gunzip(&compress(&data)), data);
            prop_assert_eq!(gunzip(&compress(&small)), small);
        }
    }
}
