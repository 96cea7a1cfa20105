//! Transformation strings: parsing (`ar_4:5,c_fill,g_auto,w_1080/q_auto/f_auto`, with `t_<name>`
//! expanded) and what a chain does to a file's size, format and duration. Pure: [`super::render`]
//! applies the result to pixels.
//!
//! Geometry as Cloudinary documents it: `w`/`h` with `ar` give the missing side (rounded); one side
//! alone keeps the source's aspect; `ar` alone takes the largest region of that aspect. `c_scale`
//! (the default) resizes to exactly that; `c_fill`/`c_lfill`/`c_thumb` cover then crop to it;
//! `c_fit` fits inside it; `c_limit` fits only when larger; `c_crop` cuts that region unscaled.

use std::fmt;

/// A component that is not understood: 400 `Invalid transformation component - {0}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Invalid transformation component - {}", self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crop {
    Scale,
    Fill,
    Fit,
    Limit,
    Crop,
}

/// One step (the parameters between two `/`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Step {
    pub aspect: Option<f64>,
    pub crop: Option<Crop>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// JPEG quality; `q_auto` is 80.
    pub quality: Option<u8>,
    /// `f_jpg` and so on; `None` for `f_auto` (the original format).
    pub format: Option<String>,
    pub duration: Option<f64>,
    pub start_offset: Option<f64>,
    pub end_offset: Option<f64>,
    /// The parameters as the Admin API's `info` lists them.
    pub info: serde_json::Map<String, serde_json::Value>,
}

/// A parsed chain: its steps and the format a trailing `/ext` gives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chain {
    pub steps: Vec<Step>,
    pub format: Option<String>,
}

/// Formats a chain may end in or `f_` may name.
const FORMATS: [&str; 7] = ["jpg", "jpeg", "png", "gif", "webp", "mp4", "mov"];

/// Parses `text`; `named` gives a named transformation's string (without `t_`).
pub fn parse(text: &str, named: &dyn Fn(&str) -> Option<String>) -> Result<Chain, Invalid> {
    parse_depth(text, named, 0)
}

fn parse_depth(text: &str, named: &dyn Fn(&str) -> Option<String>, depth: u8) -> Result<Chain, Invalid> {
    let mut chain = Chain::default();
    let parts: Vec<&str> = text.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() {
            continue;
        }
        let last = i + 1 == parts.len();
        if last && !part.contains('_') && FORMATS.contains(&part.to_ascii_lowercase().as_str()) {
            chain.format = Some(normal_format(part));
            continue;
        }
        let mut step = Step::default();
        for component in part.split(',') {
            if let Some(name) = component.strip_prefix("t_") {
                let inner = named(name)
                    .filter(|_| depth < 4)
                    .ok_or_else(|| Invalid(component.into()))?;
                let mut sub = parse_depth(&inner, named, depth + 1)?;
                chain.steps.append(&mut sub.steps);
                chain.format = sub.format.or(chain.format.take());
                continue;
            }
            component_into(component, &mut step)?;
        }
        if step != Step::default() {
            chain.steps.push(step);
        }
    }
    Ok(chain)
}

fn normal_format(f: &str) -> String {
    match f.to_ascii_lowercase().as_str() {
        "jpeg" => "jpg".into(),
        other => other.into(),
    }
}

