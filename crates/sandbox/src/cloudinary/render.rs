//! Making a derived image for real with the `image` crate: decode the original, apply each step's
//! [`Op`](super::transform::Op) (nearest-neighbour resizing, centre crops), encode in the format
//! asked for. Blocking: call it from `spawn_blocking`.

use super::transform::{self, Chain};
use image::{DynamicImage, ImageFormat};
use std::io::Cursor;

/// A rendered image.
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// `jpg`, `png` or `gif`.
    pub format: String,
}

/// An original decoded once, for several renderings (an upload's eager variants).
pub struct Decoded {
    img: DynamicImage,
    /// The original's format as an extension (`jpg`, `png`, `gif`).
    source: String,
}

/// Decodes an original image.
pub fn decode(original: &[u8]) -> Result<Decoded, String> {
    let img = image::load_from_memory(original).map_err(|e| format!("Invalid image file ({e})"))?;
    let source = image::guess_format(original)
        .ok()
        .and_then(|f| f.extensions_str().first().copied())
        .map(|e| if e == "jpeg" { "jpg" } else { e })
        .unwrap_or("jpg")
        .to_string();
    Ok(Decoded { img, source })
}

/// Renders `chain` on the image `original`, into `format` when given (else the chain's format,
/// else the original's).
pub fn render(original: &[u8], chain: &Chain, format: Option<&str>) -> Result<Rendered, String> {
    render_decoded(&decode(original)?, chain, format)
}

/// [`render`] on an original decoded already.
pub fn render_decoded(decoded: &Decoded, chain: &Chain, format: Option<&str>) -> Result<Rendered, String> {
    let mut img = decoded.img.clone();
    let mut quality = 90u8;
    let mut chosen = chain.format.clone();
    for step in &chain.steps {
        if let Some(op) = transform::op(step, img.width(), img.height()) {
            img = apply(img, op);
        }
        if let Some(f) = &step.format {
            chosen = Some(f.clone());
        }
        if let Some(q) = step.quality {
            quality = q;
        }
    }
    let format = format
        .map(str::to_string)
        .or(chosen)
        .unwrap_or_else(|| decoded.source.clone());
    let bytes = encode(&img, &format, quality)?;
    Ok(Rendered {
        width: img.width(),
        height: img.height(),
        bytes,
        format,
    })
}

fn apply(img: DynamicImage, op: transform::Op) -> DynamicImage {
    use image::imageops::FilterType::Nearest;
    match op {
        transform::Op::Scale(w, h) => img.resize_exact(w, h, Nearest),
        transform::Op::Fill(w, h) => img.resize_to_fill(w, h, Nearest),
        transform::Op::Crop(w, h) => {
            let (x, y) = ((img.width() - w) / 2, (img.height() - h) / 2);
            img.crop_imm(x, y, w, h)
        }
    }
}

fn encode(img: &DynamicImage, format: &str, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Cursor::new(Vec::new());
    match format {
        "jpg" | "jpeg" => {
            let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
            rgb.write_with_encoder(encoder).map_err(|e| e.to_string())?;
        }
        "png" => img.write_to(&mut out, ImageFormat::Png).map_err(|e| e.to_string())?,
        "gif" => DynamicImage::ImageRgba8(img.to_rgba8())
            .write_to(&mut out, ImageFormat::Gif)
            .map_err(|e| e.to_string())?,
        other => return Err(format!("Invalid extension {other} for an image")),
    }
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fill_crop_gives_the_exact_size_and_a_decodable_file() {
        let jpeg = schedulo_media::synth::jpeg(160, 120);
        let chain = transform::parse("ar_4:5,c_fill,g_auto,w_108", &|_| None).unwrap();
        let out = render(&jpeg, &chain, None).unwrap();
        assert_eq!((out.width, out.height, out.format.as_str()), (108, 135, "jpg"));
        let back = image::load_from_memory(&out.bytes).unwrap();
        assert_eq!((back.width(), back.height()), (108, 135));
        let png = render(&jpeg, &chain, Some("png")).unwrap();
        assert_eq!(image::guess_format(&png.bytes).unwrap(), ImageFormat::Png);
        assert!(render(b"not an image", &chain, None).is_err());
    }
}
