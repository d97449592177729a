//! A background task's progress bar (docs/UI.md "Tasks"): `<progress>` with done /
//! total and the time left, in an `aria-live` region. Rendered on the server with
//! the task as it stands; once hydrated it reads the task again every two seconds
//! until it finishes. Every long action of the back office shows this one.

use crate::api::tasks::{task_progress, TaskDto};
use crate::i18n::*;
use leptos::prelude::*;

/// The progress of task `id`; `on_done` runs once when it finishes while shown.
#[component]
pub fn TaskProgress(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let tick = RwSignal::new(0u32);
    let task = Resource::new(move || tick.get(), move |_| task_progress(id));
    // Poll in the browser only, and only while the task runs.
    Effect::new(move |_| {
        let running = task.get().and_then(Result::ok).is_some_and(|t| !t.finished());
        if running {
            set_timeout(move || tick.update(|n| *n += 1), std::time::Duration::from_secs(2));
        }
    });
    view! {
        <div class="task-progress" aria-live="polite" data-testid="task-progress" data-task=id.to_string()>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, app.loading)}</p> }>
                {move || task.get().map(|r| match r {
                    Ok(t) => view! { <TaskState task=t/> }.into_any(),
                    Err(e) => view! { <crate::components::errors::ErrorNotice error=e/> }.into_any(),
                })}
            </Transition>
        </div>
    }
}

#[component]
fn TaskState(task: TaskDto) -> impl IntoView {
    let i18n = use_i18n();
    let (done, total) = (task.done, task.total.max(1));
    let status = task.status.clone();
    let badge = match status.as_str() {
        "done" => "badge badge-ok",
        "failed" => "badge badge-error",
        "running" => "badge badge-info",
        _ => "badge badge-muted",
    };
    let label = move || match status.as_str() {
        "queued" => t_string!(i18n, tasks.queued).to_string(),
        "running" => t_string!(i18n, tasks.running).to_string(),
        "done" => t_string!(i18n, tasks.done).to_string(),
        "failed" => t_string!(i18n, tasks.failed).to_string(),
        other => other.to_string(),
    };
    let eta = task.eta_seconds;
    view! {
        <p>
            <span class=badge data-status=task.status.clone()>{label}</span>
            " "
            <span data-testid="task-count">{t!(i18n, tasks.progress, done = done, total = task.total)}</span>
            {eta.map(|s| view! { " · " <span class="muted">{t!(i18n, tasks.eta, seconds = s)}</span> })}
        </p>
        <progress max=total.to_string() value=done.to_string() aria-label=move || t_string!(i18n, tasks.progress, done = done, total = total).to_string()></progress>
        {task.error.map(|e| view! { <p class="notice notice-error" role="alert">{t!(i18n, tasks.error)} ": " {e}</p> })}
    }
}