fn component_into(component: &str, step: &mut Step) -> Result<(), Invalid> {
    let bad = || Invalid(component.to_string());
    let (key, value) = component.split_once('_').ok_or_else(bad)?;
    let px = |v: &str| v.parse::<u32>().ok().filter(|n| (1..=25_000).contains(n));
    let secs = |v: &str| {
        v.trim_end_matches('s')
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
    };
    let info_key;
    match key {
        "ar" => {
            step.aspect = Some(aspect(value).ok_or_else(bad)?);
            info_key = "aspect_ratio";
        }
        "c" => {
            step.crop = Some(match value {
                "scale" => Crop::Scale,
                "fill" | "lfill" | "thumb" => Crop::Fill,
                "fit" => Crop::Fit,
                "limit" => Crop::Limit,
                "crop" => Crop::Crop,
                _ => return Err(bad()),
            });
            info_key = "crop";
        }
        "g" => {
            if value.is_empty() {
                return Err(bad());
            }
            info_key = "gravity";
        }
        "w" => {
            step.width = Some(px(value).ok_or_else(bad)?);
            info_key = "width";
        }
        "h" => {
            step.height = Some(px(value).ok_or_else(bad)?);
            info_key = "height";
        }
        "q" => {
            step.quality = Some(match value {
                "auto" | "auto:good" | "auto:best" | "auto:eco" | "auto:low" => 80,
                n => n.parse().ok().filter(|q| (1..=100).contains(q)).ok_or_else(bad)?,
            });
            info_key = "quality";
        }
        "f" => {
            step.format = match value {
                "auto" => None,
                f if FORMATS.contains(&f) => Some(normal_format(f)),
                _ => return Err(bad()),
            };
            info_key = "fetch_format";
        }
        "vc" => {
            if !matches!(value, "h264" | "h265" | "auto" | "vp9" | "none") && !value.starts_with("h264:") {
                return Err(bad());
            }
            info_key = "video_codec";
        }
        "ac" => {
            if value.is_empty() {
                return Err(bad());
            }
            info_key = "audio_codec";
        }
        "du" => {
            step.duration = Some(secs(value).ok_or_else(bad)?);
            info_key = "duration";
        }
        "so" => {
            step.start_offset = Some(secs(value).ok_or_else(bad)?);
            info_key = "start_offset";
        }
        "eo" => {
            step.end_offset = Some(secs(value).ok_or_else(bad)?);
            info_key = "end_offset";
        }
        _ => return Err(bad()),
    }
    let shown = match key {
        "w" | "h" | "q" => value
            .parse::<u64>()
            .map(serde_json::Value::from)
            .unwrap_or_else(|_| value.into()),
        _ => value.into(),
    };
    step.info.insert(info_key.into(), shown);
    Ok(())
}

/// `4:5` -> 0.8, `1.91` -> 1.91.
fn aspect(v: &str) -> Option<f64> {
    let a = match v.split_once(':') {
        Some((w, h)) => w.parse::<f64>().ok()? / h.parse::<f64>().ok()?,
        None => v.parse().ok()?,
    };
    (a.is_finite() && a > 0.0).then_some(a)
}

/// What one step does to the pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Resize to exactly this.
    Scale(u32, u32),
    /// Cover this size, then crop the centre to it.
    Fill(u32, u32),
    /// Cut a region this size from the centre, unscaled.
    Crop(u32, u32),
}

impl Op {
    pub fn size(self) -> (u32, u32) {
        match self {
            Op::Scale(w, h) | Op::Fill(w, h) | Op::Crop(w, h) => (w, h),
        }
    }
}

fn round(x: f64) -> u32 {
    (x.round() as u32).max(1)
}

/// The operation a step does on a `w x h` source, if it changes the size.
pub fn op(step: &Step, w: u32, h: u32) -> Option<Op> {
    let (sw, sh) = (f64::from(w.max(1)), f64::from(h.max(1)));
    let (tw, th) = match (step.width, step.height, step.aspect) {
        (Some(w), Some(h), _) => (w, h),
        (Some(w), None, Some(a)) => (w, round(f64::from(w) / a)),
        (None, Some(h), Some(a)) => (round(f64::from(h) * a), h),
        (Some(w), None, None) => (w, round(f64::from(w) * sh / sw)),
        (None, Some(h), None) => (round(f64::from(h) * sw / sh), h),
        (None, None, Some(a)) if sw / sh > a => (round(sh * a), h),
        (None, None, Some(a)) => (w, round(sw / a)),
        (None, None, None) => return None,
    };
    let fit = || {
        let s = (f64::from(tw) / sw).min(f64::from(th) / sh);
        Op::Scale(round(sw * s), round(sh * s))
    };
    Some(match step.crop.unwrap_or(Crop::Scale) {
        Crop::Scale => Op::Scale(tw, th),
        Crop::Fill => Op::Fill(tw, th),
        Crop::Fit => fit(),
        Crop::Limit if w <= tw && h <= th => return None,
        Crop::Limit => fit(),
        Crop::Crop => Op::Crop(tw.min(w), th.min(h)),
    })
}

