//! Odd text never gives a 500: every free-text field of every REST route and of
//! every server function that takes text, sent with a NUL character, with 10,000
//! characters (ASCII, multi-byte, and random letters PostgreSQL cannot compress
//! under its btree row limit) and with surrounding spaces, each time starting
//! from a valid request so that only that one field is odd. On SQLite and
//! PostgreSQL.
//!
//! A NUL or a 10,000-character value must be refused with a 4xx, never accepted
//! and stored, except where a field is a search or filter whose odd value simply
//! matches nothing (marked `Lenient`). Surrounding spaces may be accepted or
//! refused, never answered with a 500. All mishandled inputs are collected and
//! reported together.

use crate::common::{Client, Reply, TestApp, PASSWORD};
use serde_json::{json, Value};
use setia_domain::Role;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Variant {
    Nul,
    LongAscii,
    LongMultibyte,
    LongRandom,
    Spaces,
}

const VARIANTS: [Variant; 5] = [Variant::Nul, Variant::LongAscii, Variant::LongMultibyte, Variant::LongRandom, Variant::Spaces];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// NUL and 10,000 characters must be refused with a 4xx.
    Refuse,
    /// A search, a filter, or a value that is ignored or never stored: anything but a 500.
    Lenient,
}

/// The odd form of a valid value.
fn odd(valid: &str, v: Variant) -> String {
    match v {
        Variant::Nul if valid.is_empty() => "ab\u{0}cd".to_string(),
        Variant::Nul => {
            let mid = valid.char_indices().nth(valid.chars().count() / 2).map_or(valid.len(), |(i, _)| i);
            format!("{}\u{0}{}", &valid[..mid], &valid[mid..])
        }
        Variant::LongAscii => "x".repeat(10_000),
        Variant::LongMultibyte => "é".repeat(10_000),
        Variant::LongRandom => random_text(10_000),
        Variant::Spaces => format!("  {valid}  "),
    }
}

/// Letters and digits that do not compress: PostgreSQL squeezes "xxx…" into an
/// index entry, but not these (an index entry is at most 2,704 bytes).
fn random_text(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ALPHABET[(x % ALPHABET.len() as u64) as usize] as char
        })
        .collect()
}

/// Records the answer to one odd input if it is a 500, a 2xx where a 4xx was
/// due, or a 422 that does not name the odd field (`field`, as the surface names
/// it; `None` where the surface renames it). `blamed` is the field the reply names.
fn judge(failures: &mut Vec<String>, what: &str, expect: Expect, v: Variant, r: &Reply, field: Option<&str>, blamed: Option<&str>) {
    let must_refuse = expect == Expect::Refuse && v != Variant::Spaces;
    let problem = if r.status >= 500 {
        "server error"
    } else if must_refuse && !(400..500).contains(&r.status) {
        "accepted; should be refused with a 4xx"
    } else if r.status == 422 && field.is_some() && blamed != field {
        "refused without naming the field"
    } else {
        return;
    };
    let body: String = r.text.chars().take(300).collect();
    failures.push(format!("{what} [{v:?}]: {} {problem}: {body:?}", r.status));
}

fn assert_none(failures: Vec<String>, checked: usize) {
    assert!(checked > 100, "only {checked} inputs checked");
    assert!(failures.is_empty(), "{} of {checked} odd inputs mishandled:\n{}", failures.len(), failures.join("\n"));
}

const PHONE: &str = "081234567890";

/// Prerequisites: product SKU-1 (Rp 10.000, category food), a customer, an
/// active code promotion ODD10 and a draft promotion to replace.
struct Shop {
    admin: String,
    customer: i64,
    draft: i64,
}

async fn must(app: &TestApp, token: &str, method: &str, path: &str, body: Value) -> Value {
    let r = app.api(method, path, Some(token), Some(body)).await;
    assert!(r.status == 200 || r.status == 201, "{method} {path}: {} {:?}", r.status, r.body);
    r.body
}

fn promotion(code: &str) -> Value {
    json!({"name": "Odd promo", "description": "Odd text", "kind": "code", "code": code, "priority": 1, "stacking": "combinable",
        "conditions": {"skus": ["SKU-1"], "categories": ["food"], "hours": {"from": "06:00", "to": "22:00"}},
        "reward": {"type": "percent_items", "value": 10, "skus": ["SKU-1"], "categories": ["food"]}})
}

