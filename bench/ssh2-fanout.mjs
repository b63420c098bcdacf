// The bare ssh2 fan-out the benchmark compares runstate with: N connections at once to the bench
// sshd, one exec each, nothing else (no inventory, no ssh_config, no parsing). Plain JS so that no
// TypeScript loader is part of what is measured.
//   node bench/ssh2-fanout.mjs PORTS USER KEYFILE HOSTKEY_BASE64 N CONNECT_TIMEOUT_S COMMAND [STDIN_FILE]
// PORTS: one port, or several separated by commas (host i connects to the (i mod k)-th).
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';

const [portList, user, keyFile, hostKey, n, connectS, command, stdinFile] = process.argv.slice(2);
const ports = portList.split(',').map(Number);
const key = readFileSync(keyFile);
const expected = Buffer.from(hostKey, 'base64');
const stdin = stdinFile ? readFileSync(stdinFile, 'utf8') : '';

function one(i) {
  return new Promise((resolve) => {
    const client = new ssh2.Client();
    const fail = (err) => {
      client.end();
      resolve(`error: ${err.message}`);
    };
    client.on('error', fail);
    client.on('ready', () => {
      client.exec(command, (err, stream) => {
        if (err) return fail(err);
        let bytes = 0;
        let code = null;
        stream.on('data', (d) => {
          bytes += d.length;
        });
        stream.stderr.on('data', () => {});
        stream.on('exit', (c) => {
          code = c;
        });
        stream.on('close', () => {
          client.end();
          resolve(code === 0 && bytes > 0 ? 'ok' : `exit ${code}, ${bytes} bytes`);
        });
        stream.end(stdin);
      });
    });
    client.connect({
      host: '127.0.0.1',
      port: ports[i % ports.length],
      username: user,
      privateKey: key,
      hostVerifier: (k) => expected.equals(k),
      readyTimeout: Number(connectS) * 1000,
    });
  });
}

const results = await Promise.all(Array.from({ length: Number(n) }, (_, i) => one(i)));
const bad = results.filter((r) => r !== 'ok');
if (bad.length > 0) {
  process.stderr.write(`${bad.length} of ${n} failed: ${bad[0]}\n`);
  process.exitCode = 1;
}
