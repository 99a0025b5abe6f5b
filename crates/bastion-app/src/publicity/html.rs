//! Article HTML: what survives an editor's paste (no script, no event handler, no `javascript:`
//! link, images only from our own store), the plain text of a body, and a line diff of versions.

use std::collections::HashSet;

/// Clean an article body. Allowed: paragraphs, headings, emphasis, lists, quotes, tables, links
/// (http, https, mailto, relative) and images served by Bastion (`/news/images/...`).
pub fn sanitize(raw: &str) -> String {
    let tags: HashSet<&str> = [
        "p",
        "br",
        "h2",
        "h3",
        "h4",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "img",
        "figure",
        "figcaption",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "hr",
        "span",
        "sub",
        "sup",
    ]
    .into_iter()
    .collect();
    let mut b = ammonia::Builder::default();
    b.tags(tags)
        .generic_attributes(HashSet::new())
        .tag_attributes(
            [("a", ["href", "title"].into_iter().collect()), ("img", ["src", "alt", "title"].into_iter().collect())]
                .into_iter()
                .collect(),
        )
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer"))
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("img", "src") if !is_own_image(value) => None,
            _ => Some(value.into()),
        });
    b.clean(raw).to_string()
}

/// `/news/images/12.jpg` or `/news/images/12/phone.jpg`.
fn is_own_image(src: &str) -> bool {
    let Some(rest) = src.strip_prefix("/news/images/") else { return false };
    let id = rest.strip_suffix("/phone.jpg").or_else(|| rest.strip_suffix(".jpg"));
    id.is_some_and(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()))
}

