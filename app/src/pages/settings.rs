//! `/settings` (admin): store time zone, currency display, loyalty threshold and
//! the maximum discount share.

use crate::api::settings::{get_settings, SaveSettings, SettingsDto};
use crate::components::errors::{refusal_view, ErrorNotice, FieldError, Forbidden};
use crate::components::format::local_time;
use crate::i18n::*;
use crate::root::CurrentUser;
use leptos::prelude::*;
use leptos_meta::Title;
use setia_domain::Role;

/// Zones offered in the picker; any IANA name is accepted.
const COMMON_ZONES: [&str; 6] = ["Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura", "Asia/Singapore", "UTC"];

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveSettings>::new();
    let settings = Resource::new(move || save.version().get(), |_| get_settings());
    let CurrentUser(me) = expect_context::<CurrentUser>();
    view! {
        <Title text=move || t_string!(i18n, settings.title).to_string()/>
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, app.loading)}</p> }>
            {move || Suspend::new(async move {
                // Every staff user may read the settings; this page edits them.
                let is_admin = matches!(me.await, Ok(Some(ref u)) if u.role.grants(Role::Admin));
                match settings.await {
                    Ok(_) if !is_admin => view! { <Forbidden/> }.into_any(),
                    Ok(s) => view! { <SettingsForm current=s save/> }.into_any(),
                    Err(e) => refusal_view(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SettingsForm(current: SettingsDto, save: ServerAction<SaveSettings>) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let now = local_time(current.now_local);
    view! {
        <section class="page" data-page="settings">
            <h1>{t!(i18n, settings.title)}</h1>
            <p class="muted">{t!(i18n, settings.intro)}</p>
            <p data-testid="store-now">{t!(i18n, settings.now, time = now.clone())}</p>
            <Show when=saved>
                <div class="notice notice-ok" role="status">{t!(i18n, common.saved)}</div>
            </Show>
            {move || error.get().filter(|e| e.field().is_none()).map(|e| view! { <ErrorNotice error=e/> })}
            <ActionForm action=save attr:class="form" attr:data-testid="settings-form">
                <div class="field">
                    <label for="time_zone">{t!(i18n, settings.time_zone)}</label>
                    <input id="time_zone" name="time_zone" list="zones" value=current.time_zone.clone() required aria-describedby="tz-hint"/>
                    <datalist id="zones">
                        {COMMON_ZONES.into_iter().map(|z| view! { <option value=z></option> }).collect_view()}
                    </datalist>
                    <p class="hint" id="tz-hint">{t!(i18n, settings.time_zone_hint)}</p>
                    <FieldError field="time_zone" error/>
                </div>
                <div class="field">
                    <label for="currency_symbol">{t!(i18n, settings.currency_symbol)}</label>
                    <input id="currency_symbol" name="currency_symbol" value=current.currency.symbol.clone() required maxlength="8"/>
                    <FieldError field="currency_symbol" error/>
                </div>
                <div class="field">
                    <label for="currency_decimals">{t!(i18n, settings.currency_decimals)}</label>
                    <input id="currency_decimals" name="currency_decimals" type="number" min="0" max="3"
                        value=current.currency.decimals.to_string() required aria-describedby="dec-hint"/>
                    <p class="hint" id="dec-hint">{t!(i18n, settings.currency_decimals_hint)}</p>
                    <FieldError field="currency_decimals" error/>
                </div>
                <div class="field">
                    <label for="loyalty_threshold">{t!(i18n, settings.loyalty_threshold)}</label>
                    <div class="with-unit">
                        <span class="unit">{current.currency.symbol.clone()}</span>
                        <input id="loyalty_threshold" name="loyalty_threshold" inputmode="numeric"
                            value=current.loyalty_threshold.0.to_string() required aria-describedby="loyal-hint"/>
                    </div>
                    <p class="hint" id="loyal-hint">{t!(i18n, settings.loyalty_threshold_hint)}</p>
                    <FieldError field="loyalty_threshold" error/>
                </div>
                <div class="field">
                    <label for="max_discount_share">{t!(i18n, settings.max_discount_share)}</label>
                    <div class="with-unit">
                        <input id="max_discount_share" name="max_discount_share" inputmode="decimal"
                            value=current.max_discount_share.to_string() required aria-describedby="share-hint"/>
                        <span class="unit">"%"</span>
                    </div>
                    <p class="hint" id="share-hint">{t!(i18n, settings.max_discount_share_hint)}</p>
                    <FieldError field="max_discount_share" error/>
                </div>
                <div class="actions">
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                        {t!(i18n, common.save)}
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}
