//! `/jobs` (admin): every recorded run of the periodic jobs, newest first, and
//! the newest background tasks with their progress (each links to its page).

use crate::api::jobs::{list_job_runs, JobRunDto};
use crate::api::tasks::{list_tasks, TaskDto};
use crate::components::errors::refusal_view;
use crate::components::format::local_time;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn JobsPage() -> impl IntoView {
    let i18n = use_i18n();
    let runs = Resource::new(|| (), |_| list_job_runs());
    let tasks = Resource::new(|| (), |_| list_tasks());
    view! {
        <Title text=move || t_string!(i18n, jobs.title).to_string()/>
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, app.loading)}</p> }>
            {move || Suspend::new(async move {
                match (runs.await, tasks.await) {
                    (Ok(list), Ok(tasks)) => view! { <JobsView list/> <TasksView tasks/> }.into_any(),
                    (Err(e), _) | (_, Err(e)) => refusal_view(e),
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

#[component]
fn TasksView(tasks: Vec<TaskDto>) -> impl IntoView {
    let i18n = use_i18n();
    let empty = tasks.is_empty();
    view! {
        <section class="page" data-page="job-tasks" aria-labelledby="tasks-h">
            <h2 id="tasks-h">{t!(i18n, jobs.tasks_title)}</h2>
            <p class="muted">{t!(i18n, jobs.tasks_intro)}</p>
            <div class="table-wrap">
                <table class="table" data-testid="tasks-table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, jobs.task)}</th>
                            <th scope="col">{t!(i18n, jobs.outcome)}</th>
                            <th scope="col" class="num">{t!(i18n, jobs.progress)}</th>
                            <th scope="col">{t!(i18n, jobs.started_by)}</th>
                            <th scope="col">{t!(i18n, jobs.started)}</th>
                            <th scope="col">{t!(i18n, jobs.finished)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <Show when=move || empty>
                            <tr><td colspan="6" class="empty">{t!(i18n, jobs.tasks_empty)}</td></tr>
                        </Show>
                        {tasks.into_iter().map(|t| {
                            let badge = match t.status.as_str() {
                                "done" => "badge badge-ok",
                                "failed" => "badge badge-error",
                                "running" => "badge badge-info",
                                _ => "badge badge-muted",
                            };
                            let status = t.status.clone();
                            view! {
                                <tr data-task=t.id.to_string()>
                                    <td><a href=format!("/tasks/{}", t.id)>{format!("#{} · {}", t.id, t.kind)}</a></td>
                                    <td>
                                        <span class=badge data-status=t.status.clone()>{move || match status.as_str() {
                                            "queued" => t_string!(i18n, tasks.queued).to_string(),
                                            "running" => t_string!(i18n, tasks.running).to_string(),
                                            "done" => t_string!(i18n, tasks.done).to_string(),
                                            "failed" => t_string!(i18n, tasks.failed).to_string(),
                                            other => other.to_string(),
                                        }}</span>
                                        {t.error.clone().map(|e| view! { <p class="field-error">{e}</p> })}
                                    </td>
                                    <td class="num">{t.done} " / " {t.total}</td>
                                    <td class="muted small">{t.started_by.clone()}</td>
                                    <td class="nowrap">{local_time(t.created_local)}</td>
                                    <td class="nowrap">{t.finished_local.map(|f| local_time(f)())}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
