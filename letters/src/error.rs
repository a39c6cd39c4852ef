//! What can stop a letter from rendering.

/// Why a letter or a batch of letters could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    /// An empty batch would print nothing while looking like a finished job.
    #[error("a batch of letters must contain at least one letter")]
    EmptyBatch,
    /// The letter's link would need a QR code with modules too small to scan from paper.
    #[error(
        "letter {reference}: the registration link is {length} bytes long, too long for a QR code that scans from paper"
    )]
    LinkTooLongForQr { reference: String, length: usize },
    /// The compressor refused a stream: a bug, never expected in use.
    #[error("a PDF stream could not be compressed")]
    Compression,
    /// A vendored font file is damaged: a build problem, not a data problem.
    #[error("the vendored font {font} could not be read")]
    FontUnreadable { font: &'static str },
    /// The font subsetter failed on a vendored font.
    #[error("the vendored font {font} could not be subset: {source}")]
    FontSubset {
        font: &'static str,
        #[source]
        source: subsetter::Error,
    },
}
