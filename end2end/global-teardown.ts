// Removes the temporary directory that held this run's SQLite database.
import { rmSync } from 'node:fs';

export default function globalTeardown() {
  const dir = process.env.PORTICO_E2E_DATA_DIR;
  if (process.env.PORTICO_E2E_OWN_SERVER === '1' && dir) {
    rmSync(dir, { recursive: true, force: true });
  }
}