async fn shop(app: &TestApp) -> Shop {
    let admin = app.api_token("admin").await;
    must(app, &admin, "POST", "/products", json!({"sku": "SKU-1", "name": "Kopi", "price": 10_000, "category": "food"})).await;
    let customer = must(app, &admin, "POST", "/customers", json!({"name": "Ani Odd", "phone": PHONE})).await["id"].as_i64().unwrap();
    let coupon = json!({"name": "Coupon", "kind": "code", "code": "ODD10", "priority": 1, "stacking": "combinable",
        "reward": {"type": "percent_order", "value": 10}});
    let coupon = must(app, &admin, "POST", "/promotions", coupon).await["id"].as_i64().unwrap();
    must(app, &admin, "POST", &format!("/promotions/{coupon}/status"), json!({"status": "active"})).await;
    let draft = must(app, &admin, "POST", "/promotions", promotion("ODD-DRAFT")).await["id"].as_i64().unwrap();
    Shop { admin, customer, draft }
}

/// A new order of one SKU-1 (Rp 10.000), paid when `paid`.
async fn fresh_order(app: &TestApp, token: &str, n: u64, paid: bool) -> i64 {
    let body = json!({"source": "pos", "external_ref": format!("FRESH-{n}"), "lines": [{"sku": "SKU-1", "quantity": 1}]});
    let order = must(app, token, "POST", "/orders", body).await;
    assert_eq!(order["total"], 10_000, "{order:?}");
    let id = order["id"].as_i64().unwrap();
    if paid {
        must(app, token, "POST", &format!("/orders/{id}/pay"), json!({"payment_ref": format!("FRESH-PAY-{n}"), "amount": 10_000})).await;
    }
    id
}

// ---------------------------------------------------------------- REST ----

struct Case {
    method: &'static str,
    /// `{pending}` and `{paid}` stand for a fresh order made for this one request.
    path: String,
    /// A JSON pointer into `body`, e.g. `/lines/0/sku`.
    field: &'static str,
    body: Value,
    expect: Expect,
}

fn rest(method: &'static str, path: &str, body: Value, fields: &[&'static str], expect: Expect) -> Vec<Case> {
    fields.iter().map(|&field| Case { method, path: path.to_string(), field, body: body.clone(), expect }).collect()
}

/// The API's name of the field at a JSON pointer: `/lines/0/sku` is `lines[0].sku`.
fn api_field(pointer: &str) -> String {
    pointer.split('/').skip(1).fold(String::new(), |name, part| match part.parse::<usize>() {
        Ok(i) => format!("{name}[{i}]"),
        Err(_) if name.is_empty() => part.to_string(),
        Err(_) => format!("{name}.{part}"),
    })
}

/// Every text field of every REST route. `n` is new for each request, so that
/// codes, references and tier minimums never clash with an earlier request.
fn rest_cases(s: &Shop, n: u64) -> Vec<Case> {
    use Expect::*;
    let promo_fields = [
        "/name",
        "/description",
        "/kind",
        "/code",
        "/stacking",
        "/conditions/skus/0",
        "/conditions/categories/0",
        "/conditions/hours/from",
        "/conditions/hours/to",
        "/reward/type",
        "/reward/skus/0",
        "/reward/categories/0",
    ];
    let order = json!({"source": "pos", "external_ref": format!("ODD-{n}"), "customer_id": s.customer,
        "lines": [{"sku": "SKU-1", "quantity": 1}], "coupon_code": "ODD10"});
    let customer = json!({"name": "Odd Customer", "phone": "081200000001", "email": "odd@toko.test", "birth_date": "1990-05-17",
        "address": "Jl. Ganjil 1", "external_id": "ODD-EXT"});
    let tier = json!({"name": format!("Odd tier {n}"), "min_spending": 10_000 * n, "earn_rate_points": 1, "earn_rate_per": 10_000,
        "colour": "#123456"});
    let product = json!({"sku": "ODD-P", "name": "Odd product", "price": 500, "category": "misc"});
    [
        // Promotions before products: an odd category accepted on a product would
        // make the same odd category "known" to a promotion.
        rest("POST", "/promotions", promotion(&format!("ODD-{n}")), &promo_fields, Refuse),
        rest("PUT", &format!("/promotions/{}", s.draft), promotion(&format!("ODD-{n}")), &promo_fields, Refuse),
        rest("POST", &format!("/promotions/{}/status", s.draft), json!({"status": "active"}), &["/status"], Refuse),
        rest("POST", "/orders/quote", order.clone(), &["/lines/0/sku", "/coupon_code"], Refuse),
        // A quote ignores source and external_ref (API.md): anything but a 500 is fine.
        rest("POST", "/orders/quote", order.clone(), &["/source", "/external_ref"], Lenient),
        rest("POST", "/orders", order, &["/source", "/external_ref", "/lines/0/sku", "/coupon_code"], Refuse),
        rest("POST", "/orders/{pending}/pay", json!({"payment_ref": format!("PAY-{n}"), "amount": 10_000}), &["/payment_ref"], Refuse),
        rest("POST", "/orders/{paid}/refund", json!({"refund_ref": format!("REF-{n}")}), &["/refund_ref"], Refuse),
        rest("POST", "/customers", customer, &["/name", "/phone", "/email", "/birth_date", "/address", "/external_id"], Refuse),
        rest("POST", "/tiers", tier, &["/name", "/colour"], Refuse),
        rest("POST", "/products", product, &["/sku", "/name", "/category"], Refuse),
    ]
    .into_iter()
    .flatten()
    .collect()
}

