//! `GET /v1/account` answers from memory, keyed by the token's hash, without giving up
//! instant revocation (docs/security.md, "Cached account answers"):
//! - An entry is the serialised account, never a provider token or a sealed secret.
//! - Every change to an account or its tokens evicts: on SQLite the connections' update
//!   hook (every writer in this process, cascades included); on PostgreSQL a trigger's
//!   NOTIFY, which every instance listens for (`account_change_listener`). A lost listener
//!   drops the whole cache and refuses new entries until it listens again.
//! - A reader takes a ticket before it reads the database and may store its answer only if
//!   nothing was evicted meanwhile, so a read that raced a change is never kept.
//! - On SQLite a change's hook fires before its commit is visible; from then until a write
//!   turn ends with no write group open (after the group's commit), no ticket is given.
//! - Entries are compact: the token hash as its 32 bytes, and one shared body for the tokens
//!   of one account whose answers are the same (peak memory, docs/performance.md).
//! - Entries also age out ([`MAX_AGE`], counted from before the read), and the cache holds
//!   at most `capacity` tokens and `capacity` KiB of answers; an answer above [`MAX_BODY`]
//!   (a provider may grant any number of scopes) is never kept.
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// However an eviction could be missed (a writer outside this process on a SQLite file), an
/// answer is at most this old. PostgreSQL listeners prove themselves alive every few
/// seconds instead (`account_change_listener`).
pub const MAX_AGE: Duration = Duration::from_secs(60);
/// Larger answers are read from the database every time.
pub const MAX_BODY: usize = 4096;
/// The byte budget per token of capacity (answers are about 0.6 KiB).
const BYTES_PER_ENTRY: usize = 1024;

/// One cached answer: the JSON body `GET /v1/account` sends for the account.
pub struct Answer {
    pub account_id: i64,
    pub body: Arc<[u8]>,
}

struct Entry {
    account_id: i64,
    body: Arc<[u8]>,
    at: Instant,
}

/// A token hash (hex of an HMAC-SHA-256) as its 32 bytes: a third of the hex `String`'s
/// memory, and no allocation per entry.
type Key = [u8; 32];

/// `None` for anything but 64 hex digits: such a value is never cached.
fn key(token_hash: &str) -> Option<Key> {
    let mut k = [0u8; 32];
    hex::decode_to_slice(token_hash, &mut k).ok()?;
    Some(k)
}

#[derive(Default)]
struct Entries {
    by_token: HashMap<Key, Entry>,
    by_account: HashMap<i64, Vec<Key>>,
    /// Bytes of the kept answers, a shared body counted once per token (a bound, not a
    /// measure).
    bytes: usize,
}

impl Entries {
    fn evict_account(&mut self, id: i64) {
        for k in self.by_account.remove(&id).unwrap_or_default() {
            if let Some(e) = self.by_token.remove(&k) {
                self.bytes = self.bytes.saturating_sub(e.body.len());
            }
        }
    }

    fn evict_token(&mut self, k: &Key) {
        if let Some(e) = self.by_token.remove(k) {
            self.bytes = self.bytes.saturating_sub(e.body.len());
            if let Some(list) = self.by_account.get_mut(&e.account_id) {
                list.retain(|h| h != k);
                if list.is_empty() {
                    self.by_account.remove(&e.account_id);
                }
            }
        }
    }

    /// The body another token of the account already holds, if it is the same answer.
    fn shared_body(&self, account_id: i64, body: &Arc<[u8]>) -> Option<Arc<[u8]>> {
        let first = self.by_account.get(&account_id)?.first()?;
        let held = &self.by_token.get(first)?.body;
        (**held == **body).then(|| held.clone())
    }
}

/// Leave to store one answer, taken before the database read it comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket {
    generation: u64,
    sqlite_epoch: u64,
    /// Before the read: an answer's age counts from here.
    at: Instant,
}

pub struct AnswerCache {
    entries: Mutex<Entries>,
    /// Bumped by every eviction: a ticket from before it stores nothing.
    generation: AtomicU64,
    /// False while evictions might be missed (PostgreSQL without a listener).
    live: AtomicBool,
    capacity: usize,
}

/// SQLite: a change's hook has fired and the write group holding it has not committed yet.
static SQLITE_PENDING: AtomicBool = AtomicBool::new(false);
/// SQLite: bumped when a write turn ends after a change.
static SQLITE_EPOCH: AtomicU64 = AtomicU64::new(0);
/// The caches of this process, for the SQLite hook (one process owns a SQLite file; tests
/// run several servers on one).
static SQLITE_CACHES: Mutex<Vec<Weak<AnswerCache>>> = Mutex::new(Vec::new());

