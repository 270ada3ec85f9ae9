//! A request's head and body in one write.
//!
//! ureq hands the request head and then the body to the connection in two writes: two
//! `sendto` calls and, on a slow link, two TCP segments, the first of which wakes the
//! collector to read a head it cannot act on yet (on the agent's own machine, a test
//! collector then takes the CPU from the agent between the two). This layer, the last of
//! the connection's chain (above TLS, so one TLS record carries both), holds what ureq
//! writes until ureq waits for the answer, or until [`HOLD_MAX`] bytes are held, and
//! then writes it at once. A heartbeat's request (about 1.2 KB) goes in one write.

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};
use ureq::Error;

/// The most bytes held before they are written: a batch larger than this goes in
/// pieces of this size (a heartbeat is far smaller).
pub const HOLD_MAX: usize = 16 * 1024;

/// Wraps the connection that the connectors before it made.
#[derive(Debug, Default)]
pub struct OneWrite;

impl Connector<Box<dyn Transport>> for OneWrite {
    type Out = Held<Box<dyn Transport>>;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<Box<dyn Transport>>,
    ) -> Result<Option<Self::Out>, Error> {
        Ok(chained.map(Held::new))
    }
}

/// A connection whose writes are held until the answer is awaited.
#[derive(Debug)]
pub struct Held<T> {
    inner: T,
    pending: Vec<u8>,
}

impl<T: Transport> Held<T> {
    fn new(inner: T) -> Self {
        Self {
            inner,
            pending: Vec::new(),
        }
    }

    /// Writes what is held, in pieces the size of the connection's output buffer.
    fn write_held(&mut self, timeout: NextTimeout) -> Result<(), Error> {
        let mut sent = 0;
        let result = loop {
            if sent == self.pending.len() {
                break Ok(());
            }
            let out = self.inner.buffers().output();
            let n = out.len().min(self.pending.len() - sent);
            out[..n].copy_from_slice(&self.pending[sent..sent + n]);
            if let Err(e) = self.inner.transmit_output(n, timeout) {
                break Err(e);
            }
            sent += n;
        };
        // after a failed write the connection is not used again: nothing stays held
        self.pending.clear();
        if self.pending.capacity() > HOLD_MAX {
            self.pending = Vec::new();
        }
        result
    }
}

impl<T: Transport> Transport for Held<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        let out = self.inner.buffers().output();
        self.pending.extend_from_slice(&out[..amount]);
        if self.pending.len() >= HOLD_MAX {
            self.write_held(timeout)?;
        }
        Ok(())
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        if !self.pending.is_empty() {
            self.write_held(timeout)?;
        }
        if self.buffers().can_use_input() {
            return Ok(true);
        }
        self.inner.await_input(timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        if !self.pending.is_empty() {
            self.write_held(timeout)?;
        }
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.pending.is_empty() && self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::unversioned::transport::LazyBuffers;

    /// The connection below, writes recorded one by one.
    #[derive(Debug)]
    struct Recorded {
        buffers: LazyBuffers,
        writes: Vec<Vec<u8>>,
        awaited: usize,
    }

    impl Transport for Recorded {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }
        fn transmit_output(&mut self, amount: usize, _: NextTimeout) -> Result<(), Error> {
            self.writes.push(self.buffers.output()[..amount].to_vec());
            Ok(())
        }
        fn await_input(&mut self, _: NextTimeout) -> Result<bool, Error> {
            self.awaited += 1;
            Ok(false)
        }
        fn is_open(&mut self) -> bool {
            true
        }
    }

    fn held(output_size: usize) -> Held<Recorded> {
        Held::new(Recorded {
            buffers: LazyBuffers::new(1024, output_size),
            writes: Vec::new(),
            awaited: 0,
        })
    }

    /// Writes `bytes` the way ureq does: into the output buffer, then transmit.
    fn write(t: &mut Held<Recorded>, bytes: &[u8]) {
        t.buffers().output()[..bytes.len()].copy_from_slice(bytes);
        t.transmit_output(bytes.len(), NextTimeout::default())
            .unwrap();
    }

    #[test]
    fn head_and_body_go_in_one_write_when_the_answer_is_awaited() {
        let mut t = held(4096);
        write(&mut t, b"POST /api/v1/reports HTTP/1.1\r\n\r\n");
        write(&mut t, b"[{\"sequence\":1}]");
        assert!(
            t.inner.writes.is_empty(),
            "nothing written before the answer is awaited"
        );
        assert!(!t.is_open(), "a connection holding bytes is not reused");
        t.await_input(NextTimeout::default()).unwrap();
        assert_eq!(
            t.inner.writes,
            vec![b"POST /api/v1/reports HTTP/1.1\r\n\r\n[{\"sequence\":1}]".to_vec()]
        );
        assert_eq!(t.inner.awaited, 1);
        assert!(t.is_open());
    }

    #[test]
    fn a_large_batch_goes_in_pieces_of_the_output_buffer_in_order() {
        let mut t = held(4096);
        let body: Vec<u8> = (0..40_000u32).map(|i| (i % 251) as u8).collect();
        for piece in body.chunks(4096) {
            write(&mut t, piece);
        }
        t.maybe_await_input(NextTimeout::default()).unwrap();
        assert!(t.inner.writes.iter().all(|w| w.len() <= 4096));
        assert_eq!(t.inner.writes.concat(), body);
        // held up to HOLD_MAX at a time, not the whole batch
        assert!(t.pending.capacity() <= HOLD_MAX + 4096);
    }
}
