import { readFileSync } from 'node:fs';

/** A file under test/fixtures/drivers/ (see its README for which are captured and which transcribed). */
export function fixture(path: string): string {
  return readFileSync(new URL(`../../fixtures/drivers/${path}`, import.meta.url), 'utf8');
}
