// The studio's fleet page in a real browser against real parts started here: mosquitto on
// 127.0.0.1, signage-studio with mqtt_broker set, and two `signage-player run --headless` with
// mqtt settings importing the studio's published folder (hall-a, the latest revision) and a copy
// of an older revision (hall-b). Checks the page lists both with the right revisions, the lagging
// one marked in words, a screenshot asked for and shown, hall-b marked offline after it is killed
// (its last will), and an alert sent with `signage-player fleet --alert` shown as acknowledged by
// hall-a and not by hall-b. A studio without a broker says how to set one. Screenshots of the page
// (desktop and phone) go to OUT/screenshots.
//
//   node fleet.mjs --studio BIN --player BIN --mosquitto BIN --web DIR --out DIR
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { parseArgs, startStudio, waitFor } from './studio.mjs';

const args = parseArgs(['studio', 'player', 'mosquitto', 'out'],
  'node fleet.mjs --studio BIN --player BIN --mosquitto BIN --out DIR');
const OUT = path.resolve(args.out);
const SHOTS = path.join(OUT, 'screenshots');
fs.mkdirSync(SHOTS, { recursive: true });
const USER = 'zhaomin';
const PASSWORD = 'heping-fleet-2026';
const FLEET = 'heping';
const SIZES = { phone: { width: 360, height: 780, deviceScaleFactor: 1 },
  desktop: { width: 1366, height: 900, deviceScaleFactor: 1 } };
const step = (what) => console.log(`-- ${what}`);
const root = process.getuid() === 0;
// Run as root, the players and the studio run as nobody (the studio refuses root).
const nobody = root ? { uid: Number(execFileSync('id', ['-u', 'nobody'])), gid: Number(execFileSync('id', ['-g', 'nobody'])) } : {};
const chown = (p) => { if (root) execFileSync('chown', ['-R', 'nobody:', p]); };

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => { socket.destroy(); resolve(true); });
    socket.on('error', () => resolve(false));
  });
}

// A child process whose output goes to `log` (a file), killed at cleanup.
function start(argv, log, options = {}) {
  const out = fs.openSync(log, 'a');
  const proc = spawn(argv[0], argv.slice(1), { stdio: ['ignore', out, out], ...options });
  fs.closeSync(out);
  proc.exitCode_ = null;
  proc.done = new Promise((resolve) => proc.on('exit', (code, signal) => { proc.exitCode_ = code; resolve({ code, signal }); }));
  return proc;
}

// The studio's API from node, signed in: {get, send}.
async function apiClient(url) {
  const res = await fetch(url + '/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: USER, password: PASSWORD }) });
  assert.equal(res.status, 200, 'login');
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrf } = await res.json();
  const call = async (method, p, json, headers = {}) => {
    const r = await fetch(url + p, { method, headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json', ...headers },
      body: json === undefined ? undefined : JSON.stringify(json) });
    const type = r.headers.get('content-type') || '';
    return { status: r.status, type, body: type.includes('json') ? await r.json() : Buffer.from(await r.arrayBuffer()) };
  };
  return { call, cookie };
}

async function publish(api, title) {
  const draft = (await api.call('GET', '/api/draft')).body;
  const playlist = { ...draft.playlist, title: '和平里社区服务中心',
    items: [{ type: 'headline', id: 'welcome', title, subtitle: '欢迎光临', duration: 8 }] };
  const saved = await api.call('PUT', '/api/draft', { base: draft.version, playlist });
  assert.equal(saved.status, 200, 'save the draft: ' + JSON.stringify(saved.body));
  const version = (await api.call('GET', '/api/draft')).body.version;
  const out = await api.call('POST', '/api/publish', { base: version, note: title });
  assert.equal(out.status, 200, 'publish: ' + JSON.stringify(out.body));
  return out.body.revision;
}

