//! Spreadsheet-safe CSV cells: a cell that a spreadsheet would read as a formula gets a leading
//! single quote on export, and the importer removes exactly that quote, so an export re-imports
//! unchanged.

use std::borrow::Cow;

/// Characters that make a spreadsheet treat a cell as a formula (or shift it into one), the
/// full-width forms included since some spreadsheets fold them.
const TRIGGERS: &[char] = &['=', '+', '-', '@', '\t', '\r', '\n', '＝', '＋', '－', '＠'];

/// Would this value need the quote? Leading quotes are looked through, so a value that already
/// begins with a quote and then a trigger is quoted once more and the mapping stays reversible.
fn needs_quote(v: &str) -> bool {
    v.trim_start_matches('\'').starts_with(TRIGGERS)
}

/// The cell as written to a CSV file: `'` prefixed when it begins with `=`, `+`, `-`, `@`, a tab,
/// a carriage return or a line feed (or a full-width `＝＋－＠`), possibly after leading quotes.
pub fn neutralise_cell(v: &str) -> Cow<'_, str> {
    if needs_quote(v) {
        Cow::Owned(format!("'{v}"))
    } else {
        Cow::Borrowed(v)
    }
}

/// The inverse of [`neutralise_cell`], used by the importer: removes the one quote it added.
pub fn restore_cell(v: &str) -> &str {
    match v.strip_prefix('\'') {
        Some(rest) if needs_quote(rest) => rest,
        _ => v,
    }
}

/// A whole record through [`neutralise_cell`].
pub fn neutralise_record<I, S>(cells: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    cells.into_iter().map(|c| neutralise_cell(c.as_ref()).into_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_cells_are_quoted_and_restored() {
        for v in ["=1+1", "+86", "-2", "@SUM(1,1)", "\tx", "\rx", "＝1", "＋1", "－1", "＠x", "'=x", "''+y"] {
            let n = neutralise_cell(v);
            assert!(n.starts_with('\''), "{v:?} → {n:?}");
            assert_eq!(restore_cell(&n), v);
        }
    }

    #[test]
    fn plain_cells_are_unchanged() {
        for v in ["", "张三", "010001", "'quoted", "a=b", "2020-01-01", "'"] {
            assert_eq!(neutralise_cell(v), v);
            assert_eq!(restore_cell(v), v);
        }
    }

    proptest::proptest! {
        #[test]
        fn round_trip(v in ".*") {
            let written = neutralise_cell(&v);
            proptest::prop_assert_eq!(restore_cell(&written), v.as_str());
        }
    }
}
