//! Unit tests of QR encoding: matrix shape, error-correction level, and that the SVG, byte and
//! terminal forms all show the same modules. What each text's code carries and that it reads
//! back is scenario S03, run over `tests/scenarios/s03_qr.json` by the `offline_scenarios`
//! integration test; the texts here are taken from that file.

use std::sync::LazyLock;

use proptest::prelude::*;
use qrcode::QrCode;

use super::*;

/// Scenario S03's texts by case name.
static S03: LazyLock<serde_json::Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../../tests/scenarios/s03_qr.json")).unwrap()
});

/// The text of S03's case `name`.
fn s03_text(name: &str) -> &'static str {
    S03["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|case| case["name"] == name)
        .and_then(|case| case["input"]["text"].as_str())
        .unwrap_or_else(|| panic!("no S03 case {name}"))
}

/// BOLT11 spec example: 2500 µBTC for '1 cup coffee'.
fn invoice() -> &'static str {
    s03_text("coffee")
}

/// LUD-01's example LNURL.
fn lnurl() -> &'static str {
    s03_text("lnurl_upper")
}

#[test]
fn upper_case_makes_a_smaller_code() {
    let ours = encode_matrix(invoice()).unwrap();
    let byte_mode = QrCode::with_error_correction_level(invoice(), EcLevel::M).unwrap();
    assert!(ours.width < u32::try_from(byte_mode.width()).unwrap());
}

#[test]
fn matrix_has_the_shape_of_a_qr_code() {
    let matrix = encode_matrix(invoice()).unwrap();
    assert_eq!((matrix.width - 17) % 4, 0, "width = 17 + 4 * version");
    assert_eq!(matrix.modules.len(), (matrix.width * matrix.width) as usize);
    // The three finder patterns: dark ring, light ring, dark 3x3 centre.
    let last = matrix.width - 7;
    for (x0, y0) in [(0, 0), (last, 0), (0, last)] {
        assert!(matrix.is_dark(x0, y0) && matrix.is_dark(x0 + 6, y0 + 6));
        assert!(!matrix.is_dark(x0 + 1, y0 + 1) && !matrix.is_dark(x0 + 5, y0 + 1));
        assert!(matrix.is_dark(x0 + 3, y0 + 3));
    }
    assert!(!matrix.is_dark(matrix.width, 0) && !matrix.is_dark(0, u32::MAX));
    // Inconsistent hand-made matrices do not panic.
    let broken = QrMatrix {
        width: 5,
        modules: vec![true; 3],
    };
    assert!(broken.is_dark(2, 0) && !broken.is_dark(3, 0) && !broken.is_dark(4, 4));
    assert_eq!(broken.to_terminal_string().lines().count(), 7);
}

#[test]
fn bytes_match_the_matrix() {
    let matrix = encode_matrix("hello").unwrap();
    let bytes = matrix.to_bytes();
    assert_eq!(bytes.len(), matrix.modules.len());
    for y in 0..matrix.width {
        for x in 0..matrix.width {
            let byte = bytes[(y * matrix.width + x) as usize];
            assert_eq!(byte, u8::from(matrix.is_dark(x, y)));
        }
    }
    assert!(bytes.iter().all(|&b| b <= 1));
}

/// Reads a terminal rendering back into (side, dark modules with the quiet zone).
fn read_terminal(text: &str, ink_is_dark: bool) -> (usize, Vec<Vec<bool>>) {
    let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
    let side = lines[0].len();
    let mut rows = vec![vec![false; side]; lines.len() * 2];
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line.len(), side);
        for (x, c) in line.iter().enumerate() {
            let (top, bottom) = match c {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                ' ' => (false, false),
                other => panic!("unexpected {other:?}"),
            };
            rows[2 * i][x] = top == ink_is_dark;
            rows[2 * i + 1][x] = bottom == ink_is_dark;
        }
    }
    rows.truncate(side);
    (side, rows)
}

