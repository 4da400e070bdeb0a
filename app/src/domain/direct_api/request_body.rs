//! The app's request body on its way to the provider. A small body is held in memory so the
//! call can be sent again after the provider refuses a stale token; a larger one streams
//! (an attachment is never held whole) and is cut off past [`MAX_REQUEST_BYTES`].
use std::time::Duration;

use std::sync::{Arc, OnceLock};

use axum::body::{Body, Bytes};
use futures_util::{stream, Stream, StreamExt};

use super::DirectError;

/// The largest body an app may send through: Gmail takes messages up to 35 MB, and Graph's
/// larger uploads go to an upload session's own URL, not through here.
pub const MAX_REQUEST_BYTES: u64 = 36 * 1024 * 1024;
/// Bodies up to this size are held, so a call refused for its token can be sent again.
pub const HELD_BYTES: usize = 256 * 1024;
/// The longest wait for the next piece of the body: a caller that trickles bytes would
/// otherwise hold its place among the calls under way for as long as it likes.
pub const IDLE: Duration = Duration::from_secs(30);
/// The longest the held part may take in all (the whole call's limit starts when it is sent).
pub const HELD_WITHIN: Duration = Duration::from_secs(60);

pub enum OutgoingBody {
    Held(Bytes),
    Streamed {
        body: reqwest::Body,
        /// Why the app's side of the stream failed, if it did: the send then fails too, and
        /// the app hears its own fault (a slow, broken or oversized body), not the provider's.
        app_fault: AppFault,
    },
    /// A streamed body already sent: it cannot be sent again.
    Spent(AppFault),
}

/// Set once by the stream when the app's body fails.
pub type AppFault = Arc<OnceLock<DirectError>>;

impl OutgoingBody {
    /// A copy to send, while the held body can be sent again; a streamed one goes once.
    pub fn take(&mut self) -> reqwest::Body {
        match self {
            OutgoingBody::Held(b) => reqwest::Body::from(b.clone()),
            OutgoingBody::Spent(_) => reqwest::Body::from(Bytes::new()),
            OutgoingBody::Streamed { app_fault, .. } => {
                let spent = OutgoingBody::Spent(app_fault.clone());
                match std::mem::replace(self, spent) {
                    OutgoingBody::Streamed { body, .. } => body,
                    _ => reqwest::Body::from(Bytes::new()),
                }
            }
        }
    }

    pub fn can_resend(&self) -> bool {
        matches!(self, OutgoingBody::Held(_))
    }

    /// The app's own fault, when the stream of its body failed.
    pub fn app_fault(&self) -> Option<DirectError> {
        match self {
            OutgoingBody::Streamed { app_fault, .. } | OutgoingBody::Spent(app_fault) => {
                app_fault.get().cloned()
            }
            OutgoingBody::Held(_) => None,
        }
    }
}

fn too_large() -> DirectError {
    DirectError::TooLarge(MAX_REQUEST_BYTES)
}

/// Reads up to [`HELD_BYTES`] of `body`: all of it is held, or what was read goes first and
/// the rest streams behind it, counted against the cap.
pub async fn read(body: Body, announced: Option<u64>) -> Result<OutgoingBody, DirectError> {
    if announced.is_some_and(|n| n > MAX_REQUEST_BYTES) {
        return Err(too_large());
    }
    let mut chunks = idle_limited(body.into_data_stream());
    let mut held: Vec<Bytes> = Vec::new();
    let mut size = 0usize;
    let held_by = tokio::time::Instant::now() + HELD_WITHIN;
    while size <= HELD_BYTES {
        let next = tokio::time::timeout_at(held_by, chunks.next())
            .await
            .map_err(|_| DirectError::BodySlow)?;
        match next {
            Some(Err(Piece::Slow)) => return Err(DirectError::BodySlow),
            Some(Ok(chunk)) => {
                size += chunk.len();
                held.push(chunk);
            }
            Some(Err(_)) => return Err(DirectError::BodyInterrupted),
            None => return Ok(OutgoingBody::Held(joined(held))),
        }
    }
    let app_fault: AppFault = Arc::default();
    let fault = app_fault.clone();
    let mut sent = 0u64;
    let counted = stream::iter(held.into_iter().map(Ok))
        .chain(chunks)
        .map(move |piece| {
            let failed = match piece {
                Ok(chunk) => {
                    sent += chunk.len() as u64;
                    if sent <= MAX_REQUEST_BYTES {
                        return Ok(chunk);
                    }
                    too_large()
                }
                Err(Piece::Slow) => DirectError::BodySlow,
                Err(Piece::Broken) => DirectError::BodyInterrupted,
            };
            let said = failed.to_string();
            let _ = fault.set(failed);
            Err(std::io::Error::other(said))
        });
    Ok(OutgoingBody::Streamed {
        body: reqwest::Body::wrap_stream(counted),
        app_fault,
    })
}

