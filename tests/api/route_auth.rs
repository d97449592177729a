//! Every REST route, taken from the router's own table (`setia::api::ROUTES`, the
//! same macro that builds the router), checked the same way: authentication runs
//! before the path and the body are read, a malformed id is 404 and a malformed
//! body 400, every answer in the JSON error format. The OpenAPI document lists
//! exactly these routes, so neither can miss one.

use crate::common::{Client, Reply, TestApp};

use std::collections::BTreeSet;

async fn send(app: &TestApp, method: &str, path: &str, token: Option<&str>, body: Option<&'static str>) -> Reply {
    let http = reqwest::Client::new();
    let mut req = http.request(method.to_uppercase().parse().unwrap(), format!("{}/api/v1{path}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b);
    }
    Client::reply(req.send().await.expect("request")).await
}

fn json_error(r: &Reply, status: u16, code: &str, what: &str) {
    assert_eq!(r.status, status, "{what}: {}", r.text);
    let content_type = r.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("application/json"), "{what}: {content_type} {}", r.text);
    assert_eq!(r.body["error"]["code"], code, "{what}: {}", r.text);
}

/// The operations of the OpenAPI document, as (method, path) and whether each takes a body.
async fn documented(app: &TestApp) -> Vec<(String, String, bool)> {
    let doc = send(app, "get", "/openapi.json", None, None).await.body;
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().unwrap() {
            let path = path.strip_prefix("/api/v1").unwrap_or(path).to_string();
            ops.push((method.clone(), path, op.get("requestBody").is_some_and(|b| !b.is_null())));
        }
    }
    ops
}

both_backends!(every_route_authenticates_first_and_answers_json_errors, |app| async move {
    let ops = documented(&app).await;
    let documented_routes: BTreeSet<(String, String)> = ops.iter().map(|(m, p, _)| (m.clone(), p.clone())).collect();
    let routed: BTreeSet<(String, String)> = setia::api::ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    assert_eq!(documented_routes, routed, "the OpenAPI document and the router list the same routes");
    assert!(routed.len() >= 17);

    let admin = app.api_token("admin").await;
    for (method, path, takes_body) in &ops {
        let with_bad_id = path.replace("{id}", "abc");
        let what = format!("{method} {path}");
        // No token: 401, whatever the id and the body.
        let body = takes_body.then_some("{not json");
        json_error(&send(&app, method, &with_bad_id, None, body).await, 401, "unauthenticated", &format!("{what} without a token"));
        json_error(&send(&app, method, path, Some("setia_nonsense"), body).await, 401, "unauthenticated", &format!("{what} bad token"));
        if path.contains("{id}") {
            // A token, an id that is not a number: 404 in the JSON format.
            let good_body = takes_body.then_some("{}");
            json_error(&send(&app, method, &with_bad_id, Some(&admin), good_body).await, 404, "not_found", &format!("{what} id abc"));
        }
        if *takes_body {
            // A token, an id that could exist, a body that is not JSON: 400.
            let r = send(&app, method, &path.replace("{id}", "999999"), Some(&admin), Some("{not json")).await;
            json_error(&r, 400, "malformed_request", &format!("{what} bad JSON"));
        }
    }
});

both_backends!(a_pos_token_cannot_use_admin_routes, |app| async move {
    let pos = app.api_token("pos").await;
    for (method, path) in [("post", "/products"), ("post", "/tiers"), ("get", "/promotions"), ("put", "/promotions/1")] {
        let r = send(&app, method, path, Some(&pos), Some("{not json")).await;
        json_error(&r, 403, "forbidden", &format!("{method} {path} with a pos token"));
    }
});