#[test]
fn terminal_strings_match_the_matrix() {
    let matrix = encode_matrix(invoice()).unwrap();
    let qz = QUIET_ZONE_MODULES as usize;
    for (text, ink_is_dark) in [
        (matrix.to_terminal_string(), true),
        (matrix.to_terminal_string_inverted(), false),
    ] {
        assert!(text.ends_with('\n'));
        let (side, rows) = read_terminal(&text, ink_is_dark);
        assert_eq!(side, matrix.width as usize + 2 * qz);
        assert_eq!(text.lines().count(), side.div_ceil(2));
        for (y, row) in rows.iter().enumerate() {
            for (x, &dark) in row.iter().enumerate() {
                let inside = (qz..qz + matrix.width as usize).contains(&x)
                    && (qz..qz + matrix.width as usize).contains(&y);
                let expected = inside && matrix.is_dark((x - qz) as u32, (y - qz) as u32);
                assert_eq!(dark, expected, "module ({x}, {y})");
            }
        }
    }
}

/// The dark modules an SVG from [`render_svg`] draws, as (x, y) in module units without the
/// quiet zone, and the document's width attribute.
fn svg_dark_modules(svg: &str) -> (u32, Vec<(u32, u32)>) {
    let width: u32 = svg
        .split("width=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .parse()
        .unwrap();
    let path = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let mut modules = Vec::new();
    for rect in path.split('M').filter(|r| !r.is_empty()) {
        // "{left} {top}h{w}v{h}H{left}V{top}"
        let (left, rest) = rect.split_once(' ').unwrap();
        let (top, rest) = rest.split_once('h').unwrap();
        let (w, rest) = rest.split_once('v').unwrap();
        let (h, _) = rest.split_once('H').unwrap();
        let [left, top, w, h]: [u32; 4] = [left, top, w, h].map(|n| n.parse().unwrap());
        assert_eq!((w, h), (SVG_MODULE_SIZE, SVG_MODULE_SIZE));
        let (x, y) = (left / SVG_MODULE_SIZE, top / SVG_MODULE_SIZE);
        modules.push((x - QUIET_ZONE_MODULES, y - QUIET_ZONE_MODULES));
    }
    (width, modules)
}

#[test]
fn svg_draws_exactly_the_dark_modules() {
    for text in [invoice(), "hello", lnurl()] {
        let svg = render_svg(text).unwrap();
        assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<svg").count(), 1);
        let matrix = encode_matrix(text).unwrap();
        let (width, mut drawn) = svg_dark_modules(&svg);
        assert_eq!(
            width,
            (matrix.width + 2 * QUIET_ZONE_MODULES) * SVG_MODULE_SIZE
        );
        let mut expected: Vec<(u32, u32)> = (0..matrix.width)
            .flat_map(|y| (0..matrix.width).map(move |x| (x, y)))
            .filter(|&(x, y)| matrix.is_dark(x, y))
            .collect();
        drawn.sort_unstable();
        expected.sort_unstable();
        assert_eq!(drawn, expected);
    }
}

#[test]
fn long_text_switches_to_level_l() {
    // About 1,500 alphanumeric characters: past version 25 at level M.
    let long = "A".repeat(1500);
    let at_m = QrCode::with_error_correction_level(&long, EcLevel::M).unwrap();
    assert!(at_m.width() > 17 + 4 * 25);
    let ours = encode_matrix(&long).unwrap();
    assert!((ours.width as usize) < at_m.width());
    // Short text stays at M.
    let short =
        QrCode::with_error_correction_level(invoice().to_ascii_uppercase(), EcLevel::M).unwrap();
    assert_eq!(
        encode_matrix(invoice()).unwrap().width as usize,
        short.width()
    );
}

#[test]
fn refuses_empty_and_oversized_text() {
    assert_eq!(encode_matrix(""), Err(QrError::Empty));
    assert_eq!(render_svg(""), Err(QrError::Empty));
    let huge = "é".repeat(2000);
    assert_eq!(
        encode_matrix(&huge),
        Err(QrError::DataTooLong { length: 4000 })
    );
    assert_eq!(QrError::Empty.code(), "qr_empty");
    assert_eq!(
        crate::Error::from(QrError::DataTooLong { length: 1 }).code(),
        "qr_data_too_long"
    );
    assert_eq!(
        QrError::Encoding {
            detail: String::new()
        }
        .code(),
        "qr_encoding_failed"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn encoding_never_panics(text in proptest::collection::vec(any::<char>(), 0..1200)) {
        let text: String = text.into_iter().collect();
        if let Ok(matrix) = encode_matrix(&text) {
            prop_assert_eq!(matrix.modules.len(), (matrix.width * matrix.width) as usize);
            prop_assert!((21..=177).contains(&matrix.width));
        }
    }
}
