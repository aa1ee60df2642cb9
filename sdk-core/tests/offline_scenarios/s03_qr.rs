//! Scenario S03: each text of `s03_qr.json` is rendered as a QR code, and reading the code back
//! yields the case's payload — from the module matrix and from the SVG, read with `rqrr` (a QR
//! detector and decoder) from greyscale images with the quiet zone. Bech32 payloads come back
//! upper-cased (see `etrid_core::qr`); an invoice read back decodes to the same invoice.

use etrid_core::clock::FixedClock;
use etrid_core::invoice::decode_invoice;
use etrid_core::network::Network;
use etrid_core::qr::{self, QrMatrix, QUIET_ZONE_MODULES, SVG_MODULE_SIZE};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::support::{self, Case, Expect};

const FILE: &str = include_str!("../../../tests/scenarios/s03_qr.json");

/// Pixels per module when drawing the matrix.
const SCALE: usize = 4;

/// The input of op `qr`: `text` repeated `repeat` times.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QrInput {
    text: String,
    repeat: usize,
}

/// Where a read-back invoice must decode: network, clock and the normalised invoice.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedInvoice {
    network: Network,
    now: u64,
    bolt11: String,
}

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

/// Runs op `qr`: renders the text both ways, reads both codes back and, for an invoice, decodes
/// what was read. The outcome is `{payload, width, invoice}` as the file writes it.
fn run(case: &Case) -> Result<Value, String> {
    if case.op != "qr" {
        support::unknown_op(case);
    }
    let input: QrInput = case.input();
    let text = input.text.repeat(input.repeat);
    let svg = qr::render_svg(&text);
    let matrix = match qr::encode_matrix(&text) {
        Ok(matrix) => matrix,
        Err(err) => {
            assert_eq!(svg.map_err(|e| e.code()), Err(err.code()), "{}", case.name);
            return Err(err.code().to_owned());
        }
    };
    let from_matrix = read_matrix(&matrix);
    assert_eq!(read_svg(&svg.unwrap()), from_matrix, "{}: SVG", case.name);
    // What the encoder says it puts in the code is what a scanner reads.
    assert_eq!(qr::qr_payload(&text), from_matrix, "{}", case.name);
    let invoice = match case.expected_ok()["invoice"].clone() {
        Value::Null => Value::Null,
        expected => {
            let expected: ExpectedInvoice = serde_json::from_value(expected).unwrap();
            let clock = FixedClock::from_unix_secs(expected.now);
            let scanned = decode_invoice(&from_matrix, expected.network, &clock).unwrap();
            assert_eq!(scanned.bolt11, expected.bolt11, "{}", case.name);
            // The scanned invoice is the original one, field for field.
            assert_eq!(
                decode_invoice(&text, expected.network, &clock),
                Ok(scanned.clone())
            );
            json!({ "network": scanned.network, "now": expected.now, "bolt11": scanned.bolt11 })
        }
    };
    Ok(json!({ "payload": from_matrix, "width": matrix.width, "invoice": invoice }))
}

#[test]
fn s03_qr_reads_back_as_the_payload_of_every_case() {
    let file = support::load(FILE, "S03");
    let ran = support::run_all(&file, run);
    assert_eq!(ran, file.cases.len());
}

#[test]
fn s03_bech32_payloads_are_the_upper_case_text() {
    let file = support::load(FILE, "S03");
    let mut bech32 = 0;
    for case in &file.cases {
        let Expect::Ok(expected) = &case.expect else {
            continue;
        };
        let text = case.input::<QrInput>().text;
        let payload = expected["payload"].as_str().unwrap();
        // Either the text exactly, or (bech32) the trimmed text in upper case.
        if payload != text {
            assert_eq!(payload, text.trim().to_ascii_uppercase(), "{}", case.name);
            assert!(payload.eq_ignore_ascii_case(text.trim()));
            bech32 += 1;
        }
    }
    assert!(bech32 > 0);
}
