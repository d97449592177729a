//! What every list page shares: filters kept in the query string (UI.md: the URL
//! is the state) and the pager.

use crate::i18n::*;
use leptos::prelude::*;

/// Percent-encodes a query-string value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The list's filters as `(name, value)` pairs, empty values left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryState(pub Vec<(&'static str, String)>);

impl QueryState {
    /// `base?name=value&…&page=N` with this state's filters.
    pub fn href(&self, base: &str, page: i64) -> String {
        let mut q: Vec<String> = self.0.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
        q.push(format!("page={page}"));
        format!("{base}?{}", q.join("&"))
    }

    pub fn get(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }
}

/// Previous / next links and "page X of Y (Z in all)".
#[component]
pub fn Pager(page: i64, total: i64, page_size: i64, base: &'static str, state: QueryState) -> impl IntoView {
    let i18n = use_i18n();
    let pages = ((total + page_size - 1) / page_size).max(1);
    let prev = (page > 1).then(|| state.href(base, page - 1));
    let next = (page < pages).then(|| state.href(base, page + 1));
    view! {
        <nav class="pager" aria-label=move || t_string!(i18n, common.pagination).to_string()>
            {prev.map(|h| view! { <a class="button button-secondary" href=h rel="prev">{t!(i18n, common.previous)}</a> })}
            <span class="muted" data-testid="page-of">{t!(i18n, common.page_of, page = page, pages = pages, total = total)}</span>
            {next.map(|h| view! { <a class="button button-secondary" href=h rel="next">{t!(i18n, common.next)}</a> })}
        </nav>
    }
}