/// The size, format and duration a chain gives a source.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub width: u32,
    pub height: u32,
    /// The format asked for (`f_` or a trailing `/ext`), if any.
    pub format: Option<String>,
    pub quality: Option<u8>,
    pub duration: Option<f64>,
}

/// What `chain` makes of a `w x h` source lasting `duration`.
pub fn outcome(chain: &Chain, w: u32, h: u32, duration: Option<f64>) -> Outcome {
    let mut out = Outcome {
        width: w,
        height: h,
        format: chain.format.clone(),
        quality: None,
        duration,
    };
    for step in &chain.steps {
        if let Some(op) = op(step, out.width, out.height) {
            (out.width, out.height) = op.size();
        }
        if let Some(f) = &step.format {
            out.format = Some(f.clone());
        }
        out.quality = step.quality.or(out.quality);
        if let Some(total) = out.duration {
            let start = step.start_offset.unwrap_or(0.0).min(total);
            let end = step.end_offset.unwrap_or(total).clamp(start, total);
            let mut d = end - start;
            if let Some(du) = step.duration {
                d = d.min(du);
            }
            out.duration = Some(d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    fn size(t: &str, w: u32, h: u32) -> (u32, u32) {
        let o = outcome(&parse(t, &none).unwrap(), w, h, None);
        (o.width, o.height)
    }

    #[test]
    fn fill_crops_give_their_documented_sizes() {
        // The worker's own variants are checked against this stand-in over HTTP, on its side
        // (`cloudinary/sandbox_tests/eager.rs`).
        assert_eq!(size("ar_4:5,c_fill,g_auto,w_1080", 1600, 1200), (1080, 1350));
        assert_eq!(size("w_1080,h_1080,c_fill", 640, 480), (1080, 1080));
    }

    #[test]
    fn each_crop_mode_sizes_as_documented() {
        assert_eq!(size("w_800", 1600, 1200), (800, 600));
        assert_eq!(size("h_300,c_scale", 1600, 1200), (400, 300));
        assert_eq!(size("w_500,h_500,c_fit", 1600, 1200), (500, 375));
        assert_eq!(size("w_2000,h_2000,c_limit", 1600, 1200), (1600, 1200));
        assert_eq!(size("w_400,h_400,c_crop,g_center", 1600, 1200), (400, 400));
        assert_eq!(size("ar_1:1,c_crop", 1600, 1200), (1200, 1200));
        assert_eq!(size("ar_16:9,c_fill", 1000, 1000), (1000, 563));
        assert_eq!(size("w_100/q_auto/f_auto", 1600, 1200), (100, 75));
    }

    #[test]
    fn formats_durations_and_named_transformations_are_read() {
        let named = |n: &str| (n == "square").then(|| "ar_1:1,c_fill,w_100".to_string());
        let chain = parse("t_square/f_png", &named).unwrap();
        let o = outcome(&chain, 300, 200, None);
        assert_eq!((o.width, o.height, o.format.as_deref()), (100, 100, Some("png")));
        let video = parse("ar_9:16,c_fill,vc_h264,w_1080,du_60/mp4", &none).unwrap();
        let o = outcome(&video, 1920, 1080, Some(90.0));
        assert_eq!((o.width, o.height, o.duration), (1080, 1920, Some(60.0)));
        assert_eq!(o.format.as_deref(), Some("mp4"));
        assert_eq!(parse("t_missing", &named), Err(Invalid("t_missing".into())));
    }

    #[test]
    fn unknown_components_are_named_in_the_error() {
        assert_eq!(parse("w_100,zz_3", &none), Err(Invalid("zz_3".into())));
        assert_eq!(parse("c_wobble", &none), Err(Invalid("c_wobble".into())));
        assert_eq!(parse("w_abc", &none), Err(Invalid("w_abc".into())));
        assert_eq!(
            Invalid("x_1".into()).to_string(),
            "Invalid transformation component - x_1"
        );
    }
}
