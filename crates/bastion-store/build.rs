// `sqlx::migrate!` embeds the migration files at compile time, but cargo does not watch a
// directory for new files by itself: without this, a migration added to an already-built tree
// was silently left out of the binary.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
