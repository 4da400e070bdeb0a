//! The provider's answer on its way to the app. A task owns the call's place and copies the
//! body through a small channel: an app that stops reading fills the channel, and after
//! [`IDLE`] the call ends and its place is given back, instead of being held for as long as
//! the app keeps its connection open.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use futures_util::{stream, StreamExt};

use super::in_flight::Permit;
use super::request_body::IDLE;

/// Pieces copied ahead of the app's reading: a few, so a stalled app holds little memory.
const AHEAD: usize = 4;

fn cut(why: &str) -> std::io::Error {
    std::io::Error::other(why.to_owned())
}

/// The body to send the app: `answer`'s, copied by a task that holds `permit` to the end.
pub fn relay(answer: reqwest::Response, permit: Permit) -> Body {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(AHEAD);
    let stalled = Arc::new(AtomicBool::new(false));
    let stalled_here = stalled.clone();
    tokio::spawn(async move {
        let _place = permit;
        let mut pieces = answer.bytes_stream();
        while let Some(piece) = pieces.next().await {
            let failed = piece.is_err();
            let piece = piece.map_err(|_| cut("the provider's answer was cut off"));
            match tokio::time::timeout(IDLE, tx.send(piece)).await {
                Ok(Ok(())) if !failed => {}
                Ok(_) => return,
                Err(_) => {
                    stalled_here.store(true, Ordering::Release);
                    return;
                }
            }
        }
    });
    // A copy that ended because the app stopped reading ends the app's body in an error, so
    // what it got is not taken for the whole answer.
    let pieces = stream::unfold((rx, stalled), |(mut rx, stalled)| async move {
        match rx.recv().await {
            Some(piece) => Some((piece, (rx, stalled))),
            None if stalled.swap(false, Ordering::AcqRel) => Some((
                Err(cut("the app stopped reading the answer")),
                (rx, stalled),
            )),
            None => None,
        }
    });
    Body::from_stream(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::direct_api::in_flight::{self, Busy, PER_ACCOUNT};

    /// An answer that never ends, as a large attachment looks to an app that stopped reading.
    fn endless() -> reqwest::Response {
        let pieces = stream::repeat_with(|| Ok::<_, std::io::Error>(Bytes::from_static(b"x")));
        axum::http::Response::new(reqwest::Body::wrap_stream(pieces)).into()
    }

    #[tokio::test(start_paused = true)]
    async fn an_app_that_stops_reading_gives_its_place_back() {
        let (account, app) = (i64::MAX - 7, uuid::Uuid::new_v4());
        let mut held: Vec<Permit> = (1..PER_ACCOUNT)
            .map(|_| in_flight::take(account, app).unwrap())
            .collect();
        let body = relay(endless(), in_flight::take(account, app).unwrap());
        assert_eq!(in_flight::take(account, app).unwrap_err(), Busy::Account);
        tokio::time::sleep(IDLE * 2).await;
        held.push(in_flight::take(account, app).expect("the stalled call's place is free"));
        let mut pieces = body.into_data_stream();
        let mut last = None;
        while let Some(piece) = pieces.next().await {
            last = Some(piece.is_ok());
        }
        assert_eq!(
            last,
            Some(false),
            "the body ends in an error, not as if whole"
        );
    }
}
