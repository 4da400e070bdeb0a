//! A token status as a badge whose look and words differ for active, invalid and dead.
use leptos::prelude::*;

#[component]
pub fn TokenStatusBadge(status: String) -> impl IntoView {
    let (class, words) = match status.as_str() {
        "active" => ("badge success", "Active"),
        "invalid" => ("badge warning", "Invalid"),
        "dead" => ("badge danger", "Dead"),
        _ => ("badge", "Unknown"),
    };
    view! { <span class=class data-status=status>{words}</span> }
}
