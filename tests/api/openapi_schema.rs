//! The OpenAPI document states the rules the API enforces on request bodies
//! (lengths, patterns, ranges, enums, unknown fields), so a client or fuzzer that
//! generates requests from it sends mostly valid ones (issue 14). These tests keep
//! the rules from disappearing, tie their numbers to the domain's constants, and
//! check the server against the document's own limits: at the limit accepted, one
//! past it refused.

use crate::common::{Backend, TestApp};
use serde_json::{json, Value};
use setia_domain::{email, order, pricing, text, tier_definition, OrderSource};

async fn document(app: &TestApp) -> Value {
    let doc = app.api("GET", "/openapi.json", None, None).await;
    assert_eq!(doc.status, 200, "{}", doc.text);
    doc.body
}

/// A component schema; an `allOf` (a body with a rule joining two fields) by its object part.
fn object<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let schema = &doc["components"]["schemas"][name];
    assert!(schema.is_object(), "schema {name} missing");
    match schema["allOf"].as_array() {
        Some(parts) => parts.iter().find(|p| p["properties"].as_object().is_some_and(|p| p.len() > 2)).expect("object part"),
        None => schema,
    }
}

fn prop<'a>(doc: &'a Value, name: &str, field: &str) -> &'a Value {
    let p = &object(doc, name)["properties"][field];
    assert!(p.is_object(), "{name}.{field} missing");
    p
}

/// The non-null alternative of an optional field written as `oneOf [T, null]`.
fn non_null(p: &Value) -> &Value {
    match p["oneOf"].as_array() {
        Some(alternatives) => alternatives.iter().find(|a| a["type"] != "null").expect("a non-null alternative"),
        None => p,
    }
}

fn number(p: &Value, key: &str) -> i64 {
    p[key].as_i64().unwrap_or_else(|| panic!("{key} missing in {p}"))
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array().unwrap_or_else(|| panic!("not a list: {v}")).iter().map(|s| s.as_str().unwrap()).collect()
}

fn pattern(p: &Value) -> &str {
    p["pattern"].as_str().unwrap_or_else(|| panic!("no pattern in {p}"))
}

/// A single-line text field: its length, and a pattern that refuses control characters.
fn assert_line(doc: &Value, name: &str, field: &str, max_chars: usize) {
    let p = prop(doc, name, field);
    assert_eq!(number(p, "maxLength"), max_chars as i64, "{name}.{field} maxLength");
    assert!(pattern(p).contains(r"\u0000-\u001F\u007F-\u009F") || pattern(p).starts_with("^[A-Za-z0-9"), "{name}.{field} pattern");
}

/// Follows a `$ref` to its component.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    }
}

