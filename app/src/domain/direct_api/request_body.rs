//! The app's request body on its way to the provider. A small body is held in memory so the
//! call can be sent again after the provider refuses a stale token; a larger one streams
//! (an attachment is never held whole) and is cut off past [`MAX_REQUEST_BYTES`].
use axum::body::{Body, Bytes};
use futures_util::{stream, StreamExt, TryStreamExt};

use super::DirectError;
use crate::domain::outbound::OutboundError;

/// The largest body an app may send through: Gmail takes messages up to 35 MB, and Graph's
/// larger uploads go to an upload session's own URL, not through here.
pub const MAX_REQUEST_BYTES: u64 = 36 * 1024 * 1024;
/// Bodies up to this size are held, so a call refused for its token can be sent again.
pub const HELD_BYTES: usize = 256 * 1024;

pub enum OutgoingBody {
    Held(Bytes),
    Streamed(reqwest::Body),
}

impl OutgoingBody {
    /// A copy to send, while the held body can be sent again.
    pub fn take(&mut self) -> reqwest::Body {
        match self {
            OutgoingBody::Held(b) => reqwest::Body::from(b.clone()),
            OutgoingBody::Streamed(_) => {
                match std::mem::replace(self, OutgoingBody::Held(Bytes::new())) {
                    OutgoingBody::Streamed(s) => s,
                    OutgoingBody::Held(b) => reqwest::Body::from(b),
                }
            }
        }
    }

    pub fn can_resend(&self) -> bool {
        matches!(self, OutgoingBody::Held(_))
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
    let mut chunks = body.into_data_stream();
    let mut held: Vec<Bytes> = Vec::new();
    let mut size = 0usize;
    while size <= HELD_BYTES {
        match chunks.next().await {
            Some(Ok(chunk)) => {
                size += chunk.len();
                held.push(chunk);
            }
            Some(Err(_)) => return Err(DirectError::BodyInterrupted),
            None => {
                let whole: Vec<u8> = held.iter().flat_map(|c| c.iter().copied()).collect();
                return Ok(OutgoingBody::Held(Bytes::from(whole)));
            }
        }
    }
    let mut sent = 0u64;
    let rest = chunks.map_err(|e| OutboundError::Failed(format!("the app's body: {e}")));
    let counted =
        stream::iter(held.into_iter().map(Ok))
            .chain(rest)
            .and_then(move |chunk: Bytes| {
                sent += chunk.len() as u64;
                let over = sent > MAX_REQUEST_BYTES;
                async move {
                    if over {
                        Err(OutboundError::TooLarge(MAX_REQUEST_BYTES as usize))
                    } else {
                        Ok(chunk)
                    }
                }
            });
    Ok(OutgoingBody::Streamed(reqwest::Body::wrap_stream(counted)))
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
        let large = read(chunked(100, 10_000), None).await.unwrap();
        assert!(!large.can_resend());
        assert!(matches!(
            read(Body::empty(), Some(MAX_REQUEST_BYTES + 1)).await,
            Err(DirectError::TooLarge(_))
        ));
    }
}