/// Serve the phone-sized copy of the site's own pictures in a sanitised body to small screens:
/// `<img src="/news/images/12.jpg"` gains the 720-px copy as `src` and both sizes as `srcset`,
/// both under the picture's public name (`public_name(12)`, e.g. `12-9f…`).
pub fn responsive_images(html: &str, public_name: &dyn Fn(i64) -> String) -> String {
    const OPEN: &str = "<img src=\"/news/images/";
    let mut out = String::with_capacity(html.len() + 128);
    let mut rest = html;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + OPEN.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[digits..].strip_prefix(".jpg\"") {
            Some(tail) if digits > 0 && after[..digits].parse::<i64>().is_ok() => {
                let id = public_name(after[..digits].parse::<i64>().unwrap_or_default());
                out.push_str(&format!(
                    "<img src=\"/news/images/{id}/phone.jpg\" srcset=\"/news/images/{id}/phone.jpg 720w, \
                     /news/images/{id}.jpg 1600w\" sizes=\"(max-width: 800px) 100vw, 800px\""
                ));
                rest = tail;
            }
            _ => {
                out.push_str(OPEN);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The number of the first of the site's own pictures shown in a sanitised body, if any.
pub fn first_image(html: &str) -> Option<i64> {
    const OPEN: &str = "<img src=\"/news/images/";
    let mut rest = html;
    while let Some(i) = rest.find(OPEN) {
        let after = &rest[i + OPEN.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let tail = &after[digits..];
        if digits > 0 && (tail.starts_with(".jpg\"") || tail.starts_with("/phone.jpg\"")) {
            if let Ok(id) = after[..digits].parse::<i64>() {
                return Some(id);
            }
        }
        rest = after;
    }
    None
}

/// Every reference to one of the site's own pictures by its bare number (`/news/images/12.jpg`,
/// `/news/images/12/phone.jpg`) rewritten to its public name (`public_name(12)`); anything else
/// is left as it is. The public site shows bodies through this, so no page gives a number away.
pub fn name_images(html: &str, public_name: &dyn Fn(i64) -> String) -> String {
    const PREFIX: &str = "/news/images/";
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(i) = rest.find(PREFIX) {
        out.push_str(&rest[..i + PREFIX.len()]);
        let after = &rest[i + PREFIX.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let bare = digits > 0 && (after[digits..].starts_with(".jpg") || after[digits..].starts_with("/phone.jpg"));
        match after[..digits].parse::<i64>() {
            Ok(id) if bare => {
                out.push_str(&public_name(id));
                rest = &after[digits..];
            }
            _ => rest = after,
        }
    }
    out.push_str(rest);
    out
}

/// The text of an HTML fragment (tags dropped, common entities decoded, whitespace collapsed).
pub fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `n` characters of a body's text, with an ellipsis when cut.
pub fn summary_of(html: &str, n: usize) -> String {
    let t = text_of(html);
    if t.chars().count() <= n {
        t
    } else {
        let mut s: String = t.chars().take(n).collect();
        s.push('…');
        s
    }
}

/// One line of a diff: `' '` same, `'-'` only in the old version, `'+'` only in the new one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct DiffLine {
    pub tag: char,
    pub text: String,
}

/// Lines of an article for diffing: each block element on its own line.
fn lines(html: &str) -> String {
    let mut s = html.to_string();
    for t in ["<p>", "<h2>", "<h3>", "<h4>", "<li>", "<blockquote>", "<figure>", "<table>", "<ul>", "<ol>"] {
        s = s.replace(t, &format!("\n{t}"));
    }
    for t in ["</p>", "</h2>", "</h3>", "</h4>", "</li>", "</blockquote>", "<br>", "</figure>", "</tr>"] {
        s = s.replace(t, &format!("{t}\n"));
    }
    s.lines().map(text_of).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n") + "\n"
}

/// A line diff of two versions' text (title and subtitle first, then the body's blocks).
pub fn diff(old_title: &str, old_body: &str, new_title: &str, new_body: &str) -> Vec<DiffLine> {
    let a = format!("{old_title}\n{}", lines(old_body));
    let b = format!("{new_title}\n{}", lines(new_body));
    let d = similar::TextDiff::from_lines(&a, &b);
    d.iter_all_changes()
        .map(|c| DiffLine {
            tag: match c.tag() {
                similar::ChangeTag::Equal => ' ',
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
            },
            text: c.value().trim_end_matches('\n').to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_own_picture_of_a_body() {
        let body = r#"<p>x</p><img src="https://elsewhere.example/a.jpg"><img src="/news/images/abc.jpg"><img src="/news/images/17.jpg" alt=""><img src="/news/images/3.jpg">"#;
        assert_eq!(first_image(body), Some(17));
        assert_eq!(first_image(r#"<img src="/news/images/8/phone.jpg">"#), Some(8));
        assert_eq!(first_image("<p>没有图片</p>"), None);
    }

    #[test]
    fn own_pictures_get_the_phone_copy() {
        let body =
            sanitize(r#"<p>前</p><img src="/news/images/12.jpg" alt="卡点"><img src="/news/images/7/phone.jpg">"#);
        let out = responsive_images(&body, &|id| id.to_string());
        assert!(
            out.contains(
                r#"<img src="/news/images/12/phone.jpg" srcset="/news/images/12/phone.jpg 720w, /news/images/12.jpg 1600w" sizes="(max-width: 800px) 100vw, 800px" alt="卡点">"#
            ),
            "{out}"
        );
        // Already the phone copy, or not one of ours: unchanged.
        assert!(out.contains(r#"<img src="/news/images/7/phone.jpg">"#), "{out}");
        let named = |id: i64| format!("{id}-tag");
        assert_eq!(
            name_images(
                r#"<img src="/news/images/7/phone.jpg"><a href="/news/images/8.jpg">x</a> /news/images/9-tag.jpg /news/images/x.jpg"#,
                &named
            ),
            r#"<img src="/news/images/7-tag/phone.jpg"><a href="/news/images/8-tag.jpg">x</a> /news/images/9-tag.jpg /news/images/x.jpg"#
        );
        assert_eq!(responsive_images("<p>无图</p>", &named), "<p>无图</p>");
        assert_eq!(responsive_images(r#"<img src="/news/images/x.jpg">"#, &named), r#"<img src="/news/images/x.jpg">"#);
        assert!(responsive_images(r#"<img src="/news/images/12.jpg">"#, &named)
            .starts_with(r#"<img src="/news/images/12-tag/phone.jpg" srcset="/news/images/12-tag/phone.jpg 720w, /news/images/12-tag.jpg 1600w""#));
    }

    #[test]
    fn scripts_handlers_and_javascript_links_are_removed() {
        let dirty = r#"<p onclick="steal()">卡点<script>alert(1)</script>值守</p><a href="javascript:alert(1)">链接</a><img src="/news/images/3.jpg" onerror="x()"><img src="https://evil.example/x.png"><iframe src="/x"></iframe><a href="/news/1">站内</a>"#;
        let clean = sanitize(dirty);
        assert!(!clean.contains("script"), "{clean}");
        assert!(!clean.contains("onclick") && !clean.contains("onerror"), "{clean}");
        assert!(!clean.contains("javascript"), "{clean}");
        assert!(!clean.contains("evil.example") && !clean.contains("iframe"), "{clean}");
        assert!(clean.contains(r#"<img src="/news/images/3.jpg">"#), "{clean}");
        assert!(clean.contains(r#"href="/news/1""#), "{clean}");
        assert!(clean.contains("<p>卡点值守</p>"), "{clean}");
    }

    #[test]
    fn summary_and_diff() {
        assert_eq!(summary_of("<p>一二&amp;三</p><p>四五</p>", 4), "一二&三…");
        let d = diff("标题", "<p>甲</p><p>乙</p>", "标题", "<p>甲</p><p>丙</p>");
        assert!(d.contains(&DiffLine { tag: '-', text: "乙".into() }));
        assert!(d.contains(&DiffLine { tag: '+', text: "丙".into() }));
        assert!(d.contains(&DiffLine { tag: ' ', text: "甲".into() }));
    }
}
