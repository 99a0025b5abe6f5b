//! Static assets compiled into the binary. Pages link them by content-hashed names
//! (`/assets/app.3f2a1b9c4d5e.css`, from [`url`]), served with a year of immutable caching: a phone
//! downloads each version once. The plain name (`/assets/app.css`) still answers, with an ETag and
//! an hour's caching, for anything that cannot know the hash. Anything not embedded is a 404
//! (paths like `../` never reach the file system). Compression (gzip, brotli) is the router's.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "assets/"]
pub struct Assets;

/// The first 12 hex digits of an asset's SHA-256: the version in its hashed name.
fn hash_of(path: &str) -> Option<String> {
    Assets::get(path).map(|f| hex::encode(&f.metadata.sha256_hash()[..6]))
}

/// Every asset's hashed name, computed once.
fn hashed() -> &'static HashMap<String, String> {
    static NAMES: OnceLock<HashMap<String, String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        Assets::iter()
            .filter_map(|p| {
                let h = hash_of(&p)?;
                let name = match p.rsplit_once('.') {
                    Some((stem, ext)) if !stem.ends_with('/') => format!("{stem}.{h}.{ext}"),
                    _ => format!("{p}.{h}"),
                };
                Some((p.to_string(), name))
            })
            .collect()
    })
}

/// The address a page links an asset by: its content-hashed name (the plain one when unknown).
pub fn url(path: &str) -> String {
    match hashed().get(path) {
        Some(name) => format!("/assets/{name}"),
        None => format!("/assets/{path}"),
    }
}

/// A hashed name back to the asset it names, when the hash is the current one.
fn unhash(path: &str) -> Option<String> {
    let (rest, ext) = path.rsplit_once('.')?;
    let (stem, h) = rest.rsplit_once('.')?;
    let plain = format!("{stem}.{ext}");
    (h.len() == 12 && hash_of(&plain).as_deref() == Some(h)).then_some(plain)
}

pub async fn serve_asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let (name, immutable) = match Assets::get(&path) {
        Some(_) => (path, false),
        None => match unhash(&path) {
            Some(plain) => (plain, true),
            None => return (StatusCode::NOT_FOUND, "资源不存在").into_response(),
        },
    };
    let Some(file) = Assets::get(&name) else {
        return (StatusCode::NOT_FOUND, "资源不存在").into_response();
    };
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..12]));
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mime = mime_guess::from_path(&name).first_or_octet_stream();
    let cache = if immutable { "public, max-age=31536000, immutable" } else { "public, max-age=3600" };
    (
        [
            (header::CONTENT_TYPE, mime.as_ref().to_string()),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache.to_string()),
        ],
        file.data.into_owned(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashed_names_resolve_to_their_asset_only_with_the_current_hash() {
        let u = super::url("app.css");
        assert!(
            u.starts_with("/assets/app.") && u.ends_with(".css") && u.len() == "/assets/app..css".len() + 12,
            "{u}"
        );
        let name = u.trim_start_matches("/assets/");
        assert_eq!(super::unhash(name).as_deref(), Some("app.css"));
        assert_eq!(super::unhash("app.000000000000.css"), None, "an old version is not served as new");
        let v = super::url("vendor/htmx.min.js");
        assert!(v.starts_with("/assets/vendor/htmx.min.") && v.ends_with(".js"), "{v}");
        assert_eq!(super::unhash(v.trim_start_matches("/assets/")).as_deref(), Some("vendor/htmx.min.js"));
        assert_eq!(super::url("missing.css"), "/assets/missing.css");
    }
}
