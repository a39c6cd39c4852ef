// The mail the journeys' SMTP server caught: aiosmtpd writes each message to
// a Maildir; these read it back (headers, and a plain-text body that may be
// quoted-printable) and wait for a message to arrive.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@playwright/test';

export interface Mail {
  to: string;
  subject: string;
  body: string;
}

export function maildir(): string | undefined {
  return process.env.PORTICO_E2E_MAILDIR;
}

/** Unfolded headers and the body of a message or of one MIME part. */
function split(raw: string): { header: (name: string) => string; body: string } {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/);
  const header = (name: string) =>
    headers.find((h) => h.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim() ?? '';
  return { header, body: rest.join('\n\n') };
}

/** The plain-text body: the text/plain part of a multipart message (Portico
 * sends HTML and text alternatives), decoded from quoted-printable or base64. */
function plainText(raw: string): string {
  const { header, body } = split(raw);
  const type = header('Content-Type');
  const boundary = type.match(/boundary="?([^";]+)"?/i)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const parts = body.split(`--${boundary}`).slice(1).filter((p) => !p.startsWith('--'));
    const texts = parts.map((p) => p.replace(/^\r?\n/, ''));
    const plain = texts.find((p) => /^text\/plain/i.test(split(p).header('Content-Type')))
      ?? texts.find((p) => /^multipart\//i.test(split(p).header('Content-Type')));
    return plain ? plainText(plain) : '';
  }
  const encoding = header('Content-Transfer-Encoding');
  if (/quoted-printable/i.test(encoding)) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  if (/base64/i.test(encoding)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

function parse(raw: string): Mail {
  const { header } = split(raw);
  const to = header('To').replace(/^.*<([^>]+)>.*$/, '$1');
  return { to, subject: header('Subject'), body: plainText(raw).replace(/\r\n/g, '\n') };
}

/** Every message caught so far, oldest first. */
export function allMail(): Mail[] {
  const dir = maildir();
  if (!dir) return [];
  const files: string[] = [];
  for (const sub of ['new', 'cur']) {
    try {
      for (const name of readdirSync(join(dir, sub))) files.push(join(dir, sub, name));
    } catch {
      // not made until the first message arrives
    }
  }
  files.sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
  return files.map((f) => parse(readFileSync(f, 'utf8')));
}

/** Waits for the `nth` (from 1) message to `to` whose subject contains `subject`. */
export async function waitForMail(to: string, subject: string, nth = 1): Promise<Mail> {
  let found: Mail | undefined;
  await expect
    .poll(
      () => {
        found = allMail().filter((m) => m.to === to && m.subject.includes(subject))[nth - 1];
        return found !== undefined;
      },
      { message: `email ${nth} to ${to} about "${subject}"`, timeout: 10_000 },
    )
    .toBe(true);
  return found!;
}

/** The first link in `body` to `path`. */
export function linkTo(body: string, path: string): string {
  const match = body.match(new RegExp(`https?://\\S*${path.replace(/[/?]/g, (c) => `\\${c}`)}\\S*`));
  if (!match) throw new Error(`no link to ${path} in:\n${body}`);
  return match[0];
}

/** The six-digit code in a confirmation email (`123 456`). */
export function sixDigits(body: string): string {
  const match = body.match(/^\s*(\d{3}) (\d{3})\s*$/m);
  if (!match) throw new Error(`no six-digit code in:\n${body}`);
  return match[1] + match[2];
}
