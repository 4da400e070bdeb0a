//! Human passwords: the length policy and argon2id hashing, run on the blocking pool so a
//! slow hash never stalls the async workers. Hashes run through a gate: about one per core
//! at a time (19 MiB each), a few more waiting, and beyond that the request is refused with
//! 429, so a flood of anonymous sign-ups or sign-ins cannot exhaust memory or CPU
//! (docs/security.md).
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

use super::DomainError;

/// This instance's bound on concurrent password hashes (a bound on its memory and CPU, not
/// state another instance needs). Cheap to clone; clones share the bound.
#[derive(Clone)]
pub struct PasswordGate(Arc<GateInner>);

struct GateInner {
    running: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
}

impl PasswordGate {
    /// `concurrent` hashes at once, four times as many waiting.
    pub fn new(concurrent: usize) -> Self {
        let concurrent = concurrent.max(1);
        PasswordGate(Arc::new(GateInner {
            running: Semaphore::new(concurrent),
            waiting: AtomicUsize::new(0),
            max_waiting: concurrent * 4,
        }))
    }

    /// One hash per core.
    pub fn per_core() -> Self {
        Self::new(
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
        )
    }

    /// Runs `work` (a hash or a verification) when the gate lets it, on the blocking pool.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, DomainError> {
        let g = &self.0;
        let permit = match g.running.try_acquire() {
            Ok(p) => p,
            Err(_) => {
                if g.waiting.fetch_add(1, Ordering::SeqCst) >= g.max_waiting {
                    g.waiting.fetch_sub(1, Ordering::SeqCst);
                    return Err(busy());
                }
                let _waiting = Waiting(&g.waiting);
                g.running.acquire().await.map_err(|_| busy())?
            }
        };
        let done = tokio::task::spawn_blocking(work).await;
        drop(permit);
        done.map_err(|_| DomainError::Internal("password hashing task failed"))
    }

    pub async fn hash(&self, password: String) -> Result<String, DomainError> {
        self.run(move || hash_now(password.as_bytes())).await?
    }

    /// Verifies against the stored hash, or against a dummy hash when there is no such user,
    /// so that the answer takes as long either way and cannot reveal which it was.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, DomainError> {
        self.run(move || match stored {
            Some(hash) => verify_now(password.as_bytes(), &hash),
            None => {
                static DUMMY: OnceLock<String> = OnceLock::new();
                let dummy =
                    DUMMY.get_or_init(|| hash_now(b"linkgate-dummy-password").unwrap_or_default());
                verify_now(password.as_bytes(), dummy);
                false
            }
        })
        .await
    }
}

/// Leaves the waiting count when dropped, however the wait ends.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn busy() -> DomainError {
    DomainError::RateLimited {
        message: "The server is busy checking other passwords.",
        retry_after_secs: 2,
    }
}

pub const MIN_CHARS: usize = 10;
/// Long enough for any passphrase, short enough that hashing cannot be used to burn CPU.
pub const MAX_BYTES: usize = 1024;

pub fn check_policy(password: &str) -> Result<(), &'static str> {
    if password.is_empty() {
        return Err("Enter a password.");
    }
    if password.chars().count() < MIN_CHARS {
        return Err("Use at least 10 characters for your password.");
    }
    if password.len() > MAX_BYTES {
        return Err("Use at most 1024 bytes for your password.");
    }
    Ok(())
}

/// OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &[u8]) -> Result<String, DomainError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password, &salt)
        .map(|h| h.to_string())
        .map_err(|_| DomainError::Internal("password hashing failed"))
}

fn verify_now(password: &[u8], stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| argon2().verify_password(password, &parsed).is_ok())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_argon2id_owasp_parameters_and_verifies() {
        let gate = PasswordGate::new(1);
        let stored = gate
            .hash("correct horse battery".into())
            .await
            .unwrap_or_default();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(gate
            .verify("correct horse battery".into(), Some(stored.clone()))
            .await
            .unwrap_or(false));
        assert!(!gate
            .verify("wrong horse battery".into(), Some(stored))
            .await
            .unwrap_or(true));
        assert!(!gate
            .verify("anything at all".into(), None)
            .await
            .unwrap_or(true));
    }

    #[tokio::test]
    async fn the_gate_runs_one_per_permit_lets_four_wait_and_refuses_the_rest() {
        let gate = PasswordGate::new(1);
        let h = || gate.hash("correct horse battery".into());
        let all = tokio::join!(h(), h(), h(), h(), h(), h(), h(), h());
        let results = [all.0, all.1, all.2, all.3, all.4, all.5, all.6, all.7];
        let done = results.iter().filter(|r| r.is_ok()).count();
        let refused = results
            .iter()
            .filter(|r| matches!(r, Err(DomainError::RateLimited { .. })))
            .count();
        assert_eq!((done, refused), (5, 3));
        // Once the burst is over the gate is open again.
        assert!(gate.hash("correct horse battery".into()).await.is_ok());
    }

    #[test]
    fn policy_counts_characters_not_bytes() {
        assert!(check_policy("123456789").is_err());
        assert!(check_policy("1234567890").is_ok());
        assert!(check_policy("ééééééééé").is_err());
        assert!(check_policy(&"x".repeat(1025)).is_err());
        assert!(check_policy("").is_err());
    }
}
