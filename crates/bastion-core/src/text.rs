//! Text rules shared by the parsers: Unicode normalisation and the characters a field refuses.

use unicode_normalization::UnicodeNormalization;

/// NFKC: full-width digits and letters (and other compatibility forms) folded to their plain form,
/// as officers typing on a phone's Chinese keyboard often enter `１３８…`.
pub fn nfkc(raw: &str) -> String {
    raw.nfkc().collect()
}

/// Characters that are invisible or change how text is shown: zero-width spaces and joiners, the
/// byte-order mark, soft hyphen, word joiner and the bidirectional controls.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FEFF}'
        | '\u{FFA0}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_and_spots_invisible_characters() {
        assert_eq!(nfkc("ＡＢ１２＋"), "AB12+");
        assert!(is_invisible('\u{200B}') && is_invisible('\u{FEFF}') && !is_invisible('a'));
    }
}
