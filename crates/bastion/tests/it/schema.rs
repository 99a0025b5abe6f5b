//! The two migration folders describe one schema: after migrating a fresh SQLite and a fresh
//! PostgreSQL database, their tables, columns (type family, nullability), primary keys and
//! indexes (columns, uniqueness) are the same, apart from the differences listed below with
//! their reasons.

use std::collections::BTreeSet;

use bastion_testkit::{Backend, TestDb};
use sqlx::Row;

/// Differences that are meant, each with its reason. A line is the text `describe` prints.
const INTENDED: &[(&str, &str)] = &[];

/// What one backend's schema looks like, one line per fact.
async fn describe(backend: Backend) -> BTreeSet<String> {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let pool = store.reader();
    let mut facts = BTreeSet::new();
    match backend {
        Backend::Sqlite => {
            let tables: Vec<String> = sqlx::query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name NOT LIKE '_sqlx%' ORDER BY name",
            )
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("name"))
            .collect();
            for t in &tables {
                facts.insert(format!("table {t}"));
                let cols = sqlx::query("SELECT name, type, \"notnull\" AS nn, pk FROM pragma_table_info($1)")
                    .bind(t)
                    .fetch_all(pool)
                    .await
                    .unwrap();
                let mut pk: Vec<(i64, String)> = Vec::new();
                for c in &cols {
                    let name: String = c.get("name");
                    let ty: String = c.get("type");
                    let key: i64 = c.get("pk");
                    let not_null = c.get::<i64, _>("nn") != 0 || key > 0;
                    facts.insert(format!("column {t}.{name} {} {}", family(&ty), null_word(not_null)));
                    if key > 0 {
                        pk.push((key, name));
                    }
                }
                pk.sort();
                facts.insert(format!(
                    "primary key {t}({})",
                    pk.into_iter().map(|(_, n)| n).collect::<Vec<_>>().join(",")
                ));
                let indexes = sqlx::query("SELECT name, \"unique\" AS uq, origin FROM pragma_index_list($1)")
                    .bind(t)
                    .fetch_all(pool)
                    .await
                    .unwrap();
                for i in &indexes {
                    let origin: String = i.get("origin");
                    if origin == "pk" {
                        continue;
                    }
                    let name: String = i.get("name");
                    let cols: Vec<String> = sqlx::query("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                        .bind(&name)
                        .fetch_all(pool)
                        .await
                        .unwrap()
                        .iter()
                        .map(|r| r.try_get::<String, _>("name").unwrap_or_else(|_| "(expression)".into()))
                        .collect();
                    let unique = i.get::<i64, _>("uq") != 0;
                    facts.insert(format!("index {t}({}){}", cols.join(","), if unique { " unique" } else { "" }));
                }
            }
        }
        Backend::Postgres => {
            let cols = sqlx::query(
                "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS ty, is_nullable::text AS nul \
                 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name::text NOT LIKE '_sqlx%'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for c in &cols {
                let (t, name, ty, nul): (String, String, String, String) =
                    (c.get("t"), c.get("c"), c.get("ty"), c.get("nul"));
                facts.insert(format!("table {t}"));
                facts.insert(format!("column {t}.{name} {} {}", family(&ty), null_word(nul == "NO")));
            }
            let indexes = sqlx::query(
                "SELECT t.relname::text AS t, CAST(CASE WHEN ix.indisunique THEN 1 ELSE 0 END AS BIGINT) AS uq, \
                        CAST(CASE WHEN ix.indisprimary THEN 1 ELSE 0 END AS BIGINT) AS pk, \
                        (SELECT string_agg(COALESCE(a.attname::text, '(expression)'), ',' ORDER BY k.ord) \
                           FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) \
                           LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS cols \
                 FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 WHERE n.nspname = current_schema() AND t.relname::text NOT LIKE '_sqlx%'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            let mut with_pk = BTreeSet::new();
            for i in &indexes {
                let (t, cols): (String, String) = (i.get("t"), i.get("cols"));
                if i.get::<i64, _>("pk") != 0 {
                    facts.insert(format!("primary key {t}({cols})"));
                    with_pk.insert(t);
                } else {
                    let unique = i.get::<i64, _>("uq") != 0;
                    facts.insert(format!("index {t}({cols}){}", if unique { " unique" } else { "" }));
                }
            }
            let tables: Vec<String> =
                facts.iter().filter_map(|f| f.strip_prefix("table ").map(str::to_string)).collect();
            for t in tables.into_iter().filter(|t| !with_pk.contains(t)) {
                facts.insert(format!("primary key {t}()"));
            }
        }
    }
    store.close().await;
    facts
}

