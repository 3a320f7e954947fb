// Drives the web UI in headless Chromium (playwright-core) for tests/ui/ui_test.py, which
// starts dbinsight and holds the workload (sessions in `select pg_sleep(600)` and one
// looping `select pg_sleep(0.1) as loop_sleep`), and has the analyzer store one scheduled report. Every
// page is compared with the API it reads. Exits non-zero on the first failed check, on any
// console error or page error, and on any request to another origin. Environment:
// DBI_ENDPOINT, DBI_INSTANCE, DBI_RESOURCE_ID, DBI_WINDOW_START/END (epoch seconds of a
// window the workload is recorded in), DBI_UNDELIVERABLE (subject of a message the outbox
// cannot deliver), DBI_DOWN_INSTANCE (a configured instance that is down), DBI_NODE_MODULES, DBI_UI_ARTIFACTS, DBI_CHROMIUM.
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
    headers: {
      'X-Amz-Target': `PerformanceInsightsv20180227.${operation}`,
      'Content-Type': 'application/x-amz-json-1.1',
    },
    body: JSON.stringify({ ServiceType: 'RDS', ...body }),
  });
  assert.equal(r.status, 200, `${operation} answered ${r.status}`);
  return r.json();
}

async function cw(operation, body = {}) {
  const r = await fetch(`${base}/`, {
    method: 'POST',
    headers: {
      'X-Amz-Target': `GraniteServiceVersion20100801.${operation}`,
      'Content-Type': 'application/x-amz-json-1.0',
      'x-amzn-query-mode': 'true',
    },
    body: JSON.stringify(body),
  });
  assert.equal(r.status, 200, `${operation} answered ${r.status}`);
  return r.json();
}

async function getJson(p) {
  const r = await fetch(`${base}${p}`);
  assert.equal(r.status, 200, `GET ${p} answered ${r.status}`);
  return r.json();
}

