//! `/tasks/:id` (every staff role): one background task's progress, so a person
//! who started long work can leave and come back (docs/UI.md "Tasks").

use crate::components::task_progress::TaskProgress;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn TaskPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    view! {
        <Title text=move || t_string!(i18n, tasks.title, id = id()).to_string()/>
        <section class="page" data-page="task">
            <h1>{move || t_string!(i18n, tasks.title, id = id()).to_string()}</h1>
            <p class="muted">{t!(i18n, tasks.leave)}</p>
            {move || view! { <TaskProgress id=id()/> }}
        </section>
    }
}
