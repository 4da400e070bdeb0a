use leptos::prelude::GetUntracked;
use leptos_router::hooks::use_query_map;

use crate::form_outcome::FormOutcome;

/// Where an auth page continues after success: the `next` of a failed post, else `?next=`
/// of the URL (the server checks it is a local path). Also the query that carries it to the
/// other auth page.
pub fn continue_to(outcome: &FormOutcome) -> (String, String) {
    let next = if outcome.next.is_empty() {
        use_query_map()
            .get_untracked()
            .get("next")
            .unwrap_or_default()
    } else {
        outcome.next.clone()
    };
    let query = if next.is_empty() {
        String::new()
    } else {
        format!("?next={next}")
    };
    (next, query)
}
