//! Direct API calls under way on this instance, capped per account, per application and in
//! all: a slow provider or a slow upload holds a connection and a task for as long as it
//! lasts, and one account (any end user can get one from a public authorize link) must not
//! hold its app's share, nor one app every app's. Per instance on purpose: it bounds this
//! process's resources.
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use uuid::Uuid;

/// Calls one account may have under way at once on one instance.
pub const PER_ACCOUNT: u32 = 8;
/// Calls one application may have under way at once on one instance.
pub const PER_APP: u32 = 64;
/// Calls this instance carries at once, all applications together.
pub const PER_INSTANCE: u32 = 1024;

/// Which cap a refused call met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    Account,
    App,
    Instance,
}

#[derive(Default)]
struct Counts {
    accounts: HashMap<i64, u32>,
    apps: HashMap<Uuid, u32>,
    all: u32,
}

fn counts() -> &'static Mutex<Counts> {
    static COUNTS: OnceLock<Mutex<Counts>> = OnceLock::new();
    COUNTS.get_or_init(|| Mutex::new(Counts::default()))
}

/// One call's place; given back when dropped (when the answer's body has been sent).
#[derive(Debug)]
pub struct Permit {
    account: i64,
    app: Uuid,
}

/// A place for one more call of `account` (of `app`), if no cap is reached.
pub fn take(account: i64, app: Uuid) -> Result<Permit, Busy> {
    let mut c = counts().lock().unwrap_or_else(|p| p.into_inner());
    let of_account = c.accounts.get(&account).copied().unwrap_or(0);
    let of_app = c.apps.get(&app).copied().unwrap_or(0);
    if c.all >= PER_INSTANCE {
        return Err(Busy::Instance);
    }
    if of_app >= PER_APP {
        return Err(Busy::App);
    }
    if of_account >= PER_ACCOUNT {
        return Err(Busy::Account);
    }
    c.all += 1;
    c.apps.insert(app, of_app + 1);
    c.accounts.insert(account, of_account + 1);
    Ok(Permit { account, app })
}

fn give_back<K: std::hash::Hash + Eq>(map: &mut HashMap<K, u32>, key: K) {
    if let Some(n) = map.get_mut(&key) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            map.remove(&key);
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut c = counts().lock().unwrap_or_else(|p| p.into_inner());
        c.all = c.all.saturating_sub(1);
        give_back(&mut c.apps, self.app);
        give_back(&mut c.accounts, self.account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_and_an_app_have_at_most_their_share_and_get_places_back() {
        let app = Uuid::new_v4();
        let first = 1;
        let mut held: Vec<Permit> = (0..PER_ACCOUNT)
            .map(|_| take(first, app).unwrap())
            .collect();
        assert_eq!(take(first, app).unwrap_err(), Busy::Account);
        let other = 2;
        assert!(take(other, app).is_ok(), "another account is not held up");
        let mut next = 3;
        while held.len() < PER_APP as usize {
            held.push(take(next, app).unwrap());
            next += 1;
        }
        assert_eq!(take(next, app).unwrap_err(), Busy::App);
        assert!(
            take(next, Uuid::new_v4()).is_ok(),
            "another app is not held up"
        );
        held.clear();
        assert!(take(first, app).is_ok());
    }
}
