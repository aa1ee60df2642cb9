//! Printable sheets of QR cards: vouchers, prizes, tickets. Each page is a standalone SVG
//! document sized as an A4 sheet in millimetres (`width="210mm" height="297mm"`), so a browser
//! prints it, or saves it as PDF, at true size; 12 cards a page (3 × 4, each 70 × 74.25 mm)
//! with dashed cut lines, a QR code 44 mm wide (with its quiet zone), a title and a subtitle.
//! The codes carry the same payload [`super::render_svg`] would (bech32 upper-cased).

use super::{encode_matrix, qr_payload, QrError, QUIET_ZONE_MODULES};

/// Cards on a page: columns.
pub const SHEET_COLUMNS: usize = 3;
/// Cards on a page: rows.
pub const SHEET_ROWS: usize = 4;
/// A4 in millimetres.
const PAGE_WIDTH_MM: f64 = 210.0;
const PAGE_HEIGHT_MM: f64 = 297.0;
/// The QR code's side on paper, quiet zone included, in millimetres.
const CODE_MM: f64 = 44.0;

/// One card of a sheet: what its code carries and the two lines printed under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SheetCard<'a> {
    /// The code's text (an LNURL, an invoice, a URL).
    pub payload: &'a str,
    /// The first line, large (say, the amount: "5000 sat").
    pub title: &'a str,
    /// The second line, small (say, "valid until 2027-01-31 UTC").
    pub subtitle: &'a str,
}

/// Escapes text for SVG character data.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The card at `(x, y)` mm (its top-left corner), `width` × `height` mm.
fn card_svg(
    card: &SheetCard<'_>,
    x: f64,
    y: f64,
    width: f64,
    height: f64,
) -> Result<String, QrError> {
    let matrix = encode_matrix(&qr_payload(card.payload))?;
    let side = matrix.width + 2 * QUIET_ZONE_MODULES;
    let module = CODE_MM / f64::from(side);
    let left = x + (width - CODE_MM) / 2.0;
    let top = y + 6.0;
    let mut path = String::new();
    for row in 0..matrix.width {
        for col in 0..matrix.width {
            if matrix.is_dark(col, row) {
                path.push_str(&format!(
                    "M{} {}h1v1h-1z",
                    col + QUIET_ZONE_MODULES,
                    row + QUIET_ZONE_MODULES
                ));
            }
        }
    }
    let center = x + width / 2.0;
    Ok(format!(
        concat!(
            "<g>",
            "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{h:.2}\" fill=\"none\" ",
            "stroke=\"#999\" stroke-width=\"0.2\" stroke-dasharray=\"2 2\"/>",
            "<g transform=\"translate({left:.3} {top:.3}) scale({module:.5})\">",
            "<rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>",
            "<path d=\"{path}\" fill=\"#000\" shape-rendering=\"crispEdges\"/></g>",
            "<text x=\"{center:.2}\" y=\"{title_y:.2}\" font-size=\"6\" font-weight=\"bold\" ",
            "text-anchor=\"middle\">{title}</text>",
            "<text x=\"{center:.2}\" y=\"{sub_y:.2}\" font-size=\"3.2\" ",
            "text-anchor=\"middle\" fill=\"#333\">{subtitle}</text>",
            "</g>"
        ),
        x = x,
        y = y,
        w = width,
        h = height,
        left = left,
        top = top,
        module = module,
        side = side,
        path = path,
        center = center,
        title_y = top + CODE_MM + 9.0,
        sub_y = top + CODE_MM + 15.0,
        title = escape(card.title),
        subtitle = escape(card.subtitle),
    ))
}

/// Lays `cards` out on A4 pages, 12 a page, in order; one SVG document per page (none for no
/// cards).
///
/// # Errors
/// A card whose payload cannot be a QR code ([`QrError`]).
pub fn render_sheets_svg(cards: &[SheetCard<'_>]) -> Result<Vec<String>, QrError> {
    let width = PAGE_WIDTH_MM / SHEET_COLUMNS as f64;
    let height = PAGE_HEIGHT_MM / SHEET_ROWS as f64;
    let per_page = SHEET_COLUMNS * SHEET_ROWS;
    cards
        .chunks(per_page)
        .map(|page| {
            let mut body = String::new();
            for (i, card) in page.iter().enumerate() {
                let x = (i % SHEET_COLUMNS) as f64 * width;
                let y = (i / SHEET_COLUMNS) as f64 * height;
                body.push_str(&card_svg(card, x, y, width, height)?);
            }
            Ok(format!(
                concat!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"210mm\" height=\"297mm\" ",
                    "viewBox=\"0 0 210 297\" font-family=\"Helvetica, Arial, sans-serif\">",
                    "<rect width=\"210\" height=\"297\" fill=\"#fff\"/>{body}</svg>"
                ),
                body = body
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LNURL: &str = "LNURL1DP68GURN8GHJ7UM9WFMXJCM99E3K7MF0V9CXJ0M385EKVCENXC6R2C35XVUKXEFCV5MKVV34X5EKZD3EV56NYD3HXQURZEPEXEJXXEPNXSCRVWFNV9NXZCN9XQ6XYEFHVGCXXCMYXYMNSERXFQ5FNS";

    fn cards(n: usize) -> Vec<SheetCard<'static>> {
        vec![
            SheetCard {
                payload: LNURL,
                title: "5000 sat",
                subtitle: "valid until 2027-01-31 UTC <& more>",
            };
            n
        ]
    }

    #[test]
    fn s23_cards_fill_a4_pages_twelve_at_a_time() {
        assert!(render_sheets_svg(&[]).unwrap().is_empty());
        let pages = render_sheets_svg(&cards(25)).unwrap();
        assert_eq!(pages.len(), 3);
        for page in &pages {
            assert!(page.starts_with("<?xml"));
            assert!(page.contains("width=\"210mm\" height=\"297mm\""));
        }
        assert_eq!(pages[0].matches("<path").count(), 12);
        assert_eq!(pages[2].matches("<path").count(), 1);
        // Text is escaped, never markup.
        assert!(pages[0].contains("&lt;&amp; more&gt;"));
    }

    #[test]
    fn s23_each_code_draws_exactly_the_dark_modules_of_the_payload() {
        let page = render_sheets_svg(&cards(1)).unwrap().remove(0);
        let matrix = encode_matrix(&qr_payload(LNURL)).unwrap();
        let dark = (0..matrix.width)
            .flat_map(|r| (0..matrix.width).map(move |c| (c, r)))
            .filter(|(c, r)| matrix.is_dark(*c, *r))
            .count();
        assert_eq!(page.matches("h1v1h-1z").count(), dark);
    }

    #[test]
    fn a_payload_too_long_is_a_typed_error() {
        let long = "x".repeat(8_000);
        let card = SheetCard {
            payload: &long,
            title: "",
            subtitle: "",
        };
        assert!(matches!(
            render_sheets_svg(&[card]),
            Err(QrError::DataTooLong { .. })
        ));
    }
}