/// Every integer in a request body has both bounds (else generators leave `i64`),
/// every string a length, pattern, format or enum, and every body schema refuses
/// unknown fields, as the server does (`deny_unknown_fields`).
fn assert_bounded(doc: &Value, schema: &Value, at: &str, seen: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        if seen.iter().any(|s| s == r) {
            return;
        }
        seen.push(r.to_string());
        let name = r.trim_start_matches("#/components/schemas/");
        let component = resolve(doc, schema);
        // A body, or each shape of a body that has several (the reward's types), or
        // the object part of a body that joins two fields with a rule.
        let shapes: Vec<&Value> = match (component["oneOf"].as_array(), component["allOf"].as_array()) {
            (Some(shapes), _) => shapes.iter().collect(),
            (None, Some(parts)) => parts.iter().filter(|p| p["properties"].as_object().is_some_and(|p| p.len() > 2)).collect(),
            (None, None) => vec![component],
        };
        for shape in shapes.into_iter().filter(|s| s["properties"].is_object()) {
            assert_eq!(shape["additionalProperties"], false, "{at}: {name} accepts unknown fields");
        }
        return assert_bounded(doc, component, &format!("{at} {name}"), seen);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for (i, part) in schema[key].as_array().into_iter().flatten().enumerate() {
            assert_bounded(doc, part, &format!("{at}/{key}[{i}]"), seen);
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"integer") {
        assert!(schema["minimum"].is_number() && schema["maximum"].is_number(), "{at} is an unbounded integer: {schema}");
    }
    if types.contains(&"number") {
        let low = schema["minimum"].is_number() || schema["exclusiveMinimum"].is_number();
        assert!(low && schema["maximum"].is_number(), "{at} is an unbounded number: {schema}");
    }
    if types.contains(&"string") {
        let said = ["maxLength", "pattern", "format", "enum"].iter().any(|k| !schema[*k].is_null());
        // A field of a rule's part (`allOf`/`oneOf`) only narrows a field the body states.
        let narrows = at.rsplit_once(']').is_some_and(|(head, field)| {
            let part = head.rsplit_once('[').is_some_and(|(h, _)| h.ends_with("/allOf") || h.ends_with("/oneOf"));
            part && field.starts_with('.') && !field.contains(['/', ' ', '['])
        });
        assert!(said || narrows, "{at} is a string without a length, pattern, format or enum: {schema}");
    }
    if types.contains(&"array") {
        assert_bounded(doc, &schema["items"], &format!("{at}[]"), seen);
    }
    for (name, p) in schema["properties"].as_object().into_iter().flatten() {
        assert_bounded(doc, p, &format!("{at}.{name}"), seen);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_states_the_rules_of_every_request_body() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = document(&app).await;

    // The order's lines are the domain's one line view (setia_domain::priced_order), named as before.
    let line_items = &prop(&doc, "OrderView", "lines")["items"]["$ref"];
    assert_eq!(line_items, "#/components/schemas/LineView");
    let mut line_fields = strings(&doc["components"]["schemas"]["LineView"]["required"]);
    line_fields.sort_unstable();
    assert_eq!(line_fields, ["base_amount", "discount", "final_amount", "quantity", "sku", "unit_price"]);

    // Orders.
    assert_line(&doc, "OrderBody", "external_ref", text::REFERENCE.max_chars);
    assert_eq!(number(prop(&doc, "OrderBody", "external_ref"), "minLength"), 1);
    let lines = prop(&doc, "OrderBody", "lines");
    assert_eq!((number(lines, "minItems"), number(lines, "maxItems")), (1, pricing::MAX_LINES as i64));
    let source: Vec<&str> = OrderSource::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(strings(&non_null(prop(&doc, "OrderBody", "source"))["enum"]), source);
    let minutes = prop(&doc, "OrderBody", "payment_deadline_minutes");
    assert_eq!((number(minutes, "minimum"), number(minutes, "maximum")), (1, order::MAX_PAYMENT_MINUTES));
    let shipping = prop(&doc, "OrderBody", "shipping");
    assert_eq!((number(shipping, "minimum"), number(shipping, "maximum")), (0, pricing::MAX_AMOUNT));
    let points = prop(&doc, "OrderBody", "redeem_points");
    assert_eq!((number(points, "minimum"), number(points, "maximum")), (0, 0), "no points ledger yet");
    assert_line(&doc, "OrderBody", "coupon_code", text::CODE.max_chars);
    assert_line(&doc, "LineBody", "sku", text::SKU.max_chars);
    let quantity = prop(&doc, "LineBody", "quantity");
    assert_eq!((number(quantity, "minimum"), number(quantity, "maximum")), (1, pricing::MAX_QUANTITY));
    assert_eq!(number(prop(&doc, "LineBody", "unit_price"), "maximum"), pricing::MAX_AMOUNT);
    // Creating an order needs its source and reference; a quote does not.
    let body_of = |path: &str| doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].clone();
    assert_eq!(body_of("/api/v1/orders/quote"), "#/components/schemas/OrderBody");
    assert_eq!(body_of("/api/v1/orders"), "#/components/schemas/NewOrderBody");
    let new_order = doc["components"]["schemas"]["NewOrderBody"]["allOf"].as_array().expect("NewOrderBody is allOf");
    assert!(new_order.iter().any(|p| p["required"] == json!(["source", "external_ref"])), "{new_order:?}");
    assert_line(&doc, "PayBody", "payment_ref", text::REFERENCE.max_chars);
    assert_eq!(number(prop(&doc, "PayBody", "amount"), "minimum"), 0);
    assert_line(&doc, "RefundBody", "refund_ref", text::REFERENCE.max_chars);
    assert_eq!(number(prop(&doc, "RefundBody", "amount"), "minimum"), 1);

    // Customers and the catalogue.
    assert_line(&doc, "CustomerBody", "name", text::NAME.max_chars);
    assert!(pattern(prop(&doc, "CustomerBody", "phone")).contains(r"\+[1-9][0-9]{7,14}"), "phone: E.164");
    assert_eq!(number(prop(&doc, "CustomerBody", "email"), "maxLength"), email::MAX_EMAIL_BYTES as i64);
    assert!(pattern(prop(&doc, "CustomerBody", "email")).contains('@'));
    assert_eq!(prop(&doc, "CustomerBody", "birth_date")["format"], "date");
    assert_eq!(number(prop(&doc, "CustomerBody", "address"), "maxLength"), text::ADDRESS.max_chars as i64);
    assert_line(&doc, "CustomerBody", "external_id", text::REFERENCE.max_chars);
    assert_line(&doc, "ProductBody", "sku", text::SKU.max_chars);
    assert_eq!(pattern(prop(&doc, "ProductBody", "sku")), "^[A-Za-z0-9._/-]+$");
    assert_line(&doc, "ProductBody", "name", text::NAME.max_chars);
    assert_line(&doc, "ProductBody", "category", text::CATEGORY.max_chars);
    assert_eq!(number(prop(&doc, "ProductBody", "price"), "minimum"), 0);

    // Tiers.
    let window = prop(&doc, "TierBody", "window_days");
    assert_eq!((number(window, "minimum"), number(window, "maximum")), (1, tier_definition::MAX_WINDOW_DAYS));
    assert_eq!(pattern(prop(&doc, "TierBody", "colour")), "^#[0-9a-fA-F]{6}$");
    let discount = prop(&doc, "TierBody", "discount_percent");
    assert_eq!((&discount["exclusiveMinimum"], &discount["maximum"], &discount["multipleOf"]), (&json!(0), &json!(100), &json!(0.01)));
    assert_eq!(number(prop(&doc, "TierBody", "min_spending"), "minimum"), 0);
    assert_eq!(number(prop(&doc, "TierBody", "earn_rate_points"), "minimum"), 0);
    assert_eq!(number(prop(&doc, "TierBody", "earn_rate_per"), "minimum"), 1);

    // Promotions.
    assert_eq!(strings(&prop(&doc, "PromotionBody", "kind")["enum"]), ["automatic", "code"]);
    assert_eq!(strings(&prop(&doc, "PromotionBody", "stacking")["enum"]), ["exclusive", "combinable"]);
    assert_line(&doc, "PromotionBody", "name", text::NAME.max_chars);
    assert_eq!(number(prop(&doc, "PromotionBody", "description"), "maxLength"), text::DESCRIPTION.max_chars as i64);
    assert_eq!(number(prop(&doc, "PromotionBody", "code"), "maxLength"), 64);
    assert_eq!(pattern(prop(&doc, "PromotionBody", "code")), "^[A-Za-z0-9_-]*$");
    let priority = prop(&doc, "PromotionBody", "priority");
    assert_eq!((number(priority, "minimum"), number(priority, "maximum")), (i64::from(i32::MIN), i64::from(i32::MAX)));
    // Only a `code` promotion has a shared code; it may have none (generated codes only).
    let kinds = doc["components"]["schemas"]["PromotionBody"]["allOf"]
        .as_array()
        .and_then(|parts| parts.iter().find_map(|p| p["oneOf"].as_array()))
        .expect("PromotionBody joins kind and code");
    let code_kind = kinds.iter().find(|k| k["properties"]["kind"]["enum"] == json!(["code"])).expect("kind code");
    assert_eq!(code_kind["required"], Value::Null);
    assert_eq!(code_kind["properties"]["code"]["minLength"], 1);
    let automatic = kinds.iter().find(|k| k["properties"]["kind"]["enum"] == json!(["automatic"])).expect("kind automatic");
    assert_eq!(automatic["properties"]["code"]["type"], "null");
    // The reward: one shape per type, each with its own fields only.
    let reward = resolve(&doc, prop(&doc, "PromotionBody", "reward"));
    let variants = reward["oneOf"].as_array().expect("reward is oneOf its types");
    let types: Vec<&str> = variants.iter().map(|v| v["properties"]["type"]["enum"][0].as_str().unwrap()).collect();
    assert_eq!(types, ["percent_order", "fixed_order", "percent_items", "fixed_items", "buy_x_get_y"]);
    for v in variants {
        assert_eq!(v["additionalProperties"], false, "{v}");
    }
    let percent = &variants[0]["properties"]["value"];
    assert_eq!((&percent["exclusiveMinimum"], &percent["maximum"], &percent["multipleOf"]), (&json!(0), &json!(100), &json!(0.01)));
    assert_eq!(number(&variants[1]["properties"]["value"], "maximum"), pricing::MAX_AMOUNT);
    for count in ["buy", "get"] {
        let p = &variants[4]["properties"][count];
        assert_eq!((number(p, "minimum"), number(p, "maximum")), (1, 1000), "reward.{count}");
    }
    let weekdays = &prop(&doc, "ConditionsBody", "weekdays")["items"];
    assert_eq!((number(weekdays, "minimum"), number(weekdays, "maximum")), (1, 7));
    assert_eq!(pattern(prop(&doc, "HoursBody", "from")), "^([01][0-9]|2[0-3]):[0-5][0-9]$");
    assert_eq!(number(&prop(&doc, "ConditionsBody", "skus")["items"], "maxLength"), text::SKU.max_chars as i64);
    assert_eq!(number(&prop(&doc, "ConditionsBody", "categories")["items"], "maxLength"), text::CATEGORY.max_chars as i64);
    for limit in ["total_uses", "uses_per_customer", "budget"] {
        assert_eq!(number(prop(&doc, "LimitsBody", limit), "minimum"), 1, "limits.{limit}");
    }
    assert_eq!(number(prop(&doc, "PromotionBody", "max_discount"), "minimum"), 1);
    assert_eq!(strings(&prop(&doc, "StatusBody", "status")["enum"]), ["active", "paused", "ended"]);

    // And nothing in any request body is left unbounded.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let body = &op["requestBody"]["content"]["application/json"]["schema"];
            if !body.is_null() {
                assert_bounded(&doc, body, &format!("{method} {path}"), &mut Vec::new());
            }
        }
    }
}

