//! One HTTP/1.1 GET on an open connection, written by hand so that the first byte's time
//! is the first byte's: the request, the answer's head (httparse), and its body as far
//! as [`BODY_LIMIT`], framed by `Content-Length`, chunked, or the end of the connection.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

/// The most of a body read (the expected text must be within it).
pub const BODY_LIMIT: usize = 1 << 20;
/// The largest answer head accepted.
const HEAD_LIMIT: usize = 64 << 10;
/// Most headers in an answer head.
const MAX_HEADERS: usize = 100;

/// The answer to one GET.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub location: Option<String>,
    /// The body, or its first [`BODY_LIMIT`] bytes (de-chunked).
    pub body: Vec<u8>,
    /// From the request written to the first byte of the answer.
    pub first_byte: Duration,
    /// From the first byte to the end of what was read.
    pub transfer: Duration,
}

/// Why a GET got no answer.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The deadline passed; `stage` says while doing what.
    Timeout(&'static str),
    /// A reason in one line.
    Broken(String),
}

/// The request for `target` (path and query) on `host` (with a port when not the
/// scheme's default).
pub(crate) fn request(host: &str, target: &str) -> Vec<u8> {
    format!(
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {}\r\nAccept: */*\r\n\
         Accept-Encoding: identity\r\nConnection: close\r\n\r\n",
        crate::probe::USER_AGENT
    )
    .into_bytes()
}

async fn read_some<S: AsyncRead + Unpin>(
    s: &mut S,
    buf: &mut Vec<u8>,
    deadline: Instant,
    stage: &'static str,
) -> Result<usize, Failure> {
    let mut chunk = [0u8; 16 << 10];
    match tokio::time::timeout_at(deadline, s.read(&mut chunk)).await {
        Err(_) => Err(Failure::Timeout(stage)),
        Ok(Err(e)) => Err(Failure::Broken(io_reason(&e, stage))),
        Ok(Ok(n)) => {
            buf.extend_from_slice(&chunk[..n]);
            Ok(n)
        }
    }
}

/// `e` in words, with the stage it happened in.
pub(crate) fn io_reason(e: &std::io::Error, stage: &str) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ConnectionReset => format!("connection reset by the server {stage}"),
        K::UnexpectedEof | K::BrokenPipe | K::ConnectionAborted => {
            format!("connection closed by the server {stage}")
        }
        _ => format!("{e} ({stage})"),
    }
}

/// Sends `req` on `s` and reads the answer, all before `deadline`.
pub(crate) async fn get<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    req: &[u8],
    deadline: Instant,
) -> Result<Answer, Failure> {
    match tokio::time::timeout_at(deadline, async {
        s.write_all(req).await?;
        s.flush().await
    })
    .await
    {
        Err(_) => return Err(Failure::Timeout("sending the request")),
        Ok(Err(e)) => return Err(Failure::Broken(io_reason(&e, "while sending the request"))),
        Ok(Ok(())) => {}
    }
    let sent = Instant::now();
    let mut buf = Vec::new();
    let mut first = None;
    // the head, skipping interim 1xx answers
    let (status, location, framing, body_start) = loop {
        let n = read_some(s, &mut buf, deadline, "waiting for the answer").await?;
        if first.is_none() && n > 0 {
            first = Some(Instant::now());
        }
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut resp = httparse::Response::new(&mut headers);
        match resp.parse(&buf) {
            Ok(httparse::Status::Complete(len)) => {
                let status = resp.code.unwrap_or(0);
                if (100..200).contains(&status) && status != 101 {
                    buf.drain(..len);
                    continue;
                }
                let header = |name: &str| {
                    resp.headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case(name))
                        .map(|h| String::from_utf8_lossy(h.value).trim().to_owned())
                };
                let framing = if header("transfer-encoding")
                    .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
                {
                    Framing::Chunked
                } else if let Some(v) = header("content-length") {
                    match v.parse::<usize>() {
                        Ok(n) => Framing::Length(n),
                        Err(_) => {
                            return Err(Failure::Broken(format!(
                                "the answer's Content-Length {v:?} is not a number"
                            )))
                        }
                    }
                } else {
                    Framing::Close
                };
                break (status, header("location"), framing, len);
            }
            Ok(httparse::Status::Partial) if n == 0 => {
                return Err(Failure::Broken(if buf.is_empty() {
                    "connection closed by the server without an answer".into()
                } else {
                    "connection closed by the server in the middle of the answer's head".into()
                }))
            }
            Ok(httparse::Status::Partial) if buf.len() > HEAD_LIMIT => {
                return Err(Failure::Broken(format!(
                    "the answer's head is longer than {HEAD_LIMIT} bytes"
                )))
            }
            Ok(httparse::Status::Partial) => {}
            Err(e) => {
                let start: String = String::from_utf8_lossy(&buf[..buf.len().min(40)])
                    .chars()
                    .filter(|c| !c.is_control())
                    .collect();
                return Err(Failure::Broken(format!(
                    "not an HTTP answer ({e}): it starts {start:?}"
                )));
            }
        }
    };
    let first = first.unwrap_or(sent);
    let mut raw = buf.split_off(body_start);
    let body = loop {
        match framing.body(&raw) {
            Some(b) => break b,
            None => {
                let n = read_some(s, &mut raw, deadline, "reading the answer's body").await?;
                if n == 0 {
                    if matches!(framing, Framing::Close) {
                        break raw;
                    }
                    // short of what it announced: what came is what there is
                    break framing.partial(&raw);
                }
            }
        }
    };
    Ok(Answer {
        status,
        location,
        body,
        first_byte: first - sent,
        transfer: first.elapsed(),
    })
}

/// How the body's end is known.
#[derive(Debug, Clone, Copy)]
enum Framing {
    Length(usize),
    Chunked,
    /// The connection's end.
    Close,
}

impl Framing {
    /// The body when `raw` holds all of it (or [`BODY_LIMIT`] of it); `None` to read on.
    fn body(self, raw: &[u8]) -> Option<Vec<u8>> {
        match self {
            Framing::Length(n) if raw.len() >= n.min(BODY_LIMIT) => {
                Some(raw[..n.min(BODY_LIMIT)].to_vec())
            }
            Framing::Length(_) => None,
            Framing::Close if raw.len() >= BODY_LIMIT => Some(raw[..BODY_LIMIT].to_vec()),
            Framing::Close => None,
            Framing::Chunked => match dechunk(raw) {
                Dechunked::Done(b) => Some(b),
                Dechunked::More(b) if b.len() >= BODY_LIMIT => Some(b),
                Dechunked::More(_) => None,
            },
        }
    }

    /// What there is of the body in `raw` when the connection ended early.
    fn partial(self, raw: &[u8]) -> Vec<u8> {
        match self {
            Framing::Chunked => match dechunk(raw) {
                Dechunked::Done(b) | Dechunked::More(b) => b,
            },
            _ => raw[..raw.len().min(BODY_LIMIT)].to_vec(),
        }
    }
}

#[derive(Debug, PartialEq)]
enum Dechunked {
    /// The last chunk was seen.
    Done(Vec<u8>),
    /// The data so far; more to come.
    More(Vec<u8>),
}

/// The data of the chunked body `raw` (RFC 9112 §7.1; extensions and trailers skipped).
fn dechunk(raw: &[u8]) -> Dechunked {
    let mut out = Vec::new();
    let mut rest = raw;
    loop {
        let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") else {
            return Dechunked::More(out);
        };
        let line = String::from_utf8_lossy(&rest[..eol]);
        let size_text = line.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            // not chunked after all: keep what was read
            return Dechunked::Done(out);
        };
        rest = &rest[eol + 2..];
        if size == 0 {
            return Dechunked::Done(out);
        }
        if rest.len() < size {
            out.extend_from_slice(rest);
            return Dechunked::More(out);
        }
        out.extend_from_slice(&rest[..size]);
        if out.len() >= BODY_LIMIT {
            out.truncate(BODY_LIMIT);
            return Dechunked::Done(out);
        }
        rest = &rest[size..];
        if rest.len() < 2 {
            return Dechunked::More(out);
        }
        rest = &rest[2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_joined_and_their_end_is_seen() {
        assert_eq!(
            dechunk(b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n"),
            Dechunked::Done(b"hello, world".to_vec())
        );
        assert_eq!(
            dechunk(b"5\r\nhello\r\n7\r\n, wo"),
            Dechunked::More(b"hello, wo".to_vec())
        );
        assert_eq!(dechunk(b""), Dechunked::More(Vec::new()));
        assert_eq!(
            dechunk(b"A\r\n0123456789\r\n"),
            Dechunked::More(b"0123456789".to_vec())
        );
    }

    #[test]
    fn a_body_is_complete_at_its_length_or_the_limit() {
        assert_eq!(Framing::Length(3).body(b"abcdef"), Some(b"abc".to_vec()));
        assert_eq!(Framing::Length(7).body(b"abc"), None);
        assert_eq!(Framing::Close.body(b"abc"), None);
        let big = vec![b'x'; BODY_LIMIT + 10];
        assert_eq!(Framing::Close.body(&big).map(|b| b.len()), Some(BODY_LIMIT));
        assert_eq!(
            Framing::Length(BODY_LIMIT * 2).body(&big).map(|b| b.len()),
            Some(BODY_LIMIT)
        );
    }
}