both_backends!(odd_text_in_rest_bodies_never_gives_a_500, |app| async move {
    let s = shop(&app).await;
    let mut failures = Vec::new();
    let mut n = 0;
    for i in 0..rest_cases(&s, 0).len() {
        for v in VARIANTS {
            n += 1;
            let mut c = rest_cases(&s, n).swap_remove(i);
            let slot = c.body.pointer_mut(c.field).unwrap_or_else(|| panic!("{} has no {}", c.path, c.field));
            let valid = slot.as_str().expect("a text field").to_string();
            *slot = Value::String(odd(&valid, v));
            let mut path = c.path.clone();
            for (placeholder, paid) in [("{pending}", false), ("{paid}", true)] {
                if path.contains(placeholder) {
                    path = path.replace(placeholder, &fresh_order(&app, &s.admin, n, paid).await.to_string());
                }
            }
            let r = app.api(c.method, &path, Some(&s.admin), Some(c.body)).await;
            let (field, blamed) = (api_field(c.field), r.body["error"]["field"].as_str());
            judge(&mut failures, &format!("{} {} {}", c.method, c.path, c.field), c.expect, v, &r, Some(&field), blamed);
        }
    }

    // The same external id with and without surrounding spaces is one customer,
    // whether the phone is the same or not (or a clean 4xx), never a 500.
    let pairs = [("  EXT-1  ", "EXT-1", true), ("EXT-2", "  EXT-2  ", true), ("  EXT-3  ", "EXT-3", false), ("EXT-4", "  EXT-4  ", false)];
    for (i, (first, second, same_phone)) in pairs.into_iter().enumerate() {
        let phone = |k: usize| format!("08130000{i}{k}00");
        let a = must(&app, &s.admin, "POST", "/customers", json!({"name": "Ext", "phone": phone(0), "external_id": first})).await;
        let again = json!({"name": "Ext", "phone": phone(if same_phone { 0 } else { 1 }), "external_id": second});
        let b = app.api("POST", "/customers", Some(&s.admin), Some(again)).await;
        if b.status >= 500 || (b.status < 300 && b.body["id"] != a["id"]) {
            failures.push(format!(
                "POST /customers external_id {first:?} then {second:?} (same phone: {same_phone}): {} {:?}, first was {}",
                b.status, b.body, a["id"]
            ));
        }
    }
    assert_none(failures, n as usize + pairs.len());
});

// ----------------------------------------------------- server functions ----

