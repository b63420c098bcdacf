import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AttemptResult } from './retry.js';

/**
 * POSTs `body` as JSON. 2xx is delivered; 408, 429 and 5xx (and network errors, timeouts) are worth
 * another try; any other answer is not. The timeout covers the whole exchange, so a server that
 * accepts and never answers cannot hold the run.
 */
export function postJson(url: string, body: string, timeoutMs: number): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const u = new URL(url);
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(u, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'user-agent': 'runstate',
      },
    });
    const timer = setTimeout(() => {
      done({ ok: false, retry: true, detail: `timed out after ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) done({ ok: true, detail: `HTTP ${code}` });
        else done({ ok: false, retry: code === 408 || code === 429 || code >= 500, detail: `HTTP ${code}` });
      });
      res.on('error', (err) => done({ ok: false, retry: true, detail: err.message }));
    });
    req.on('error', (err) => done({ ok: false, retry: true, detail: err.message }));
    req.end(body);
  });
}

/**
 * Runs the user's own local command (`sh -c`, as a git hook or cron line would be), the payload
 * on stdin. Exit 0 is delivered; anything else, or the timeout (the command is killed), is retried.
 */
export function runAlertCommand(command: string, body: string, timeoutMs: number): Promise<AttemptResult> {
  return new Promise((resolve) => {
    // Its own process group, so the timeout kills what the shell started too (a pipeline, a sleep).
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-400);
    });
    child.stdin.on('error', () => {}); // a command that does not read its stdin is fine
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, retry: true, detail: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) resolve({ ok: false, retry: true, detail: `timed out after ${timeoutMs} ms` });
      else if (code === 0) resolve({ ok: true, detail: 'exit 0' });
      else
        resolve({
          ok: false,
          retry: true,
          detail: `exit ${code}${stderr.trim() ? `: ${stderr.trim()}` : ''}`,
        });
    });
    child.stdin.end(body);
  });
}
