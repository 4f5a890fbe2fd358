#!/usr/bin/env node
// Drives the dashboard in Debian's headless chromium through playwright-core (from web/node_modules).
// usage: dashboard.cjs daily URL HOST FROM TO EXPECT.json SHOT.png [DATASET]   fill the form, read the daily bars
//        dashboard.cjs conversations URL HOST FROM TO DAY EXPECT.json SHOT.png   click DAY's bar, read the list
//        dashboard.cjs live URL MIN_NEW_POINTS TIMEOUT_S SHOT.png     watch the live line gain points
//        dashboard.cjs down URL HOST FROM TO SHOT.png                   the page shows a backend outage
// Prints one JSON object with what it saw; exit 0 when it saw what was asked, 1 otherwise.
'use strict';
const path = require('path');
const { chromium } = require(path.join(__dirname, '..', '..', 'web', 'node_modules', 'playwright-core'));

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function withPage(fn) {
  const fs = require('fs');
  const os = require('os');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pcapstream-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: FLAGS,
    viewport: { width: 1200, height: 900 },
  });
  try {
    const page = ctx.pages()[0] || await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const out = await fn(page);
    out.pageErrors = errors;
    return out;
  } finally {
    await ctx.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function fillAndShow(page, url, host, from, to, dataset) {
  await page.goto(url, { waitUntil: 'load' });
  await page.fill('#host', host);
  await page.fill('#from', from);
  await page.fill('#to', to);
  if (dataset) await page.selectOption('#dataset', dataset);
  await page.click('#show');
  await page.waitForFunction(() => window.pcapstream.daily !== null, null, { timeout: 30000 });
}

async function daily([url, host, from, to, expectFile, shot, dataset]) {
  const expect = JSON.parse(require('fs').readFileSync(expectFile, 'utf8'));
  return withPage(async (page) => {
    await fillAndShow(page, url, host, from, to, dataset);
    await page.waitForTimeout(800); // let the bars animate in before the screenshot
    const seen = await page.evaluate(() => {
      const opt = echarts.getInstanceByDom(document.getElementById('daily-chart')).getOption();
      return { days: opt.xAxis[0].data, series: opt.series.map((s) => ({ name: s.name, stack: s.stack, data: s.data })),
        status: document.getElementById('daily-status').textContent };
    });
    await page.screenshot({ path: shot, fullPage: true });
    const want = { days: expect.map((d) => d.day), in: expect.map((d) => d.inBytes), out: expect.map((d) => d.outBytes) };
    seen.ok = JSON.stringify(seen.days) === JSON.stringify(want.days) &&
      seen.series[0].name === 'inbound' && JSON.stringify(seen.series[0].data) === JSON.stringify(want.in) &&
      seen.series[1].name === 'outbound' && JSON.stringify(seen.series[1].data) === JSON.stringify(want.out) &&
      seen.series[0].stack === seen.series[1].stack;
    seen.want = want;
    return seen;
  });
}

async function live([url, minNew, timeoutS, shot]) {
  return withPage(async (page) => {
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => window.pcapstream.liveStatus === 'ok', null, { timeout: 30000 });
    const first = await page.evaluate(() => window.pcapstream.livePoints.length);
    const firstT = await page.evaluate(() => { const p = window.pcapstream.livePoints; return p.length ? p[p.length - 1].t : 0; });
    await page.waitForFunction(([n, t0]) => {
      const pts = window.pcapstream.livePoints.filter((p) => p.t > t0);
      return pts.length >= n && pts.some((p) => p.bytes > 0);
    }, [Number(minNew), firstT], { timeout: Number(timeoutS) * 1000, polling: 500 });
    const seen = await page.evaluate(() => {
      const opt = echarts.getInstanceByDom(document.getElementById('live-chart')).getOption();
      return { points: window.pcapstream.livePoints, drawn: opt.series[0].data.length,
        status: document.getElementById('live-status').textContent };
    });
    await page.screenshot({ path: shot, fullPage: true });
    seen.initial = first;
    seen.ok = seen.drawn === seen.points.length && seen.points.length >= first + Number(minNew);
    return seen;
  });
}

