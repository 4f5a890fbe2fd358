// The pcapstream dashboard: the daily chart (GET /api/daily; a click on a day lists its top
// conversations, GET /api/conversations) and the live chart (WebSocket /ws/live, or GET /api/live
// polled while the server refuses more live clients).
// State the browser test reads is kept on window.pcapstream.
'use strict';

const state = { daily: null, conversations: null, dailyHost: '', livePoints: [], liveStatus: 'connecting', liveVia: 'websocket', windowS: 10 };
window.pcapstream = state;

const $ = (id) => document.getElementById(id);
const MAX_LIVE_POINTS = 360;

function setStatus(el, text, kind) {
  el.textContent = text;
  el.className = 'status' + (kind ? ' ' + kind : '');
}

function humanBytes(v) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v : v.toFixed(1)) + ' ' + units[i];
}

function isoDay(d) { return d.toISOString().slice(0, 10); }

// --- daily access trend ------------------------------------------------------------------------

const dailyChart = echarts.init($('daily-chart'));
dailyChart.setOption({
  tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: humanBytes },
  legend: { data: ['inbound', 'outbound'], top: 0 },
  grid: { left: 70, right: 20, top: 40, bottom: 30 },
  xAxis: { type: 'category', data: [] },
  yAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: humanBytes } },
  series: [
    { name: 'inbound', type: 'bar', stack: 'bytes', data: [], itemStyle: { color: '#2f6fde' } },
    { name: 'outbound', type: 'bar', stack: 'bytes', data: [], itemStyle: { color: '#f28e2b' } },
  ],
});

async function loadDaily() {
  const q = new URLSearchParams({
    host: $('host').value.trim(), from: $('from').value, to: $('to').value, dataset: $('dataset').value,
  });
  history.replaceState(null, '', '?' + q.toString());
  setStatus($('daily-status'), 'loading…');
  let res, body;
  try {
    res = await fetch('/api/daily?' + q.toString());
    body = await res.json();
  } catch (e) {
    setStatus($('daily-status'), 'The dashboard server cannot be reached: ' + e.message, 'error');
    return;
  }
  if (!res.ok) {
    const what = res.status === 503 ? (body.error || 'backend unavailable') + ' (HTTP 503): ' + (body.detail || '')
                                    : 'Bad ' + (body.param || 'request') + ': ' + body.error;
    setStatus($('daily-status'), what, 'error');
    state.daily = { error: res.status, body };
    return;
  }
  state.daily = body;
  state.dailyHost = q.get('host');
  const inb = body.reduce((s, d) => s + d.inBytes, 0), outb = body.reduce((s, d) => s + d.outBytes, 0);
  setStatus($('daily-status'), `${q.get('host')}: ${humanBytes(inb)} in, ${humanBytes(outb)} out over ${body.length} days`, 'ok');
  dailyChart.setOption({
    xAxis: { data: body.map((d) => d.day) },
    series: [{ data: body.map((d) => d.inBytes) }, { data: body.map((d) => d.outBytes) }],
  });
}

$('daily-form').addEventListener('submit', (ev) => { ev.preventDefault(); loadDaily(); });

// --- a day's top conversations -----------------------------------------------------------------

function humanDuration(ns) {
  const s = ns / 1e9;
  if (s < 1) return (ns / 1e6).toFixed(1) + ' ms';
  if (s < 120) return s.toFixed(1) + ' s';
  if (s < 7200) return (s / 60).toFixed(1) + ' min';
  return (s / 3600).toFixed(1) + ' h';
}

function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
}

function drawConversations(body) {
  const tbody = $('conv-table').querySelector('tbody');
  tbody.replaceChildren();
  body.conversations.forEach((c, i) => {
    const tr = document.createElement('tr');
    const names = Object.values(c.names).flat().join(', ');
    cell(tr, String(i + 1), 'num');
    cell(tr, c.peer, 'peer');
    cell(tr, c.hostPort === null ? '' : String(c.hostPort), 'num');
    cell(tr, c.peerPort === null ? '' : String(c.peerPort), 'num');
    cell(tr, c.transport + (c.vlan ? ` (VLAN ${c.vlan})` : ''));
    cell(tr, c.initiator);
    cell(tr, humanBytes(c.outBytes), 'num');
    cell(tr, humanBytes(c.inBytes), 'num');
    cell(tr, String(c.outPackets), 'num');
    cell(tr, String(c.inPackets), 'num');
    cell(tr, c.start.replace('T', ' ').replace(/\.(\d{3})\d*Z$/, '.$1'));
    cell(tr, humanDuration(c.durationNs), 'num');
    cell(tr, c.communityId, 'cid');
    cell(tr, names);
    tr.dataset.bytes = String(c.bytes);
    tbody.appendChild(tr);
  });
}

