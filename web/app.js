// dbinsight web UI: fleet overview (#/) and the Performance Insights view of one
// instance (#/instance/<id>?range=1h&slice=wait, or start=&end= epoch seconds).
// Plain ES module, no framework. Reads only the public APIs of the origin that
// served it: GET /healthz and PI (JSON 1.1 on POST /). uPlot is the global the
// bundled uPlot.iife.min.js defines. window.__dbinsight exposes what the page
// shows so the browser tests can compare it with the API.

const PI_TARGET = 'PerformanceInsightsv20180227.';
const RANGES = { '5m': 300, '1h': 3600, '6h': 6 * 3600, '24h': 86400, '7d': 7 * 86400 };
const SLICES = {
  wait: ['Waits', 'db.wait_event'],
  sql: ['SQL', 'db.sql_tokenized'],
  user: ['Users', 'db.user'],
  host: ['Hosts', 'db.host'],
  database: ['Databases', 'db.name'],
  application: ['Applications', 'db.application'],
  session_type: ['Session types', 'db.session_type'],
};
const PERIODS = [1, 60, 300, 3600, 86400];
const MAX_POINTS = 1500;
const COLORS = ['#2f6fdb', '#e8833a', '#3aa655', '#d64550', '#8e5ccf', '#8c6d31', '#d45fb6', '#6b7785',
  '#b5b82e', '#25a9c4', '#9aa3ad'];

const state = { ready: false, hash: null, error: null, chartData: null, table: null, fleet: null };
window.__dbinsight = state;
let generation = 0;  // a newer render makes older fetches' results stale
let chart = null;

// --- API ------------------------------------------------------------------------------

async function pi(operation, body) {
  const response = await fetch('/', {
    method: 'POST',
    headers: { 'X-Amz-Target': PI_TARGET + operation, 'Content-Type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({ ServiceType: 'RDS', ...body }),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${operation}: ${json.message || json.Message || response.status}`);
  return json;
}

async function healthz() {
  // 503 (some instance not sampling) still carries the list.
  const response = await fetch('/healthz');
  return (await response.json()).instances || [];
}

// The period PI would pick for a span: the finest that keeps the chart readable.
export function periodFor(seconds) {
  return PERIODS.find((p) => seconds / p <= MAX_POINTS) || PERIODS[PERIODS.length - 1];
}

// --- helpers --------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'style') node.style.cssText = v;
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

const fmt = (v, digits = 2) => (v === null || v === undefined || Number.isNaN(v) ? '–' : Number(v).toFixed(digits));
const now = () => Math.floor(Date.now() / 1000);

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  const params = new URLSearchParams(query);
  const m = path.match(/^\/instance\/([^/]+)$/);
  if (m) return { page: 'instance', id: decodeURIComponent(m[1]), params };
  return { page: 'fleet', params };
}

function instanceHash(id, params) {
  return `#/instance/${encodeURIComponent(id)}?${new URLSearchParams(params)}`;
}

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

function sparkline(values, width = 140, height = 32, ceiling = 0) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const max = Math.max(ceiling, ...values.map((v) => v || 0), 0.01);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const y = (v) => height - 1 - ((v || 0) / max) * (height - 2);
  if (ceiling > 0) {
    const line = document.createElementNS(ns, 'line');
    Object.entries({ x1: 0, x2: width, y1: y(ceiling), y2: y(ceiling), stroke: '#d64550', 'stroke-dasharray': '3 2' })
      .forEach(([k, v]) => line.setAttribute(k, v));
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

// --- fleet overview -------------------------------------------------------------------

async function fleetRow(instance, end) {
  const result = await pi('GetResourceMetrics', {
    Identifier: instance.resource_id, StartTime: end - 3600, EndTime: end, PeriodInSeconds: 60,
    MetricQueries: [{ Metric: 'db.load.avg' }, { Metric: 'db.load.avg', GroupBy: { Group: 'db.wait_event', Limit: 1 } }],
  });
  const total = result.MetricList.find((m) => !m.Key.Dimensions);
  const values = total ? total.DataPoints.map((p) => (p.Value === undefined ? null : p.Value)) : [];
  const present = values.filter((v) => v !== null);
  const top = result.MetricList.find((m) => m.Key.Dimensions);
  return {
    id: instance.id, values, current: present.length ? present[present.length - 1] : null,
    topWait: top ? dimensionLabel('db.wait_event', top.Key.Dimensions) : null,
  };
}

async function renderFleet(main, gen) {
  setCrumbs([]);
  const instances = await healthz();
  const end = now();
  const rows = await Promise.all(instances.map((i) => fleetRow(i, end).catch((e) => ({ id: i.id, error: e.message }))));
  if (gen !== generation) return;
  state.fleet = instances.map((instance, k) => ({ ...rows[k], status: statusOf(instance)[0] }));
  const body = instances.map((instance, k) => {
    const row = rows[k];
    const [cls, text] = statusOf(instance);
    const link = el('a', { href: instanceHash(instance.id, { range: '1h', slice: 'wait' }) }, instance.id);
    return el('tr', { 'data-instance': instance.id },
      el('td', {}, link),
      el('td', {}, `${instance.engine || ''} ${instance.version || ''}`.trim()),
      el('td', { class: 'hide-narrow' }, instance.role || ''),
      el('td', {}, el('span', { class: `status ${cls}` }, text),
        instance.last_error ? el('div', { class: 'error' }, instance.last_error) : null),
      el('td', { class: 'num' }, `${fmt(row.current)} / ${instance.vcpus || '?'}`),
      el('td', { class: 'hide-narrow' }, row.values ? sparkline(row.values, 140, 32, instance.vcpus || 0) : ''),
      el('td', {}, row.error ? el('span', { class: 'error' }, row.error) : row.topWait || '–'));
  });
  main.replaceChildren(
    el('h1', {}, 'Fleet'),
    el('div', { class: 'card scroll' }, el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'Instance'), el('th', {}, 'Engine'), el('th', { class: 'hide-narrow' }, 'Role'),
        el('th', {}, 'Status'), el('th', { class: 'num' }, 'DB load / vCPUs'), el('th', { class: 'hide-narrow' }, 'Last hour'),
        el('th', {}, 'Top wait'))),
      el('tbody', {}, body.length ? body : el('tr', {}, el('td', { colspan: 7, class: 'muted' }, 'No instances configured'))))));
}