/// The family of a declared type: what a value of the column can hold, whatever the spelling.
fn family(ty: &str) -> &'static str {
    let ty = ty.to_ascii_lowercase();
    if ty.contains("int") || ty == "boolean" {
        "integer"
    } else if ty.contains("char") || ty.contains("text") || ty.contains("clob") {
        "text"
    } else if ty.contains("real") || ty.contains("floa") || ty.contains("doub") || ty.contains("numeric") {
        "real"
    } else if ty.contains("blob") || ty == "bytea" {
        "bytes"
    } else {
        "other"
    }
}

fn null_word(not_null: bool) -> &'static str {
    if not_null {
        "not null"
    } else {
        "null"
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_migration_folders_describe_one_schema() {
    let sqlite = describe(Backend::Sqlite).await;
    let postgres = describe(Backend::Postgres).await;
    for (name, facts) in [("SQLite", &sqlite), ("PostgreSQL", &postgres)] {
        let count = |kind: &str| facts.iter().filter(|f| f.starts_with(kind)).count();
        assert!(facts.contains("table people") && facts.contains("primary key people(id)"), "{name}: {facts:?}");
        assert!(
            count("column ") > 200 && count("index ") > 20 && count("table ") > 25,
            "{name} was read whole: {facts:?}"
        );
    }
    let intended: BTreeSet<&str> = INTENDED.iter().map(|(f, _)| *f).collect();
    let only_sqlite: Vec<&String> =
        sqlite.difference(&postgres).filter(|f| !intended.contains(format!("sqlite: {f}").as_str())).collect();
    let only_postgres: Vec<&String> =
        postgres.difference(&sqlite).filter(|f| !intended.contains(format!("postgres: {f}").as_str())).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "the migration folders differ.\nonly on SQLite:\n  {}\nonly on PostgreSQL:\n  {}",
        only_sqlite.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  "),
        only_postgres.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  ")
    );
    // Every listed difference still exists: a fixed one is taken off the list.
    for (fact, why) in INTENDED {
        let seen = match fact.split_once(": ") {
            Some(("sqlite", f)) => sqlite.contains(f) && !postgres.contains(f),
            Some(("postgres", f)) => postgres.contains(f) && !sqlite.contains(f),
            _ => false,
        };
        assert!(seen, "listed difference no longer exists (take it off the list): {fact} — {why}");
    }
}

/// A database migrated before two migrations' comments were reworded opens (the recorded checksum
/// is the earlier file's); a migration recorded with any other checksum is still refused.
async fn a_database_migrated_before_a_rewording_opens(backend: Backend) {
    // SHA-384 of the earlier 0004 files (the SQL unchanged, the first comment line different).
    let old = match backend {
        Backend::Sqlite => {
            "1a41b45ebf46ede0cb72b339737e257fa77ff8d0ad005aae15ea0a79c3f4c3bf41c730cf9f5f9f0e10805bb100e2878d"
        }
        Backend::Postgres => {
            "f5d2944403df1592d28737749d47ba50461d47c54b762b87a66ec53eec0a807f6223fc8082e14cc68a22c1ed92237d70"
        }
    };
    let bytes = |hex: &str| {
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect::<Vec<u8>>()
    };
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let current: Vec<u8> = sqlx::query("SELECT checksum FROM _sqlx_migrations WHERE version = 4")
        .fetch_one(store.reader())
        .await
        .unwrap()
        .get("checksum");
    let set = |sum: Vec<u8>| {
        let pool = store.reader().clone();
        async move {
            sqlx::query("UPDATE _sqlx_migrations SET checksum = $1 WHERE version = 4")
                .bind(sum)
                .execute(&pool)
                .await
                .unwrap();
        }
    };
    set(bytes(old)).await;
    let reopened =
        bastion_store::Store::open(&db.data_dir(), db.database.as_deref(), bastion_store::crypto::Crypto::generate())
            .await;
    assert!(reopened.is_ok(), "opens: {:?}", reopened.err().map(|e| e.to_string()));
    let now: Vec<u8> = sqlx::query("SELECT checksum FROM _sqlx_migrations WHERE version = 4")
        .fetch_one(store.reader())
        .await
        .unwrap()
        .get("checksum");
    assert_eq!(now, current, "the recorded checksum is the current file's");
    // Any other checksum is a changed migration: refused.
    let mut other = bytes(old);
    other[0] ^= 1;
    set(other).await;
    let refused =
        bastion_store::Store::open(&db.data_dir(), db.database.as_deref(), bastion_store::crypto::Crypto::generate())
            .await;
    assert!(refused.is_err(), "a migration changed otherwise is refused");
}

bastion_testkit::both_backends!(a_database_migrated_before_a_rewording_opens);