async function loadConversations(day) {
  const host = state.dailyHost;
  const q = new URLSearchParams({ host, day, limit: '20' });
  $('conv').hidden = false;
  $('conv-title').textContent = `Top conversations of ${host} on ${day} (UTC, by bytes)`;
  setStatus($('conv-status'), 'loading…');
  $('conv-table').querySelector('tbody').replaceChildren();
  let res, body;
  try {
    res = await fetch('/api/conversations?' + q.toString());
    body = await res.json();
  } catch (e) {
    setStatus($('conv-status'), 'The dashboard server cannot be reached: ' + e.message, 'error');
    state.conversations = { day, error: 0 };
    return;
  }
  if (!res.ok) {
    const what = res.status === 503 ? (body.error || 'backend unavailable') + ' (HTTP 503): ' + (body.detail || '')
                                    : 'Bad ' + (body.param || 'request') + ': ' + body.error;
    setStatus($('conv-status'), what, 'error');
    state.conversations = { day, error: res.status, body };
    return;
  }
  const n = body.conversations.length;
  const rest = body.withoutCommunityId.records ? `; ${body.withoutCommunityId.records} flow records without a Community ID (${humanBytes(body.withoutCommunityId.bytes)}) are not listed` : '';
  setStatus($('conv-status'), n ? `${n} conversation${n > 1 ? 's' : ''} (flow records summed by Community ID and VLAN; a flow counts on the day it started)${rest}`
                                : `no flow records of ${host} started on ${day}${rest}`, 'ok');
  drawConversations(body);
  state.conversations = { day, body };
}

// A click anywhere in a day's column (a thin bar is hard to hit) lists that day's conversations.
dailyChart.getZr().on('click', (ev) => {
  const px = [ev.offsetX, ev.offsetY];
  if (!Array.isArray(state.daily) || !state.daily.length || !dailyChart.containPixel('grid', px)) return;
  const idx = dailyChart.convertFromPixel({ seriesIndex: 0 }, px)[0];
  if (idx >= 0 && idx < state.daily.length) loadConversations(state.daily[idx].day);
});

(function initForm() {
  const p = new URLSearchParams(location.search);
  const today = new Date();
  const weekAgo = new Date(today.getTime() - 6 * 86400000);
  $('host').value = p.get('host') || '';
  $('from').value = p.get('from') || isoDay(weekAgo);
  $('to').value = p.get('to') || isoDay(today);
  if (p.get('dataset')) $('dataset').value = p.get('dataset');
  if (p.get('host')) loadDaily();
})();

// --- real-time access trend --------------------------------------------------------------------

const liveChart = echarts.init($('live-chart'));
liveChart.setOption({
  tooltip: { trigger: 'axis', valueFormatter: humanBytes },
  animation: false,
  legend: { data: ['bytes'], top: 0 },
  grid: { left: 70, right: 20, top: 40, bottom: 30 },
  xAxis: { type: 'time' },
  yAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: humanBytes } },
  series: [{ name: 'bytes', type: 'line', showSymbol: true, data: [], areaStyle: { opacity: 0.15 } }],
});

function drawLive() {
  const pts = state.livePoints, w = state.windowS * 1000;
  // the axis covers at least 30 windows, ending one window after the newest point
  const max = pts.length ? pts[pts.length - 1].t + w : Date.now();
  const min = Math.min(pts.length ? pts[0].t : max, max - 30 * w);
  liveChart.setOption({ xAxis: { min, max }, series: [{ data: pts.map((p) => [p.t, p.bytes]) }] });
}

function showLiveStatus(msg) {
  state.liveStatus = msg.status;
  if (msg.window_s) state.windowS = msg.window_s;
  const polled = state.liveVia === 'polling' ? ` (polled every ${state.windowS} s: the server has no live connection free)` : '';
  if (msg.status === 'ok') setStatus($('live-status'), `live: bytes per ${state.windowS} s window from the hot topic${polled}`, 'ok');
  else if (msg.status === 'off') setStatus($('live-status'), msg.error, 'error');
  else setStatus($('live-status'), 'Kafka is unavailable: ' + (msg.error || 'no broker answers'), 'error');
}

// The live feed: a WebSocket while the server has a live slot free (it keeps a share of its
// workers for them and answers the rest 503), else GET /api/live once per window until the
// WebSocket is let in again.
let retryMs = 1000;
let pollTimer = null;

async function pollLive() {
  try {
    const res = await fetch('/api/live');
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const msg = await res.json();
    state.livePoints = msg.points.slice(-MAX_LIVE_POINTS);
    showLiveStatus(msg);
    drawLive();
  } catch (e) {
    state.liveStatus = 'disconnected';
    setStatus($('live-status'), `The dashboard server does not answer the live chart (${e.message}); retrying`, 'error');
  }
}

function startPolling() {
  if (pollTimer !== null) return;
  state.liveVia = 'polling';
  pollLive();
  pollTimer = setInterval(pollLive, state.windowS * 1000);
}

function stopPolling() {
  if (pollTimer !== null) clearInterval(pollTimer);
  pollTimer = null;
  state.liveVia = 'websocket';
}

function connectLive() {
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/live');
  let opened = false;
  ws.onopen = () => {
    opened = true;
    stopPolling();
  };
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.type === 'hello') {
      retryMs = 1000;
      state.livePoints = msg.history;
      showLiveStatus(msg);
    } else if (msg.type === 'status') {
      showLiveStatus(msg);
    } else if (msg.type === 'point') {
      state.livePoints.push({ t: msg.t, bytes: msg.bytes, packets: msg.packets });
      if (state.livePoints.length > MAX_LIVE_POINTS) state.livePoints.shift();
    }
    drawLive();
  };
  ws.onclose = () => {
    if (opened) {
      state.liveStatus = 'disconnected';
      setStatus($('live-status'), `The dashboard server closed the live connection; retrying in ${retryMs / 1000} s`, 'error');
    } else {
      // refused (the server's live clients are at their cap) or unreachable: poll meanwhile
      startPolling();
    }
    setTimeout(connectLive, retryMs);
    retryMs = Math.min(retryMs * 2, 30000);
  };
}
connectLive();

window.addEventListener('resize', () => { dailyChart.resize(); liveChart.resize(); });
