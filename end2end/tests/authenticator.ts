// The demo professionals' authenticator, as a phone app would be: the code
// (RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits) for the secret the demo
// seeds, on the server's clock.
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** `DEMO_TOTP_SECRET` in server/src/demo/mod.rs. */
export const DEMO_TOTP_SECRET = Buffer.from('portico-demo-totp-20');

/** The code `secret` gives at `at` (ms), on a server clock `offsetDays` ahead. */
export function totpCode(secret: Buffer = DEMO_TOTP_SECRET, at = Date.now(), offsetDays = 0): string {
  const counter = Math.floor((at + offsetDays * 86_400_000) / 30_000);
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

/** The base 32 secret in an `otpauth://` link, as bytes. */
export function secretOf(otpauthUri: string): Buffer {
  const base32 = new URL(otpauthUri).searchParams.get('secret') ?? '';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The run's shared server's database (see playwright.config.ts). */
export const sharedDatabase = () => join(process.env.PORTICO_E2E_DATA_DIR ?? '', 'portico.db');

/**
 * Portico accepts each 30-second code once per account, and the journeys sign
 * the same professionals in many times a minute: forget the last code each
 * account used, as if each sign-in had waited for the next one.
 */
export function forgetLastCodes(database: string = sharedDatabase()) {
  execFileSync('sqlite3', ['-cmd', '.timeout 10000', database, 'UPDATE second_factors SET last_step = NULL']);
}
