// `sqlx::migrate!` embeds the migration files at compile time; without this a new
// migration file is not seen until something else rebuilds the crate.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