// --- instance (PI) view ---------------------------------------------------------------

function rangeOf(params) {
  const start = Number(params.get('start')), end = Number(params.get('end'));
  if (start > 0 && end > start) return { start: Math.floor(start), end: Math.ceil(end), label: null };
  const label = RANGES[params.get('range')] ? params.get('range') : '1h';
  const e = now();
  return { start: e - RANGES[label], end: e, label };
}

function toolbar(id, params, range, slice) {
  const link = (key, text, active, extra) =>
    el('a', { href: instanceHash(id, extra), class: active ? 'active' : '', 'data-key': key }, text);
  const ranges = Object.keys(RANGES).map((r) => link(r, r, range.label === r, { range: r, slice }));
  const slices = Object.entries(SLICES).map(([s, [text]]) => {
    const keep = range.label ? { range: range.label } : { start: range.start, end: range.end };
    return link(s, text, s === slice, { ...keep, slice: s });
  });
  const custom = range.label ? null : el('span', { class: 'muted' },
    `${new Date(range.start * 1000).toLocaleString()} – ${new Date(range.end * 1000).toLocaleString()}`);
  return el('div', { class: 'toolbar' }, el('div', { class: 'group', id: 'ranges' }, ranges), custom,
    el('div', { class: 'group', id: 'slices' }, slices));
}

// Stacks the grouped series (uPlot bands fill between neighbours); the legend
// shows each key's own value, not the running sum.
function drawChart(container, data, vcpus, onZoom) {
  if (chart) chart.destroy();
  const x = data.timestamps;
  const sums = [];
  data.series.forEach((s, k) => sums.push(s.values.map((v, i) => (v ?? 0) + (k ? sums[k - 1][i] : 0))));
  const series = [{}];
  const bands = [];
  data.series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length];
    series.push({ label: s.label.length > 60 ? `${s.label.slice(0, 57)}…` : s.label, stroke: color, fill: `${color}cc`,
      width: 1, points: { show: false }, value: (u, v, si, i) => fmt(i === null ? null : data.series[si - 1].values[i]) });
    if (k) bands.push({ series: [k + 1, k] });
  });
  series.push({ label: 'Max vCPU', stroke: '#c62828', dash: [6, 4], width: 1.5, points: { show: false },
    value: () => String(vcpus || '?') });
  const width = Math.max(280, container.clientWidth);
  const height = window.innerWidth < 600 ? 240 : 320;
  chart = new uPlot({
    width, height, series, bands,
    axes: [{}, { label: 'Average active sessions', size: 50 }],
    scales: { y: { range: (u, min, max) => [0, Math.max(max, vcpus || 0) * 1.1 || 1] } },
    cursor: { drag: { x: true, y: false, setScale: false } },
    hooks: {
      setSelect: [(u) => {
        if (u.select.width < 3) return;
        const from = Math.floor(u.posToVal(u.select.left, 'x'));
        const to = Math.ceil(u.posToVal(u.select.left + u.select.width, 'x'));
        if (to - from >= 2) onZoom(from, to);
      }],
    },
  }, [x, ...sums, x.map(() => vcpus || null)], container);
}

