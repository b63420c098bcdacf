import { readFileSync } from 'node:fs';

/** What package.json says, from the build or the source tree alike (`--version`, a plan's `made`). */
export function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg ? String(pkg.version) : 'unknown';
}
