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

/// "1 patient", "12,345 patients": counts as NHS.UK writes them.
fn count(n: u64, one: &str, many: &str) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{grouped} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_are_grouped_in_thousands() {
        assert_eq!(count(0, "row", "rows"), "0 rows");
        assert_eq!(count(1, "row", "rows"), "1 row");
        assert_eq!(count(999, "row", "rows"), "999 rows");
        assert_eq!(count(1_000, "row", "rows"), "1,000 rows");
        assert_eq!(count(1_234_567, "patient", "patients"), "1,234,567 patients");
    }
}
