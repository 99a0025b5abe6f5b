//! Server-side masking of personal data (GB/T 35273 §7.2): the browser never receives the clear value.

/// Keep `head` leading and `tail` trailing characters, star the rest.
pub fn keep_ends(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// A name reduced to its first character: `张**`.
pub fn name(s: &str) -> String {
    let mut it = s.chars();
    match it.next() {
        Some(first) => std::iter::once(first).chain(it.map(|_| '*')).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks() {
        assert_eq!(super::keep_ends("13800001111", 3, 4), "138****1111");
        assert_eq!(super::keep_ends("abc", 3, 4), "***");
        assert_eq!(super::name("张三丰"), "张**");
    }
}
