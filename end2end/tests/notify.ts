// What the GOV.UK Notify stand-in received: notify/standin/recorder.py writes
// one JSON line per request (after checking its JWT the way Notify does).
import { existsSync, readFileSync } from 'node:fs';
import { expect } from '@playwright/test';

export interface NotifyRequest {
  method: string;
  path: string;
  body: any;
  jwt_valid: boolean;
  status: number;
}

export function notifyRecord(): string | undefined {
  return process.env.PORTICO_E2E_NOTIFY_RECORD;
}

export function notifyRequests(): NotifyRequest[] {
  const file = notifyRecord();
  if (!file || !existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as NotifyRequest);
}

/** Waits for the text message Notify accepted for `phoneNumber` (E.164). */
export async function waitForText(phoneNumber: string): Promise<NotifyRequest> {
  let found: NotifyRequest | undefined;
  await expect
    .poll(
      () => {
        found = notifyRequests().find(
          (r) => r.path === '/v2/notifications/sms' && r.status === 201 && r.body?.phone_number === phoneNumber,
        );
        return found !== undefined;
      },
      { message: `a text message to ${phoneNumber}`, timeout: 10_000 },
    )
    .toBe(true);
  return found!;
}