/// The held pieces as one buffer (a single piece is taken as it is, without a copy).
fn joined(mut held: Vec<Bytes>) -> Bytes {
    if held.len() == 1 {
        return held.pop().unwrap_or_default();
    }
    let mut whole = Vec::with_capacity(held.iter().map(Bytes::len).sum());
    for piece in held {
        whole.extend_from_slice(&piece);
    }
    Bytes::from(whole)
}

/// Why the next piece of the app's body did not come.
enum Piece {
    Slow,
    Broken,
}

/// `body`, failing when its next piece takes longer than [`IDLE`].
fn idle_limited(
    body: impl Stream<Item = Result<Bytes, axum::Error>> + Send + Unpin + 'static,
) -> impl Stream<Item = Result<Bytes, Piece>> + Send + Unpin + 'static {
    Box::pin(stream::unfold(Some(body), |body| async move {
        let mut body = body?;
        match tokio::time::timeout(IDLE, body.next()).await {
            Err(_) => Some((Err(Piece::Slow), None)),
            Ok(None) => None,
            Ok(Some(Ok(chunk))) => Some((Ok(chunk), Some(body))),
            Ok(Some(Err(_))) => Some((Err(Piece::Broken), None)),
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunked(n: usize, size: usize) -> Body {
        let chunks = (0..n).map(move |_| Ok::<_, std::io::Error>(Bytes::from(vec![b'x'; size])));
        Body::from_stream(stream::iter(chunks))
    }

    #[tokio::test]
    async fn small_bodies_are_held_and_large_ones_stream() {
        let small = read(chunked(4, 1000), None).await.unwrap();
        assert!(small.can_resend());
        let mut large = read(chunked(100, 10_000), None).await.unwrap();
        assert!(!large.can_resend());
        let _sent = large.take();
        assert!(
            !large.can_resend(),
            "a streamed body, once sent, is not sent again"
        );
        assert!(matches!(
            read(Body::empty(), Some(MAX_REQUEST_BYTES + 1)).await,
            Err(DirectError::TooLarge(_))
        ));
    }

    /// A body that sends a byte and then nothing, as a caller holding its place would.
    fn trickle() -> Body {
        let first = stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"x"))]);
        Body::from_stream(first.chain(stream::pending()))
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stops_coming_is_refused() {
        assert!(matches!(
            read(trickle(), None).await,
            Err(DirectError::BodySlow)
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn a_streamed_body_that_stops_coming_ends_the_call() {
        let large = Body::from_stream(
            stream::iter((0..40).map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![b'x'; 10_000]))))
                .chain(stream::pending()),
        );
        let mut outgoing = read(large, None).await.unwrap();
        let body = outgoing.take();
        let mut pieces = Body::new(body).into_data_stream();
        let mut last = None;
        while let Some(piece) = pieces.next().await {
            last = Some(piece);
            if last.as_ref().is_some_and(|p| p.is_err()) {
                break;
            }
        }
        assert!(
            last.is_some_and(|p| p.is_err()),
            "the stream ends in an error"
        );
        assert_eq!(
            outgoing.app_fault(),
            Some(DirectError::BodySlow),
            "the app hears its own fault"
        );
    }
}
