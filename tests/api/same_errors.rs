//! One error mapping: the same bad input gets the same status, `code` and `field`
//! from a page's server function and from the REST API (setia-error's mapping).

use serde_json::{json, Value};
use setia_domain::Role;

/// A tier as the editor's form sends it and as the API's body carries it.
struct BadTier {
    form: [(&'static str, &'static str); 8],
    body: Value,
}

fn bad_tiers() -> Vec<BadTier> {
    let form = |name, min, window, per, percent, colour| {
        [
            ("id", ""),
            ("name", name),
            ("min_spending", min),
            ("window_days", window),
            ("earn_rate_points", "1"),
            ("earn_rate_per", per),
            ("discount_percent", percent),
            ("colour", colour),
        ]
    };
    let body = |name: &str, min: i64, window: Option<i64>, per: i64, percent: Option<f64>, colour: Option<&str>| {
        json!({"name": name, "min_spending": min, "window_days": window, "earn_rate_points": 1, "earn_rate_per": per,
               "discount_percent": percent, "colour": colour})
    };
    vec![
        // 3,651 days: the API once took up to 36,500, the editor 3,650.
        BadTier { form: form("Gold", "500000", "3651", "1000", "", ""), body: body("Gold", 500_000, Some(3_651), 1_000, None, None) },
        BadTier { form: form("Gold", "500000", "365", "0", "", ""), body: body("Gold", 500_000, Some(365), 0, None, None) },
        BadTier {
            form: form("Gold", "500000", "365", "1000", "", "red"),
            body: body("Gold", 500_000, Some(365), 1_000, None, Some("red")),
        },
        BadTier {
            form: form("Gold", "500000", "365", "1000", "100.5", ""),
            body: body("Gold", 500_000, Some(365), 1_000, Some(100.5), None),
        },
        BadTier { form: form(" ", "500000", "365", "1000", "", ""), body: body(" ", 500_000, Some(365), 1_000, None, None) },
        // The same minimum as Silver: the ladder would not increase.
        BadTier { form: form("Gold", "100000", "", "1000", "", ""), body: body("Gold", 100_000, None, 1_000, None, None) },
        // Silver's name again.
        BadTier { form: form("silver", "700000", "", "1000", "", ""), body: body("silver", 700_000, None, 1_000, None, None) },
    ]
}

both_backends!(a_bad_tier_is_the_same_error_from_the_editor_and_the_api, |app| async move {
    let admin = app.api_token("admin").await;
    let silver = json!({"name": "Silver", "min_spending": 100_000, "window_days": 365, "earn_rate_points": 1, "earn_rate_per": 1_000});
    assert_eq!(app.api("POST", "/tiers", Some(&admin), Some(silver)).await.status, 201);
    let marketing = app.signed_in(Role::Marketing).await;
    let mut codes = Vec::new();
    for bad in bad_tiers() {
        let api = app.api("POST", "/tiers", Some(&admin), Some(bad.body.clone())).await;
        let page = marketing.server_fn("save_tier", &bad.form).await;
        let preview = marketing.server_fn("preview_tier", &bad.form).await;
        let api_error = (api.status, api.body["error"]["code"].clone(), api.body["error"]["field"].clone());
        assert_eq!(api_error.0, 422, "{:?} → {:?}", bad.body, api.body);
        for ui in [&page, &preview] {
            assert_eq!((ui.status, ui.body["code"].clone(), ui.body["field"].clone()), api_error, "{:?}", bad.form);
        }
        codes.push(api_error.1.as_str().unwrap_or_default().to_string());
    }
    assert_eq!(
        codes,
        [
            "invalid_window",
            "invalid_earn_rate",
            "invalid_colour",
            "invalid_percent",
            "name_required",
            "minimums_not_increasing",
            "name_taken"
        ]
    );
    let tiers = app.api("GET", "/tiers", Some(&admin), None).await;
    assert_eq!(tiers.body.as_array().map(Vec::len), Some(1), "nothing bad was saved: {:?}", tiers.body);
});

both_backends!(a_malformed_request_is_the_same_code_from_a_page_and_the_api, |app| async move {
    let pos = app.api_token("pos").await;
    let api = app.api_raw("/orders/quote", &pos, "{not json").await;
    assert_eq!((api.status, api.body["error"]["code"].as_str()), (400, Some("malformed_request")));
    let admin = app.signed_in(Role::Admin).await;
    // A server function called without its arguments.
    let page = admin.server_fn("save_tier", &[]).await;
    assert_eq!((page.status, page.body["kind"].as_str(), page.body["code"].as_str()), (400, Some("malformed_request"), None));
});
