//! Numbers as NHS.UK writes them: thousands grouped with commas ("12,345").

/// "1,234,567".
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// "1 patient", "12,345 patients".
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", grouped(n), if n == 1 { one } else { many })
}

/// A part of a whole in tenths of a per cent (0-1000) as a percentage: "33.3%".
pub fn percent_of_permille(permille: u64) -> String {
    format!("{}.{}%", permille / 10, permille % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_in_thousands() {
        assert_eq!(count(0, "row", "rows"), "0 rows");
        assert_eq!(count(1, "row", "rows"), "1 row");
        assert_eq!(count(999, "row", "rows"), "999 rows");
        assert_eq!(count(1_000, "row", "rows"), "1,000 rows");
        assert_eq!(count(1_234_567, "patient", "patients"), "1,234,567 patients");
        assert_eq!(grouped(5_000), "5,000");
    }

    #[test]
    fn permille_reads_as_a_percentage() {
        assert_eq!(percent_of_permille(0), "0.0%");
        assert_eq!(percent_of_permille(333), "33.3%");
        assert_eq!(percent_of_permille(1000), "100.0%");
    }
}