async function renderInstance(main, route, gen) {
  const instances = await healthz();
  const instance = instances.find((i) => i.id === route.id || i.resource_id === route.id);
  if (!instance) throw new Error(`No instance '${route.id}'`);
  const slice = SLICES[route.params.get('slice')] ? route.params.get('slice') : 'wait';
  const group = SLICES[slice][1];
  const range = rangeOf(route.params);
  const period = periodFor(range.end - range.start);
  const window_ = { Identifier: instance.resource_id, StartTime: range.start, EndTime: range.end };
  const [metrics, keys] = await Promise.all([
    pi('GetResourceMetrics', { ...window_, PeriodInSeconds: period,
      MetricQueries: [{ Metric: 'db.load.avg', GroupBy: { Group: group, Limit: 10 } }] }),
    pi('DescribeDimensionKeys', { ...window_, Metric: 'db.load.avg', GroupBy: { Group: group, Limit: 10 },
      ...(slice === 'wait' ? {} : { PartitionBy: { Group: 'db.wait_event', Limit: 5 } }) }),
  ]);
  if (gen !== generation) return;

  const grouped = metrics.MetricList.filter((m) => m.Key.Dimensions);
  const stamps = [...new Set(metrics.MetricList.flatMap((m) => m.DataPoints.map((p) => p.Timestamp)))].sort((a, b) => a - b);
  const series = grouped.map((m) => {
    const byTime = new Map(m.DataPoints.map((p) => [p.Timestamp, p.Value ?? null]));
    return { label: dimensionLabel(group, m.Key.Dimensions), dimensions: m.Key.Dimensions,
      values: stamps.map((t) => (byTime.has(t) ? byTime.get(t) : null)) };
  });
  state.chartData = { identifier: instance.resource_id, group, start: range.start, end: range.end, period,
    timestamps: stamps, series };

  setCrumbs([instance.id]);
  const chartBox = el('div', { class: 'chart', id: 'chart' });
  const partitionKeys = keys.PartitionKeys || [];
  const rows = (keys.Keys || []).map((k, n) => {
    const label = dimensionLabel(group, k.Dimensions);
    const colorIndex = series.findIndex((s) => s.label === label);
    const swatch = el('span', { class: 'swatch', style: `background:${colorIndex >= 0 ? COLORS[colorIndex % COLORS.length] : '#ccc'}` });
    const bar = el('div', { class: 'bar', title: 'load by wait' },
      (k.Partitions && k.Total > 0 ? k.Partitions : [k.Total]).map((v, p) => el('span', {
        style: `width:${(100 * v) / Math.max(k.Total, 1e-9)}%;background:${COLORS[p % COLORS.length]}`,
        title: partitionKeys[p] ? `${dimensionLabel('db.wait_event', partitionKeys[p].Dimensions)}: ${fmt(v)}` : fmt(v) })));
    return el('tr', { 'data-rank': n },
      el('td', {}, swatch, el('span', { class: group === 'db.sql_tokenized' ? 'sql' : '' }, label)),
      el('td', { class: 'num' }, fmt(k.Total, 3)),
      el('td', { class: 'hide-narrow', style: 'width:30%' }, bar));
  });
  state.table = (keys.Keys || []).map((k) => ({ label: dimensionLabel(group, k.Dimensions), total: k.Total }));
  const legend = partitionKeys.length ? el('p', { class: 'muted hide-narrow' }, 'Bar: load by wait — ',
    partitionKeys.map((pk, p) => el('span', {}, el('span', { class: 'swatch', style: `background:${COLORS[p % COLORS.length]}` }),
      `${dimensionLabel('db.wait_event', pk.Dimensions)} `))) : null;

  main.replaceChildren(
    el('h1', {}, instance.id, ' ', el('span', { class: 'muted' }, `${instance.engine || ''} · ${instance.vcpus || '?'} vCPUs`)),
    toolbar(instance.id, route.params, range, slice),
    el('div', { class: 'card' }, el('h2', {}, `DB load by ${SLICES[slice][0].toLowerCase()}`), chartBox,
      series.length ? null : el('p', { class: 'muted' }, 'No load in this range.')),
    el('div', { class: 'card scroll' }, el('h2', {}, `Top ${SLICES[slice][0].toLowerCase()}`), legend,
      el('table', { id: 'top' },
        el('thead', {}, el('tr', {}, el('th', {}, SLICES[slice][0]), el('th', { class: 'num' }, 'Load (AAS)'),
          el('th', { class: 'hide-narrow' }, slice === 'wait' ? 'Share' : 'By wait'))),
        el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: 3, class: 'muted' }, 'No load in this range.'))))));
  drawChart(chartBox, state.chartData, instance.vcpus, (from, to) => {
    location.hash = instanceHash(instance.id, { start: from, end: to, slice });
  });
}

// --- shell ----------------------------------------------------------------------------

function setCrumbs(parts) {
  document.getElementById('crumbs').replaceChildren(...parts.map((p) => el('span', {}, `/ ${p}`)));
}

async function render() {
  const gen = ++generation;
  state.ready = false;
  state.error = null;
  const main = document.getElementById('main');
  const route = parseHash();
  try {
    if (route.page === 'instance') await renderInstance(main, route, gen);
    else await renderFleet(main, gen);
  } catch (e) {
    if (gen !== generation) return;
    state.error = e.message;
    main.replaceChildren(el('p', { class: 'error' }, e.message));
  }
  if (gen !== generation) return;
  state.hash = location.hash;
  state.ready = true;
}

window.addEventListener('hashchange', render);
window.addEventListener('resize', () => {
  if (!chart) return;
  const box = document.getElementById('chart');
  if (box) chart.setSize({ width: Math.max(280, box.clientWidth), height: window.innerWidth < 600 ? 240 : 320 });
});
render();