impl AnswerCache {
    /// A cache of at most `capacity` tokens; `live` from the start (SQLite), or once a
    /// listener listens (PostgreSQL). A capacity of 0 turns it off.
    pub fn new(capacity: usize, live: bool) -> Arc<Self> {
        Arc::new(AnswerCache {
            entries: Mutex::new(Entries::default()),
            generation: AtomicU64::new(0),
            live: AtomicBool::new(live && capacity > 0),
            capacity,
        })
    }

    /// Registers this cache with the SQLite hook of this process.
    pub fn watch_sqlite(self: &Arc<Self>) {
        if let Ok(mut all) = SQLITE_CACHES.lock() {
            all.retain(|w| w.strong_count() > 0);
            all.push(Arc::downgrade(self));
        }
    }

    /// The answer for a token hash, if cached and fresh.
    pub fn get(&self, token_hash: &str) -> Option<Answer> {
        if !self.live.load(Ordering::Acquire) {
            return None;
        }
        let k = key(token_hash)?;
        let mut entries = self.entries.lock().ok()?;
        match entries.by_token.get(&k) {
            Some(e) if e.at.elapsed() < MAX_AGE => Some(Answer {
                account_id: e.account_id,
                body: e.body.clone(),
            }),
            Some(_) => {
                entries.evict_token(&k);
                None
            }
            None => None,
        }
    }

    /// Leave to store what a database read about to start returns, if any may be stored now.
    pub fn ticket(&self) -> Option<Ticket> {
        if !self.live.load(Ordering::Acquire) || SQLITE_PENDING.load(Ordering::Acquire) {
            return None;
        }
        Some(Ticket {
            generation: self.generation.load(Ordering::Acquire),
            sqlite_epoch: SQLITE_EPOCH.load(Ordering::Acquire),
            at: Instant::now(),
        })
    }

    /// Stores an answer read under `ticket`, unless anything changed since it was taken.
    pub fn store(&self, ticket: Ticket, token_hash: &str, account_id: i64, body: Arc<[u8]>) {
        let Some(k) = key(token_hash).filter(|_| body.len() <= MAX_BODY) else {
            return;
        };
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        // Checked under the lock every eviction also takes: none can slip in between.
        if !self.live.load(Ordering::Acquire)
            || SQLITE_PENDING.load(Ordering::Acquire)
            || self.generation.load(Ordering::Acquire) != ticket.generation
            || SQLITE_EPOCH.load(Ordering::Acquire) != ticket.sqlite_epoch
        {
            return;
        }
        entries.evict_token(&k);
        if entries.by_token.len() >= self.capacity
            || entries.bytes + body.len() > self.capacity.saturating_mul(BYTES_PER_ENTRY)
        {
            // Full: start again rather than keep an order of use on every hit.
            *entries = Entries::default();
        }
        let body = entries.shared_body(account_id, &body).unwrap_or(body);
        entries.bytes += body.len();
        entries.by_token.insert(
            k,
            Entry {
                account_id,
                body,
                at: ticket.at,
            },
        );
        entries.by_account.entry(account_id).or_default().push(k);
    }

    /// The account or one of its tokens changed.
    pub fn evict_account(&self, account_id: i64) {
        if let Ok(mut entries) = self.entries.lock() {
            self.generation.fetch_add(1, Ordering::AcqRel);
            entries.evict_account(account_id);
        }
    }

