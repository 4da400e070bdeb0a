use leptos::prelude::*;
use leptos_meta::Title;

/// A plain form: creating a team makes it the current one, so the whole page reloads.
#[component]
pub fn NewTeamPage() -> impl IntoView {
    view! {
        <Title text="New team" />
        <div class="page-head">
            <h1>"New team"</h1>
            <p>"You will be its Owner. Switch between your teams from the header."</p>
        </div>
        <section class="card">
            <form method="post" action="/api/teams/create" class="stack narrow">
                <div class="field">
                    <label for="field-team-name">"Team name"</label>
                    <input id="field-team-name" name="name" type="text" required maxlength="100" />
                </div>
                <button type="submit" class="button primary">"Create team"</button>
            </form>
        </section>
    }
}
