use leptos::prelude::*;

use crate::viewer::Viewer;

/// The current team, and the user's other teams to switch to. A `<details>` opens without
/// the wasm; switching is a plain form post, so the whole page re-renders for the new team.
#[component]
pub fn TeamSwitcher(viewer: Viewer) -> impl IntoView {
    let current = viewer.team_id.clone();
    view! {
        <details class="team-switcher">
            <summary class="team-name" title="Current team">{viewer.team_name.clone()}</summary>
            <div class="team-switcher-panel">
                <p class="menu-label">"Your teams"</p>
                {viewer
                    .teams
                    .iter()
                    .map(|t| {
                        let here = t.id == current;
                        view! {
                            <form method="post" action="/api/teams/switch">
                                <input type="hidden" name="team_id" value=t.id.clone() />
                                <button type="submit" class="menu-item" class:current=here disabled=here>
                                    <span>{t.name.clone()}</span>
                                    <span class="badge">{t.role.as_str()}</span>
                                </button>
                            </form>
                        }
                    })
                    .collect_view()}
                <a class="menu-item" href="/teams/new">"+ New team"</a>
            </div>
        </details>
    }
}