const sorted = (list) => [...list].sort();
const problems = [];
const browser = await chromium.launch({
  executablePath: process.env.DBI_CHROMIUM || '/usr/bin/chromium',
  headless: true,
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.protocol !== 'data:' && url.origin !== origin) problems.push(`request outside the origin: ${r.url()}`);
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  const noProblems = (step) => assert.deepEqual(problems, [], `${step}: ${problems.join('\n')}`);

  // Waits until the page has finished rendering the current URL; returns its state.
  const settled = async () => {
    await page.waitForFunction(
      () => window.__dbinsight && window.__dbinsight.ready && window.__dbinsight.hash === location.hash,
      null,
      { timeout: 20000 },
    );
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
  // The instance nobody listens for: /healthz is 503, and the page lists it as down with its error.
  const downId = env('DBI_DOWN_INSTANCE');
  assert.equal(state.fleet.find((f) => f.id === downId)?.status, 'down', `fleet: ${JSON.stringify(state.fleet)}`);
  assert.match(await page.locator(`tr[data-instance="${downId}"]`).innerText(), /down/);
  const shot = (name) => page.screenshot({ path: path.join(artifacts, `${name}-1280x800.png`), fullPage: true });
  await shot('fleet');
  noProblems('fleet');

  // Instance page, last 5 minutes by wait: the range link is active, the sleep wait is charted.
  state = await goto(`#/instance/${instance}?range=5m&slice=wait`);
  assert.equal(await page.locator('#ranges a.active').innerText(), '5m');
  assert.ok(
    state.chartData.series.some((s) => /PgSleep/.test(s.label)),
    'no PgSleep series on the 5m chart',
  );
  await page.locator('#chart .u-over').waitFor();
  // The legend highlights: a click pins the series (and says so), a second click unpins it.
  const sleepItem = page.locator('#legend .legend-item', { hasText: 'PgSleep' }).first();
  await sleepItem.hover();
  await sleepItem.click();
  assert.match(await page.evaluate(() => window.__dbinsight.highlight), /PgSleep/);
  assert.equal(await page.locator('#legend .legend-item.pinned').count(), 1);
  await sleepItem.click();
  assert.equal(await page.evaluate(() => window.__dbinsight.highlight), null);
  noProblems('legend');

  // A fixed window: the chart's points are exactly GetResourceMetrics' for the same range.
  state = await goto(`#/instance/${instance}?start=${windowStart}&end=${windowEnd}&slice=wait`);
  const chart = state.chartData;
  assert.equal(chart.start, windowStart);
  assert.equal(chart.end, windowEnd);
  const api = await pi('GetResourceMetrics', {
    Identifier: env('DBI_RESOURCE_ID'),
    StartTime: chart.start,
    EndTime: chart.end,
    PeriodInSeconds: chart.period,
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
  await shot('instance');
  noProblems('chart');

  // Slice by SQL through the page's own link: the sleeping statement tops the table.
  await page.locator('#slices a[data-key="sql"]').click();
  await page.waitForFunction(() => location.hash.includes('slice=sql'));
  state = await settled();
  assert.equal(state.table[0]?.label, 'select pg_sleep($1)', `top SQL: ${JSON.stringify(state.table)}`);
  assert.match(await page.locator('#top tbody tr').first().innerText(), /select pg_sleep\(\$1\)/);
  // Its calls/s, latency and rows/call are DescribeDimensionKeys' AdditionalMetrics for the window.
  const stats = ['calls_per_sec', 'avg_latency_per_call', 'rows_per_call'].map(
    (m) => `db.sql_tokenized.stats.${m}.avg`,
  );
  const sqlKeys = await pi('DescribeDimensionKeys', {
    Identifier: env('DBI_RESOURCE_ID'),
    StartTime: windowStart,
    EndTime: windowEnd,
    Metric: 'db.load.avg',
    GroupBy: { Group: 'db.sql_tokenized', Limit: 10 },
    PartitionBy: { Group: 'db.wait_event', Limit: 5 },
    AdditionalMetrics: stats,
  });
  assert.deepEqual(
    state.table.map((r) => r.stats),
    sqlKeys.Keys.map((k) => k.AdditionalMetrics || null),
    'SQL statistics',
  );
  const loopRow = state.table.findIndex((r) => /loop_sleep/.test(r.label));
  assert.ok(
    loopRow > 0 && state.table[loopRow].stats?.[stats[0]] > 0,
    `no calls/s for the looping statement: ${JSON.stringify(state.table)}`,
  );
  assert.ok(
    (await page.locator('#top tbody tr').nth(loopRow).innerText()).includes(
      state.table[loopRow].stats[stats[0]].toFixed(2),
    ),
    'the calls/s column',
  );
  noProblems('sql slice');

  // Statement detail: a click on a statement opens its full text, load by wait and statistics.
  await page.locator('#top a[data-sql]').nth(loopRow).click();
  await page.waitForFunction(() => location.hash.includes('sql='));
  state = await settled();
  const sqlId = state.table[loopRow].id;
  assert.equal(state.statement.id, sqlId);
  const details = await pi('GetDimensionKeyDetails', {
    Identifier: env('DBI_RESOURCE_ID'),
    Group: 'db.sql_tokenized',
    GroupIdentifier: sqlId,
  });
  assert.equal(
    state.statement.text,
    details.Dimensions.find((d) => d.Dimension === 'db.sql_tokenized.statement').Value,
  );
  assert.equal(await page.locator('#statement pre').innerText(), state.statement.text);
  assert.match(state.statement.text, /^select pg_sleep\(\$1\) as loop_sleep$/i);
  assert.ok(
    state.statement.series.some((s) => /PgSleep/.test(s.label)),
    'statement load has no PgSleep series',
  );
  assert.ok(state.statement.stats[stats[0]] > 0, `statement statistics: ${JSON.stringify(state.statement.stats)}`);
  assert.ok((await page.locator('#statement-stats tbody tr').count()) >= 3, 'statement statistics table');
  await shot('statement');
  noProblems('statement detail');

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
  const zoomStart = Number(params.get('start')),
    zoomEnd = Number(params.get('end'));
  assert.ok(
    zoomStart > windowStart && zoomEnd < windowEnd && zoomEnd > zoomStart,
    `zoomed range ${zoomStart}..${zoomEnd} not inside ${windowStart}..${windowEnd}`,
  );
  assert.equal(params.get('slice'), 'sql');
  assert.equal(state.chartData.start, zoomStart);
  assert.equal(state.chartData.end, zoomEnd);
  noProblems('zoom');

  // A counter metric picked from ListAvailableResourceMetrics: its chart is GetResourceMetrics' points.
  await goto(`#/instance/${instance}?start=${windowStart}&end=${windowEnd}&slice=wait`);
  const counter = await page.locator('#metric-picker option[value^="db."]').first().getAttribute('value');
  await page.locator('#metric-picker').selectOption(counter);
  await page.waitForFunction((m) => location.hash.includes(`metrics=${m}`), counter);
  state = await settled();
  const counterApi = await pi('GetResourceMetrics', {
    Identifier: env('DBI_RESOURCE_ID'),
    StartTime: windowStart,
    EndTime: windowEnd,
    PeriodInSeconds: state.chartData.period,
    MetricQueries: [{ Metric: `${counter}.avg` }],
  });
  assert.equal(state.counters.length, 1);
  assert.deepEqual(
    state.counters[0].timestamps,
    counterApi.MetricList[0].DataPoints.map((p) => p.Timestamp),
  );
  assert.deepEqual(
    state.counters[0].values,
    counterApi.MetricList[0].DataPoints.map((p) => p.Value ?? null),
  );
  await page.locator(`.counter[data-metric="${counter}"] .u-over`).waitFor();
  noProblems('counter metric');

  // Custom range: the form writes start/end (whole minutes of the inputs) into the URL.
  const beforeCustom = await page.evaluate(() => location.hash);
  // A fixed window shows the form open already; a relative range behind its summary.
  if (!(await page.locator('#custom').evaluate((d) => d.open))) await page.locator('#custom summary').click();
  await page.locator('#custom-from').fill('2026-01-02T03:04');
  await page.locator('#custom-to').fill('2026-01-02T05:06');
  await page.locator('#custom button').click();
  await page.waitForFunction((old) => location.hash !== old, beforeCustom);
  state = await settled();
  assert.equal(state.chartData.end - state.chartData.start, 2 * 3600 + 2 * 60, 'custom range span');
  assert.ok(state.hash.includes(`metrics=${counter}`), 'the custom range dropped the picked metric');
  noProblems('custom range');

  // Live mode: the page re-reads the API every few seconds and the window moves with the clock.
  state = await goto(`#/instance/${instance}?range=5m&slice=wait&live=1`);
  assert.equal(await page.locator('#live.active').count(), 1);
  const liveEnd = state.chartData.end;
  await page.waitForFunction(
    (end) => window.__dbinsight.refreshes >= 1 && window.__dbinsight.ready && window.__dbinsight.chartData.end > end,
    liveEnd,
    { timeout: 20000 },
  );
  noProblems('live mode');

  // Alarms: what DescribeAlarms lists, the recipe's four per instance among them.
  const alarms = (await cw('DescribeAlarms', { MaxRecords: 100 })).MetricAlarms;
  state = await goto('#/alarms');
  assert.deepEqual(sorted(state.alarms.map((a) => a.name)), sorted(alarms.map((a) => a.AlarmName)));
  for (const kind of ['HighDatabaseLoad', 'HighCPUUtilization', 'HighLoadEvents', 'ProblematicQueries']) {
    const alarm = state.alarms.find((a) => a.name === `RDS-${kind}-${instance}`);
    assert.ok(alarm && alarm.instance === instance, `recipe alarm ${kind} missing`);
    assert.equal(alarm.state, alarms.find((a) => a.AlarmName === alarm.name).StateValue);
  }
  await shot('alarms');
  await page.locator(`tr[data-alarm="RDS-HighDatabaseLoad-${instance}"] a`).first().click();
  state = await settled();
  const history = await cw('DescribeAlarmHistory', { AlarmName: `RDS-HighDatabaseLoad-${instance}`, MaxRecords: 100 });
  assert.equal(state.alarm.threshold, alarms.find((a) => a.AlarmName === `RDS-HighDatabaseLoad-${instance}`).Threshold);
  assert.deepEqual(
    state.alarm.history.map((h) => h.summary),
    history.AlarmHistoryItems.map((h) => h.HistorySummary),
  );
  await page.locator('#alarm-chart .u-over').waitFor();
  await shot('alarm');
  noProblems('alarms');

  // Reports: a root-cause report made now through PI, and the scheduled one in the bucket.
  const { AnalysisReportId: reportId } = await pi('CreatePerformanceAnalysisReport', {
    Identifier: env('DBI_RESOURCE_ID'),
    StartTime: windowStart,
    EndTime: windowEnd,
  });
  const listed = await pi('ListPerformanceAnalysisReports', { Identifier: env('DBI_RESOURCE_ID'), MaxResults: 25 });
  state = await goto('#/reports');
  const mine = state.reports.find((r) => r.instance === instance);
  assert.deepEqual(sorted(mine.analysis), sorted(listed.AnalysisReports.map((r) => r.AnalysisReportId)));
  assert.ok(mine.analysis.includes(reportId));
  assert.equal(mine.scheduled.length, 1, `scheduled reports: ${JSON.stringify(mine.scheduled)}`);
  await shot('reports');
  await page.locator(`tr[data-report="${reportId}"] a`).click();
  state = await settled();
  const report = (
    await pi('GetPerformanceAnalysisReport', { Identifier: env('DBI_RESOURCE_ID'), AnalysisReportId: reportId })
  ).AnalysisReport;
  assert.deepEqual(
    state.report.insights,
    report.Insights.map((i) => ({ type: i.InsightType, severity: i.Severity })),
  );
  assert.ok(report.Insights.length > 0 && state.report.charts > 0, 'no findings or no evidence chart');
  await page.locator('.insight .u-over').first().waitFor();
  await shot('report');
  await goto('#/reports');
  await page.locator('tr[data-key] a').first().click();
  state = await settled();
  assert.equal(state.report.kind, 'scheduled');
  assert.ok(state.report.lists.problematic_queries >= 1, `scheduled report: ${JSON.stringify(state.report)}`);
  assert.match(await page.locator('main').innerText(), /select pg_sleep\(\$1\)/);
  await shot('scheduled-report');
  noProblems('reports');

  // Incidents and notifications: what GET /incidents and the outbox routes list.
  const incidents = await getJson('/incidents?State=ALL&MaxResults=200');
  state = await goto('#/incidents');
  assert.deepEqual(
    state.incidents.map((i) => i.id),
    incidents.Incidents.map((i) => i.Id),
  );
  await shot('incidents');
  const [pending, dead] = [await getJson('/notify/pending'), await getJson('/notify/dead-letters')];
  state = await goto('#/notifications');
  assert.ok(
    state.notifications.topics.some((t) => t.endsWith(':db-performance-alerts')),
    'default topic missing',
  );
  // The undeliverable message is pending (retrying) or, after its last attempt, dead.
  assert.equal(
    state.notifications.pending + state.notifications.dead,
    pending.Pending.length + dead.DeadLetters.length,
  );
  assert.ok(state.notifications.pending + state.notifications.dead >= 1, 'the undeliverable message is not listed');
  assert.ok((await page.locator('main').innerText()).includes(env('DBI_UNDELIVERABLE')));
  await shot('notifications');
  noProblems('incidents and notifications');

  // Dashboards: the default one's widgets as GetDashboard has them, and a hand-made one with
  // text, alarm and single-value widgets (put-dashboard's JSON).
  const dashName = `RDS-Performance-${instance}`;
  state = await goto('#/dashboards');
  await shot('dashboards');
  assert.deepEqual(
    sorted(state.dashboards),
    sorted((await cw('ListDashboards')).DashboardEntries.map((d) => d.DashboardName)),
  );
  await page.locator(`tr[data-dashboard="${dashName}"] a`).click();
  state = await settled();
  const body = JSON.parse((await cw('GetDashboard', { DashboardName: dashName })).DashboardBody);
  assert.deepEqual(
    state.dashboard.widgets.map((w) => [w.type, w.title]),
    body.widgets.map((w) => [w.type, w.properties?.title ?? null]),
  );
  const connections = state.dashboard.widgets.find((w) => w.metrics?.includes('DatabaseConnections'));
  assert.ok(connections && connections.points > 0, `no DatabaseConnections points: ${JSON.stringify(state.dashboard)}`);
  if (body.widgets.some((w) => w.type === 'log'))
    assert.match(await page.locator('#widgets').innerText(), /No logs yet/);
  await shot('dashboard');
  await cw('PutDashboard', {
    DashboardName: 'ui-test',
    DashboardBody: JSON.stringify({
      widgets: [
        {
          type: 'text',
          x: 0,
          y: 0,
          width: 24,
          height: 2,
          properties: { markdown: '# Team notes\nWatch **load** and `locks`.' },
        },
        {
          type: 'alarm',
          x: 0,
          y: 2,
          width: 12,
          height: 4,
          properties: { title: 'Recipe alarms', alarms: alarms.map((a) => a.AlarmArn) },
        },
        {
          type: 'metric',
          x: 12,
          y: 2,
          width: 12,
          height: 4,
          properties: {
            title: 'Connections now',
            view: 'singleValue',
            region: 'us-east-1',
            period: 60,
            stat: 'Maximum',
            metrics: [['AWS/RDS', 'DatabaseConnections', 'DBInstanceIdentifier', instance]],
          },
        },
        {
          type: 'metric',
          x: 0,
          y: 6,
          width: 12,
          height: 4,
          properties: {
            title: 'Connections doubled',
            region: 'us-east-1',
            period: 60,
            stat: 'Maximum',
            metrics: [
              ['AWS/RDS', 'DatabaseConnections', 'DBInstanceIdentifier', instance, { id: 'c', visible: false }],
              [{ expression: 'c * 2', label: 'Twice the connections' }],
            ],
          },
        },
      ],
    }),
  });
  state = await goto('#/dashboards/ui-test');
  // Metric math: the hidden input is not drawn, the expression is, with its label.
  const doubled = state.dashboard.widgets.find((w) => w.title === 'Connections doubled');
  assert.deepEqual(doubled.metrics, ['Twice the connections'], JSON.stringify(state.dashboard));
  assert.ok(doubled.points > 0, `no points for the expression: ${JSON.stringify(doubled)}`);
  assert.equal(await page.locator('#widgets .text h3').innerText(), 'Team notes');
  assert.equal(await page.locator('#widgets .alarm li').count(), alarms.length);
  assert.match(await page.locator('#widgets .single .big').innerText(), /^\d/);
  await shot('dashboard-custom');
  noProblems('dashboards');

  // Phone size: every page, nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  const pages = [
    ['fleet', '#/'],
    ['instance', `#/instance/${instance}?range=5m&slice=sql&sql=${sqlId}&metrics=${counter}`],
    ['alarms', '#/alarms'],
    ['alarm', `#/alarms/RDS-HighDatabaseLoad-${instance}`],
    ['reports', '#/reports'],
    ['report', `#/report?instance=${instance}&id=${reportId}`],
    ['incidents', '#/incidents'],
    ['notifications', '#/notifications'],
    ['dashboards', '#/dashboards'],
    ['dashboard', `#/dashboards/${dashName}`],
  ];
  for (const [name, hash] of pages) {
    await goto(hash);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name} page is ${overflow}px wider than 390px`);
    await page.screenshot({ path: path.join(artifacts, `${name}-390x844.png`), fullPage: true });
  }
  noProblems('390x844');
  console.log(
    `ok: fleet, chart (${compared} points equal to the API), legend, SQL slice and statistics, statement, zoom,` +
      ' counter metric, custom range, live, alarms, reports, incidents, notifications, dashboards, 390x844',
  );
} finally {
  await browser.close();
}
