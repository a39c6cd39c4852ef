//! A real SMTP server on loopback for the tests: PyPI's aiosmtpd, saving
//! every message it is sent into a Maildir that the tests read back. It
//! refuses (550, at RCPT) any recipient whose address starts with
//! `refused` (tests/fixtures/smtp/portico_catcher.py), as a mail server
//! refuses an unknown user.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mail_parser::MessageParser;

pub struct MailCatcher {
    pub port: u16,
    maildir: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

/// One caught email.
#[derive(Debug, Clone)]
pub struct Caught {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub message_id: String,
    /// The HTML alternative, when the message has one.
    pub html: Option<String>,
    /// The display name in `To`.
    pub to_name: Option<String>,
    /// The message as it arrived (with aiosmtpd's `X-RcptTo`: the envelope recipients).
    pub raw: String,
}

impl Caught {
    /// Every value of header `name` (unfolded), as sent.
    pub fn headers(&self, name: &str) -> Vec<String> {
        let head = self.raw.split("\n\n").next().unwrap_or("").replace("\r\n", "\n");
        let mut unfolded: Vec<String> = Vec::new();
        for line in head.lines() {
            match (line.starts_with([' ', '\t']), unfolded.last_mut()) {
                (true, Some(last)) => last.push_str(line),
                _ => unfolded.push(line.to_owned()),
            }
        }
        unfolded
            .iter()
            .filter_map(|l| l.split_once(':'))
            .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers(name).into_iter().next()
    }
}

impl MailCatcher {
    pub async fn start() -> Self {
        Self::start_on(free_port()).await
    }

    pub async fn start_on(port: u16) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("mail");
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/smtp");
        let mut child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "portico_catcher.RefusingMailbox"])
            .arg(&maildir)
            .env("PYTHONPATH", fixtures)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with PyPI's aiosmtpd (scripts/setup --test installs it)");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Self { port, maildir, child, _dir: dir };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not start on port {port}");
    }

    pub fn smtp_url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message caught so far, oldest first.
    pub fn all(&self) -> Vec<Caught> {
        let mut files: Vec<_> = ["new", "cur"]
            .iter()
            .filter_map(|sub| std::fs::read_dir(self.maildir.join(sub)).ok())
            .flatten()
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .collect();
        files.sort_by_key(|path| std::fs::metadata(path).and_then(|m| m.modified()).ok());
        files
            .iter()
            .filter_map(|path| std::fs::read(path).ok())
            .filter_map(|raw| {
                let message = MessageParser::default().parse(&raw)?;
                let first = message.to().and_then(|to| to.first());
                let to = first.and_then(|a| a.address()).unwrap_or("").to_owned();
                let to_name = first.and_then(|a| a.name()).map(str::to_owned);
                Some(Caught {
                    to,
                    to_name,
                    subject: message.subject().unwrap_or("").to_owned(),
                    body: message.body_text(0).map(|b| b.into_owned()).unwrap_or_default(),
                    // mail-parser makes HTML of a text-only message: only a real text/html part counts.
                    html: String::from_utf8_lossy(&raw)
                        .to_ascii_lowercase()
                        .contains("content-type: text/html")
                        .then(|| message.body_html(0).map(|b| b.into_owned()))
                        .flatten(),
                    message_id: message.message_id().unwrap_or("").to_owned(),
                    raw: String::from_utf8_lossy(&raw).into_owned(),
                })
            })
            .collect()
    }

    /// Waits (up to 10 s) for the `nth` (from 1) email to `to` whose subject holds `subject`.
    pub async fn wait_for_nth(&self, to: &str, subject: &str, nth: usize) -> Caught {
        for _ in 0..200 {
            let found: Vec<Caught> =
                self.all().into_iter().filter(|m| m.to == to && m.subject.contains(subject)).collect();
            if let Some(mail) = found.get(nth - 1) {
                return mail.clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no email {nth} to {to} about {subject:?}; caught: {:#?}", self.all());
    }

    pub async fn wait_for(&self, to: &str, subject: &str) -> Caught {
        self.wait_for_nth(to, subject, 1).await
    }
}

impl Drop for MailCatcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nothing listens on (as of now).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The value of `name` in the first link in `body` that has it.
pub fn link_param(body: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=");
    let start = body.find(&needle)? + needle.len();
    let value: String = body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    Some(value)
}

/// The six-digit code in a confirmation email (`123 456`).
pub fn six_digits(body: &str) -> Option<String> {
    body.lines()
        .map(str::trim)
        .find(|l| l.len() == 7 && l.as_bytes()[3] == b' ' && l.replace(' ', "").bytes().all(|b| b.is_ascii_digit()))
        .map(|l| l.replace(' ', ""))
}