struct SfCase {
    name: &'static str,
    field: &'static str,
    form: Vec<(&'static str, String)>,
    expect: Expect,
}

fn sf(name: &'static str, form: &[(&'static str, &str)], fields: &[&'static str], expect: Expect) -> Vec<SfCase> {
    let form: Vec<(&'static str, String)> = form.iter().map(|(k, v)| (*k, v.to_string())).collect();
    fields.iter().map(|&field| SfCase { name, field, form: form.clone(), expect }).collect()
}

/// Every field of a form.
fn every(form: &[(&'static str, &str)]) -> Vec<&'static str> {
    form.iter().map(|(k, _)| *k).collect()
}

const LOGIN_EMAIL: &str = "login@toko.test";

/// Every server function that takes text, with a valid form.
fn sf_cases(s: &Shop, other_staff: i64, n: u64) -> Vec<SfCase> {
    use Expect::*;
    let (customer, other, min) = (s.customer.to_string(), other_staff.to_string(), (10_000 * n).to_string());
    let (level, email) = (format!("Level {n}"), format!("staff{n}@toko.test"));
    let tier = [
        ("id", ""),
        ("name", level.as_str()),
        ("min_spending", min.as_str()),
        ("window_days", "365"),
        ("earn_rate_points", "1"),
        ("earn_rate_per", "10000"),
        ("discount_percent", "5"),
        ("colour", "#123456"),
    ];
    let staff = [("email", email.as_str()), ("name", "New Staff"), ("role", "support"), ("password", PASSWORD)];
    let settings = [
        ("time_zone", "Asia/Jakarta"),
        ("currency_symbol", "Rp"),
        ("currency_decimals", "0"),
        ("loyalty_threshold", "5000000"),
        ("max_discount_share", "100"),
    ];
    let customers = [("page", "1"), ("q", "Ani"), ("tier", "none"), ("loyal", "yes"), ("sort", "spending_desc")];
    let orders = [
        ("page", "1"),
        ("status", "paid"),
        ("source", "pos"),
        ("from", "2026-01-01"),
        ("until", "2026-12-31"),
        ("customer", customer.as_str()),
        ("reference", "ODD"),
    ];
    let audit = [("page", "1"), ("action", "customer.create"), ("actor", "api_token")];
    let simulate =
        [("lines[0][sku]", "SKU-1"), ("lines[0][quantity]", "1"), ("customer", PHONE), ("code", "ODD10"), ("at", "2026-12-04T09:30")];
    [
        // Choices that are ignored when unknown (`loyal`, `sort`): anything but a 500.
        sf("list_customers", &customers, &["loyal", "sort"], Lenient),
        // Typed searches follow the search text rule (domain/src/text.rs): a NUL
        // would break the PostgreSQL query and a page of text is no search, so
        // both are refused with a 422 naming the box rather than matching nothing.
        sf("list_customers", &customers, &["q", "tier"], Refuse),
        sf("list_orders", &orders, &["reference", "status", "source", "from", "until", "customer"], Refuse),
        sf("list_audit", &audit, &["action", "actor"], Refuse),
        sf("simulate_pricing", &simulate, &every(&simulate), Refuse),
        sf("save_settings", &settings, &every(&settings), Refuse),
        sf("preview_tier", &tier, &every(&tier), Refuse),
        sf("save_tier", &tier, &every(&tier), Refuse),
        sf("create_staff", &staff, &["email", "name", "role"], Refuse),
        // A password is hashed, never stored: any character may be in it.
        sf("create_staff", &staff, &["password"], Lenient),
        sf("update_staff_access", &[("id", other.as_str()), ("role", "support"), ("active", "true")], &["role"], Refuse),
        sf("login", &[("email", LOGIN_EMAIL), ("password", PASSWORD)], &["email", "password"], Refuse),
    ]
    .into_iter()
    .flatten()
    .collect()
}

both_backends!(odd_text_in_server_functions_never_gives_a_500, |app| async move {
    let s = shop(&app).await;
    let admin = app.signed_in(Role::Admin).await;
    let other_staff = app.create_staff("other@toko.test", Role::Support).await;
    app.create_staff(LOGIN_EMAIL, Role::Support).await;
    let mut failures = Vec::new();
    let mut n = 0;
    for i in 0..sf_cases(&s, other_staff, 0).len() {
        for v in VARIANTS {
            n += 1;
            let c = sf_cases(&s, other_staff, n).swap_remove(i);
            let mut form = c.form.clone();
            let slot = form.iter_mut().find(|(k, _)| *k == c.field).unwrap_or_else(|| panic!("{} has no {}", c.name, c.field));
            slot.1 = odd(&slot.1, v);
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            // A login signs its client in: each attempt gets a fresh client.
            let visitor: Client;
            let client = if c.name == "login" {
                visitor = app.client();
                &visitor
            } else {
                &admin
            };
            let r = client.server_fn(c.name, &pairs).await;
            // The simulator blames a cart line by its row in the form (`sku0`).
            let field = (!c.field.starts_with("lines[")).then_some(c.field);
            judge(&mut failures, &format!("server fn {} {}", c.name, c.field), c.expect, v, &r, field, r.body["field"].as_str());
        }
    }
    assert_none(failures, n as usize);
});
