//! Text bound for an email header (a subject, a display name): one line,
//! no control characters. Names come from feeds, join pages and people
//! themselves; a CR or LF that reached a header could add headers of its
//! own (a `Bcc:`), so they are turned into spaces here, before lettre's own
//! encoding ever sees them.

/// One line of header text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HeaderText(String);

/// Longer subjects and names are cut: nobody reads past this on a phone.
const MAX_CHARS: usize = 200;

impl HeaderText {
    pub fn new(raw: &str) -> Self {
        let cleaned: String = raw.chars().map(|c| if c.is_control() { ' ' } else { c }).take(MAX_CHARS).collect();
        Self(cleaned.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for HeaderText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notification_header_text_has_no_line_breaks_or_controls() {
        let text = HeaderText::new("Jo\r\nBcc: attacker@evil.example\u{0}\u{85}Smith");
        assert_eq!(text.as_str(), "Jo Bcc: attacker@evil.example Smith");
        assert!(!text.as_str().contains(['\r', '\n']));
        assert_eq!(HeaderText::new("  A   subject \t").as_str(), "A subject");
    }
}
