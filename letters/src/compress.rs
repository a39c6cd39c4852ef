//! Stream compression for content streams, fonts and ToUnicode maps.

use miniz_oxide::deflate::core::{
    CompressorOxide, TDEFLFlush, TDEFLStatus, compress, create_comp_flags_from_zip_params,
};

use crate::LetterError;

/// zlib level 2: measured on a 1,000-letter batch, level 6 (the usual
/// default) makes the file a fifth smaller but takes half as long again, and
/// level 1 saves little time for a file a sixth larger. Pages are mostly
/// glyph ids and QR rectangles, which compress well at any level.
const LEVEL: u8 = 2;

/// A zlib compressor kept for a whole document: setting one up costs more
/// than compressing a page, so every stream of the file reuses it.
pub(crate) struct Deflater {
    compressor: Box<CompressorOxide>,
}

impl Deflater {
    pub(crate) fn new() -> Self {
        // Window bits > 0 asks for the zlib wrapper that /FlateDecode expects.
        let flags = create_comp_flags_from_zip_params(LEVEL.into(), 1, 0);
        Deflater { compressor: Box::new(CompressorOxide::new(flags)) }
    }

    /// Deflates `input` for a stream with `/Filter /FlateDecode`.
    pub(crate) fn deflate(&mut self, mut input: &[u8]) -> Result<Vec<u8>, LetterError> {
        self.compressor.reset();
        let mut output = vec![0; (input.len() / 2).max(256)];
        let mut written = 0;
        loop {
            let (status, read, wrote) =
                compress(&mut self.compressor, input, &mut output[written..], TDEFLFlush::Finish);
            written += wrote;
            input = input.get(read..).unwrap_or_default();
            match status {
                TDEFLStatus::Done => {
                    output.truncate(written);
                    return Ok(output);
                }
                TDEFLStatus::Okay => {
                    if output.len() - written < 256 {
                        output.resize(output.len() * 2, 0);
                    }
                }
                TDEFLStatus::BadParam | TDEFLStatus::PutBufFailed => return Err(LetterError::Compression),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_round_trip_through_a_reused_compressor() {
        let mut deflater = Deflater::new();
        for input in [b"".to_vec(), b"BT /F1 12 Tf ET".repeat(2_000), (0..=255u8).cycle().take(70_000).collect()] {
            let compressed = deflater.deflate(&input).unwrap();
            assert_eq!(miniz_oxide::inflate::decompress_to_vec_zlib(&compressed).unwrap(), input);
        }
    }
}
