import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblem, type Problem, ProblemsError } from '../../../src/model/source.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/load/', import.meta.url));

const made: string[] = [];

/** Removes the temp dirs `tree` made; call from afterAll. */
export async function cleanup(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** Writes files (relative name → text) into a fresh temp dir and returns it. */
export async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'runstate-load-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

/** The problems a load rejects with; fails the test when it succeeds or throws something else. */
export async function problemsOf(run: Promise<unknown>): Promise<Problem[]> {
  try {
    await run;
  } catch (e) {
    if (e instanceof ProblemsError) return e.problems;
    throw e;
  }
  throw new Error('expected a ProblemsError, the load succeeded');
}

/** Formatted as the CLI prints them, with the temp dir removed so files read as "pb.yml". */
export async function messagesOf(run: Promise<unknown>, dir: string): Promise<string[]> {
  return (await problemsOf(run)).map((p) => formatProblem(p).split(`${dir}/`).join(''));
}

/** A one-inventory world: `inv.yml` plus playbooks, returning the dir and paths to pass. */
export async function world(inventory: string, playbooks: Record<string, string>) {
  const dir = await tree({ 'inv.yml': inventory, ...playbooks });
  return {
    dir,
    inv: [join(dir, 'inv.yml')],
    pbs: Object.keys(playbooks).map((p) => join(dir, p)),
  };
}

export const INVENTORY = `all:
  hosts:
    h1:
    h2:
  children:
    db:
      hosts:
        db1:
        db2:
    web:
      hosts:
        web1:
        web2:
`;
