//! `/jobs` (admin): every recorded run of the periodic jobs, newest first.

use crate::api::jobs::{list_job_runs, JobRunDto};
use crate::components::errors::refusal_view;
use crate::components::format::local_time;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn JobsPage() -> impl IntoView {
    let i18n = use_i18n();
    let runs = Resource::new(|| (), |_| list_job_runs());
    view! {
        <Title text=move || t_string!(i18n, jobs.title).to_string()/>
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, app.loading)}</p> }>
            {move || Suspend::new(async move {
                match runs.await {
                    Ok(list) => view! { <JobsView list/> }.into_any(),
                    Err(e) => refusal_view(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn JobsView(list: Vec<JobRunDto>) -> impl IntoView {
    let i18n = use_i18n();
    let empty = list.is_empty();
    view! {
        <section class="page" data-page="jobs">
            <h1>{t!(i18n, jobs.title)}</h1>
            <p class="muted">{t!(i18n, jobs.intro)}</p>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, jobs.job)}</th>
                            <th scope="col">{t!(i18n, jobs.started)}</th>
                            <th scope="col">{t!(i18n, jobs.finished)}</th>
                            <th scope="col">{t!(i18n, jobs.outcome)}</th>
                            <th scope="col">{t!(i18n, jobs.counts)}</th>
                            <th scope="col">{t!(i18n, jobs.instance)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <Show when=move || empty>
                            <tr><td colspan="6" class="empty">{t!(i18n, jobs.empty)}</td></tr>
                        </Show>
                        {list.into_iter().map(|r| {
                            let badge = match r.outcome.as_str() {
                                "ok" => "badge badge-ok",
                                "failed" => "badge badge-error",
                                _ => "badge badge-warn",
                            };
                            let outcome = r.outcome.clone();
                            view! {
                                <tr data-job=r.job.clone()>
                                    <td><code>{r.job.clone()}</code></td>
                                    <td class="nowrap">{local_time(r.started_at_local)}</td>
                                    <td class="nowrap">{r.finished_at_local.map(|f| local_time(f)())}</td>
                                    <td>
                                        <span class=badge>{move || match outcome.as_str() {
                                            "ok" => t_string!(i18n, jobs.outcome_ok).to_string(),
                                            "failed" => t_string!(i18n, jobs.outcome_failed).to_string(),
                                            _ => t_string!(i18n, jobs.outcome_running).to_string(),
                                        }}</span>
                                        {r.error.clone().map(|e| view! { <p class="field-error">{e}</p> })}
                                    </td>
                                    <td><code class="json">{r.counts.clone().unwrap_or_default()}</code></td>
                                    <td class="muted small">{r.instance.clone()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
