//! `setia demo-data`: fills an empty database with a store that looks lived in —
//! Indonesian names and +62 phones, IDR prices, a year of orders in every status,
//! refunds, three tiers — so a new user sees a living dashboard, and benchmarks
//! have a realistic million rows to read.
//!
//! Rows go in through multi-row `INSERT`s in batches (one transaction each), the
//! same SQL on both databases; a seed makes a run reproducible. Demo orders carry
//! no tier snapshot or discount: they are history, not priced carts.

use crate::db::{Arg, Db, Params};
use crate::{bind_params, dispatch};
use anyhow::{bail, Context};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy)]
pub struct DemoSize {
    pub customers: u64,
    pub orders: u64,
    pub seed: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoReport {
    pub tiers: u64,
    pub products: u64,
    pub customers: u64,
    pub orders: u64,
    pub lines: u64,
    pub refunds: u64,
}

const FIRST_NAMES: [&str; 40] = [
    "Ayu", "Budi", "Citra", "Dedi", "Eka", "Fitri", "Gilang", "Hana", "Indra", "Joko", "Kartika", "Lestari", "Made", "Nur", "Oki", "Putri",
    "Rina", "Sari", "Tono", "Umi", "Wahyu", "Yanti", "Agus", "Bayu", "Dewi", "Endang", "Fajar", "Galih", "Hendra", "Intan", "Komang",
    "Lukman", "Mega", "Nanda", "Rizky", "Siti", "Teguh", "Wulan", "Yoga", "Zahra",
];
const LAST_NAMES: [&str; 30] = [
    "Santoso",
    "Wijaya",
    "Lestari",
    "Saputra",
    "Hidayat",
    "Kurniawan",
    "Pratama",
    "Susanti",
    "Setiawan",
    "Nugroho",
    "Rahayu",
    "Permata",
    "Siregar",
    "Nasution",
    "Simanjuntak",
    "Wibowo",
    "Halim",
    "Gunawan",
    "Sihombing",
    "Putra",
    "Utami",
    "Maharani",
    "Purnomo",
    "Firmansyah",
    "Hakim",
    "Ramadhan",
    "Aritonang",
    "Suryadi",
    "Tanjung",
    "Harahap",
];
const PRODUCTS: [(&str, &str, &str, i64); 36] = [
    ("KOPI-SUSU", "Kopi Susu Gula Aren", "minuman", 22_000),
    ("KOPI-HITAM", "Kopi Hitam Tubruk", "minuman", 15_000),
    ("TEH-MANIS", "Es Teh Manis", "minuman", 8_000),
    ("JERUK", "Es Jeruk Peras", "minuman", 12_000),
    ("AIR-600", "Air Mineral 600 ml", "minuman", 4_000),
    ("SUSU-UHT", "Susu UHT Cokelat 1 L", "minuman", 19_500),
    ("ROTI-BAKAR", "Roti Bakar Cokelat Keju", "makanan", 25_000),
    ("NASGOR", "Nasi Goreng Kampung", "makanan", 32_000),
    ("MIE-AYAM", "Mie Ayam Bakso", "makanan", 28_000),
    ("SATE-AYAM", "Sate Ayam 10 Tusuk", "makanan", 35_000),
    ("PISANG-GRG", "Pisang Goreng Madu", "makanan", 15_000),
    ("MARTABAK", "Martabak Manis Keju", "makanan", 55_000),
    ("BERAS-5", "Beras Premium 5 kg", "sembako", 78_000),
    ("MINYAK-2", "Minyak Goreng 2 L", "sembako", 36_500),
    ("GULA-1", "Gula Pasir 1 kg", "sembako", 17_500),
    ("TELUR-1", "Telur Ayam 1 kg", "sembako", 29_000),
    ("TEPUNG-1", "Tepung Terigu 1 kg", "sembako", 13_000),
    ("KECAP", "Kecap Manis 520 ml", "sembako", 24_000),
    ("MIE-INST", "Mie Instan Goreng (5)", "sembako", 15_500),
    ("SABUN", "Sabun Mandi Cair 450 ml", "perawatan", 27_500),
    ("SAMPO", "Sampo Anti Ketombe 340 ml", "perawatan", 42_000),
    ("PASTA-GIGI", "Pasta Gigi 190 g", "perawatan", 16_000),
    ("DETERJEN", "Deterjen Bubuk 1,8 kg", "perawatan", 48_000),
    ("TISU", "Tisu Wajah 250 Lembar", "perawatan", 21_000),
    ("POPOK-M", "Popok Bayi M (34)", "bayi", 98_000),
    ("SUSU-BAYI", "Susu Formula 800 g", "bayi", 235_000),
    ("BATIK-KMJ", "Kemeja Batik Pria", "pakaian", 189_000),
    ("KAOS", "Kaos Katun Polos", "pakaian", 79_000),
    ("SANDAL", "Sandal Jepit", "pakaian", 25_000),
    ("PULSA-50", "Pulsa 50.000", "digital", 51_500),
    ("PULSA-100", "Pulsa 100.000", "digital", 101_500),
    ("VOUCHER-5K", "Voucher Hotspot 5k", "digital", 5_000),
    ("VOUCHER-10K", "Voucher Hotspot 10k", "digital", 10_000),
    ("RICE-COOK", "Rice Cooker 1,8 L", "elektronik", 349_000),
    ("KIPAS", "Kipas Angin Berdiri", "elektronik", 285_000),
    ("SETRIKA", "Setrika Listrik", "elektronik", 159_000),
];

/// (name, minimum spending, window days, points, per, discount basis points, colour)
type DemoTier = (&'static str, i64, Option<i32>, i64, i64, Option<i32>, &'static str);
const TIERS: [DemoTier; 3] = [
    ("Silver", 1_000_000, Some(365), 1, 10_000, None, "#9ca3af"),
    ("Gold", 5_000_000, Some(365), 2, 10_000, Some(300), "#d4a017"),
    ("Platinum", 20_000_000, Some(365), 3, 10_000, Some(500), "#475569"),
];

const BATCH: usize = 1_000;

async fn count(db: &Db, table: &str) -> anyhow::Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    dispatch!(db, |c| sqlx::query_scalar::<_, i64>(&sql).fetch_one(c).await).with_context(|| format!("count {table}"))
}

