//! The QR code that opens the registration page with the code filled in,
//! drawn as filled rectangles (vector, sharp at any print resolution).

use qrcode::{Color, EcLevel, QrCode, Version};

use crate::LetterError;

/// Beyond version 10 (57 modules) a symbol printed about 34 mm wide has
/// modules under 0.6 mm, which phone cameras start to miss on paper. A
/// registration link is about 60 bytes (version 4); version 10 holds 213.
const LARGEST_VERSION: i16 = 10;

/// The light margin a reader needs around the symbol, in modules.
pub(crate) const QUIET_ZONE_MODULES: usize = 4;

/// A QR symbol as rows of dark and light modules.
pub(crate) struct QrSymbol {
    width: usize,
    dark: Vec<bool>,
}

/// Encodes `link` at error correction level M (15%: survives a fold or a smudge).
pub(crate) fn encode(reference: &str, link: &str) -> Result<QrSymbol, LetterError> {
    let too_long = || LetterError::LinkTooLongForQr { reference: reference.to_owned(), length: link.len() };
    let code = QrCode::with_error_correction_level(link.as_bytes(), EcLevel::M).map_err(|_| too_long())?;
    match code.version() {
        Version::Normal(version) if version <= LARGEST_VERSION => {}
        _ => return Err(too_long()),
    }
    let width = code.width();
    let dark = code.into_colors().into_iter().map(|color| color == Color::Dark).collect();
    Ok(QrSymbol { width, dark })
}

impl QrSymbol {
    /// Modules along one side, quiet zone excluded.
    pub(crate) fn width(&self) -> usize {
        self.width
    }

    /// Each row's runs of dark modules as (row, first column, length): one
    /// rectangle per run keeps the page content about half the size of one
    /// rectangle per module.
    pub(crate) fn dark_runs(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        self.dark.chunks(self.width.max(1)).enumerate().flat_map(|(row, modules)| {
            let mut runs = Vec::new();
            let mut start = None;
            for (column, &dark) in modules.iter().chain(std::iter::once(&false)).enumerate() {
                match (dark, start) {
                    (true, None) => start = Some(column),
                    (false, Some(first)) => {
                        runs.push((row, first, column - first));
                        start = None;
                    }
                    _ => {}
                }
            }
            runs
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registration_link_fits_a_small_symbol() {
        let symbol = encode("PTC-1", "https://portico.example/register?code=7KQM2XRD93TB").unwrap();
        assert!(symbol.width() <= 33, "version 4 or below, got {} modules", symbol.width());
        let dark_modules: usize = symbol.dark_runs().map(|(_, _, length)| length).sum();
        assert_eq!(dark_modules, symbol.dark.iter().filter(|&&dark| dark).count());
    }

    #[test]
    fn a_link_too_long_to_scan_from_paper_is_refused() {
        let link = format!("https://portico.example/register?code={}", "X".repeat(400));
        assert!(
            matches!(encode("PTC-1", &link), Err(LetterError::LinkTooLongForQr { length, .. }) if length == link.len())
        );
    }
}
