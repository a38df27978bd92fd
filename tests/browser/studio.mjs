// Starting the real signage-studio for a test, as tests/integration/studio/studio_fixture.py does:
// a temporary data dir, an admin added with `signage-studio add-user` (password on stdin), a free
// port on 127.0.0.1, and when the test runs as root the studio runs as nobody (--run-as nobody)
// with the data dir chowned to it.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what, fn, { timeoutMs = 30000, everyMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? ': ' + last.message : ''}`);
}

export async function startStudio(studioBin, { user, password, role = 'admin', extraArgs = [] }) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-browser-'));
  const root = process.getuid && process.getuid() === 0;
  execFileSync(studioBin, ['add-user', user, '--role', role, '--data-dir', dataDir],
    { input: password + '\n', stdio: ['pipe', 'inherit', 'inherit'] });
  if (root) execFileSync('chown', ['-R', 'nobody:nogroup', dataDir]);
  const port = await freePort();
  const args = ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1', '--port', String(port), ...extraArgs];
  if (root) args.push('--run-as', 'nobody');
  const log = [];
  const proc = spawn(studioBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (d) => log.push(String(d)));
  proc.stderr.on('data', (d) => log.push(String(d)));
  let exited = null;
  proc.on('exit', (code, signal) => { exited = { code, signal }; });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('the studio to answer', async () => {
    if (exited) throw new Error(`signage-studio exited (${JSON.stringify(exited)}): ${log.join('')}`);
    const res = await fetch(url + '/api/me');
    return res.status === 401;
  });
  return {
    url, dataDir, log,
    async stop() {
      if (!exited) {
        proc.kill('SIGTERM');
        await waitFor('the studio to stop', () => exited, { timeoutMs: 10000 }).catch(() => proc.kill('SIGKILL'));
      }
    },
  };
}
