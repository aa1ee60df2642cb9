//! Scenario S03: a QR code rendered for an invoice reads back as the same string.
//!
//! The codes are read with `rqrr`, a QR detector and decoder, from greyscale images drawn from
//! the module matrix and from the SVG's rectangles, quiet zone included. Bech32 payloads come
//! back upper-cased (see `etrid_core::qr`): BOLT11 and LNURL are case-insensitive, so those are
//! compared ignoring ASCII case; everything else must come back byte for byte.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test crate: failing loudly is the point

use etrid_core::qr::{self, QrMatrix, QUIET_ZONE_MODULES, SVG_MODULE_SIZE};

/// BOLT11 spec example: 2500 µBTC for '1 cup coffee'.
const INVOICE: &str = "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpu9qrsgquk0rl77nj30yxdy8j9vdx85fkpmdla2087ne0xh8nhedh8w27kyke0lp53ut353s06fv3qfegext0eh0ymjpf39tuven09sam30g4vgpfna3rh";
/// BOLT11 spec example with a two-hop route hint and a fallback address (a longer code).
const INVOICE_WITH_ROUTE: &str = "lnbc20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqsfpp3qjmp7lwpagxun9pygexvgpjdc4jdj85fr9yq20q82gphp2nflc7jtzrcazrra7wwgzxqc8u7754cdlpfrmccae92qgzqvzq2ps8pqqqqqqpqqqqq9qqqvpeuqafqxu92d8lr6fvg0r5gv0heeeqgcrqlnm6jhphu9y00rrhy4grqszsvpcgpy9qqqqqqgqqqqq7qqzq9qrsgqdfjcdk6w3ak5pca9hwfwfh63zrrz06wwfya0ydlzpgzxkn5xagsqz7x9j4jwe7yj7vaf2k9lqsdk45kts2fd0fkr28am0u4w95tt2nsq76cqw0";
/// LUD-01's example LNURL.
const LNURL: &str = "LNURL1DP68GURN8GHJ7UM9WFMXJCM99E3K7MF0V9CXJ0M385EKVCENXC6R2C35XVUKXEFCV5MKVV34X5EKZD3EV56NYD3HXQURZEPEXEJXXEPNXSCRVWFNV9NXZCN9XQ6XYEFHVGCXXCMYXYMNSERXFQ5FNS";
/// A BIP21 URI with a mixed-case query: encoded as is.
const BIP21: &str = "bitcoin:BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4?amount=0.001&label=Caf%C3%A9&lightning=LNBC2500U1";

/// Pixels per module when drawing the matrix.
const SCALE: usize = 4;

/// Finds and decodes the one QR code in a greyscale image (0 = black, 255 = white).
fn read_image(side: usize, pixel: impl Fn(usize, usize) -> bool) -> String {
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(
            side,
            side,
            |x, y| {
                if pixel(x, y) {
                    0
                } else {
                    255
                }
            },
        );
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().expect("the code decodes").1
}

/// Reads a module matrix drawn with a quiet zone, [`SCALE`] pixels per module.
fn read_matrix(matrix: &QrMatrix) -> String {
    let qz = QUIET_ZONE_MODULES as usize;
    let side = (matrix.width as usize + 2 * qz) * SCALE;
    read_image(side, |x, y| {
        let (mx, my) = (x / SCALE, y / SCALE);
        mx >= qz && my >= qz && matrix.is_dark((mx - qz) as u32, (my - qz) as u32)
    })
}

/// Rasterises the rectangles of an SVG from `render_svg`, one pixel per SVG unit.
fn read_svg(svg: &str) -> String {
    let side: usize = svg
        .split("width=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .parse()
        .unwrap();
    let mut dark = vec![false; side * side];
    let path = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    for rect in path.split('M').filter(|r| !r.is_empty()) {
        let numbers: Vec<usize> = rect
            .split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .map(|n| n.parse().unwrap())
            .collect();
        let (left, top, w, h) = (numbers[0], numbers[1], numbers[2], numbers[3]);
        for y in top..top + h {
            for x in left..left + w {
                dark[y * side + x] = true;
            }
        }
    }
    assert_eq!(side % SVG_MODULE_SIZE as usize, 0);
    read_image(side, |x, y| dark[y * side + x])
}

#[test]
fn s03_qr_reads_back_same_string() {
    let prefixed = format!("lightning:{INVOICE}");
    for text in [INVOICE, INVOICE_WITH_ROUTE, prefixed.as_str(), LNURL] {
        let matrix = qr::encode_matrix(text).unwrap();
        let from_matrix = read_matrix(&matrix);
        let from_svg = read_svg(&qr::render_svg(text).unwrap());
        // Bech32 is case-insensitive; the code carries the upper-case form.
        assert!(
            from_matrix.eq_ignore_ascii_case(text),
            "{from_matrix} != {text}"
        );
        assert_eq!(from_matrix, text.to_ascii_uppercase());
        assert_eq!(from_svg, from_matrix);
    }
    let matrix = qr::encode_matrix(BIP21).unwrap();
    assert_eq!(read_matrix(&matrix), BIP21);
    assert_eq!(read_svg(&qr::render_svg(BIP21).unwrap()), BIP21);
}

#[test]
fn s03_decoded_invoice_from_qr_matches_the_original() {
    use etrid_core::clock::FixedClock;
    use etrid_core::invoice::decode_invoice;
    use etrid_core::network::Network;

    let clock = FixedClock::from_unix_secs(1_496_314_658);
    let scanned = read_matrix(&qr::encode_matrix(&format!("lightning:{INVOICE}")).unwrap());
    let original = decode_invoice(INVOICE, Network::Bitcoin, &clock).unwrap();
    assert_eq!(
        decode_invoice(&scanned, Network::Bitcoin, &clock).unwrap(),
        original
    );
}