async function shot(page, size, name) {
  await page.setViewport(SIZES[size]);
  await new Promise((r) => setTimeout(r, 300));
  await page.evaluate(() => { document.activeElement?.blur(); document.getElementById('status').textContent = ''; });
  const text = await page.evaluate(() => document.body.innerText);
  for (const junk of ['[object ', 'undefined', 'NaN', '{n}', 'fleet.']) {
    assert.ok(!text.includes(junk), `${name} (${size}) shows "${junk}":\n${text.slice(0, 2000)}`);
  }
  // Phone: nothing wider than the screen (no sideways scrolling).
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= SIZES[size].width, `${name} (${size}) is ${wide} px wide`);
  const file = path.join(SHOTS, `${name}-${size}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const rowText = (page, name) => page.$eval(`tr[data-player="${name}"]`, (r) => r.innerText).catch(() => '');

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-fleet-'));
  fs.chmodSync(tmp, 0o755);
  const cleanup = [];
  let studio = null;
  let browser = null;
  try {
    step('mosquitto on 127.0.0.1');
    const port = await freePort();
    const conf = path.join(tmp, 'mosquitto.conf');
    fs.writeFileSync(conf, `user ${os.userInfo().username}\nlistener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_type all\n`);
    const broker = start([args.mosquitto, '-c', conf], path.join(tmp, 'mosquitto.log'));
    cleanup.push(async () => { broker.kill('SIGTERM'); await broker.done; });
    await waitFor('mosquitto to listen', () => portOpen(port), { timeoutMs: 20000 });
    const brokerUrl = `mqtt://127.0.0.1:${port}`;

    step('a content key; the studio with the broker set');
    const keys = path.join(tmp, 'keys');
    fs.mkdirSync(keys);
    execFileSync(args.player, ['keygen', path.join(keys, 'content')]);
    chown(keys);
    studio = await startStudio(args.studio, { user: USER, password: PASSWORD, role: 'editor', webDir: args.web,
      extraArgs: ['--sign-key', path.join(keys, 'content.key'), '--mqtt-broker', brokerUrl, '--mqtt-fleet', FLEET] });
    const url = studio.url;
    const api = await apiClient(url);

    step('two revisions published; a copy of the first for the screen that lags');
    const r1 = await publish(api, '社区食堂开业');
    const old = path.join(tmp, 'old');
    fs.cpSync(path.join(studio.dataDir, 'revisions', `r${r1}`), old, { recursive: true });
    chown(old);
    const r2 = await publish(api, '老年大学秋季招生');
    assert.ok(r2 > r1, `revisions ${r1}, ${r2}`);

    step('players hall-a (published) and hall-b (the old copy)');
    const players = {};
    for (const [name, source] of [['hall-a', path.join(studio.dataDir, 'published')], ['hall-b', old]]) {
      const state = path.join(tmp, 'state-' + name);
      fs.mkdirSync(state);
      chown(state);
      const p = start([args.player, 'run', '--headless', '--size', '640x360', '--no-usb', '--state-dir', state,
        '--local-source', source, '--public-key', path.join(keys, 'content.pub'), '--player-id', name,
        '--mqtt-broker', brokerUrl, '--mqtt-fleet', FLEET, '--mqtt-groups', 'lobby'], path.join(tmp, name + '.log'), nobody);
      players[name] = p;
      cleanup.push(async () => { if (p.exitCode_ === null) { p.kill('SIGTERM'); await p.done; } });
    }

    step('the JSON: both players with the revisions they play against the published one');
    const fleetJson = async () => (await api.call('GET', '/api/fleet')).body;
    const both = await waitFor('both players with their revisions in /api/fleet', async () => {
      const f = await fleetJson();
      const by = Object.fromEntries((f.players || []).map((p) => [p.name, p]));
      return by['hall-a']?.revision === r2 && by['hall-b']?.revision === r1 && by['hall-a'].online && by['hall-b'].online ? f : null;
    }, { timeoutMs: 90000 });
    assert.equal(both.configured, true);
    assert.equal(both.connected, true);
    assert.equal(both.expected_revision, r2);
    const by = Object.fromEntries(both.players.map((p) => [p.name, p]));
    assert.equal(by['hall-a'].revision_state, 'current');
    assert.equal(by['hall-b'].revision_state, 'behind');
    assert.deepEqual(by['hall-a'].groups, ['lobby']);
    assert.ok(by['hall-a'].last_seen_ms > 0);
    // A change without the CSRF token is refused, as every other change.
    const forged = await fetch(url + '/api/fleet/players/hall-a/screenshot', { method: 'POST', headers: { Cookie: api.cookie } });
    assert.equal(forged.status, 403);
    assert.equal((await api.call('POST', '/api/fleet/players/nobody-here/screenshot')).status, 404);

    step('the page lists them; the one behind is marked in words');
    browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--font-render-hinting=none', '--lang=en-GB'],
    });
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.evaluateOnNewDocument(() => {
      Object.defineProperty(navigator, 'languages', { get: () => ['en-GB', 'en'] });
    });
    page.on('pageerror', (e) => { throw new Error('page error: ' + e.message); });
    await page.setViewport(SIZES.desktop);
    await page.goto(url + '/', { waitUntil: 'networkidle0' });
    await page.waitForSelector('#login-name');
    await page.type('#login-name', USER);
    await page.type('#login-password', PASSWORD);
    await page.click('#login-button');
    await page.waitForSelector('#tab-fleet');
    await page.click('#tab-fleet');
    await page.waitForSelector('tr[data-player="hall-a"]');
    await page.waitForSelector('tr[data-player="hall-b"]');
    assert.match(await rowText(page, 'hall-a'), new RegExp(`revision ${r2} \\(up to date\\)`));
    assert.match(await rowText(page, 'hall-b'), new RegExp(`Behind: plays revision ${r1}, should play ${r2}`));
    assert.match(await rowText(page, 'hall-a'), /Online/);
    assert.match(await page.$eval('#fleet-summary', (e) => e.textContent), /2 screens: 2 online, 0 offline\. Of those online, 1 not playing the latest revision/);
    // A studio with sign_key and the default mqtt_groups pushes updates and alerts to "all".
    assert.match(await page.$eval('#fleet-push', (e) => e.textContent), /pushed to the screens of groups all at once; so are alerts \(signed\)/);

    step('a screenshot of hall-a, asked for with the button, shows in the page');
    await page.click('tr[data-player="hall-a"] button.fleet-shot');
    await page.waitForFunction(() => {
      const img = document.querySelector('.fleet-shot-figure[data-player="hall-a"] img');
      return img && img.complete && img.naturalWidth > 0;
    }, { timeout: 60000 });
    const width = await page.$eval('.fleet-shot-figure[data-player="hall-a"] img', (i) => i.naturalWidth);
    assert.equal(width, 480, 'the screenshot is 480 px wide (the request)');
    const picture = await api.call('GET', '/api/fleet/players/hall-a/screenshot');
    assert.equal(picture.type, 'image/png');
    assert.ok(picture.body.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'a PNG');

    step('hall-b killed: its last will marks it offline');
    players['hall-b'].kill('SIGKILL');
    await players['hall-b'].done;
    await page.waitForFunction(() => document.querySelector('tr[data-player="hall-b"]')?.classList.contains('offline'), { timeout: 60000 });
    assert.match(await rowText(page, 'hall-b'), /Offline/);
    // What it played last is still told.
    assert.match(await rowText(page, 'hall-b'), new RegExp(`plays revision ${r1}`));

    step('an alert sent with signage-player fleet: hall-a acknowledges, hall-b (offline) not');
    const alertFile = path.join(tmp, 'alert.json');
    const expires = new Date(Date.now() + 2 * 3600e3).toISOString();
    fs.writeFileSync(alertFile, JSON.stringify({ id: 'water-1205', expires,
      item: { type: 'alert', title: '临时停水', body: '今日8时至18时停水，请提前储水。', priority: 3 } }));
    const sender = start([args.player, 'fleet', '--broker', brokerUrl, '--fleet', FLEET, '--alert', alertFile,
      '--key', path.join(keys, 'content.key'), '--group', 'lobby', '--wait', '90'], path.join(tmp, 'sender.log'));
    cleanup.push(async () => { if (sender.exitCode_ === null) { sender.kill('SIGTERM'); await sender.done; } });
    await page.waitForFunction(() => /hall-a/.test(document.querySelector('.fleet-alert[data-alert="water-1205"] dd.acked')?.textContent || ''), { timeout: 60000 });
    const notAcked = await page.$eval('.fleet-alert[data-alert="water-1205"] dd.not-acked', (d) => d.textContent);
    assert.match(notAcked, /hall-b \(offline/);
    assert.match(await page.$eval('.fleet-alert[data-alert="water-1205"]', (d) => d.textContent), /临时停水/);
    assert.equal((await sender.done).code, 0, 'signage-player fleet --alert: ' + fs.readFileSync(path.join(tmp, 'sender.log'), 'utf8'));
    const alert = (await fleetJson()).alerts.find((a) => a.id === 'water-1205');
    assert.deepEqual(alert.acked.map((a) => a.player), ['hall-a']);
    assert.deepEqual(alert.offline, ['hall-b']);
    assert.deepEqual(alert.groups, ['lobby']);

    step('screenshots of the page');
    await page.waitForFunction(() => document.querySelector('.fleet-shot-figure img')?.complete);
    for (const size of ['desktop', 'phone']) await shot(page, size, 'fleet');
    await page.setViewport(SIZES.desktop);
    await page.select('#lang', 'zh');
    await page.waitForFunction(() => /各处屏幕/.test(document.querySelector('#fleet-title')?.textContent || ''));
    await page.waitForFunction(() => /落后/.test(document.querySelector('tr[data-player="hall-b"]')?.innerText || '')
      && /离线/.test(document.querySelector('tr[data-player="hall-b"]')?.innerText || ''));
    for (const size of ['desktop', 'phone']) await shot(page, size, 'fleet-zh');

    step('a studio without a broker says how to set one');
    const plain = await startStudio(args.studio, { user: USER, password: PASSWORD, role: 'editor', webDir: args.web });
    cleanup.push(() => plain.stop());
    const plainApi = await apiClient(plain.url);
    assert.deepEqual((await plainApi.call('GET', '/api/fleet')).body, { configured: false });
    await page.goto(plain.url + '/', { waitUntil: 'networkidle0' });
    await page.waitForSelector('#login-name');
    await page.type('#login-name', USER);
    await page.type('#login-password', PASSWORD);
    await page.click('#login-button');
    await page.waitForSelector('#tab-fleet');
    await page.goto(plain.url + '/#fleet', { waitUntil: 'networkidle0' });
    await page.waitForSelector('#fleet-setup');
    assert.match(await page.$eval('#fleet-setup', (e) => e.textContent), /mqtt_broker = /);
    assert.equal(await page.$('#errors:not([hidden])'), null, 'no error shown without a broker');
    await page.screenshot({ path: path.join(SHOTS, 'fleet-setup-desktop.png'), fullPage: true });
    console.log(`screenshots in ${SHOTS}`);
  } catch (e) {
    if (studio) console.log('studio log (end):\n' + studio.log.join('').split('\n').slice(-40).join('\n'));
    for (const name of ['hall-a.log', 'hall-b.log', 'sender.log']) {
      const file = path.join(tmp, name);
      if (fs.existsSync(file)) console.log(`${name} (end):\n` + fs.readFileSync(file, 'utf8').split('\n').slice(-20).join('\n'));
    }
    if (browser) {
      for (const [i, p] of (await browser.pages()).entries()) {
        await p.screenshot({ path: path.join(OUT, `fleet-failure-${i}.png`), fullPage: true }).catch(() => {});
      }
    }
    throw e;
  } finally {
    const steps = [...cleanup.reverse(), () => browser && browser.close(), () => studio && studio.stop(),
      () => fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5 })];
    for (const fn of steps) await Promise.resolve().then(fn).catch((e) => console.log('cleanup: ' + e.message));
  }
  console.log('fleet browser test: passed');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
