//! Direct API calls under way per application on this instance, capped: a slow provider or
//! a slow upload holds a connection and a task for as long as it lasts, and one app's must
//! not hold them all. Per instance on purpose: it bounds this process's resources.
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use uuid::Uuid;

/// Calls one application may have under way at once on one instance.
pub const PER_APP: u32 = 64;

fn counts() -> &'static Mutex<HashMap<Uuid, u32>> {
    static COUNTS: OnceLock<Mutex<HashMap<Uuid, u32>>> = OnceLock::new();
    COUNTS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// One call's place; given back when dropped (when the answer's body has been sent).
#[derive(Debug)]
pub struct Permit(Uuid);

/// A place for one more call of `app`, if it has fewer than [`PER_APP`] under way.
pub fn take(app: Uuid) -> Option<Permit> {
    let mut counts = counts().lock().unwrap_or_else(|p| p.into_inner());
    let n = counts.entry(app).or_insert(0);
    if *n >= PER_APP {
        return None;
    }
    *n += 1;
    Some(Permit(app))
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut counts = counts().lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = counts.get_mut(&self.0) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.remove(&self.0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_app_has_at_most_its_share_and_gets_places_back() {
        let app = Uuid::new_v4();
        let held: Vec<Permit> = (0..PER_APP).map(|_| take(app).unwrap()).collect();
        assert!(take(app).is_none());
        assert!(take(Uuid::new_v4()).is_some(), "another app is not held up");
        drop(held);
        assert!(take(app).is_some());
    }
}
