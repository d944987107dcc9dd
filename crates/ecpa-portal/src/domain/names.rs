//! Whether a card's name (CN) and a personnel record's name are the same name written
//! differently: the ID last four digits bind a card to its owner, so the name never
//! refuses a card over how it is written (SPEC §5).
//!
//! Both names are folded, then compared: Unicode NFKC (full-width letters and spaces,
//! CJK compatibility ideographs such as U+F929 朗), the middle dots of aboriginal and
//! foreign names (`‧` `·` `・` `•`) as one, [`VARIANTS`], no whitespace, Latin letters
//! in upper case.

use unicode_normalization::UnicodeNormalization;

/// Variant characters written for one another in Taiwanese names and records, each with
/// the form it is compared as: 臺/台 in place names used as given names, and variants
/// that older records, Big5 extensions or Japanese fonts produce for common surnames
/// (黃 溫 吳) and given-name characters (峰 群 清 真 青 郎 啟 恆 衛 崑 柏 姍 …).
pub const VARIANTS: &[(char, char)] = &[
    ('臺', '台'),
    ('峯', '峰'),
    ('綫', '線'),
    ('裏', '裡'),
    ('箇', '個'),
    ('羣', '群'),
    ('黄', '黃'),
    ('温', '溫'),
    ('吴', '吳'),
    ('姗', '姍'),
    ('淸', '清'),
    ('眞', '真'),
    ('靑', '青'),
    ('郞', '郎'),
    ('啓', '啟'),
    ('鄕', '鄉'),
    ('爲', '為'),
    ('恒', '恆'),
    ('衞', '衛'),
    ('崐', '崑'),
    ('栢', '柏'),
];

/// Middle dots between the parts of a name, all compared as U+00B7 (after NFKC, which
/// already turns U+FF65 into U+30FB and U+0387 into U+00B7).
const MIDDLE_DOTS: &[char] = &['\u{2027}', '\u{30FB}', '\u{2022}', '\u{2219}', '\u{22C5}'];

fn fold_char(c: char) -> char {
    if MIDDLE_DOTS.contains(&c) {
        return '\u{B7}';
    }
    VARIANTS
        .iter()
        .find(|(variant, _)| *variant == c)
        .map_or(c, |(_, standard)| *standard)
}

/// The form a name is compared in.
pub fn folded(name: &str) -> String {
    name.nfkc()
        .filter(|c| !c.is_whitespace())
        .map(fold_char)
        .flat_map(char::to_uppercase)
        .collect()
}

/// The same name, however written.
pub fn same_name(a: &str, b: &str) -> bool {
    folded(a) == folded(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_written_differently_are_the_same_name() {
        let same = [
            ("王大明", "王大明"),
            (" 王大明 ", "王大明"),
            ("王　大明", "王大明"),
            ("陳明\u{F929}", "陳明朗"),
            ("林\u{F9B1}", "林鈴"),
            ("黄志峯", "黃志峰"),
            ("温淑眞", "溫淑真"),
            ("吴臺生", "吳台生"),
            ("張啓恒", "張啟恆"),
            ("李美姗", "李美姍"),
            ("林志羣", "林志群"),
            ("Ｗａｎｇ Ｔａ－ｍｉｎｇ", "WANG TA-MING"),
            ("Bauki Angaw", "BAUKI ANGAW"),
            ("瓦歷斯‧諾幹", "瓦歷斯·諾幹"),
            ("瓦歷斯・諾幹", "瓦歷斯 · 諾幹"),
            ("瓦歷斯\u{FF65}諾幹", "瓦歷斯•諾幹"),
        ];
        for (card, record) in same {
            assert!(same_name(card, record), "{card} / {record}");
        }
    }

    #[test]
    fn different_names_stay_different() {
        let different = [
            ("王大明", "王小明"),
            ("王大明", "王大明明"),
            ("瓦歷斯‧諾幹", "瓦歷斯諾幹"),
            ("黃志峰", "黃志鋒"),
            ("", "王大明"),
        ];
        for (card, record) in different {
            assert!(!same_name(card, record), "{card} / {record}");
        }
    }

    #[test]
    fn the_table_maps_variants_to_forms_it_does_not_map_again() {
        for (variant, standard) in VARIANTS {
            assert_ne!(variant, standard);
            assert_eq!(fold_char(*standard), *standard, "{standard}");
            assert_eq!(folded(&variant.to_string()), standard.to_string());
        }
    }
}
