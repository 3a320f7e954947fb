// Drives the web UI in headless Chromium (playwright-core) for tests/ui/ui_test.py, which
// starts dbinsight and holds the workload (sessions in `select pg_sleep(600)`). Exits
// non-zero on the first failed check, on any console error or page error, and on any
// request to another origin. Environment: DBI_ENDPOINT, DBI_INSTANCE, DBI_RESOURCE_ID,
// DBI_WINDOW_START/END (epoch seconds of a window the workload is recorded in),
// DBI_NODE_MODULES, DBI_UI_ARTIFACTS, DBI_CHROMIUM.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';

const env = (name) => {
  if (!process.env[name]) throw new Error(`${name} is not set`);
  return process.env[name];
};
const require = createRequire(import.meta.url);
const { chromium } = require(path.join(env('DBI_NODE_MODULES'), 'playwright-core'));
const base = env('DBI_ENDPOINT');
const origin = new URL(base).origin;
const instance = env('DBI_INSTANCE');
const artifacts = env('DBI_UI_ARTIFACTS');
const windowStart = Number(env('DBI_WINDOW_START'));
const windowEnd = Number(env('DBI_WINDOW_END'));

async function pi(operation, body) {
  const r = await fetch(`${base}/`, {
    method: 'POST',
    headers: { 'X-Amz-Target': `PerformanceInsightsv20180227.${operation}`, 'Content-Type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({ ServiceType: 'RDS', ...body }),
  });
  assert.equal(r.status, 200, `${operation} answered ${r.status}`);
  return r.json();
}

const problems = [];
const browser = await chromium.launch({ executablePath: process.env.DBI_CHROMIUM || '/usr/bin/chromium', headless: true });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.protocol !== 'data:' && url.origin !== origin) problems.push(`request outside the origin: ${r.url()}`);
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  const noProblems = (step) => assert.deepEqual(problems, [], `${step}: ${problems.join('\n')}`);

  // Waits until the page has finished rendering the current URL; returns its state.
  const settled = async () => {
    await page.waitForFunction(() => window.__dbinsight && window.__dbinsight.ready
      && window.__dbinsight.hash === location.hash, null, { timeout: 20000 });
    const state = await page.evaluate(() => window.__dbinsight);
    assert.equal(state.error, null, `the page shows an error: ${state.error}`);
    return state;
  };
  const goto = async (hash) => {
    await page.goto(`${base}/${hash}`);
    return settled();
  };

  // Fleet overview: the instance, sampling, with a current load.
  let state = await goto('#/');
  const row = page.locator(`tr[data-instance="${instance}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /sampling ok/);
  const fleetRow = state.fleet.find((f) => f.id === instance);
  assert.ok(fleetRow && fleetRow.current > 0, `fleet row without current load: ${JSON.stringify(fleetRow)}`);
  assert.match(fleetRow.topWait, /PgSleep/);
  await page.screenshot({ path: path.join(artifacts, 'fleet-1280x800.png'), fullPage: true });
  noProblems('fleet');

  // Instance page, last 5 minutes by wait: the range link is active, the sleep wait is charted.
  state = await goto(`#/instance/${instance}?range=5m&slice=wait`);
  assert.equal(await page.locator('#ranges a.active').innerText(), '5m');
  assert.ok(state.chartData.series.some((s) => /PgSleep/.test(s.label)), 'no PgSleep series on the 5m chart');
  await page.locator('#chart .u-over').waitFor();

  // A fixed window: the chart's points are exactly GetResourceMetrics' for the same range.
  state = await goto(`#/instance/${instance}?start=${windowStart}&end=${windowEnd}&slice=wait`);
  const chart = state.chartData;
  assert.equal(chart.start, windowStart);
  assert.equal(chart.end, windowEnd);
  const api = await pi('GetResourceMetrics', {
    Identifier: env('DBI_RESOURCE_ID'), StartTime: chart.start, EndTime: chart.end, PeriodInSeconds: chart.period,
    MetricQueries: [{ Metric: 'db.load.avg', GroupBy: { Group: 'db.wait_event', Limit: 10 } }],
  });
  const grouped = api.MetricList.filter((m) => m.Key.Dimensions);
  assert.ok(grouped.length > 0, 'the API has no wait series');
  assert.equal(chart.series.length, grouped.length, 'series count');
  let compared = 0;
  grouped.forEach((m, k) => {
    assert.deepEqual(chart.series[k].dimensions, m.Key.Dimensions, `series ${k} dimensions`);
    for (const p of m.DataPoints) {
      const i = chart.timestamps.indexOf(p.Timestamp);
      assert.ok(i >= 0, `timestamp ${p.Timestamp} missing from the chart`);
      assert.equal(chart.series[k].values[i], p.Value ?? null, `series ${k} at ${p.Timestamp}`);
      compared++;
    }
  });
  assert.equal(chart.timestamps.length, grouped[0].DataPoints.length, 'point count');
  const sleep = chart.series.find((s) => /PgSleep/.test(s.label));
  assert.ok(sleep && Math.max(...sleep.values.filter((v) => v !== null)) >= 2.5, 'PgSleep load below the 3 sleepers');
  await page.screenshot({ path: path.join(artifacts, 'instance-1280x800.png'), fullPage: true });
  noProblems('chart');

  // Slice by SQL through the page's own link: the sleeping statement tops the table.
  await page.locator('#slices a[data-key="sql"]').click();
  await page.waitForFunction(() => location.hash.includes('slice=sql'));
  state = await settled();
  assert.equal(state.table[0]?.label, 'select pg_sleep($1)', `top SQL: ${JSON.stringify(state.table)}`);
  assert.match(await page.locator('#top tbody tr').first().innerText(), /select pg_sleep\(\$1\)/);
  noProblems('sql slice');

  // Drag across the middle of the chart: the URL gets the zoomed range and the page follows it.
  const before = await page.evaluate(() => location.hash);
  const box = await page.locator('#chart .u-over').boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction((old) => location.hash !== old, before, { timeout: 10000 });
  state = await settled();
  const params = new URLSearchParams(state.hash.split('?')[1]);
  const zoomStart = Number(params.get('start')), zoomEnd = Number(params.get('end'));
  assert.ok(zoomStart > windowStart && zoomEnd < windowEnd && zoomEnd > zoomStart,
    `zoomed range ${zoomStart}..${zoomEnd} not inside ${windowStart}..${windowEnd}`);
  assert.equal(params.get('slice'), 'sql');
  assert.equal(state.chartData.start, zoomStart);
  assert.equal(state.chartData.end, zoomEnd);
  noProblems('zoom');

  // Phone size: same pages, nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [name, hash] of [['instance', `#/instance/${instance}?range=5m&slice=wait`], ['fleet', '#/']]) {
    await goto(hash);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name} page is ${overflow}px wider than 390px`);
    await page.screenshot({ path: path.join(artifacts, `${name}-390x844.png`), fullPage: true });
  }
  noProblems('390x844');
  console.log(`ok: fleet, chart (${compared} points equal to the API), SQL slice, zoom, 390x844`);
} finally {
  await browser.close();
}
