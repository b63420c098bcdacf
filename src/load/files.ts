import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Problem } from '../model/source.js';
import { fileRef } from './yaml-doc.js';

const YAML_FILE = /\.ya?ml$/;
/** Beside the playbooks but not one of them (src/load/waivers.ts reads it). */
const WAIVERS_FILE = /^drift-waivers\.ya?ml$/;

function errCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined;
}

function accessProblem(file: string, e: unknown, what: string): Problem {
  const code = errCode(e);
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return {
      where: fileRef(file),
      message: 'no such file',
      hint: `check the ${what} path (relative paths start from the current directory)`,
    };
  }
  if (code === 'EACCES')
    return { where: fileRef(file), message: 'permission denied', hint: 'make the file readable' };
  return { where: fileRef(file), message: `cannot read: ${e instanceof Error ? e.message : String(e)}` };
}

/** The YAML files of directories, sorted by name, *.yml and *.yaml only. */
export async function yamlFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((d) => (d.isFile() || d.isSymbolicLink()) && YAML_FILE.test(d.name))
    .map((d) => d.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => join(dir, name));
}

/**
 * Files named on the command line, directories expanded; paths stay as the user wrote them
 * so messages point at what they typed.
 */
export async function expandPaths(
  paths: readonly string[],
  what: 'inventory' | 'playbook',
): Promise<{ files: string[]; problems: Problem[] }> {
  const files: string[] = [];
  const problems: Problem[] = [];
  for (const p of paths) {
    try {
      const s = await stat(p);
      if (!s.isDirectory()) {
        files.push(p);
        continue;
      }
      const inDir = (await yamlFilesIn(p)).filter(
        (f) => what !== 'playbook' || !WAIVERS_FILE.test(basename(f)),
      );
      if (inDir.length === 0) {
        problems.push({
          where: fileRef(p),
          message: `no ${what} files (*.yml, *.yaml) in this directory`,
          hint: `add one or name the ${what} file itself`,
        });
      }
      files.push(...inDir);
    } catch (e) {
      problems.push(accessProblem(p, e, what));
    }
  }
  return { files: [...new Set(files)], problems };
}

export async function readText(
  file: string,
  what: 'inventory' | 'playbook' | 'waivers',
): Promise<{ text?: string; problem?: Problem }> {
  try {
    return { text: await readFile(file, 'utf8') };
  } catch (e) {
    return { problem: accessProblem(file, e, what) };
  }
}
