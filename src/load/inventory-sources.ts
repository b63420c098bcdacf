import { type Dirent, readdirSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Problem } from '../model/source.js';
import { fileRef } from './yaml-doc.js';

/** One `-i` argument: the files Ansible would parse for it, and where its group_vars/host_vars sit. */
export interface InventorySource {
  path: string;
  files: string[];
  varsDir: string;
}

/**
 * Ansible's INVENTORY_IGNORE_EXTS (default) and the names it always skips in an inventory
 * directory: hidden files, group_vars/, host_vars/, vars_plugins/. `.ini` is among them, so
 * `-i dir/` skips `dir/hosts.ini` exactly as `ansible-inventory -i dir/` does.
 */
const IGNORED_EXTS = [
  '.pyc',
  '.pyo',
  '.swp',
  '.bak',
  '~',
  '.rpm',
  '.md',
  '.txt',
  '.rst',
  '.orig',
  '.ini',
  '.cfg',
  '.retry',
];
const IGNORED_NAMES = new Set(['host_vars', 'group_vars', 'vars_plugins']);

export function ignoredInDirectory(name: string): boolean {
  return name.startsWith('.') || IGNORED_NAMES.has(name) || IGNORED_EXTS.some((e) => name.endsWith(e));
}

const byBytes = (a: Dirent, b: Dirent): number => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name));

/** Files of an inventory directory, in Ansible's order (sorted names, subdirectories recursed). */
function filesOf(dir: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true }).sort(byBytes)) {
    if (ignoredInDirectory(d.name)) continue;
    const full = join(dir, d.name);
    if (d.isDirectory()) out.push(...filesOf(full));
    else out.push(full);
  }
  return out;
}

function errCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined;
}

/** Expands each `-i` path; paths stay as the user wrote them so messages point at what they typed. */
export async function inventorySources(
  paths: readonly string[],
): Promise<{ sources: InventorySource[]; problems: Problem[] }> {
  const sources: InventorySource[] = [];
  const problems: Problem[] = [];
  for (const path of paths) {
    try {
      const s = await stat(path);
      if (!s.isDirectory()) {
        sources.push({ path, files: [path], varsDir: dirname(path) });
        continue;
      }
      await readdir(path); // permission errors surface here, with the directory named
      const files = filesOf(path);
      if (files.length === 0) {
        problems.push({
          where: fileRef(path),
          message: 'no inventory files in this directory',
          hint: 'Ansible skips hidden files, group_vars/, host_vars/ and *.ini, *.cfg, *.txt, *.md…; name the file itself with -i',
        });
      }
      sources.push({ path, files, varsDir: path });
    } catch (e) {
      const code = errCode(e);
      problems.push({
        where: fileRef(path),
        message:
          code === 'ENOENT' || code === 'ENOTDIR'
            ? 'no such file'
            : code === 'EACCES'
              ? 'permission denied'
              : `cannot read: ${e instanceof Error ? e.message : String(e)}`,
        hint:
          code === 'ENOENT' || code === 'ENOTDIR'
            ? 'check the inventory path (relative paths start from the current directory)'
            : undefined,
      });
    }
  }
  return { sources, problems };
}