/// Runs one multi-row INSERT (`… VALUES (…), (…) RETURNING …`) in its own write
/// transaction and returns the `RETURNING` column pairs.
async fn insert_rows(db: &Db, head: &str, rows: &[Vec<Arg>], returning: &str) -> anyhow::Result<Vec<(i64, String)>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut params = Params::default();
    let values: Vec<String> =
        rows.iter().map(|r| format!("({})", r.iter().map(|a| params.add(a.clone())).collect::<Vec<_>>().join(", "))).collect();
    let sql = format!("{head} VALUES {}{returning}", values.join(", "));
    let mut tx = db.begin_write().await?;
    let out: Vec<(i64, String)> = if returning.is_empty() {
        dispatch!(tx &mut tx, |c| bind_params!(sqlx::query(&sql), params).execute(c).await.map(|_| Vec::new()))
    } else {
        dispatch!(tx &mut tx, |c| bind_params!(sqlx::query_as::<_, (i64, String)>(&sql), params).fetch_all(c).await)
    }
    .context("insert demo rows")?;
    tx.commit().await?;
    Ok(out)
}

/// Fills an empty database; refuses one that already has customers or orders.
#[tracing::instrument(skip_all)]
pub async fn fill(db: &Db, size: DemoSize, now: DateTime<Utc>, progress: &(dyn Fn(&str) + Sync)) -> anyhow::Result<DemoReport> {
    if count(db, "customers").await? > 0 || count(db, "orders").await? > 0 {
        bail!("the database already has customers or orders; demo-data only fills an empty one");
    }
    let mut rng = StdRng::seed_from_u64(size.seed);
    let mut report = DemoReport::default();

    if count(db, "tiers").await? == 0 {
        let rows: Vec<Vec<Arg>> = TIERS
            .iter()
            .map(|(name, min, window, points, per, discount, colour)| {
                vec![
                    Arg::Text((*name).into()),
                    Arg::Int(*min),
                    Arg::OptInt(window.map(i64::from)),
                    Arg::Int(*points),
                    Arg::Int(*per),
                    Arg::OptInt(discount.map(i64::from)),
                    Arg::Text((*colour).into()),
                    Arg::Time(now),
                    Arg::Time(now),
                ]
            })
            .collect();
        insert_rows(db, "INSERT INTO tiers (name, min_spending, window_days, earn_rate_points, earn_rate_per, discount_basis_points, colour, created_at, updated_at)", &rows, "").await?;
        report.tiers = TIERS.len() as u64;
    }

    // Products (kept if the catalogue already has them).
    let rows: Vec<Vec<Arg>> = PRODUCTS
        .iter()
        .map(|(sku, name, category, price)| {
            vec![
                Arg::Text((*sku).into()),
                Arg::Text((*name).into()),
                Arg::Text((*category).into()),
                Arg::Int(*price),
                Arg::Time(now),
                Arg::Time(now),
            ]
        })
        .collect();
    let existing: Vec<(i64, String, i64)> =
        dispatch!(db, |c| sqlx::query_as::<_, (i64, String, i64)>("SELECT id, sku, price FROM products").fetch_all(c).await)
            .context("load products")?;
    let mut catalogue: Vec<(i64, String, i64)> = existing;
    if catalogue.is_empty() {
        let ids = insert_rows(db, "INSERT INTO products (sku, name, category, price, created_at, updated_at)", &rows, " RETURNING id, sku")
            .await?;
        let price: HashMap<&str, i64> = PRODUCTS.iter().map(|p| (p.0, p.3)).collect();
        catalogue = ids.into_iter().map(|(id, sku)| (id, sku.clone(), price[sku.as_str()])).collect();
        report.products = catalogue.len() as u64;
    }
    catalogue.sort_by_key(|p| p.0);

    // Customers, joined over the last two years.
    let mut customer_ids: Vec<i64> = Vec::with_capacity(size.customers as usize);
    let mut start = 0u64;
    while start < size.customers {
        let end = (start + BATCH as u64).min(size.customers);
        let rows: Vec<Vec<Arg>> = (start..end)
            .map(|i| {
                let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
                let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
                // Unique by construction: the index is in the number.
                let phone = format!("+628{}{:09}", [1, 2, 3, 5, 7, 8][(i % 6) as usize], i);
                let email = rng.gen_bool(0.6).then(|| format!("{}.{}{}@mail.test", first.to_lowercase(), last.to_lowercase(), i));
                let birth = NaiveDate::from_ymd_opt(rng.gen_range(1962..2006), rng.gen_range(1..=12), rng.gen_range(1..=28));
                let joined = now - Duration::minutes(rng.gen_range(60..(2 * 365 * 24 * 60)));
                vec![
                    Arg::Text(format!("{first} {last}")),
                    Arg::Text(phone),
                    Arg::OptText(email),
                    Arg::OptDate(birth),
                    Arg::Time(joined),
                    Arg::Time(joined),
                ]
            })
            .collect();
        let ids = insert_rows(
            db,
            "INSERT INTO customers (name, phone, email, birth_date, created_at, updated_at)",
            &rows,
            " RETURNING id, phone",
        )
        .await?;
        customer_ids.extend(ids.into_iter().map(|(id, _)| id));
        start = end;
        if start.is_multiple_of(100_000) || start == size.customers {
            progress(&format!("customers: {start}/{}", size.customers));
        }
    }
    report.customers = size.customers;

    // Orders over the last year; a few customers buy much more than the rest.
    let mut n = 0u64;
    while n < size.orders {
        let end = (n + BATCH as u64).min(size.orders);
        let mut orders = Vec::with_capacity(BATCH);
        let mut lines_of: HashMap<String, Vec<(i64, String, i64, i64)>> = HashMap::with_capacity(BATCH);
        let mut refunds_of: HashMap<String, i64> = HashMap::new();
        for i in n..end {
            let (source, source_weight) = match rng.gen_range(0..100) {
                0..60 => ("pos", 0),
                60..95 => ("online", 1),
                _ => ("import", 2),
            };
            let external_ref = format!("DEMO-{}-{:08}", ["POS", "WEB", "IMP"][source_weight], i);
            let customer = (!customer_ids.is_empty() && rng.gen_bool(0.85)).then(|| {
                let u: f64 = rng.r#gen();
                customer_ids[((u * u) * customer_ids.len() as f64) as usize % customer_ids.len()]
            });
            // Pending orders are the last hour's (older ones would have expired).
            let status = match rng.gen_range(0..100) {
                0..2 => "pending_payment",
                2..40 => "completed",
                40..62 => "paid",
                62..80 => "shipped",
                80..88 => "cancelled",
                88..94 => "expired",
                94..98 => "partially_refunded",
                _ => "refunded",
            };
            let recent = status == "pending_payment";
            // Orders come in time order, as in a real store (ids grow with time),
            // which also keeps the time indexes append-only: on SQLite, random
            // times made every insert touch a random page of five indexes.
            let created = if recent {
                now - Duration::seconds(rng.gen_range(60..3_000))
            } else {
                let span = 365 * 24 * 3600 - 3600 - 600;
                now - Duration::days(365) + Duration::seconds(span * i as i64 / size.orders as i64 + rng.gen_range(0..600))
            };
            let line_count = rng.gen_range(1..=3);
            let mut lines = Vec::with_capacity(line_count);
            for _ in 0..line_count {
                let (pid, sku, price) = &catalogue[rng.gen_range(0..catalogue.len())];
                lines.push((*pid, sku.clone(), *price, rng.gen_range(1..=4i64)));
            }
            let subtotal: i64 = lines.iter().map(|l| l.2 * l.3).sum();
            let paid = !matches!(status, "pending_payment" | "cancelled" | "expired");
            let paid_at = paid.then(|| created + Duration::minutes(rng.gen_range(1..45)));
            let deadline = if recent { now + Duration::minutes(60) } else { created + Duration::minutes(60) };
            match status {
                "partially_refunded" => {
                    refunds_of.insert(external_ref.clone(), (subtotal * 3 / 10).max(1));
                }
                "refunded" => {
                    refunds_of.insert(external_ref.clone(), subtotal);
                }
                _ => {}
            }
            orders.push(vec![
                Arg::Text(source.into()),
                Arg::Text(external_ref.clone()),
                Arg::OptInt(customer),
                Arg::Text(status.into()),
                Arg::Time(deadline),
                Arg::Int(subtotal),
                Arg::Int(0),
                Arg::Int(0),
                Arg::Int(0),
                Arg::Int(subtotal),
                Arg::OptText(paid.then(|| format!("DEMO-PAY-{i:08}"))),
                Arg::OptTime(paid_at),
                Arg::Time(created),
                Arg::Time(paid_at.unwrap_or(created)),
            ]);
            lines_of.insert(external_ref, lines);
        }
        let ids = insert_rows(
            db,
            "INSERT INTO orders (source, external_ref, customer_id, status, payment_deadline, subtotal, discount_total, points_discount, shipping, total, payment_ref, paid_at, created_at, updated_at)",
            &orders,
            " RETURNING id, external_ref",
        )
        .await?;
        let mut line_rows = Vec::with_capacity(ids.len() * 2);
        let mut refund_rows = Vec::new();
        for (id, external_ref) in &ids {
            for (no, (pid, sku, price, qty)) in lines_of[external_ref].iter().enumerate() {
                line_rows.push(vec![
                    Arg::Int(*id),
                    Arg::Int(no as i64),
                    Arg::Int(*pid),
                    Arg::Text(sku.clone()),
                    Arg::Int(*qty),
                    Arg::Int(*price),
                    Arg::Int(price * qty),
                    Arg::Int(0),
                    Arg::Int(price * qty),
                ]);
            }
            if let Some(amount) = refunds_of.get(external_ref) {
                refund_rows.push(vec![Arg::Int(*id), Arg::Text(format!("DEMO-RF-{id}")), Arg::Int(*amount), Arg::Time(now)]);
            }
        }
        for chunk in line_rows.chunks(BATCH) {
            insert_rows(
                db,
                "INSERT INTO order_lines (order_id, line_no, product_id, sku, quantity, unit_price, base_amount, discount, final_amount)",
                chunk,
                "",
            )
            .await?;
        }
        insert_rows(db, "INSERT INTO refunds (order_id, refund_ref, amount, created_at)", &refund_rows, "").await?;
        report.lines += line_rows.len() as u64;
        report.refunds += refund_rows.len() as u64;
        n = end;
        if n.is_multiple_of(100_000) || n == size.orders {
            progress(&format!("orders: {n}/{}", size.orders));
        }
    }
    report.orders = size.orders;
    progress("planner statistics");
    db.optimize().await?;
    progress("customer spending index");
    crate::spending_index::rebuild(db, now).await?;
    Ok(report)
}
