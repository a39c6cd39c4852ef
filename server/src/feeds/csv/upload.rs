//! Receiving an uploaded file: streamed to an unnamed temporary file (gone
//! when dropped, even after a crash), never held whole in memory, and
//! refused as soon as it is known to be too large.

use std::io::{Seek as _, SeekFrom};

use axum::body::Body;
use axum::http::{HeaderMap, header};
use futures_util::StreamExt as _;
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncWriteExt as _;

/// The largest file taken (shared with the upload page).
pub const MAX_FILE_BYTES: u64 = portico_types::api::CSV_UPLOAD_MAX_BYTES;

/// A file received in full.
#[derive(Debug)]
pub struct Received {
    pub file: std::fs::File,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the file is larger than the limit")]
    TooLarge,
    #[error("the upload was cut off: {0}")]
    Interrupted(String),
    #[error("the upload could not be stored: {0}")]
    Storage(#[from] std::io::Error),
}

/// Refuses at once, before reading anything, a body that says it is too large.
pub fn check_declared_length(headers: &HeaderMap, limit: u64) -> Result<(), UploadError> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(length) if length > limit => Err(UploadError::TooLarge),
        _ => Ok(()),
    }
}

/// Streams `body` to a temporary file, counting and hashing as it goes, and
/// stops as soon as it passes `limit` (a body sent without a length, or one
/// longer than it said, is caught here).
pub async fn receive(body: Body, limit: u64) -> Result<Received, UploadError> {
    let mut file = tokio::fs::File::from_std(tempfile::tempfile()?);
    let mut hash = Sha256::new();
    let mut bytes = 0u64;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| UploadError::Interrupted(e.to_string()))?;
        bytes += chunk.len() as u64;
        if bytes > limit {
            return Err(UploadError::TooLarge);
        }
        hash.update(&chunk);
        file.write_all(&chunk).await?;
    }
    file.flush().await?;
    let mut file = file.into_std().await;
    file.seek(SeekFrom::Start(0))?;
    Ok(Received { file, bytes, sha256: hex::encode(hash.finalize()) })
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    #[tokio::test]
    async fn a_body_is_stored_counted_and_hashed() {
        let mut received = receive(Body::from("a,b\n1,2\n"), 100).await.unwrap();
        assert_eq!(received.bytes, 8);
        let mut text = String::new();
        received.file.read_to_string(&mut text).unwrap();
        assert_eq!(text, "a,b\n1,2\n");
        assert_eq!(received.sha256, hex::encode(Sha256::digest(b"a,b\n1,2\n")));
    }

    #[tokio::test]
    async fn a_body_past_the_limit_is_refused() {
        assert!(matches!(receive(Body::from(vec![b'x'; 101]), 100).await, Err(UploadError::TooLarge)));
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_LENGTH, "2147483648".parse().unwrap());
        assert!(matches!(check_declared_length(&headers, MAX_FILE_BYTES), Err(UploadError::TooLarge)));
        headers.insert(header::CONTENT_LENGTH, "1000".parse().unwrap());
        assert!(check_declared_length(&headers, MAX_FILE_BYTES).is_ok());
    }
}