async function down([url, host, from, to, shot]) {
  return withPage(async (page) => {
    await fillAndShow(page, url, host, from, to);
    const seen = await page.evaluate(() => ({
      status: document.getElementById('daily-status').textContent,
      cls: document.getElementById('daily-status').className, daily: window.pcapstream.daily,
    }));
    await page.screenshot({ path: shot, fullPage: true });
    seen.ok = seen.cls.includes('error') && seen.daily.error === 503;
    return seen;
  });
}

// The rows of the conversation table as the page shows them.
function readTable() {
  return [...document.querySelectorAll('#conv-table tbody tr')].map((tr) => {
    const td = [...tr.children].map((c) => c.textContent);
    return { peer: td[1], hostPort: td[2], peerPort: td[3], transport: td[4], initiator: td[5],
      outPackets: Number(td[8]), inPackets: Number(td[9]), communityId: td[12], names: td[13],
      bytes: Number(tr.dataset.bytes) };
  });
}

// Fill the form (flows), click the middle of DAY's column in the chart, read the list under it.
// EXPECT.json: [{peer, hostPort, peerPort, transport, outPackets, inPackets, communityId, bytes}]
// in order, computed by the caller from other data than the page's.
async function conversations([url, host, from, to, day, expectFile, shot]) {
  const expect = JSON.parse(require('fs').readFileSync(expectFile, 'utf8'));
  return withPage(async (page) => {
    await fillAndShow(page, url, host, from, to, 'flows');
    await page.waitForTimeout(800); // the bars animate in
    const at = await page.evaluate((d) => {
      const chart = echarts.getInstanceByDom(document.getElementById('daily-chart'));
      const idx = window.pcapstream.daily.findIndex((x) => x.day === d);
      const [x] = chart.convertToPixel({ seriesIndex: 0 }, [idx, 0]);
      const [, y] = chart.convertToPixel({ seriesIndex: 0 }, [idx, 0]);
      const box = document.getElementById('daily-chart').getBoundingClientRect();
      return { idx, x: box.left + x, y: box.top + y - 3 }; // just above the axis: inside the grid, on the bar
    }, day);
    if (at.idx < 0) return { ok: false, error: `no bar for ${day}` };
    await page.mouse.click(at.x, at.y);
    await page.waitForFunction((d) => window.pcapstream.conversations && window.pcapstream.conversations.day === d,
      day, { timeout: 30000 });
    await page.waitForTimeout(300);
    const seen = await page.evaluate((fn) => ({
      rows: eval(fn)(), title: document.getElementById('conv-title').textContent,
      status: document.getElementById('conv-status').textContent,
      error: window.pcapstream.conversations.error || null,
    }), `(${readTable.toString()})`);
    await page.screenshot({ path: shot, fullPage: true });
    const keys = ['peer', 'hostPort', 'peerPort', 'transport', 'outPackets', 'inPackets', 'communityId', 'bytes'];
    const pick = (r) => keys.map((k) => String(r[k])).join('|');
    seen.ok = !seen.error && seen.rows.length === expect.length && seen.rows.length > 0 &&
      seen.rows.every((r, i) => pick(r) === pick(expect[i]));
    seen.want = expect;
    return seen;
  });
}

const modes = { daily, live, down, conversations };
const [mode, ...rest] = process.argv.slice(2);
if (!modes[mode]) {
  console.error('usage: dashboard.cjs daily|live|down|conversations ...');
  process.exit(2);
}
modes[mode](rest).then((out) => {
  console.log(JSON.stringify(out));
  process.exit(out.ok ? 0 : 1);
}, (e) => {
  console.log(JSON.stringify({ ok: false, error: String(e && e.stack || e) }));
  process.exit(1);
});
