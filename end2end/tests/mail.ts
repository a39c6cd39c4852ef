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

function parse(raw: string): Mail {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/);
  const header = (name: string) =>
    headers.find((h) => h.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim() ?? '';
  let body = rest.join('\n\n');
  if (/quoted-printable/i.test(header('Content-Transfer-Encoding'))) {
    body = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  }
  const to = header('To').replace(/^.*<([^>]+)>.*$/, '$1');
  return { to, subject: header('Subject'), body: body.replace(/\r\n/g, '\n') };
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