both_backends!(the_server_accepts_the_documented_limits_and_refuses_past_them, |app| async move {
    let doc = document(&app).await;
    let admin = app.api_token("admin").await;
    let token = Some(admin.as_str());
    let product = app.api("POST", "/products", token, Some(json!({"sku": "KOPI-1", "name": "Kopi", "price": 1000}))).await;
    assert_eq!(product.status, 201, "{}", product.text);

    let max = |name: &str, field: &str, key: &str| number(prop(&doc, name, field), key) as usize;
    let line = json!({"sku": "KOPI-1", "quantity": 1});
    let order = |external_ref: String, lines: usize, minutes: i64| json!({"source": "pos", "external_ref": external_ref, "lines": vec![line.clone(); lines], "payment_deadline_minutes": minutes});
    let (refs, most_lines) = (max("OrderBody", "external_ref", "maxLength"), max("OrderBody", "lines", "maxItems"));
    let minutes = number(prop(&doc, "OrderBody", "payment_deadline_minutes"), "maximum");
    let at_limit = app.api("POST", "/orders", token, Some(order("R".repeat(refs), most_lines, minutes))).await;
    assert_eq!(at_limit.status, 201, "{}", at_limit.text);
    for (past, field) in [
        (order("R".repeat(refs + 1), 1, 60), "external_ref"),
        (order("R-2".into(), most_lines + 1, 60), "lines"),
        (order("R-3".into(), 1, minutes + 1), "payment_deadline_minutes"),
    ] {
        let refused = app.api("POST", "/orders", token, Some(past)).await;
        assert_eq!((refused.status, refused.body["error"]["field"].as_str()), (422, Some(field)), "{}", refused.text);
    }

    let tier = |name: String, window_days: i64, colour: &str| {
        json!({"name": name, "min_spending": 0, "window_days": window_days, "earn_rate_points": 1, "earn_rate_per": 1000,
               "discount_percent": 100, "colour": colour})
    };
    let (names, days) = (max("TierBody", "name", "maxLength"), number(prop(&doc, "TierBody", "window_days"), "maximum"));
    let at_limit = app.api("POST", "/tiers", token, Some(tier("T".repeat(names), days, "#A1b2C3"))).await;
    assert_eq!(at_limit.status, 201, "{}", at_limit.text);
    for (past, field) in [
        (tier("T".repeat(names + 1), 30, "#a1b2c3"), "name"),
        (tier("Gold".into(), days + 1, "#a1b2c3"), "window_days"),
        (tier("Gold".into(), 30, "#a1b2c"), "colour"),
    ] {
        let refused = app.api("POST", "/tiers", token, Some(past)).await;
        assert_eq!((refused.status, refused.body["error"]["field"].as_str()), (422, Some(field)), "{}", refused.text);
    }

    let promotion = |weekday: i64, reward: Value| {
        json!({"name": "Hemat", "kind": "automatic", "priority": i32::MAX, "stacking": "combinable",
               "conditions": {"weekdays": [weekday], "hours": {"from": "00:00", "to": "23:59"}}, "reward": reward})
    };
    let bxgy = |buy: i64| json!({"type": "buy_x_get_y", "buy": buy, "get": 1, "skus": ["KOPI-1"]});
    let at_limit = app.api("POST", "/promotions", token, Some(promotion(7, bxgy(1000)))).await;
    assert_eq!(at_limit.status, 201, "{}", at_limit.text);
    for (past, field) in [
        (promotion(8, bxgy(1)), "conditions.weekdays[0]"),
        (promotion(1, bxgy(1001)), "reward.buy"),
        (promotion(1, json!({"type": "percent_order", "value": 100.01})), "reward.value"),
    ] {
        let refused = app.api("POST", "/promotions", token, Some(past)).await;
        assert_eq!((refused.status, refused.body["error"]["field"].as_str()), (422, Some(field)), "{}", refused.text);
    }
});
