//! A team admin uploads a CSV of patients: `/staff/teams/:team_id/upload`
//! chooses and sends the file, `/staff/teams/:team_id/imports/:import_id`
//! shows what the server found in it (every bad row by row, column and why)
//! and imports the good rows, or discards the upload.
//!
//! Nothing is written to records until the admin presses import on the
//! preview; an upload left alone expires after 24 hours.

mod columns;
mod form;
mod preview;
mod problems;

pub use form::UploadPage;
pub use preview::ImportPage;

use super::HOME_PATH;
use crate::numbers::count;

fn encode(segment: &str) -> String {
    js_sys::encode_uri_component(segment).into()
}

/// The page that takes a team's file.
pub fn upload_href(team_id: &str) -> String {
    format!("{HOME_PATH}/teams/{}/upload", encode(team_id))
}

/// The preview (or result) of one upload, at one page of its problems.
pub fn import_href(team_id: &str, import_id: &str, page: u32) -> String {
    let href = format!("{HOME_PATH}/teams/{}/imports/{}", encode(team_id), encode(import_id));
    if page > 1 { format!("{href}?page={page}") } else { href }
}
