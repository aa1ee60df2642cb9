//! QR codes as Godot textures: the core's module matrix drawn as RGBA8 pixels (black modules
//! on white, with the quiet zone), then uploaded as an `ImageTexture` a `TextureRect` shows.
//! Drawing is plain Rust and tested; only the upload touches the engine.

use etrid_core::qr::{encode_matrix, qr_payload, QUIET_ZONE_MODULES};
use godot::classes::image::Format;
use godot::classes::{Image, ImageTexture};
use godot::prelude::*;

/// Pixels per module at most: a 177-module code (version 40) stays under 8,192 pixels a side.
pub const MAX_MODULE_PIXELS: u32 = 32;

/// A QR code drawn as RGBA8 pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrPixels {
    /// Pixels per side (the image is square).
    pub size: u32,
    /// `size * size * 4` bytes, row by row: R, G, B, A.
    pub rgba: Vec<u8>,
}

/// Draws `text` (upper-cased first when it is a bech32 invoice or LNURL, so the code is
/// smaller) at `module_pixels` pixels per module (1 to [`MAX_MODULE_PIXELS`]).
///
/// # Errors
/// What is wrong, for an empty or over-long text or a module size out of range.
pub fn qr_pixels(text: &str, module_pixels: u32) -> Result<QrPixels, String> {
    if !(1..=MAX_MODULE_PIXELS).contains(&module_pixels) {
        return Err(format!(
            "module_pixels must be 1 to {MAX_MODULE_PIXELS}, not {module_pixels}"
        ));
    }
    let matrix = encode_matrix(&qr_payload(text)).map_err(|e| e.to_string())?;
    let modules = matrix.width + 2 * QUIET_ZONE_MODULES;
    let size = modules * module_pixels;
    let side = usize::try_from(size).map_err(|e| e.to_string())?;
    let mut rgba = Vec::with_capacity(side * side * 4);
    for y in 0..size {
        for x in 0..size {
            let module_x = (x / module_pixels).checked_sub(QUIET_ZONE_MODULES);
            let module_y = (y / module_pixels).checked_sub(QUIET_ZONE_MODULES);
            let dark = match (module_x, module_y) {
                (Some(mx), Some(my)) => matrix.is_dark(mx, my),
                _ => false,
            };
            let shade = if dark { 0 } else { 255 };
            rgba.extend_from_slice(&[shade, shade, shade, 255]);
        }
    }
    Ok(QrPixels { size, rgba })
}

/// `text` as a QR code texture, `module_pixels` pixels per module; the reason when it cannot
/// be drawn.
pub(crate) fn qr_texture(text: &str, module_pixels: u32) -> Result<Gd<ImageTexture>, String> {
    let pixels = qr_pixels(text, module_pixels)?;
    let size = i32::try_from(pixels.size).map_err(|e| e.to_string())?;
    let data = PackedByteArray::from(pixels.rgba.as_slice());
    let image = Image::create_from_data(size, size, false, Format::RGBA8, &data)
        .ok_or_else(|| "Godot refused the image".to_owned())?;
    ImageTexture::create_from_image(&image).ok_or_else(|| "Godot refused the texture".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_square_black_on_white_with_its_quiet_zone() {
        let pixels = qr_pixels("lnbc1", 4).unwrap();
        let matrix = encode_matrix(&qr_payload("lnbc1")).unwrap();
        assert_eq!(pixels.size, (matrix.width + 2 * QUIET_ZONE_MODULES) * 4);
        assert_eq!(pixels.rgba.len(), (pixels.size * pixels.size * 4) as usize);
        let at = |x: u32, y: u32| pixels.rgba[((y * pixels.size + x) * 4) as usize];
        // The quiet zone is light; the finder pattern's corner module is dark.
        assert_eq!(at(0, 0), 255);
        let corner = QUIET_ZONE_MODULES * 4;
        assert_eq!(at(corner, corner), 0);
        assert!(matrix.is_dark(0, 0));
        // Every pixel is opaque black or white.
        assert!(pixels
            .rgba
            .chunks(4)
            .all(|p| (p == [0, 0, 0, 255]) || (p == [255, 255, 255, 255])));
    }

    #[test]
    fn bad_input_is_refused_with_what_is_wrong() {
        assert!(qr_pixels("", 4).unwrap_err().contains("empty"));
        assert!(qr_pixels("x", 0).unwrap_err().contains("module_pixels"));
        assert!(qr_pixels("x", MAX_MODULE_PIXELS + 1)
            .unwrap_err()
            .contains("module_pixels"));
    }
}
