// dbinsight web UI: fleet overview, the Performance Insights view of one instance, alarms,
// reports, incidents, notifications and CloudWatch dashboards (routes in the URL hash; see
// docs/ui.md). Plain ES module, no framework. Reads only the public APIs of the origin that
// served it: PI (JSON 1.1), CloudWatch (JSON 1.0), SNS (query), S3 and the plain JSON lists.
// Responses whose status is data (healthz 503, a report bucket not made yet) go through
// GET /ui/fetch, which answers 200 and moves the status to X-Dbi-Status, because the browser
// logs every 4xx/5xx as a console error. uPlot is the global the bundled uPlot.iife.min.js
// defines. window.__dbinsight exposes what the page shows so the browser tests can compare
// it with the API.

const PI_TARGET = 'PerformanceInsightsv20180227.';
const CW_TARGET = 'GraniteServiceVersion20100801.';
const RANGES = { '5m': 300, '1h': 3600, '3h': 3 * 3600, '6h': 6 * 3600, '24h': 86400, '7d': 7 * 86400 };
const SLICES = {
  wait: ['Waits', 'db.wait_event'],
  sql: ['SQL', 'db.sql_tokenized'],
  user: ['Users', 'db.user'],
  host: ['Hosts', 'db.host'],
  database: ['Databases', 'db.name'],
  application: ['Applications', 'db.application'],
  session_type: ['Session types', 'db.session_type'],
};
const SQL_STATS = 'db.sql_tokenized.stats.';
const TOP_SQL_STATS = ['calls_per_sec', 'avg_latency_per_call', 'rows_per_call'].map((s) => `${SQL_STATS}${s}.avg`);
const PERIODS = [1, 60, 300, 3600, 86400];
const MAX_POINTS = 1500;
const LIVE_EVERY_MS = 5000;
const COLORS = [
  '#2f6fdb',
  '#e8833a',
  '#3aa655',
  '#d64550',
  '#8e5ccf',
  '#8c6d31',
  '#d45fb6',
  '#6b7785',
  '#b5b82e',
  '#25a9c4',
  '#9aa3ad',
];
const NAV = [
  ['#/', 'Fleet'],
  ['#/alarms', 'Alarms'],
  ['#/reports', 'Reports'],
  ['#/incidents', 'Incidents'],
  ['#/notifications', 'Notifications'],
  ['#/dashboards', 'Dashboards'],
];

const state = { ready: false, hash: null, error: null, refreshes: 0 };
const SHELL_STATE = Object.keys(state); // the rest is the current page's and goes with it
window.__dbinsight = state;
let generation = 0; // a newer render makes older fetches' results stale
let charts = []; // the uPlot charts on the page: [{chart, box, height}]
let liveTimer = null;
const metricCatalog = new Map(); // resource id -> ListAvailableResourceMetrics (db and os)

// --- API ------------------------------------------------------------------------------

