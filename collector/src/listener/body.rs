//! A request body with a deadline: a client that sends its headers and then stalls the
//! body (issue 20) gets an error from the body once `body_timeout_secs` have passed,
//! whichever handler reads it, and the listener turns that into a 408.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};

/// The error a timed-out body yields.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {0:?}")]
pub struct BodyTimedOut(Duration);

/// `inner`, failing once `timeout` has passed before its end.
#[derive(Debug)]
pub struct TimeoutBody<B> {
    inner: B,
    timeout: Duration,
    deadline: Pin<Box<tokio::time::Sleep>>,
    /// Set when the deadline cut the body, for the listener to answer 408.
    timed_out: Arc<AtomicBool>,
}

impl<B> TimeoutBody<B> {
    /// Wraps `inner`; the deadline runs from now. `timed_out` is set when it fires.
    pub fn new(inner: B, timeout: Duration, timed_out: Arc<AtomicBool>) -> Self {
        Self {
            inner,
            timeout,
            deadline: Box::pin(tokio::time::sleep(timeout)),
            timed_out,
        }
    }
}

impl<B> Body for TimeoutBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|r| r.map_err(Into::into)));
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            this.timed_out.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(Box::new(BodyTimedOut(this.timeout)))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    /// A body that sends one chunk and then nothing, ever.
    struct Stalled(bool);

    impl Body for Stalled {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            if self.0 {
                Poll::Pending
            } else {
                self.0 = true;
                Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"{\"rep")))))
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_stalled_body_fails_at_the_deadline() {
        let flag = Arc::new(AtomicBool::new(false));
        let body = TimeoutBody::new(Stalled(false), Duration::from_secs(30), Arc::clone(&flag));
        let e = body.collect().await.unwrap_err();
        assert_eq!(e.to_string(), "the request body did not arrive within 30s");
        assert!(flag.load(Ordering::Relaxed));
    }

    #[tokio::test(start_paused = true)]
    async fn a_complete_body_passes() {
        let flag = Arc::new(AtomicBool::new(false));
        let inner = http_body_util::Full::new(Bytes::from_static(b"{}"));
        let body = TimeoutBody::new(inner, Duration::from_secs(30), Arc::clone(&flag));
        assert_eq!(body.collect().await.unwrap().to_bytes(), "{}");
        assert!(!flag.load(Ordering::Relaxed));
    }
}