    /// Forgets everything (a token changed whose account is not known, or evictions may
    /// have been missed).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            self.generation.fetch_add(1, Ordering::AcqRel);
            *entries = Entries::default();
        }
    }

    /// Whether evictions are being heard (PostgreSQL's listener); going dark clears.
    pub fn set_live(&self, live: bool) {
        if !live {
            self.live.store(false, Ordering::Release);
            self.clear();
        } else if self.capacity > 0 {
            self.clear();
            self.live.store(true, Ordering::Release);
        }
    }

    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.by_token.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The SQLite update hook: a row of `table` changed on a connection of this process (before
/// its commit is visible). Accounts are their rowid; a changed token's account is unknown.
pub fn sqlite_row_changed(table: &str, rowid: i64, deleted_or_updated: bool) {
    let account = match table {
        "accounts" if deleted_or_updated => Some(rowid),
        "account_tokens" if deleted_or_updated => None,
        _ => return,
    };
    SQLITE_PENDING.store(true, Ordering::Release);
    let caches: Vec<Arc<AnswerCache>> = SQLITE_CACHES
        .lock()
        .map(|all| all.iter().filter_map(Weak::upgrade).collect())
        .unwrap_or_default();
    for cache in caches {
        match account {
            Some(id) => cache.evict_account(id),
            None => cache.clear(),
        }
    }
}

/// A SQLite write turn ended with no group open, after the commit or rollback of every
/// change so far: answers read from now on see them.
pub fn sqlite_turn_ended() {
    if SQLITE_PENDING.swap(false, Ordering::AcqRel) {
        SQLITE_EPOCH.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(s: &str) -> Arc<[u8]> {
        Arc::from(s.as_bytes())
    }

    /// A token hash as the platform writes them (64 hex digits).
    fn h(name: &str) -> String {
        let mut k = [0u8; 32];
        k[..name.len()].copy_from_slice(name.as_bytes());
        hex::encode(k)
    }

    #[test]
    fn an_answer_read_before_an_eviction_is_not_kept() {
        let c = AnswerCache::new(10, true);
        let t = c.ticket().unwrap();
        c.evict_account(7);
        c.store(t, &h("h1"), 7, body("old"));
        assert!(c.get(&h("h1")).is_none());
        let t = c.ticket().unwrap();
        c.store(t, &h("h1"), 7, body("new"));
        assert_eq!(&*c.get(&h("h1")).unwrap().body, b"new");
        c.evict_account(7);
        assert!(c.get(&h("h1")).is_none(), "evicted with its account");
    }

    #[test]
    fn a_dark_cache_answers_nothing_and_keeps_nothing() {
        let c = AnswerCache::new(10, false);
        assert!(c.ticket().is_none());
        c.set_live(true);
        let t = c.ticket().unwrap();
        c.store(t, &h("h"), 1, body("a"));
        assert!(c.get(&h("h")).is_some());
        c.set_live(false);
        assert!(c.get(&h("h")).is_none());
        assert!(c.is_empty());
        assert!(
            AnswerCache::new(0, true).ticket().is_none(),
            "capacity 0 is off"
        );
    }

    #[test]
    fn large_answers_are_not_kept_and_bytes_are_bounded() {
        let c = AnswerCache::new(3, true);
        let t = c.ticket().unwrap();
        c.store(t, &h("big"), 1, Arc::from(vec![b'x'; MAX_BODY + 1]));
        assert!(c.get(&h("big")).is_none());
        // 3 KiB of budget: three answers of 1.5 KiB do not fit; the third starts again.
        for (i, name) in ["a", "b", "c"].into_iter().enumerate() {
            let t = c.ticket().unwrap();
            c.store(t, &h(name), i as i64, Arc::from(vec![b'x'; 1536]));
        }
        assert_eq!(c.len(), 1);
        c.evict_account(2);
        assert!(c.is_empty());
    }

    #[test]
    fn a_full_cache_starts_again() {
        let c = AnswerCache::new(2, true);
        for (i, name) in ["a", "b", "c"].into_iter().enumerate() {
            let t = c.ticket().unwrap();
            c.store(t, &h(name), i as i64, body(name));
        }
        assert_eq!(c.len(), 1);
        assert!(c.get(&h("c")).is_some());
    }

    #[test]
    fn tokens_of_one_account_share_its_answer_and_only_hashes_are_kept() {
        let c = AnswerCache::new(10, true);
        for name in ["one", "two"] {
            let t = c.ticket().unwrap();
            c.store(t, &h(name), 7, body("same answer"));
        }
        let (one, two) = (c.get(&h("one")).unwrap(), c.get(&h("two")).unwrap());
        assert!(Arc::ptr_eq(&one.body, &two.body), "one body for both");
        let t = c.ticket().unwrap();
        c.store(t, &h("three"), 7, body("another answer"));
        assert_eq!(&*c.get(&h("three")).unwrap().body, b"another answer");
        assert_eq!(&*c.get(&h("one")).unwrap().body, b"same answer");
        let t = c.ticket().unwrap();
        c.store(t, "not a hash", 8, body("x"));
        assert!(c.get("not a hash").is_none());
        c.evict_account(7);
        assert!(c.is_empty());
    }
}