async function post(target, contentType, body, extraHeaders = {}) {
  const response = await fetch('/', {
    method: 'POST',
    headers: { 'X-Amz-Target': target, 'Content-Type': contentType, ...extraHeaders },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${target.split('.').pop()}: ${json.message || json.Message || response.status}`);
  return json;
}

const pi = (operation, body) =>
  post(PI_TARGET + operation, 'application/x-amz-json-1.1', { ServiceType: 'RDS', ...body });
const cw = (operation, body = {}) =>
  post(CW_TARGET + operation, 'application/x-amz-json-1.0', body, { 'x-amzn-query-mode': 'true' });

// A GET whose status is part of the answer: { status, text }.
async function getSoft(path, query = '') {
  const response = await fetch(`/ui/fetch?${new URLSearchParams({ path, query })}`);
  return { status: Number(response.headers.get('X-Dbi-Status') || response.status), text: await response.text() };
}

async function getJson(path, query = '') {
  const r = await getSoft(path, query);
  const json = JSON.parse(r.text || '{}');
  if (r.status >= 400) throw new Error(`${path}: ${json.message || r.status}`);
  return json;
}

// /healthz is 503 while an instance is down, and still lists every instance.
async function healthz() {
  return JSON.parse((await getSoft('/healthz')).text || '{}').instances || [];
}

async function snsQuery(action) {
  const response = await fetch('/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ Action: action, Version: '2010-03-31' }),
  });
  const xml = new DOMParser().parseFromString(await response.text(), 'application/xml');
  if (!response.ok) throw new Error(`${action}: ${xml.querySelector('Message')?.textContent || response.status}`);
  return xml;
}

// The period PI would pick for a span: the finest that keeps the chart readable.
export function periodFor(seconds) {
  return PERIODS.find((p) => seconds / p <= MAX_POINTS) || PERIODS[PERIODS.length - 1];
}

// --- helpers --------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'style') node.style.cssText = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

const fmt = (v, digits = 2) => (v === null || v === undefined || Number.isNaN(v) ? '–' : Number(v).toFixed(digits));
const now = () => Math.floor(Date.now() / 1000);
const when = (epoch) => (epoch ? new Date(epoch * 1000).toLocaleString() : '–');
// Replaces a node's content; arrays flatten and null/false leave nothing.
const show = (node, ...children) =>
  node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
const card = (...children) => el('div', { class: 'card' }, ...children);
const scrollCard = (...children) => el('div', { class: 'card scroll' }, ...children);
const muted = (text) => el('p', { class: 'muted' }, text);
const badge = (value) => el('span', { class: `badge ${String(value).toLowerCase()}` }, value);

function table(id, headers, rows, empty) {
  const head = headers.map((h) => (Array.isArray(h) ? el('th', { class: h[1] }, h[0]) : el('th', {}, h)));
  return el(
    'table',
    { id },
    el('thead', {}, el('tr', {}, head)),
    el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: headers.length, class: 'muted' }, empty))),
  );
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const pages = ['instance', 'alarms', 'reports', 'report', 'incidents', 'notifications', 'dashboards'];
  if (pages.includes(parts[0])) return { page: parts[0], arg: parts[1], params };
  return { page: 'fleet', params };
}

const link = (hash, params) =>
  params && [...new URLSearchParams(params)].length ? `${hash}?${new URLSearchParams(params)}` : hash;
const instanceHash = (id, params) => link(`#/instance/${encodeURIComponent(id)}`, params);
const alarmHash = (name) => `#/alarms/${encodeURIComponent(name)}`;
const dashboardHash = (name) => `#/dashboards/${encodeURIComponent(name)}`;

// A dimension key's label: the name (or statement) member of its group.
function dimensionLabel(group, dims = {}) {
  if (group === 'db.wait_event') {
    // PostgreSQL's names carry their type ("Timeout:PgSleep"), MariaDB's are paths.
    return dims['db.wait_event.name'] || dims['db.wait_event.type'] || '(unknown)';
  }
  if (group === 'db.sql_tokenized') return dims['db.sql_tokenized.statement'] || dims['db.sql_tokenized.id'] || '?';
  return dims[`${group}.name`] || Object.values(dims).join(' ') || '(none)';
}

function statusOf(instance) {
  if (!instance.sampling_live) return ['down', 'down'];
  if (instance.gaps > 0) return ['gaps', `gaps (${instance.gaps})`];
  return ['ok', 'sampling ok'];
}

// Markdown as reports and dashboards use it: headings, bullet lists, paragraphs,
// `code` (also ``code with `backquotes` ``, as MySQL statements need), **bold**
// and same-origin links. Built as DOM nodes, never as HTML.
function markdown(text) {
  const inline = (line) => {
    const out = [];
    const re = /(`+)([^`]|[^`][^]*?[^`])\1(?!`)|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)]+)\)/g;
    let at = 0;
    for (const m of line.matchAll(re)) {
      out.push(line.slice(at, m.index));
      if (m[2] !== undefined) out.push(el('code', {}, /^ .* $/.test(m[2]) ? m[2].slice(1, -1) : m[2]));
      else if (m[3] !== undefined) out.push(el('strong', {}, m[3]));
      else out.push(/^[#/]/.test(m[5]) ? el('a', { href: m[5] }, m[4]) : `${m[4]} (${m[5]})`);
      at = m.index + m[0].length;
    }
    out.push(line.slice(at));
    return out;
  };
  const root = el('div', { class: 'md' });
  let list = null;
  for (const line of String(text || '').split('\n')) {
    const item = line.match(/^\s*[-*]\s+(.*)$/);
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    if (item) {
      if (!list) root.append((list = el('ul')));
      list.append(el('li', {}, inline(item[1])));
      continue;
    }
    list = null;
    if (heading) root.append(el(`h${Math.min(6, heading[1].length + 2)}`, {}, inline(heading[2])));
    else if (line.trim()) root.append(el('p', {}, inline(line)));
  }
  return root;
}

function sparkline(values, width = 140, height = 32, ceiling = 0) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  if (values.length === 1) values = [values[0], values[0]]; // one point still draws a line
  const max = Math.max(ceiling, ...values.map((v) => v || 0), 0.01);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const y = (v) => height - 1 - ((v || 0) / max) * (height - 2);
  if (ceiling > 0) {
    const line = document.createElementNS(ns, 'line');
    Object.entries({
      x1: 0,
      x2: width,
      y1: y(ceiling),
      y2: y(ceiling),
      stroke: '#d64550',
      'stroke-dasharray': '3 2',
    }).forEach(([k, v]) => line.setAttribute(k, v));
    svg.append(line);
  }
  const path = document.createElementNS(ns, 'polyline');
  path.setAttribute('points', values.map((v, i) => `${(i * step).toFixed(1)},${y(v).toFixed(1)}`).join(' '));
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke', '#2f6fdb');
  path.setAttribute('stroke-width', '1.5');
  svg.append(path);
  return svg;
}

// --- charts ---------------------------------------------------------------------------

const chartHeight = (tall) => (window.innerWidth < 600 ? (tall ? 240 : 180) : tall ? 320 : 220);

// A time-series chart. series: [{label, values}]; opts.stack fills and stacks them
// (uPlot bands fill between neighbours; the legend shows each series' own value);
// opts.lines: flat reference lines [{label, value, color}] (vCPUs, alarm threshold);
// opts.onZoom(from, to) makes a drag select a range; opts.tall for the main chart;
// opts.xRange [start, end] shows the whole requested range even where data is missing.
function plot(box, x, series, opts = {}) {
  if (opts.xRange) {
    // The range's ends as (empty) points, so reference lines span it even with one data point.
    const [from, to] = opts.xRange;
    const head = x[0] > from ? 1 : 0,
      tail = x[x.length - 1] < to ? 1 : 0;
    x = [...(head ? [from] : []), ...x, ...(tail ? [to] : [])];
    series = series.map((s) => ({ ...s, values: [...(head ? [null] : []), ...s.values, ...(tail ? [null] : [])] }));
  }
  const sums = [];
  series.forEach((s, k) => sums.push(s.values.map((v, i) => (opts.stack ? (v ?? 0) + (k ? sums[k - 1][i] : 0) : v))));
  const cfg = [{}];
  const bands = [];
  series.forEach((s, k) => {
    const color = s.color || COLORS[k % COLORS.length];
    cfg.push({
      label: s.label.length > 60 ? `${s.label.slice(0, 57)}…` : s.label,
      stroke: color,
      fill: opts.stack ? `${color}cc` : undefined,
      width: opts.stack ? 1 : 1.5,
      points: { show: !opts.stack && s.values.filter((v) => v !== null && v !== undefined).length < 50 },
      spanGaps: !opts.stack,
      value: (u, v, si, i) => fmt(i === null ? null : series[si - 1].values[i]),
    });
    if (opts.stack && k) bands.push({ series: [k + 1, k] });
  });
  const lines = opts.lines || [];
  lines.forEach((l) =>
    cfg.push({
      label: l.label,
      stroke: l.color || '#c62828',
      dash: [6, 4],
      width: 1.5,
      points: { show: false },
      value: () => fmt(l.value),
    }),
  );
  const maxLine = Math.max(0, ...lines.map((l) => l.value || 0));
  const height = chartHeight(opts.tall);
  const chart = new uPlot(
    {
      width: Math.max(260, box.clientWidth),
      height,
      series: cfg,
      bands,
      legend: { show: !opts.customLegend },
      axes: [{}, { label: opts.yLabel, size: 56 }],
      scales: { y: { range: (u, min, max) => [Math.min(0, min ?? 0), Math.max(max ?? 0, maxLine) * 1.1 || 1] } },
      cursor: { drag: { x: !!opts.onZoom, y: false, setScale: false } },
      hooks: opts.onZoom
        ? {
            setSelect: [
              (u) => {
                if (u.select.width < 3) return;
                const from = Math.floor(u.posToVal(u.select.left, 'x'));
                const to = Math.ceil(u.posToVal(u.select.left + u.select.width, 'x'));
                if (to - from >= 2) opts.onZoom(from, to);
              },
            ],
          }
        : {},
    },
    [x, ...sums, ...lines.map((l) => x.map(() => l.value))],
    box,
  );
  charts.push({ chart, box, tall: !!opts.tall });
  return chart;
}

// Legend that highlights: hovering an entry focuses its series, a click pins it.
function highlightLegend(chart, series, onPin) {
  let pinned = null;
  const focus = (k) => chart.setSeries(k === null ? null : k + 1, { focus: true });
  const items = series.map((s, k) =>
    el(
      'button',
      {
        class: 'legend-item',
        type: 'button',
        'data-series': k,
        title: s.label,
        onmouseenter: () => focus(k),
        onmouseleave: () => focus(pinned),
        onclick: () => {
          pinned = pinned === k ? null : k;
          items.forEach((it, j) => it.classList.toggle('pinned', j === pinned));
          focus(pinned);
          onPin(pinned === null ? null : s.label);
        },
      },
      el('span', { class: 'swatch', style: `background:${s.color || COLORS[k % COLORS.length]}` }),
      s.label.length > 48 ? `${s.label.slice(0, 45)}…` : s.label,
    ),
  );
  return el('div', { class: 'legend', id: 'legend' }, items);
}

// PI GetResourceMetrics MetricList -> {x, series[{label, dimensions, values}]} on one time axis.
function piSeries(metricList, labelOf) {
  const x = [...new Set(metricList.flatMap((m) => m.DataPoints.map((p) => p.Timestamp)))].sort((a, b) => a - b);
  const series = metricList.map((m) => {
    const byTime = new Map(m.DataPoints.map((p) => [p.Timestamp, p.Value ?? null]));
    return {
      label: labelOf(m),
      dimensions: m.Key.Dimensions,
      metric: m.Key.Metric,
      values: x.map((t) => (byTime.has(t) ? byTime.get(t) : null)),
    };
  });
  return { x, series };
}

// --- fleet overview -------------------------------------------------------------------

async function fleetRow(instance, end) {
  const result = await pi('GetResourceMetrics', {
    Identifier: instance.resource_id,
    StartTime: end - 3600,
    EndTime: end,
    PeriodInSeconds: 60,
    MetricQueries: [
      { Metric: 'db.load.avg' },
      { Metric: 'db.load.avg', GroupBy: { Group: 'db.wait_event', Limit: 1 } },
    ],
  });
  const total = result.MetricList.find((m) => !m.Key.Dimensions);
  const values = total ? total.DataPoints.map((p) => (p.Value === undefined ? null : p.Value)) : [];
  const present = values.filter((v) => v !== null);
  const top = result.MetricList.find((m) => m.Key.Dimensions);
  return {
    id: instance.id,
    values,
    current: present.length ? present[present.length - 1] : null,
    topWait: top ? dimensionLabel('db.wait_event', top.Key.Dimensions) : null,
  };
}

async function renderFleet(main, route, gen) {
  const [instances, incidents, alarms] = await Promise.all([
    healthz(),
    getJson('/incidents', 'State=OPEN'),
    describeAlarms({ StateValue: 'ALARM' }),
  ]);
  const end = now();
  const rows = await Promise.all(instances.map((i) => fleetRow(i, end).catch((e) => ({ id: i.id, error: e.message }))));
  if (gen !== generation) return;
  const openOf = (id) => incidents.Incidents.filter((i) => i.Instance === id).length;
  const alarmsOf = (id) => alarms.filter((a) => instanceOfAlarm(a) === id).length;
  state.fleet = instances.map((instance, k) => ({
    ...rows[k],
    status: statusOf(instance)[0],
    incidents: openOf(instance.id),
    alarms: alarmsOf(instance.id),
  }));
  const body = instances.map((instance, k) => {
    const row = rows[k];
    const [cls, text] = statusOf(instance);
    const count = (n, hash) =>
      n ? el('a', { href: hash, class: 'count bad' }, String(n)) : el('span', { class: 'muted' }, '0');
    return el(
      'tr',
      { 'data-instance': instance.id },
      el('td', {}, el('a', { href: instanceHash(instance.id, { range: '1h', slice: 'wait' }) }, instance.id)),
      el('td', {}, `${instance.engine || ''} ${instance.version || ''}`.trim()),
      el('td', { class: 'hide-narrow' }, instance.role || ''),
      el(
        'td',
        {},
        el('span', { class: `status ${cls}` }, text),
        instance.last_error ? el('div', { class: 'error' }, instance.last_error) : null,
      ),
      el('td', { class: 'num' }, `${fmt(row.current)} / ${instance.vcpus || '?'}`),
      el('td', { class: 'hide-narrow' }, row.values ? sparkline(row.values, 140, 32, instance.vcpus || 0) : ''),
      el('td', {}, row.error ? el('span', { class: 'error' }, row.error) : row.topWait || '–'),
      el('td', { class: 'num' }, count(openOf(instance.id), '#/incidents')),
      el('td', { class: 'num' }, count(alarmsOf(instance.id), link('#/alarms', { state: 'ALARM' }))),
    );
  });
  show(
    main,
    el('h1', {}, 'Fleet'),
    scrollCard(
      table(
        'fleet',
        [
          'Instance',
          'Engine',
          ['Role', 'hide-narrow'],
          'Status',
          ['DB load / vCPUs', 'num'],
          ['Last hour', 'hide-narrow'],
          'Top wait',
          ['Incidents', 'num'],
          ['Alarms', 'num'],
        ],
        body,
        'No instances configured',
      ),
    ),
  );
}

// --- instance (PI) view ---------------------------------------------------------------

function rangeOf(params) {
  const start = Number(params.get('start')),
    end = Number(params.get('end'));
  if (start > 0 && end > start && params.get('live') !== '1')
    return { start: Math.floor(start), end: Math.ceil(end), label: null };
  const label = RANGES[params.get('range')] ? params.get('range') : params.get('live') === '1' ? '5m' : '1h';
  const e = now();
  return { start: e - RANGES[label], end: e, label };
}

// The instance URL with some parameters changed (null removes one).
function withParams(id, params, changes) {
  const next = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) next.delete(k);
    else next.set(k, v);
  }
  return instanceHash(id, next);
}

const toLocalInput = (epoch) => {
  const d = new Date(epoch * 1000);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
};

function toolbar(id, params, range, slice) {
  const a = (key, text, active, hash) => el('a', { href: hash, class: active ? 'active' : '', 'data-key': key }, text);
  const live = params.get('live') === '1';
  const ranges = Object.keys(RANGES).map((r) =>
    a(r, r, range.label === r, withParams(id, params, { range: r, start: null, end: null })),
  );
  const slices = Object.entries(SLICES).map(([s, [text]]) =>
    a(s, text, s === slice, withParams(id, params, { slice: s })),
  );
  const from = el('input', {
    type: 'datetime-local',
    id: 'custom-from',
    value: toLocalInput(range.start),
    'aria-label': 'from',
  });
  const to = el('input', {
    type: 'datetime-local',
    id: 'custom-to',
    value: toLocalInput(range.end),
    'aria-label': 'to',
  });
  const custom = el(
    'details',
    { id: 'custom', class: range.label ? 'group-like' : 'group-like active', open: !range.label },
    el('summary', {}, 'Custom'),
    el(
      'form',
      {
        onsubmit: (e) => {
          e.preventDefault();
          const s = Math.floor(new Date(from.value).getTime() / 1000),
            t = Math.floor(new Date(to.value).getTime() / 1000);
          if (s > 0 && t > s) location.hash = withParams(id, params, { start: s, end: t, range: null, live: null });
        },
      },
      from,
      to,
      el('button', { type: 'submit' }, 'Apply'),
    ),
  );
  const liveLink = el(
    'a',
    {
      id: 'live',
      class: live ? 'active' : '',
      href: live
        ? withParams(id, params, { live: null })
        : withParams(id, params, { live: 1, range: range.label || '5m', start: null, end: null }),
    },
    live ? '● Live' : 'Live',
  );
  return el(
    'div',
    { class: 'toolbar' },
    el('div', { class: 'group', id: 'ranges' }, ranges, liveLink),
    custom,
    range.label ? null : el('span', { class: 'muted' }, `${when(range.start)} – ${when(range.end)}`),
    el('div', { class: 'group', id: 'slices' }, slices),
  );
}

async function availableMetrics(resourceId) {
  if (!metricCatalog.has(resourceId)) {
    const all = [];
    for (const type of ['db', 'os']) {
      let token;
      do {
        const r = await pi('ListAvailableResourceMetrics', {
          Identifier: resourceId,
          MetricTypes: [type],
          MaxResults: 25,
          ...(token ? { NextToken: token } : {}),
        });
        all.push(...r.Metrics.filter((m) => !/^db\.(sampled)?load$/.test(m.Metric)).map((m) => ({ ...m, type })));
        token = r.NextToken;
      } while (token);
    }
    metricCatalog.set(resourceId, all);
  }
  return metricCatalog.get(resourceId);
}

async function counterCharts(instance, params, window_, period, catalog, gen) {
  const picked = (params.get('metrics') || '').split(',').filter((m) => catalog.some((c) => c.Metric === m));
  const data = picked.length
    ? await pi('GetResourceMetrics', {
        ...window_,
        PeriodInSeconds: period,
        MetricQueries: picked.map((m) => ({ Metric: `${m}.avg` })),
      })
    : { MetricList: [] };
  if (gen !== generation) return null;
  const remove = (m) => withParams(instance.id, params, { metrics: picked.filter((p) => p !== m).join(',') || null });
  const select = el(
    'select',
    {
      id: 'metric-picker',
      'aria-label': 'add a metric chart',
      onchange: (e) => {
        if (e.target.value)
          location.hash = withParams(instance.id, params, { metrics: [...picked, e.target.value].join(',') });
      },
    },
    el('option', { value: '' }, 'Add a counter or OS metric chart…'),
    [
      ['db', 'Database counters'],
      ['os', 'OS metrics'],
    ].map(([type, label]) => {
      const options = catalog.filter((c) => c.type === type && !picked.includes(c.Metric));
      return options.length
        ? el(
            'optgroup',
            { label },
            options.map((c) => el('option', { value: c.Metric, title: c.Description }, `${c.Metric} (${c.Unit})`)),
          )
        : null;
    }),
  );
  state.counters = [];
  const boxes = picked.map((m, k) => {
    const meta = catalog.find((c) => c.Metric === m);
    const result = data.MetricList[k];
    const { x, series } = piSeries([result], () => m);
    state.counters.push({ metric: m, timestamps: x, values: series[0].values });
    const box = el('div', { class: 'chart small' });
    return {
      m,
      box,
      x,
      series,
      node: el(
        'div',
        { class: 'counter', 'data-metric': m },
        el('h3', {}, m, ' ', el('a', { href: remove(m), class: 'remove', title: 'remove' }, '×')),
        el('div', { class: 'muted' }, `${meta.Description} (${meta.Unit})`),
        box,
        x.length ? null : muted('No data in this range.'),
      ),
    };
  });
  const node = card(
    el('h2', {}, 'Counter and OS metrics'),
    select,
    el(
      'div',
      { class: 'counters' },
      boxes.map((b) => b.node),
    ),
  );
  return {
    node,
    draw: () => boxes.forEach((b) => b.x.length && plot(b.box, b.x, b.series, { yLabel: b.m.split('.').pop() })),
  };
}

async function statementDetail(instance, params, window_, period, sqlId, gen) {
  const filter = { 'db.sql_tokenized.id': sqlId };
  const catalog = await pi('ListAvailableResourceMetrics', {
    Identifier: instance.resource_id,
    MetricTypes: ['db.sql_tokenized.stats'],
  });
  const statNames = catalog.Metrics.map((m) => `${m.Metric}.avg`).slice(0, 30);
  const [details, load, keys] = await Promise.all([
    pi('GetDimensionKeyDetails', {
      Identifier: instance.resource_id,
      Group: 'db.sql_tokenized',
      GroupIdentifier: sqlId,
    }),
    pi('GetResourceMetrics', {
      ...window_,
      PeriodInSeconds: period,
      MetricQueries: [{ Metric: 'db.load.avg', GroupBy: { Group: 'db.wait_event', Limit: 10 }, Filter: filter }],
    }),
    pi('DescribeDimensionKeys', {
      ...window_,
      Metric: 'db.load.avg',
      GroupBy: { Group: 'db.sql_tokenized', Limit: 1 },
      Filter: filter,
      ...(statNames.length ? { AdditionalMetrics: statNames } : {}),
    }),
  ]);
  if (gen !== generation) return null;
  const dim = (name) => details.Dimensions.find((d) => d.Dimension === name)?.Value;
  const text = dim('db.sql_tokenized.statement') || sqlId;
  const stats = keys.Keys[0]?.AdditionalMetrics || {};
  const { x, series } = piSeries(
    load.MetricList.filter((m) => m.Key.Dimensions),
    (m) => dimensionLabel('db.wait_event', m.Key.Dimensions),
  );
  state.statement = { id: sqlId, text, stats, total: keys.Keys[0]?.Total ?? null, timestamps: x, series };
  const box = el('div', { class: 'chart small', id: 'statement-chart' });
  const rows = catalog.Metrics.filter((m) => stats[`${m.Metric}.avg`] !== undefined).map((m) =>
    el(
      'tr',
      {},
      el('td', {}, m.Metric.slice(SQL_STATS.length)),
      el('td', { class: 'num' }, fmt(stats[`${m.Metric}.avg`], 3)),
      el('td', { class: 'muted hide-narrow' }, m.Unit),
    ),
  );
  const node = el(
    'div',
    { class: 'card', id: 'statement' },
    el(
      'h2',
      {},
      'Statement ',
      el('a', { href: withParams(instance.id, params, { sql: null }), class: 'remove', title: 'close' }, '×'),
    ),
    el('pre', { class: 'sql full' }, text),
    el(
      'p',
      { class: 'muted' },
      `Support ID ${sqlId}`,
      dim('db.sql_tokenized.db_id') ? ` · engine id ${dim('db.sql_tokenized.db_id')}` : '',
      ` · load ${fmt(state.statement.total, 3)} AAS`,
    ),
    el('h3', {}, 'Load by wait'),
    box,
    x.length ? null : muted('No load in this range.'),
    el('h3', {}, 'Statistics (average over the range)'),
    el(
      'div',
      { class: 'scroll' },
      table(
        'statement-stats',
        ['Statistic', ['Value', 'num'], ['Unit', 'hide-narrow']],
        rows,
        'No statistics in this range (the statement has not finished, or pg_stat_statements / performance_schema is off).',
      ),
    ),
  );
  return { node, draw: () => x.length && plot(box, x, series, { stack: true, yLabel: 'AAS' }) };
}

async function renderInstance(main, route, gen) {
  const instances = await healthz();
  const instance = instances.find((i) => i.id === route.arg || i.resource_id === route.arg);
  if (!instance) throw new Error(`No instance '${route.arg}'`);
  const params = route.params;
  const slice = SLICES[params.get('slice')] ? params.get('slice') : 'wait';
  const group = SLICES[slice][1];
  const range = rangeOf(params);
  const period = periodFor(range.end - range.start);
  const window_ = { Identifier: instance.resource_id, StartTime: range.start, EndTime: range.end };
  const [metrics, keys, catalog] = await Promise.all([
    pi('GetResourceMetrics', {
      ...window_,
      PeriodInSeconds: period,
      MetricQueries: [{ Metric: 'db.load.avg', GroupBy: { Group: group, Limit: 10 } }],
    }),
    pi('DescribeDimensionKeys', {
      ...window_,
      Metric: 'db.load.avg',
      GroupBy: { Group: group, Limit: 10 },
      ...(slice === 'wait' ? {} : { PartitionBy: { Group: 'db.wait_event', Limit: 5 } }),
      ...(slice === 'sql' ? { AdditionalMetrics: TOP_SQL_STATS } : {}),
    }),
    availableMetrics(instance.resource_id),
  ]);
  const [counters, statement] = await Promise.all([
    counterCharts(instance, params, window_, period, catalog, gen),
    params.get('sql') ? statementDetail(instance, params, window_, period, params.get('sql'), gen) : null,
  ]);
  if (gen !== generation) return;
  if (!params.get('sql')) state.statement = null;

  const { x: stamps, series: all } = piSeries(metrics.MetricList, (m) => dimensionLabel(group, m.Key.Dimensions));
  const series = all.filter((s) => s.dimensions);
  state.chartData = {
    identifier: instance.resource_id,
    group,
    start: range.start,
    end: range.end,
    period,
    timestamps: stamps,
    series: series.map(({ label, dimensions, values }) => ({ label, dimensions, values })),
  };
  state.highlight = null;

  document.title = `${instance.id} · dbinsight`;
  const chartBox = el('div', { class: 'chart', id: 'chart' });
  const partitionKeys = keys.PartitionKeys || [];
  const isSql = slice === 'sql';
  const rows = (keys.Keys || []).map((k, n) => {
    const label = dimensionLabel(group, k.Dimensions);
    const colorIndex = series.findIndex((s) => s.label === label);
    const swatch = el('span', {
      class: 'swatch',
      style: `background:${colorIndex >= 0 ? COLORS[colorIndex % COLORS.length] : '#ccc'}`,
    });
    const bar = el(
      'div',
      { class: 'bar', title: 'load by wait' },
      (k.Partitions && k.Total > 0 ? k.Partitions : [k.Total]).map((v, p) =>
        el('span', {
          style: `width:${(100 * v) / Math.max(k.Total, 1e-9)}%;background:${COLORS[p % COLORS.length]}`,
          title: partitionKeys[p]
            ? `${dimensionLabel('db.wait_event', partitionKeys[p].Dimensions)}: ${fmt(v)}`
            : fmt(v),
        }),
      ),
    );
    const sqlId = k.Dimensions['db.sql_tokenized.id'];
    const name =
      isSql && sqlId
        ? el('a', { href: withParams(instance.id, params, { sql: sqlId }), class: 'sql', 'data-sql': sqlId }, label)
        : el('span', {}, label);
    const stat = (s) => el('td', { class: 'num hide-narrow' }, fmt(k.AdditionalMetrics?.[s], 2));
    return el(
      'tr',
      {
        'data-rank': n,
        class: isSql && sqlId === params.get('sql') ? 'selected' : null,
        onmouseenter: () => colorIndex >= 0 && charts[0]?.chart.setSeries(colorIndex + 1, { focus: true }),
        onmouseleave: () => charts[0]?.chart.setSeries(null, { focus: true }),
      },
      el('td', {}, swatch, name),
      el('td', { class: 'num' }, fmt(k.Total, 3)),
      el('td', { class: 'hide-narrow', style: 'width:25%' }, bar),
      isSql ? TOP_SQL_STATS.map(stat) : null,
    );
  });
  state.table = (keys.Keys || []).map((k) => ({
    label: dimensionLabel(group, k.Dimensions),
    total: k.Total,
    id: k.Dimensions['db.sql_tokenized.id'] || null,
    stats: k.AdditionalMetrics || null,
  }));
  const barLegend = partitionKeys.length
    ? el(
        'p',
        { class: 'muted hide-narrow' },
        'Bar: load by wait — ',
        partitionKeys.map((pk, p) =>
          el(
            'span',
            {},
            el('span', { class: 'swatch', style: `background:${COLORS[p % COLORS.length]}` }),
            `${dimensionLabel('db.wait_event', pk.Dimensions)} `,
          ),
        ),
      )
    : null;
  const headers = [SLICES[slice][0], ['Load (AAS)', 'num'], ['By wait', 'hide-narrow']];
  if (slice === 'wait') headers[2] = ['Share', 'hide-narrow'];
  if (isSql)
    headers.push(
      ['Calls/s', 'num hide-narrow'],
      ['Avg latency (ms)', 'num hide-narrow'],
      ['Rows/call', 'num hide-narrow'],
    );
  const legendBox = el('div');

  show(
    main,
    el(
      'h1',
      {},
      instance.id,
      ' ',
      el('span', { class: 'muted' }, `${instance.engine || ''} · ${instance.vcpus || '?'} vCPUs`),
    ),
    toolbar(instance.id, params, range, slice),
    card(
      el('h2', {}, `DB load by ${SLICES[slice][0].toLowerCase()}`),
      chartBox,
      legendBox,
      series.length ? null : muted('No load in this range.'),
    ),
    statement ? statement.node : null,
    scrollCard(
      el('h2', {}, `Top ${SLICES[slice][0].toLowerCase()}`),
      barLegend,
      table('top', headers, rows, 'No load in this range.'),
      isSql && rows.length ? muted('Click a statement for its full text, load and statistics.') : null,
    ),
    counters.node,
  );
  const chart = plot(chartBox, stamps, series, {
    stack: true,
    tall: true,
    customLegend: true,
    yLabel: 'Average active sessions',
    lines: [{ label: 'Max vCPU', value: instance.vcpus || null }],
    onZoom: (from, to) => {
      location.hash = withParams(instance.id, params, { start: from, end: to, range: null, live: null });
    },
  });
  legendBox.replaceWith(
    highlightLegend(chart, [...series, { label: `Max vCPU (${instance.vcpus || '?'})`, color: '#c62828' }], (label) => {
      state.highlight = label;
    }),
  );
  statement?.draw();
  counters.draw();
  if (params.get('live') === '1') {
    liveTimer = setTimeout(() => {
      if (gen === generation) render({ refresh: true });
    }, LIVE_EVERY_MS);
  }
}

// --- alarms ---------------------------------------------------------------------------

async function describeAlarms(filter = {}) {
  const out = [];
  let token;
  do {
    const r = await cw('DescribeAlarms', { MaxRecords: 100, ...filter, ...(token ? { NextToken: token } : {}) });
    out.push(...(r.MetricAlarms || []));
    token = r.NextToken;
  } while (token);
  return out;
}

const instanceOfAlarm = (a) =>
  (a.Dimensions || []).find((d) => d.Name === 'DBInstanceIdentifier')?.Value ||
  (a.Metrics || [])
    .flatMap((m) => m.MetricStat?.Metric?.Dimensions || [])
    .find((d) => d.Name === 'DBInstanceIdentifier')?.Value;

function alarmMetric(a) {
  if (a.MetricName) return `${a.Namespace} ${a.MetricName} (${a.Statistic || a.ExtendedStatistic}, ${a.Period} s)`;
  const m = (a.Metrics || []).find((q) => q.MetricStat);
  return m
    ? `${m.MetricStat.Metric.Namespace} ${m.MetricStat.Metric.MetricName} (${m.MetricStat.Stat}, ${m.MetricStat.Period} s)`
    : 'metric math';
}

async function renderAlarms(main, route, gen) {
  if (route.arg) return renderAlarm(main, route, gen);
  const filter = ['ALARM', 'OK', 'INSUFFICIENT_DATA'].includes(route.params.get('state'))
    ? route.params.get('state')
    : null;
  const alarms = await describeAlarms(filter ? { StateValue: filter } : {});
  if (gen !== generation) return;
  state.alarms = alarms.map((a) => ({ name: a.AlarmName, state: a.StateValue, instance: instanceOfAlarm(a) || null }));
  const filters = [null, 'ALARM', 'OK', 'INSUFFICIENT_DATA'].map((s) =>
    el(
      'a',
      { href: link('#/alarms', s ? { state: s } : null), class: s === filter ? 'active' : '', 'data-key': s || 'all' },
      s || 'All',
    ),
  );
  const rows = alarms.map((a) => {
    const instance = instanceOfAlarm(a);
    return el(
      'tr',
      { 'data-alarm': a.AlarmName },
      el('td', {}, el('a', { href: alarmHash(a.AlarmName) }, a.AlarmName)),
      el('td', {}, badge(a.StateValue)),
      el(
        'td',
        {},
        instance ? el('a', { href: instanceHash(instance, { range: '1h', slice: 'wait' }) }, instance) : '–',
      ),
      el('td', { class: 'hide-narrow' }, alarmMetric(a)),
      el('td', { class: 'hide-narrow reason' }, a.StateReason || ''),
      el('td', { class: 'hide-narrow' }, when(a.StateUpdatedTimestamp)),
    );
  });
  show(
    main,
    el('h1', {}, 'Alarms'),
    el('div', { class: 'toolbar' }, el('div', { class: 'group', id: 'states' }, filters)),
    scrollCard(
      table(
        'alarms',
        [
          'Alarm',
          'State',
          'Instance',
          ['Metric', 'hide-narrow'],
          ['Reason', 'hide-narrow'],
          ['Updated', 'hide-narrow'],
        ],
        rows,
        'No alarms.',
      ),
    ),
  );
}

async function renderAlarm(main, route, gen) {
  const name = route.arg;
  const [alarms, history] = await Promise.all([
    describeAlarms({ AlarmNames: [name] }),
    cw('DescribeAlarmHistory', { AlarmName: name, MaxRecords: 100 }),
  ]);
  const a = alarms[0];
  if (!a) throw new Error(`No alarm '${name}'`);
  const label = RANGES[route.params.get('range')] ? route.params.get('range') : '3h';
  const end = now(),
    start = end - RANGES[label];
  const queries = a.MetricName
    ? [
        {
          Id: 'm0',
          MetricStat: {
            Metric: { Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: a.Dimensions || [] },
            Period: a.Period,
            Stat: a.Statistic || a.ExtendedStatistic,
          },
        },
      ]
    : a.Metrics;
  const data = await cw('GetMetricData', { StartTime: start, EndTime: end, MetricDataQueries: queries });
  if (gen !== generation) return;
  const { x, series } = cwSeries(data.MetricDataResults);
  state.alarm = {
    name,
    state: a.StateValue,
    threshold: a.Threshold ?? null,
    timestamps: x,
    series: series.map((s) => ({ label: s.label, values: s.values })),
    history: (history.AlarmHistoryItems || []).map((h) => ({ type: h.HistoryItemType, summary: h.HistorySummary })),
  };
  const instance = instanceOfAlarm(a);
  const box = el('div', { class: 'chart', id: 'alarm-chart' });
  const ranges = ['1h', '3h', '24h', '7d'].map((r) =>
    el('a', { href: link(alarmHash(name), { range: r }), class: r === label ? 'active' : '', 'data-key': r }, r),
  );
  const facts = [
    ['State', badge(a.StateValue)],
    ['Reason', a.StateReason],
    ['Since', when(a.StateUpdatedTimestamp)],
    ['Metric', alarmMetric(a)],
    [
      'Condition',
      a.Threshold !== undefined
        ? `${a.ComparisonOperator} ${a.Threshold} for ${a.DatapointsToAlarm || a.EvaluationPeriods} of ${a.EvaluationPeriods} periods`
        : `${a.ComparisonOperator} band ${a.ThresholdMetricId}`,
    ],
    ['Instance', instance ? el('a', { href: instanceHash(instance, { range: '1h', slice: 'wait' }) }, instance) : '–'],
    ['Actions', (a.AlarmActions || []).join(', ') || '–'],
    ['Description', a.AlarmDescription || '–'],
  ];
  const rows = (history.AlarmHistoryItems || []).map((h) =>
    el('tr', {}, el('td', {}, when(h.Timestamp)), el('td', {}, h.HistoryItemType), el('td', {}, h.HistorySummary)),
  );
  show(
    main,
    el('h1', {}, name),
    card(
      el(
        'dl',
        { class: 'facts' },
        facts.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]),
      ),
    ),
    card(
      el(
        'div',
        { class: 'toolbar' },
        el('h2', {}, 'Metric and threshold'),
        el('div', { class: 'group', id: 'ranges' }, ranges),
      ),
      box,
      x.length ? null : muted('No data points in this range.'),
    ),
    scrollCard(el('h2', {}, 'History'), table('history', ['Time', 'Type', 'Summary'], rows, 'No history.')),
  );
  plot(box, x, series, {
    tall: true,
    xRange: [start, end],
    lines: a.Threshold !== undefined ? [{ label: `Threshold ${a.Threshold}`, value: a.Threshold }] : [],
  });
}

// CloudWatch MetricDataResults -> {x, series} on one time axis (timestamps come newest first).
function cwSeries(results, labels = []) {
  const x = [...new Set(results.flatMap((r) => r.Timestamps))].sort((p, q) => p - q);
  const series = results.map((r, k) => {
    const byTime = new Map(r.Timestamps.map((t, i) => [t, r.Values[i]]));
    return { label: labels[k] || r.Label || r.Id, values: x.map((t) => (byTime.has(t) ? byTime.get(t) : null)) };
  });
  return { x, series };
}

// --- reports --------------------------------------------------------------------------

const reportBucket = (id) => `dbinsight-reports-${id.toLowerCase().replace(/[^a-z0-9.]/g, '-')}`;

async function scheduledReports(instance) {
  const r = await getSoft(`/${reportBucket(instance.id)}`, 'list-type=2&prefix=performance-reports/');
  if (r.status === 404) return [];
  const xml = new DOMParser().parseFromString(r.text, 'application/xml');
  if (r.status >= 400)
    throw new Error(`reports of ${instance.id}: ${xml.querySelector('Message')?.textContent || r.status}`);
  return [...xml.getElementsByTagName('Contents')]
    .map((c) => ({
      key: c.getElementsByTagName('Key')[0].textContent,
      modified: Date.parse(c.getElementsByTagName('LastModified')[0]?.textContent || '') / 1000,
    }))
    .reverse();
}

async function renderReports(main, route, gen) {
  const instances = await healthz();
  const lists = await Promise.all(
    instances.map(async (i) => {
      const [pireports, scheduled] = await Promise.all([
        pi('ListPerformanceAnalysisReports', { Identifier: i.resource_id, MaxResults: 25 }),
        scheduledReports(i),
      ]);
      return { instance: i, analysis: pireports.AnalysisReports || [], scheduled };
    }),
  );
  if (gen !== generation) return;
  state.reports = lists.map((l) => ({
    instance: l.instance.id,
    analysis: l.analysis.map((r) => r.AnalysisReportId),
    scheduled: l.scheduled.map((s) => s.key),
  }));
  const rows = lists.flatMap((l) => [
    ...l.analysis.map((r) =>
      el(
        'tr',
        { 'data-report': r.AnalysisReportId },
        el(
          'td',
          {},
          el('a', { href: link('#/report', { instance: l.instance.id, id: r.AnalysisReportId }) }, r.AnalysisReportId),
        ),
        el('td', {}, l.instance.id),
        el('td', {}, 'root cause (PI)'),
        el('td', {}, badge(r.Status)),
        el('td', { class: 'hide-narrow' }, `${when(r.StartTime)} – ${when(r.EndTime)}`),
        el('td', { class: 'hide-narrow' }, when(r.CreateTime)),
      ),
    ),
    ...l.scheduled.map((s) =>
      el(
        'tr',
        { 'data-key': s.key },
        el(
          'td',
          {},
          el(
            'a',
            { href: link('#/report', { instance: l.instance.id, key: s.key }) },
            s.key.replace('performance-reports/', ''),
          ),
        ),
        el('td', {}, l.instance.id),
        el('td', {}, 'scheduled'),
        el('td', {}, badge('STORED')),
        el('td', { class: 'hide-narrow' }, '–'),
        el('td', { class: 'hide-narrow' }, when(s.modified)),
      ),
    ),
  ]);
  show(
    main,
    el('h1', {}, 'Reports'),
    muted(
      "Root-cause reports come from PI (aws pi create-performance-analysis-report); scheduled reports from each instance's bucket.",
    ),
    scrollCard(
      table(
        'reports',
        ['Report', 'Instance', 'Kind', 'Status', ['Window', 'hide-narrow'], ['Created', 'hide-narrow']],
        rows,
        'No reports yet.',
      ),
    ),
  );
}

// An insight's evidence series (PI metrics only) over the report's window, as one chart.
async function evidenceChart(instance, insight, start, end) {
  const seen = new Set();
  const queries = [];
  for (const d of insight.InsightData || []) {
    const m = d.PerformanceInsightsMetric;
    const key = JSON.stringify([m.Metric, m.Filter || {}]);
    if (!/^(db|os)\./.test(m.Metric) || seen.has(key) || queries.length >= 5) continue;
    seen.add(key);
    queries.push({ q: { Metric: m.Metric, ...(m.Filter ? { Filter: m.Filter } : {}) }, label: m.DisplayName });
  }
  if (!queries.length) return null;
  const period = periodFor(end - start);
  const r = await pi('GetResourceMetrics', {
    Identifier: instance.resource_id,
    StartTime: start,
    EndTime: end,
    PeriodInSeconds: period,
    MetricQueries: queries.map((q) => q.q),
  });
  return piSeries(r.MetricList, (m) => queries[r.MetricList.indexOf(m)].label);
}

function insightNode(insight, pending) {
  const evidence = [...(insight.InsightData || [])].map((d, k) => {
    const m = d.PerformanceInsightsMetric;
    const base = (insight.BaselineData || []).find((b) => b.PerformanceInsightsMetric.DisplayName === m.DisplayName);
    const dims = Object.entries(m.Dimensions || {})
      .map(([dk, v]) => `${dk.split('.').pop()}=${v}`)
      .join(', ');
    return el(
      'tr',
      { 'data-evidence': k },
      el('td', {}, m.DisplayName, dims ? el('div', { class: 'muted' }, dims) : null),
      el('td', { class: 'num' }, fmt(m.Value)),
      el('td', { class: 'num' }, base ? fmt(base.PerformanceInsightsMetric.Value) : '–'),
      el('td', { class: 'hide-narrow muted' }, m.Metric),
    );
  });
  const box = el('div', { class: 'chart small' });
  pending.push({ insight, box });
  return el(
    'div',
    { class: `insight sev-${String(insight.Severity).toLowerCase()}`, 'data-insight': insight.InsightId },
    el(
      'h3',
      {},
      badge(insight.Severity),
      ' ',
      insight.InsightType,
      ' ',
      el(
        'span',
        { class: 'muted' },
        `${insight.Context === 'CAUSAL' ? 'cause' : 'context'} · ${when(insight.StartTime)} – ${when(insight.EndTime)}`,
      ),
    ),
    markdown((insight.Description || '').split('\n**Evidence**')[0]),
    evidence.length
      ? el(
          'div',
          { class: 'scroll' },
          table(null, ['Evidence', ['Value', 'num'], ['Before', 'num'], ['Series', 'hide-narrow']], evidence, ''),
        )
      : null,
    box,
    (insight.Recommendations || []).length
      ? el(
          'div',
          {},
          el('h4', {}, 'Recommendations'),
          el(
            'ul',
            {},
            insight.Recommendations.map((r) => el('li', {}, markdown(r.RecommendationDescription))),
          ),
        )
      : null,
    (insight.SupportingInsights || []).map((s) => insightNode(s, pending)),
  );
}

// The scheduled (reference) report (the recipe's format: timestamp, metrics_analyzed,
// high_load_events, problematic_queries, recommendations): its numbers, its lists, and
// the hour it looked at by wait as the evidence chart. Unknown members still show.
function referenceReportNode(report, evidence) {
  const title = (k) => k.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  const cell = (v) =>
    el(
      'td',
      { class: typeof v === 'number' ? 'num' : /sql/.test(String(v)) ? 'sql' : '' },
      typeof v === 'number' && !Number.isInteger(v) ? fmt(v, 3) : String(v ?? ''),
    );
  const scalars = Object.entries(report).filter(([, v]) => v !== null && typeof v !== 'object');
  const parts = [
    card(
      el('h2', {}, 'Summary'),
      el(
        'dl',
        { class: 'facts' },
        scalars.map(([k, v]) => [
          el('dt', {}, title(k)),
          el('dd', {}, typeof v === 'number' && !Number.isInteger(v) ? fmt(v, 3) : String(v)),
        ]),
      ),
    ),
  ];
  const box = el('div', { class: 'chart small', id: 'evidence-chart' });
  if (evidence) parts.push(card(el('h2', {}, 'DB load by wait in the analysed hour'), box));
  for (const [k, v] of Object.entries(report)) {
    if (!Array.isArray(v)) continue;
    if (!v.length) {
      parts.push(card(el('h2', {}, title(k)), muted('None.')));
      continue;
    }
    if (typeof v[0] !== 'object') {
      parts.push(
        card(
          el('h2', {}, title(k)),
          el(
            'ul',
            { 'data-list': k },
            v.map((t) => el('li', {}, markdown(String(t)))),
          ),
        ),
      );
      continue;
    }
    const cols = Object.keys(v[0]).filter((c) => typeof v[0][c] !== 'object');
    parts.push(
      scrollCard(
        el('h2', {}, title(k)),
        table(
          null,
          cols.map((c) => [title(c), typeof v[0][c] === 'number' ? 'num' : '']),
          v.map((row) =>
            el(
              'tr',
              {},
              cols.map((c) => cell(row[c])),
            ),
          ),
          '',
        ),
      ),
    );
  }
  const chains = report.lock_chains || [];
  if (chains.length) parts.push(card(el('h2', {}, 'Lock chains'), el('pre', { class: 'sql full' }, chains.join('\n'))));
  return {
    parts,
    draw: () => evidence?.x.length && plot(box, evidence.x, evidence.series, { stack: true, yLabel: 'AAS' }),
  };
}

async function renderReport(main, route, gen) {
  const instances = await healthz();
  const instance = instances.find((i) => i.id === route.params.get('instance'));
  if (!instance) throw new Error(`No instance '${route.params.get('instance')}'`);
  if (route.params.get('key')) {
    const report = await getJson(`/${reportBucket(instance.id)}/${route.params.get('key')}`);
    const end = Math.floor(Date.parse(report.timestamp) / 1000);
    const evidence =
      end > 0
        ? piSeries(
            (
              await pi('GetResourceMetrics', {
                Identifier: instance.resource_id,
                StartTime: end - 3600,
                EndTime: end,
                PeriodInSeconds: 60,
                MetricQueries: [{ Metric: 'db.load.avg', GroupBy: { Group: 'db.wait_event', Limit: 5 } }],
              })
            ).MetricList.filter((m) => m.Key.Dimensions),
            (m) => dimensionLabel('db.wait_event', m.Key.Dimensions),
          )
        : null;
    if (gen !== generation) return;
    const rendered = referenceReportNode(report, evidence);
    state.report = {
      kind: 'scheduled',
      key: route.params.get('key'),
      lists: Object.fromEntries(
        Object.entries(report)
          .filter(([, v]) => Array.isArray(v))
          .map(([k, v]) => [k, v.length]),
      ),
    };
    show(
      main,
      el('h1', {}, `Scheduled report · ${instance.id}`),
      muted(route.params.get('key')),
      rendered.parts,
      el(
        'details',
        { class: 'card' },
        el('summary', {}, 'Raw JSON'),
        el('pre', { class: 'sql full' }, JSON.stringify(report, null, 2)),
      ),
    );
    rendered.draw();
    return;
  }
  const id = route.params.get('id');
  const { AnalysisReport: r } = await pi('GetPerformanceAnalysisReport', {
    Identifier: instance.resource_id,
    AnalysisReportId: id,
    TextFormat: 'MARKDOWN',
  });
  const pending = [];
  const insights = (r.Insights || []).map((i) => insightNode(i, pending));
  const series = await Promise.all(
    pending.map((p) => evidenceChart(instance, p.insight, Math.floor(r.StartTime), Math.ceil(r.EndTime))),
  );
  if (gen !== generation) return;
  state.report = {
    kind: 'analysis',
    id,
    status: r.Status,
    insights: (r.Insights || []).map((i) => ({ type: i.InsightType, severity: i.Severity })),
    charts: series.filter(Boolean).length,
  };
  show(
    main,
    el('h1', {}, `Root-cause report · ${instance.id}`),
    card(
      el(
        'dl',
        { class: 'facts' },
        [
          ['Report', id],
          ['Status', badge(r.Status)],
          ['Window', `${when(r.StartTime)} – ${when(r.EndTime)}`],
          ['Created', when(r.CreateTime)],
          [
            'Instance',
            el(
              'a',
              {
                href: instanceHash(instance.id, {
                  start: Math.floor(r.StartTime),
                  end: Math.ceil(r.EndTime),
                  slice: 'wait',
                }),
              },
              instance.id,
            ),
          ],
        ].map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]),
      ),
    ),
    card(
      el('h2', {}, 'Findings'),
      insights.length ? insights : muted(r.Status === 'SUCCEEDED' ? 'No findings.' : `Report ${r.Status}.`),
    ),
  );
  pending.forEach((p, k) => series[k]?.x.length && plot(p.box, series[k].x, series[k].series, {}));
}

// --- incidents and notifications ------------------------------------------------------

async function renderIncidents(main, route, gen) {
  const open = route.params.get('state') === 'OPEN';
  const list = await getJson('/incidents', `State=${open ? 'OPEN' : 'ALL'}&MaxResults=200`);
  if (gen !== generation) return;
  state.incidents = list.Incidents.map((i) => ({ id: i.Id, instance: i.Instance, state: i.State }));
  const rows = list.Incidents.map((i) =>
    el(
      'tr',
      { 'data-incident': i.Id },
      el('td', {}, String(i.Id)),
      el('td', {}, badge(i.State)),
      el(
        'td',
        {},
        el(
          'a',
          {
            href: instanceHash(i.Instance, {
              start: Math.floor(i.Opened) - 300,
              end: Math.ceil(i.Closed || now()) + (i.Closed ? 300 : 0),
              slice: 'wait',
            }),
          },
          i.Instance,
        ),
      ),
      el('td', {}, i.Kind),
      el('td', { class: 'num' }, `${fmt(i.AverageLoad)} / ${fmt(i.PeakLoad)}`),
      el('td', {}, markdown(i.Summary), i.CloseNote ? el('div', { class: 'muted' }, i.CloseNote) : null),
      el('td', { class: 'hide-narrow' }, when(i.Opened)),
      el('td', { class: 'hide-narrow' }, i.Closed ? when(i.Closed) : '–'),
    ),
  );
  const filters = [
    ['All', null],
    ['Open', 'OPEN'],
  ].map(([t, s]) =>
    el('a', { href: link('#/incidents', s ? { state: s } : null), class: (s === 'OPEN') === open ? 'active' : '' }, t),
  );
  show(
    main,
    el('h1', {}, 'Incidents'),
    el('div', { class: 'toolbar' }, el('div', { class: 'group' }, filters)),
    scrollCard(
      table(
        'incidents',
        [
          '#',
          'State',
          'Instance',
          'Kind',
          ['Avg / peak load', 'num'],
          'Summary',
          ['Opened', 'hide-narrow'],
          ['Closed', 'hide-narrow'],
        ],
        rows,
        'No incidents.',
      ),
    ),
  );
}

async function renderNotifications(main, route, gen) {
  const [topicsXml, pending, dead] = await Promise.all([
    snsQuery('ListTopics'),
    getJson('/notify/pending'),
    getJson('/notify/dead-letters'),
  ]);
  if (gen !== generation) return;
  const topics = [...topicsXml.getElementsByTagName('TopicArn')].map((t) => t.textContent);
  state.notifications = { topics, pending: pending.Pending.length, dead: dead.DeadLetters.length };
  const pendingRows = pending.Pending.map((p) =>
    el(
      'tr',
      {},
      el('td', {}, p.Subject || '(no subject)', el('div', { class: 'muted' }, p.MessageId)),
      el('td', {}, p.Attempts ? badge('RETRYING') : badge('PENDING')),
      el('td', { class: 'num' }, String(p.Attempts)),
      el('td', {}, `${p.Protocol} ${p.Endpoint}`),
      el('td', { class: 'hide-narrow' }, p.Published),
      el('td', { class: 'hide-narrow' }, p.NextAttempt || '–'),
      el('td', { class: 'hide-narrow error' }, p.LastError || ''),
    ),
  );
  const deadRows = dead.DeadLetters.map((d) =>
    el(
      'tr',
      {},
      el('td', {}, d.Subject || '(no subject)', el('div', { class: 'muted' }, d.MessageId)),
      el('td', { class: 'num' }, String(d.Attempts)),
      el('td', {}, `${d.Protocol} ${d.Endpoint}`),
      el('td', { class: 'hide-narrow' }, d.Published),
      el('td', { class: 'hide-narrow' }, d.LastAttempt),
      el('td', { class: 'error' }, d.LastError),
    ),
  );
  show(
    main,
    el('h1', {}, 'Notifications'),
    card(
      el('h2', {}, 'Topics'),
      topics.length
        ? el(
            'ul',
            { id: 'topics' },
            topics.map((t) => el('li', {}, t)),
          )
        : muted('No topics.'),
    ),
    scrollCard(
      el('h2', {}, 'Outbox (pending and retrying)'),
      table(
        'pending',
        [
          'Message',
          'State',
          ['Attempts', 'num'],
          'Subscriber',
          ['Published', 'hide-narrow'],
          ['Next attempt', 'hide-narrow'],
          ['Last error', 'hide-narrow'],
        ],
        pendingRows,
        'Nothing waiting: every message was delivered.',
      ),
    ),
    scrollCard(
      el('h2', {}, 'Dead-letter queue'),
      table(
        'dead',
        [
          'Message',
          ['Attempts', 'num'],
          'Subscriber',
          ['Published', 'hide-narrow'],
          ['Last attempt', 'hide-narrow'],
          'Last error',
        ],
        deadRows,
        'Empty.',
      ),
      deadRows.length ? muted('Re-drive with `dbinsight notify redrive` or POST /notify/redrive.') : null,
    ),
  );
}

// --- dashboards -----------------------------------------------------------------------

async function renderDashboards(main, route, gen) {
  if (route.arg) return renderDashboard(main, route, gen);
  const list = await cw('ListDashboards');
  if (gen !== generation) return;
  state.dashboards = list.DashboardEntries.map((d) => d.DashboardName);
  const rows = list.DashboardEntries.map((d) =>
    el(
      'tr',
      { 'data-dashboard': d.DashboardName },
      el('td', {}, el('a', { href: dashboardHash(d.DashboardName) }, d.DashboardName)),
      el('td', { class: 'hide-narrow' }, when(d.LastModified)),
      el('td', { class: 'num' }, `${d.Size} B`),
    ),
  );
  show(
    main,
    el('h1', {}, 'Dashboards'),
    muted('Saved with aws cloudwatch put-dashboard.'),
    scrollCard(
      table('dashboards', ['Dashboard', ['Last modified', 'hide-narrow'], ['Size', 'num']], rows, 'No dashboards.'),
    ),
  );
}

// A metric widget's "metrics" rows, "." meaning the same field as the row above; a
// trailing object holds per-metric options (id, stat, period, label, color, visible). A
// row that is only an object with "expression" is metric math over the rows' ids. Ids
// default to m1, m2, ... and e1, e2, ... by row, as the CloudWatch console names them.
function widgetMetrics(props) {
  let previous = [];
  return (props.metrics || []).map((row, k) => {
    const last = row[row.length - 1];
    const options = typeof last === 'object' && !Array.isArray(last) ? last : {};
    if (options.expression) return { id: options.id || `e${k + 1}`, name: options.label || options.expression, options };
    const fields = (options === last ? row.slice(0, -1) : row).map((f, i) => (f === '.' ? previous[i] : f));
    previous = fields;
    const [namespace, name, ...dims] = fields;
    const dimensions = [];
    for (let i = 0; i + 1 < dims.length; i += 2) dimensions.push({ Name: dims[i], Value: dims[i + 1] });
    return { id: options.id || `m${k + 1}`, namespace, name, dimensions, options };
  });
}

async function metricWidget(w, range, alarmsByArn) {
  const p = w.properties || {};
  const all = widgetMetrics(p).filter((m) => m.options.expression || (m.namespace && m.name));
  const period = p.period || 300;
  const queries = all.map((m) => {
    const q = { Id: m.id, Label: m.options.label || `${m.name}`, ReturnData: m.options.visible !== false };
    if (m.options.expression) return { ...q, Expression: m.options.expression, Period: m.options.period || period };
    return {
      ...q,
      MetricStat: {
        Metric: { Namespace: m.namespace, MetricName: m.name, Dimensions: m.dimensions },
        Period: m.options.period || period,
        Stat: m.options.stat || p.stat || 'Average',
      },
    };
  });
  const shown = all.filter((m) => m.options.visible !== false);
  const data = shown.length
    ? await cw('GetMetricData', { StartTime: range.start, EndTime: range.end, MetricDataQueries: queries })
    : { MetricDataResults: [] };
  const byId = new Map(all.map((m) => [m.id, m]));
  const { x, series } = cwSeries(
    data.MetricDataResults,
    data.MetricDataResults.map((r) => byId.get(r.Id)?.options.label || r.Label),
  );
  series.forEach((s, k) => {
    const color = byId.get(data.MetricDataResults[k].Id)?.options.color;
    if (color) s.color = color;
  });
  const annotations = ((p.annotations || {}).horizontal || [])
    .filter((h) => typeof h.value === 'number')
    .map((h) => ({ label: h.label || `${h.value}`, value: h.value, color: h.color }));
  const box = el('div', { class: 'chart small' });
  const yLabel = p.yAxis?.left?.label;
  const view = p.view || 'timeSeries';
  const summary = el(
    'div',
    { class: 'muted' },
    `${p.stat || 'Average'} · ${period} s`,
    yLabel ? ` · ${yLabel}` : '',
    p.yAxis?.left?.min !== undefined ? ` · min ${p.yAxis.left.min}` : '',
  );
  let body;
  if (view === 'singleValue') {
    body = el(
      'div',
      { class: 'single' },
      series.map((s) => {
        const last = [...s.values].reverse().find((v) => v !== null && v !== undefined);
        return el('div', {}, el('div', { class: 'big' }, fmt(last)), el('div', { class: 'muted' }, s.label));
      }),
    );
  } else {
    body = x.length ? box : null;
  }
  return {
    points: x.length,
    metrics: shown.map((m) => m.name),
    node: [summary, body, x.length ? null : muted('No data in this range.')],
    draw: () =>
      view !== 'singleValue' &&
      x.length &&
      plot(box, x, series, { yLabel, lines: annotations, stack: !!p.stacked, xRange: [range.start, range.end] }),
  };
}

function alarmWidget(w, alarmsByArn) {
  const arns = (w.properties || {}).alarms || [];
  return {
    alarms: arns.length,
    node: el(
      'ul',
      { class: 'alarm-list' },
      arns.map((arn) => {
        const a = alarmsByArn.get(arn);
        const name = a ? a.AlarmName : arn.split(':alarm:').pop();
        return el('li', {}, a ? badge(a.StateValue) : badge('UNKNOWN'), ' ', el('a', { href: alarmHash(name) }, name));
      }),
    ),
  };
}

async function renderDashboard(main, route, gen) {
  const name = route.arg;
  const label = RANGES[route.params.get('range')] ? route.params.get('range') : '3h';
  const end = now(),
    range = { start: end - RANGES[label], end };
  const [dash, alarms] = await Promise.all([cw('GetDashboard', { DashboardName: name }), describeAlarms()]);
  const alarmsByArn = new Map(alarms.map((a) => [a.AlarmArn, a]));
  const body = JSON.parse(dash.DashboardBody || '{}');
  const widgets = body.widgets || [];
  const built = await Promise.all(
    widgets.map(async (w) => {
      const p = w.properties || {};
      if (w.type === 'metric') return metricWidget(w, range, alarmsByArn);
      if (w.type === 'text') return { node: markdown(p.markdown || '') };
      if (w.type === 'alarm') return alarmWidget(w, alarmsByArn);
      if (w.type === 'log')
        return {
          node: [el('div', { class: 'placeholder' }, 'No logs yet.'), el('div', { class: 'muted' }, p.query || '')],
        };
      return { node: muted(`Widget type "${w.type}" is not shown here.`) };
    }),
  );
  if (gen !== generation) return;
  state.dashboard = {
    name,
    widgets: widgets.map((w, k) => ({
      type: w.type,
      title: w.properties?.title || null,
      points: built[k].points ?? null,
      metrics: built[k].metrics || null,
    })),
  };
  const ranges = ['1h', '3h', '24h', '7d'].map((r) =>
    el('a', { href: link(dashboardHash(name), { range: r }), class: r === label ? 'active' : '', 'data-key': r }, r),
  );
  // The CloudWatch grid is 24 columns wide; phones get one column.
  const grid = el(
    'div',
    { class: 'dash-grid', id: 'widgets' },
    widgets.map((w, k) =>
      el(
        'section',
        {
          class: `card widget ${w.type}`,
          'data-widget': k,
          style: `grid-column: ${(w.x ?? 0) + 1} / span ${w.width || 6}; grid-row: ${(w.y ?? 0) + 1} / span ${w.height || 6}`,
        },
        w.properties?.title ? el('h3', {}, w.properties.title) : null,
        built[k].node,
      ),
    ),
  );
  show(
    main,
    el('h1', {}, name),
    el('div', { class: 'toolbar' }, el('div', { class: 'group', id: 'ranges' }, ranges)),
    grid,
  );
  built.forEach((b) => b.draw && b.draw());
}

// --- shell ----------------------------------------------------------------------------

function setNav(route) {
  const active =
    route.page === 'instance'
      ? '#/'
      : route.page === 'report'
        ? '#/reports'
        : `#/${route.page === 'fleet' ? '' : route.page}`;
  document
    .getElementById('nav')
    .replaceChildren(
      ...NAV.map(([hash, text]) => el('a', { href: hash, class: hash === active ? 'active' : '' }, text)),
    );
}

const PAGES = {
  fleet: renderFleet,
  instance: renderInstance,
  alarms: renderAlarms,
  reports: renderReports,
  report: renderReport,
  incidents: renderIncidents,
  notifications: renderNotifications,
  dashboards: renderDashboards,
};

async function render({ refresh = false } = {}) {
  const gen = ++generation;
  clearTimeout(liveTimer);
  state.ready = false;
  state.error = null;
  if (!refresh) for (const k of Object.keys(state)) if (!SHELL_STATE.includes(k)) delete state[k];
  const main = document.getElementById('main');
  const route = parseHash();
  setNav(route);
  const oldCharts = charts;
  charts = [];
  try {
    await PAGES[route.page](main, route, gen);
  } catch (e) {
    if (gen !== generation) return;
    state.error = e.message;
    show(main, el('p', { class: 'error' }, e.message));
  }
  if (gen !== generation) return;
  oldCharts.forEach((c) => c.chart.destroy());
  if (refresh) state.refreshes++;
  state.hash = location.hash;
  state.ready = true;
}

window.addEventListener('hashchange', () => render());
window.addEventListener('resize', () => {
  for (const c of charts) c.chart.setSize({ width: Math.max(260, c.box.clientWidth), height: chartHeight(c.tall) });
});
render();
