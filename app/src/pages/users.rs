//! `/users` (admin): staff accounts, their roles and active flags, and a form for
//! a new account.

use crate::api::staff::{list_staff, CreateStaff, StaffDto, UpdateStaffAccess};
use crate::components::errors::{refusal_view, ErrorNotice, FieldError};
use crate::components::format::{local_time, RoleName};
use crate::i18n::*;
use crate::root::CurrentUser;
use leptos::prelude::*;
use leptos_meta::Title;
use setia_domain::Role;

#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateStaff>::new();
    let update = ServerAction::<UpdateStaffAccess>::new();
    let staff = Resource::new(move || (create.version().get(), update.version().get()), |_| list_staff());
    let CurrentUser(me) = expect_context::<CurrentUser>();
    view! {
        <Title text=move || t_string!(i18n, users.title).to_string()/>
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, app.loading)}</p> }>
            {move || Suspend::new(async move {
                let my_id = me.await.ok().flatten().map(|u| u.id);
                match staff.await {
                    Ok(list) => view! { <UsersView list my_id create update/> }.into_any(),
                    Err(e) => refusal_view(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UsersView(
    list: Vec<StaffDto>,
    my_id: Option<i64>,
    create: ServerAction<CreateStaff>,
    update: ServerAction<UpdateStaffAccess>,
) -> impl IntoView {
    let i18n = use_i18n();
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));
    let update_error = move || update.value().get().and_then(Result::err);
    let created = move || create.value().get().and_then(Result::ok);
    let empty = list.is_empty();
    view! {
        <section class="page" data-page="users">
            <h1>{t!(i18n, users.title)}</h1>
            <p class="muted">{t!(i18n, users.intro)}</p>
            {move || update_error().map(|e| view! { <ErrorNotice error=e/> })}
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, users.name)}</th>
                            <th scope="col">{t!(i18n, users.email)}</th>
                            <th scope="col">{t!(i18n, users.role)}</th>
                            <th scope="col">{t!(i18n, users.status)}</th>
                            <th scope="col">{t!(i18n, users.created)}</th>
                            <th scope="col">{t!(i18n, users.access)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <Show when=move || empty>
                            <tr><td colspan="6" class="empty">{t!(i18n, users.empty)}</td></tr>
                        </Show>
                        {list.into_iter().map(|u| {
                            let is_me = Some(u.id) == my_id;
                            let created_at = local_time(u.created_at_local);
                            let (status_class, active) = if u.active { ("badge badge-ok", true) } else { ("badge badge-muted", false) };
                            view! {
                                <tr data-email=u.email.clone()>
                                    <td>{u.name.clone()} {is_me.then(|| view! { " " <span class="muted">{t!(i18n, users.you)}</span> })}</td>
                                    <td>{u.email.clone()}</td>
                                    <td><RoleName role=u.role/></td>
                                    <td><span class=status_class>{move || if active {
                                        t_string!(i18n, common.active).to_string()
                                    } else {
                                        t_string!(i18n, common.inactive).to_string()
                                    }}</span></td>
                                    <td>{created_at}</td>
                                    <td>
                                        {(!is_me).then(|| view! { <AccessForm user=u.clone() update/> })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>

            <h2>{t!(i18n, users.new_title)}</h2>
            {move || created().map(|u| view! {
                <div class="notice notice-ok" role="status">{t!(i18n, users.created_notice, email = move || u.email.clone())}</div>
            })}
            {move || create_error.get().filter(|e| e.field().is_none()).map(|e| view! { <ErrorNotice error=e/> })}
            <ActionForm action=create attr:class="form form-grid" attr:data-testid="create-user-form">
                <div class="field">
                    <label for="new-name">{t!(i18n, users.name)}</label>
                    <input id="new-name" name="name" required autocomplete="off"/>
                    <FieldError field="name" error=create_error/>
                </div>
                <div class="field">
                    <label for="new-email">{t!(i18n, users.email)}</label>
                    <input id="new-email" name="email" type="email" required autocomplete="off"/>
                    <FieldError field="email" error=create_error/>
                </div>
                <div class="field">
                    <label for="new-role">{t!(i18n, users.role)}</label>
                    <select id="new-role" name="role">
                        {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str()><RoleName role=r/></option> }).collect_view()}
                    </select>
                    <FieldError field="role" error=create_error/>
                </div>
                <div class="field">
                    <label for="new-password">{t!(i18n, users.password)}</label>
                    <input id="new-password" name="password" type="password" required minlength="10" autocomplete="new-password" aria-describedby="new-password-hint"/>
                    <p class="hint" id="new-password-hint">{t!(i18n, users.password_hint)}</p>
                    <FieldError field="password" error=create_error/>
                </div>
                <div class="actions">
                    <button type="submit" class="button button-primary" disabled=move || create.pending().get()>
                        {t!(i18n, users.create)}
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn AccessForm(user: StaffDto, update: ServerAction<UpdateStaffAccess>) -> impl IntoView {
    let i18n = use_i18n();
    let role_id = format!("role-{}", user.id);
    let active_id = format!("active-{}", user.id);
    view! {
        <ActionForm action=update attr:class="inline-form">
            <input type="hidden" name="id" value=user.id.to_string()/>
            <label class="sr-only" for=role_id.clone()>{t!(i18n, users.role)}</label>
            <select id=role_id name="role">
                {Role::ALL.into_iter().map(|r| view! {
                    <option value=r.as_str() selected=r == user.role><RoleName role=r/></option>
                }).collect_view()}
            </select>
            <label class="sr-only" for=active_id.clone()>{t!(i18n, users.status)}</label>
            <select id=active_id name="active">
                <option value="true" selected=user.active>{t!(i18n, common.active)}</option>
                <option value="false" selected=!user.active>{t!(i18n, common.inactive)}</option>
            </select>
            <button type="submit" class="button button-secondary">{t!(i18n, users.update_access)}</button>
        </ActionForm>
    }
}
