// Starting the real signage-studio for a test, as tests/integration/studio/studio_fixture.py does:
// a temporary data dir and an empty config, an admin added with `signage-studio add-user` (password
// on stdin), --port 0 on 127.0.0.1 (the studio prints where it listens), and when the test runs as root the studio runs as nobody (--run-as nobody)
// with the data dir chowned to it.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A test script's `--name value` arguments as an object; stops with `usage` when one of
// `required` is missing.
export function parseArgs(required, usage) {
  const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
    return acc;
  }, []));
  for (const need of required) {
    if (!args[need]) throw new Error(`usage: ${usage} (missing --${need})`);
  }
  return args;
}

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

export async function startStudio(studioBin, { user, password, role = 'admin', webDir, extraArgs = [] }) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-browser-'));
  fs.chmodSync(tmp, 0o755);  // nobody (the studio's user under root) must reach the data dir
  const config = path.join(tmp, 'studio.conf');  // empty: not the machine's own
  fs.writeFileSync(config, '');
  const dataDir = path.join(tmp, 'data');
  fs.mkdirSync(dataDir, { mode: 0o700 });
  const root = process.getuid && process.getuid() === 0;
  if (root) execFileSync('chown', ['-R', 'nobody:nogroup', dataDir]);
  const runAs = root ? ['--run-as', 'nobody'] : [];
  execFileSync(studioBin, ['add-user', user, '--role', role, '--data-dir', dataDir, '--config', config, ...runAs],
    { input: password + '\n', stdio: ['pipe', 'inherit', 'inherit'] });
  const args = ['--data-dir', dataDir, '--listen', '127.0.0.1', '--port', '0', '--config', config, ...runAs, ...extraArgs];
  const log = [];
  const env = { ...process.env };
  if (webDir) env.SIGNAGE_STUDIO_WEB_DIR = webDir;
  const proc = spawn(studioBin, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  proc.stdout.on('data', (d) => log.push(String(d)));
  proc.stderr.on('data', (d) => log.push(String(d)));
  let exited = null;
  proc.on('exit', (code, signal) => { exited = { code, signal }; });
  // --port 0: the studio takes a free port and says which ("listening on URL"): no race for one.
  const url = await waitFor('the studio to listen', () => {
    if (exited) throw new Error(`signage-studio exited (${JSON.stringify(exited)}): ${log.join('')}`);
    const m = log.join('').match(/listening on (https?:\/\/\S+?)\/?(\s|$)/);
    return m ? m[1] : null;
  });
  return {
    url, dataDir, log, tmp,
    exited: () => exited,  // {code, signal} once it has stopped
    async stop() {
      if (!exited) {
        proc.kill('SIGTERM');
        await waitFor('the studio to stop', () => exited, { timeoutMs: 10000 }).catch(() => proc.kill('SIGKILL'));
      }
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
