//! A real SMTP server on loopback for the tests: PyPI's aiosmtpd, saving
//! every message it is sent into a Maildir that the tests read back.

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
}

impl MailCatcher {
    pub async fn start() -> Self {
        Self::start_on(free_port()).await
    }

    pub async fn start_on(port: u16) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("mail");
        let mut child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
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
                let to = message.to().and_then(|to| to.first()).and_then(|a| a.address()).unwrap_or("").to_owned();
                Some(Caught {
                    to,
                    subject: message.subject().unwrap_or("").to_owned(),
                    body: message.body_text(0).map(|b| b.into_owned()).unwrap_or_default(),
                    message_id: message.message_id().unwrap_or("").to_owned(),
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
