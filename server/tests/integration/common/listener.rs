//! A stand-in for a host the platform must not reach (an "internal" service, an attacker's
//! endpoint): a loopback TCP server that answers every connection with fixed bytes and
//! counts the connections it got.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub struct CountingServer {
    /// `http://127.0.0.1:<port>`
    pub base: String,
    pub port: u16,
    hits: Arc<AtomicUsize>,
}

impl CountingServer {
    /// Answers `body` as JSON with status 200 to every request.
    pub async fn json(body: &str) -> CountingServer {
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        Self::raw(answer.into_bytes()).await
    }

    pub async fn raw(answer: Vec<u8>) -> CountingServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let hits = Arc::new(AtomicUsize::new(0));
        let seen = hits.clone();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                seen.fetch_add(1, Ordering::SeqCst);
                let answer = answer.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    let _ = s.read(&mut buf).await;
                    let _ = s.write_all(&answer).await;
                    let _ = s.shutdown().await;
                });
            }
        });
        CountingServer {
            base: format!("http://127.0.0.1:{port}"),
            port,
            hits,
        }
    }

    /// Connections received so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}
