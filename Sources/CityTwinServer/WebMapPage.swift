/// The dispatch console at `/`: MapLibre GL JS (from this server by default)
/// with a style switcher, a legend, layer toggles and feature popups; a live
/// event list fed by `/v1/stream` with filters, an event detail with actions
/// (dispatch, status moves, notes; the write token is asked once and kept for
/// the browser session), and a flood panel ranked by risk. Glyphs come from
/// the server for CJK too (`localIdeographFontFamily: false`), so kiosks
/// without a CJK font draw the same labels. `window.citytwin` exposes load
/// and stream state for the browser test.
enum WebMapPage {
    static func html(maplibreJS: String, maplibreCSS: String, styles: [String]) -> String {
        let options = styles.map { "<option value=\"\($0)\">\($0)</option>" }.joined()
        return template
            .replacingOccurrences(of: "{{MAPLIBRE_JS}}", with: maplibreJS)
            .replacingOccurrences(of: "{{MAPLIBRE_CSS}}", with: maplibreCSS)
            .replacingOccurrences(of: "{{STYLE_OPTIONS}}", with: options)
            .replacingOccurrences(of: "{{FIRST_STYLE}}", with: styles.first ?? "dispatch")
    }

    static let template = #"""
<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CityTwin 一网统管</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{{MAPLIBRE_CSS}}">
<style>
  html, body { margin: 0; height: 100%; font: 13px/1.4 system-ui, sans-serif; }
  #map { position: absolute; top: 0; bottom: 0; left: 0; right: 360px; }
  #side { position: absolute; top: 0; bottom: 0; right: 0; width: 360px; display: flex; flex-direction: column;
          background: #f8fafc; border-left: 1px solid #cbd5e1; }
  body.dark #side { background: #0f172a; color: #e2e8f0; border-color: #334155; }
  #side header { padding: 6px 8px; border-bottom: 1px solid #cbd5e1; display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
  #side h2 { font-size: 13px; margin: 8px 8px 4px; }
  #events { flex: 1 1 50%; overflow: auto; margin: 0; padding: 0; list-style: none; }
  #events li { padding: 4px 8px; border-bottom: 1px solid rgba(100,116,139,.25); cursor: pointer; }
  #events li.selected { background: rgba(59,130,246,.2); }
  #events li .st { display: inline-block; min-width: 64px; font-weight: 600; }
  #detail { flex: 0 0 auto; max-height: 40%; overflow: auto; padding: 4px 8px; border-top: 1px solid #cbd5e1; }
  #detail:empty { display: none; }
  #detail button { margin: 2px 2px 2px 0; }
  #floods { flex: 0 1 25%; overflow: auto; margin: 0; padding: 0 8px; list-style: none; border-top: 1px solid #cbd5e1; }
  .flooded { color: #dc2626; font-weight: 600; } .warning { color: #d97706; font-weight: 600; }
  #panel { position: absolute; top: 10px; left: 10px; z-index: 2; background: rgba(255,255,255,.92); padding: 8px 10px;
           border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.3); max-height: 45vh; overflow: auto; }
  #panel h1 { font-size: 14px; margin: 0 0 6px; }
  #layers { display: none; } #panel.open #layers { display: block; }
  #layers label { display: block; white-space: nowrap; }
  #legend { position: absolute; left: 10px; bottom: 30px; z-index: 2; background: rgba(255,255,255,.92); padding: 6px 10px;
            border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.3); font-size: 12px; max-height: 40vh; overflow: auto; }
  #legend div { white-space: nowrap; }
  #legend i { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 5px; vertical-align: -1px; border: 1px solid #fff; }
  #legend b { display: block; margin-top: 4px; }
  #legend .grid { display: grid; grid-template-columns: auto auto; column-gap: 10px; }
  #legend .ic { display: inline-block; margin-right: 5px; vertical-align: middle; background-repeat: no-repeat; }
  body.dark #legend { background: rgba(15,23,42,.9); color: #e2e8f0; }
  .maplibregl-popup-content table { border-collapse: collapse; }
  .maplibregl-popup-content td { padding: 1px 4px; border-bottom: 1px solid #eee; vertical-align: top; }
  @media (max-width: 900px) { #map { right: 0; bottom: 45%; } #side { top: 55%; width: 100%; } }
  @media (min-width: 1800px) { #side { width: 460px; font-size: 15px; } #map { right: 460px; } }
</style>
</head>
<body>
<div id="map"></div>
<div id="panel">
  <h1>CityTwin 一网统管</h1>
  <label>Style <select id="style">{{STYLE_OPTIONS}}</select></label>
  <button id="toggle-layers" type="button">图层</button>
  <div id="layers"></div>
</div>
<div id="legend"></div>
<div id="side">
  <header>
    <b>事件 Events</b> <span id="live" title="live stream">○</span>
    <select id="f-status"><option value="">全部状态</option><option>new</option><option>dispatched</option>
      <option>in_progress</option><option>resolved</option><option>closed</option></select>
    <input id="f-type" placeholder="类型 type" size="8">
  </header>
  <ul id="events"></ul>
  <div id="detail"></div>
  <h2>防汛 Flood points by risk</h2>
  <ul id="floods"></ul>
</div>
<script src="{{MAPLIBRE_JS}}"></script>
<script>
window.citytwin = { idle: false, errors: [], tileErrors: 0, styleLoaded: false, locate: null,
                    streamOpen: false, streamMessages: 0, lastEventID: null, events: {}, floods: {}, missingImages: [] };
window.addEventListener('error', e => window.citytwin.errors.push(String(e.message || e)));
const consoleError = console.error;
console.error = function (...args) { window.citytwin.errors.push(args.map(String).join(' ')); consoleError.apply(console, args); };

const STATUS_COLORS = { new: '#ef4444', dispatched: '#f97316', in_progress: '#eab308', resolved: '#22c55e', closed: '#94a3b8' };
const NEXT = { new: ['dispatched', 'closed'], dispatched: ['in_progress'], in_progress: ['resolved'], resolved: ['closed', 'in_progress'], closed: [] };
const hidden = new Set();
const map = new maplibregl.Map({ container: 'map', style: '/styles/{{FIRST_STYLE}}.json', hash: true,
                                 localIdeographFontFamily: false });
map.addControl(new maplibregl.NavigationControl());
map.addControl(new maplibregl.ScaleControl());

map.on('error', e => {
  const msg = (e && e.error && e.error.message) || String(e);
  if (e && (e.tile || e.sourceId)) window.citytwin.tileErrors += 1;
  window.citytwin.errors.push(msg);
});
map.on('styledata', () => { window.citytwin.styleLoaded = true; buildToggles(); buildLegend(); });
// Live layers go into each new style once it is loaded (symbol layers added while a
// diffed style is still being placed break MapLibre's placement; setStyle does not diff).
map.on('style.load', addLiveLayers);
map.on('idle', () => { window.citytwin.idle = true; });
// An icon-image naming no icon of the sprite (a style and its icons folder out of step).
map.on('styleimagemissing', e => window.citytwin.missingImages.push(e.id));

// Events from the stream are drawn at once from a GeoJSON source (the vector
// tiles catch up within their rebuild interval).
function liveCollection() {
  return { type: 'FeatureCollection', features: Object.values(window.citytwin.events).map(e => ({
    type: 'Feature', id: e.id, geometry: { type: 'Point', coordinates: [e.lon, e.lat] },
    properties: { id: e.id, type: e.type, status: e.status, selected: e.id === selectedEvent } })) };
}
// Drawn with the style's pictograms (its metadata holds the type → icon expression,
// since the style's own event layer is left out while no event is stored) and the
// status badge; a style without a sprite gets discs coloured by status.
function addLiveLayers() {
  const style = map.getStyle();
  if (!style || map.getSource('live-events')) return;
  map.addSource('live-events', { type: 'geojson', data: liveCollection() });
  const icon = style.sprite && style.metadata && style.metadata['citytwin:event-icon'];
  map.addLayer({ id: 'live-events-selected', type: 'circle', source: 'live-events', filter: ['get', 'selected'], paint: {
    'circle-radius': icon ? 17 : 11, 'circle-color': 'rgba(59,130,246,.25)', 'circle-stroke-color': '#2563eb', 'circle-stroke-width': 3 } });
  if (icon) {
    map.addLayer({ id: 'live-events', type: 'symbol', source: 'live-events', layout: {
      'icon-image': icon, 'icon-allow-overlap': true, 'icon-ignore-placement': true } });
    map.addLayer({ id: 'live-event-status', type: 'symbol', source: 'live-events', layout: {
      'icon-image': ['concat', 'status-', ['get', 'status']], 'icon-offset': [10, -10], 'icon-allow-overlap': true, 'icon-ignore-placement': true } });
  } else {
    map.addLayer({ id: 'live-events', type: 'circle', source: 'live-events', paint: {
      'circle-color': ['match', ['get', 'status'], 'new', STATUS_COLORS.new, 'dispatched', STATUS_COLORS.dispatched,
                       'in_progress', STATUS_COLORS.in_progress, 'resolved', STATUS_COLORS.resolved, STATUS_COLORS.closed],
      'circle-radius': 6, 'circle-stroke-color': '#111827', 'circle-stroke-width': 1.5 } });
  }
  if (icon) {
    // Flood points whose status changed on the stream: their icon from here (the tile's is hidden)
    // until the page reloads; the disc under it follows through feature-state.
    map.addSource('live-floods', { type: 'geojson', data: liveFloodCollection() });
    map.addLayer({ id: 'live-flood-icons', type: 'symbol', source: 'live-floods', layout: {
      'icon-image': ['concat', 'flood-', ['get', 'status']], 'icon-size': 0.8, 'icon-allow-overlap': true, 'icon-ignore-placement': true } });
  }
  for (const [id, f] of Object.entries(window.citytwin.floods)) setFloodState(f);
  redrawLiveFloods();
}
const liveFloods = {};
function liveFloodCollection() {
  return { type: 'FeatureCollection', features: Object.values(liveFloods).map(f => ({
    type: 'Feature', id: f.id, geometry: { type: 'Point', coordinates: [f.lon, f.lat] }, properties: { id: f.id, status: f.status } })) };
}
function redrawLiveFloods() {
  const s = map.getSource('live-floods');
  if (s) s.setData(liveFloodCollection());
  if (map.getLayer('flood-icons')) map.setFilter('flood-icons', ['!', ['in', ['id'], ['literal', Object.values(liveFloods).map(f => f.id)]]]);
}
let liveTimer = null;
function redrawLive() {
  if (liveTimer) return;
  liveTimer = setTimeout(() => { liveTimer = null; const s = map.getSource('live-events'); if (s) s.setData(liveCollection()); }, 50);
}

function buildToggles() {
  const box = document.getElementById('layers');
  const style = map.getStyle();
  if (!style) return;
  box.innerHTML = '';
  for (const layer of style.layers) {
    if (layer.type === 'background') continue;
    const label = document.createElement('label');
    const cb = document.createElement('input');
    cb.type = 'checkbox';
    cb.checked = !hidden.has(layer.id);
    cb.onchange = () => {
      if (cb.checked) hidden.delete(layer.id); else hidden.add(layer.id);
      map.setLayoutProperty(layer.id, 'visibility', cb.checked ? 'visible' : 'none');
    };
    if (hidden.has(layer.id)) map.setLayoutProperty(layer.id, 'visibility', 'none');
    label.append(cb, ' ' + layer.id);
    box.append(label);
  }
}
document.getElementById('toggle-layers').onclick = () => document.getElementById('panel').classList.toggle('open');

// The legend shows the sprite's own icons (its index read once per sprite URL).
const LEGEND = [
  ['事件 Events', [['event-pipe-burst', '管道破裂'], ['event-waterlogging', '道路积水'], ['event-sewer-blocked', '下水道堵塞'],
    ['event-fire', '火情'], ['event-gas-leak', '燃气泄漏'], ['event-traffic-accident', '交通事故'], ['event-road-collapse', '路面塌陷'],
    ['event-illegal-parking', '违章停车'], ['event-street-vending', '占道经营'], ['event-bike-parking', '单车乱停放'],
    ['event-garbage', '垃圾·市容'], ['event-noise', '噪音扰民'], ['event-construction', '施工管理'], ['event-advertising', '违规广告'],
    ['event-manhole', '井盖'], ['event-street-light', '路灯·信号灯'], ['event-greenery', '绿化·树木'], ['event-other', '其他']]],
  ['状态 Status', [['status-new', 'new 新建'], ['status-dispatched', 'dispatched 已派遣'], ['status-in_progress', 'in_progress 处置中'],
    ['status-resolved', 'resolved 已办结'], ['status-closed', 'closed 已关闭']]],
  ['积水点 Flood points', [['flood-normal', 'normal 正常'], ['flood-warning', 'warning 预警'], ['flood-flooded', 'flooded 积水']]],
  ['处置力量 Handlers', [['handler-grid_worker', '网格员'], ['handler-urban_management', '城管'], ['handler-police', '公安'],
    ['handler-fire', '消防'], ['handler-water', '供水'], ['handler-drainage', '排水'], ['handler-other', '其他']]],
  ['阀门 Valves', [['valve-open', 'open 开'], ['valve-closed', 'closed 关'], ['valve-broken', 'broken 损坏'], ['valve-inaccessible', 'inaccessible 无法操作']]],
  ['兴趣点 POIs', [['poi-hospital', '医院'], ['poi-school', '学校'], ['poi-metro', '地铁站'], ['poi-mall', '商场'], ['poi-park', '公园'],
    ['poi-supermarket', '超市'], ['poi-bank', '银行'], ['poi-restaurant', '餐饮'], ['poi-hotel', '酒店'], ['poi-fuel', '加油站'],
    ['poi-pharmacy', '药店'], ['poi-post', '邮局'], ['poi-courier', '快递'], ['poi-other', '其他']]]];
let sprite = { url: null, index: null };
async function loadSprite(url) {
  if (sprite.url === url) return;
  sprite = { url, index: null };
  try { const r = await fetch(url + '.json'); if (r.ok && sprite.url === url) sprite.index = await r.json(); } catch (e) { /* legend without icons */ }
  buildLegend();
}
function buildLegend() {
  const style = map.getStyle();
  if (!style) return;
  document.body.classList.toggle('dark', style.name === 'ops-screen');
  if (typeof style.sprite === 'string' && style.sprite !== sprite.url) { loadSprite(style.sprite); return; }
  const icon = name => {
    const e = sprite.index && sprite.index[name];
    if (!e) return '<i style="background:#94a3b8"></i>';
    return '<span class="ic" style="width:' + e.width + 'px;height:' + e.height + 'px;background-image:url(' + sprite.url +
      '.png);background-position:-' + e.x + 'px -' + e.y + 'px"></span>';
  };
  let html = '';
  for (const [title, rows] of LEGEND) {
    html += '<b>' + escapeHTML(title) + '</b><div class="grid">' +
      rows.map(([name, label]) => '<div>' + icon(name) + escapeHTML(label) + '</div>').join('') + '</div>';
  }
  html += '<b>其他</b>' + '<div><i style="background:#0d9488"></i>bike station 停车点</div><div><i style="background:#2563eb"></i>grid 网格</div>';
  document.getElementById('legend').innerHTML = html;
}

document.getElementById('style').onchange = e => {
  window.citytwin.idle = false;
  map.setStyle('/styles/' + e.target.value + '.json', { diff: false });
};

function table(obj) {
  const rows = Object.entries(obj).map(([k, v]) =>
    '<tr><td>' + escapeHTML(k) + '</td><td>' + escapeHTML(typeof v === 'object' ? JSON.stringify(v) : String(v)) + '</td></tr>');
  return '<table>' + rows.join('') + '</table>';
}
function escapeHTML(s) { return String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c])); }

// ---- event list, detail and actions ----
let selectedEvent = null;
function passesFilter(e) {
  const st = document.getElementById('f-status').value, ty = document.getElementById('f-type').value.trim();
  return (!st || e.status === st) && (!ty || (e.type || '').includes(ty));
}
function renderEvents() {
  const list = Object.values(window.citytwin.events).filter(passesFilter).sort((a, b) => b.id - a.id).slice(0, 300);
  document.getElementById('events').innerHTML = list.map(e =>
    '<li data-id="' + e.id + '"' + (e.id === selectedEvent ? ' class="selected"' : '') + '><span class="st" style="color:' +
    (STATUS_COLORS[e.status] || '#64748b') + '">' + escapeHTML(e.status) + '</span> #' + e.id + ' ' + escapeHTML(e.type) +
    (e.overdue ? ' <b class="flooded">超时</b>' : '') + '<br><small>' + escapeHTML(e.description || '').slice(0, 80) + '</small></li>').join('');
}
document.getElementById('events').onclick = ev => {
  const li = ev.target.closest('li');
  if (li) selectEvent(Number(li.dataset.id));
};
document.getElementById('f-status').onchange = renderEvents;
document.getElementById('f-type').oninput = renderEvents;
function upsertEvent(e) { window.citytwin.events[e.id] = Object.assign(window.citytwin.events[e.id] || {}, e); renderEvents(); redrawLive(); }

let pipeLayers = null;
async function selectEvent(id) {
  selectedEvent = id;
  renderEvents(); redrawLive();
  const r = await fetch('/v1/events/' + id);
  if (!r.ok) return;
  const e = await r.json();
  upsertEvent(e);
  map.easeTo({ center: [e.lon, e.lat], zoom: Math.max(map.getZoom(), 15) });
  const d = 0.004;
  const fr = await fetch('/v1/flood/points?bbox=' + [e.lon - d, e.lat - d, e.lon + d, e.lat + d].join(','));
  const floods = fr.ok ? (await fr.json()).results : [];
  // Pipe context: pipes of every pipe layer within 100 m, nearest first (the burst/isolation tools start from them).
  if (pipeLayers === null) {
    const lr = await fetch('/v1/layers');
    pipeLayers = lr.ok ? (await lr.json()).filter(l => l.role === 'pipe').map(l => l.name) : [];
  }
  const pipes = [];
  for (const layer of pipeLayers) {
    const pr = await fetch('/v1/within?layer=' + encodeURIComponent(layer) + '&lon=' + e.lon + '&lat=' + e.lat + '&radius=100&limit=5');
    if (pr.ok) pipes.push(...(await pr.json()).results);
  }
  pipes.sort((a, b) => a.distance_m - b.distance_m);
  const handlers = (e.handlers || []).map(h => '<li>' + escapeHTML(h.name || h.handler_id) + ' · ' + escapeHTML(h.type) + ' · ' + h.distance_m +
    ' m <button data-assign="' + escapeHTML(h.handler_id || h.name) + '">派遣 dispatch</button></li>').join('');
  const moves = (NEXT[e.status] || []).map(s => '<button data-status="' + s + '">→ ' + s + '</button>').join('');
  const history = (e.history || []).map(h => '<li>' + escapeHTML(h.at) + ' ' + escapeHTML(h.kind) + ' ' + escapeHTML(h.from || '') + ' → ' +
    escapeHTML(h.to || h.note || '') + (h.actor ? ' (' + escapeHTML(h.actor) + ')' : '') + '</li>').join('');
  document.getElementById('detail').innerHTML = '<b>#' + e.id + ' ' + escapeHTML(e.type) + '</b> ' + escapeHTML(e.status) +
    '<div>' + escapeHTML(e.description) + '</div>' +
    table({ address: e.address || '', grid: e.grid_code || '', location: e.lon.toFixed(5) + ', ' + e.lat.toFixed(5), due: e.due_at || '',
            assignee: e.assignee || '', duplicate_of: e.duplicate_of || '', escalated_to: e.escalated_to }) +
    '<div>' + moves + '</div><div><input id="note" placeholder="备注 note" size="24"> <button id="add-note">记录</button></div>' +
    '<b>处置力量 handlers</b><ul>' + handlers + '</ul>' +
    '<b>附近积水点 flood</b><ul>' + floods.map(f => '<li class="' + f.status + '">' + escapeHTML(f.properties.name) + ' ' + f.status + '</li>').join('') + '</ul>' +
    '<b>附近管线 pipes (100 m)</b><ul id="detail-pipes">' + pipes.map(p => '<li data-pipe="' + escapeHTML(p.properties.pipe_id || p.id) + '">' +
      escapeHTML(p.properties.pipe_id || p.id) + ' · ' + escapeHTML(p.properties.network || '') + ' · DN' + escapeHTML(p.properties.diameter_mm || '?') +
      ' ' + escapeHTML(p.properties.material || '') + ' · ' + Math.round(p.distance_m) + ' m</li>').join('') + '</ul>' +
    '<b>记录 history</b><ul>' + history + '</ul>';
}
document.getElementById('detail').onclick = async ev => {
  const b = ev.target;
  if (!(b instanceof HTMLButtonElement) || selectedEvent === null) return;
  const change = {};
  if (b.dataset.status) change.status = b.dataset.status;
  if (b.dataset.assign) { change.assignee = b.dataset.assign; if (window.citytwin.events[selectedEvent].status === 'new') change.status = 'dispatched'; }
  if (b.id === 'add-note') change.note = document.getElementById('note').value;
  await patchEvent(selectedEvent, change);
};
async function patchEvent(id, change) {
  const headers = { 'Content-Type': 'application/json' };
  let token = sessionStorage.getItem('citytwin-token');
  if (token === null) { token = prompt('写入令牌 Write token (empty on a loopback server without tokens)') || ''; sessionStorage.setItem('citytwin-token', token); }
  if (token) headers.Authorization = 'Bearer ' + token;
  const r = await fetch('/v1/events/' + id, { method: 'PATCH', headers, body: JSON.stringify(Object.assign({ actor: 'console' }, change)) });
  if (r.status === 401 || r.status === 403) sessionStorage.removeItem('citytwin-token');
  if (!r.ok) { alert((await r.json()).detail || r.status); return; }
  await selectEvent(id);
}

// ---- flood panel ----
function setFloodState(f) {
  if (!map.getStyle() || !map.getSource('city')) return;
  try { map.setFeatureState({ source: 'city', sourceLayer: 'flood_points', id: f.id }, { status: f.status }); } catch (e) { /* style without the layer */ }
}
function renderFloods() {
  const list = Object.values(window.citytwin.floods).sort((a, b) => (b.risk || 0) - (a.risk || 0));
  document.getElementById('floods').innerHTML = list.map(f => '<li class="' + f.status + '" data-lon="' + f.lon + '" data-lat="' + f.lat + '">' +
    escapeHTML(f.name || '') + ' · ' + f.status + (f.level_cm !== null && f.level_cm !== undefined ? ' · ' + f.level_cm + '/' + f.threshold_cm + ' cm' : '') + '</li>').join('');
}
document.getElementById('floods').onclick = ev => {
  const li = ev.target.closest('li');
  if (li) map.easeTo({ center: [Number(li.dataset.lon), Number(li.dataset.lat)], zoom: 16 });
};
async function loadFloods() {
  const r = await fetch('/v1/flood/points');
  if (!r.ok) return;
  for (const p of (await r.json()).results) {
    const [lon, lat] = p.geometry.coordinates;
    window.citytwin.floods[p.id] = { id: p.id, name: p.properties.name, status: p.status, level_cm: p.level_cm,
                                     threshold_cm: p.threshold_cm, risk: p.level_cm ? p.level_cm / p.threshold_cm : 0, lon, lat };
  }
  renderFloods();
}
async function loadEvents() {
  const r = await fetch('/v1/events?status=new,dispatched,in_progress,resolved&limit=500');
  if (!r.ok) return;
  for (const e of (await r.json()).events) window.citytwin.events[e.id] = e;
  renderEvents(); redrawLive();
}

// ---- live stream ----
function connect() {
  const es = new EventSource('/v1/stream?topics=event,flood,layer');
  es.onopen = () => { window.citytwin.streamOpen = true; document.getElementById('live').textContent = '●'; };
  es.onerror = () => { window.citytwin.streamOpen = false; document.getElementById('live').textContent = '○'; };
  const seen = m => { window.citytwin.streamMessages += 1; window.citytwin.lastEventID = m.lastEventId; return JSON.parse(m.data); };
  es.addEventListener('event.created', m => upsertEvent(seen(m)));
  es.addEventListener('event.updated', m => upsertEvent(seen(m)));
  es.addEventListener('flood.status', m => {
    const f = seen(m);
    window.citytwin.floods[f.id] = Object.assign(window.citytwin.floods[f.id] || {}, f);
    if (f.lon !== undefined && f.lat !== undefined) liveFloods[f.id] = { id: f.id, status: f.status, lon: f.lon, lat: f.lat };
    setFloodState(f); renderFloods(); redrawLiveFloods();
  });
  es.addEventListener('layer.reloaded', m => { seen(m); loadFloods(); });
  es.addEventListener('reset', m => { seen(m); loadEvents(); loadFloods(); });
  es.addEventListener('dropped', () => { es.close(); setTimeout(connect, 1000); });
}
loadEvents().then(loadFloods).then(connect);

// ---- click: a feature's properties, else the owning grid ----
let selectedGrid = null;
map.on('click', async e => {
  const features = map.queryRenderedFeatures(e.point).filter(f => f.layer.type !== 'background' && f.sourceLayer !== 'district');
  const live = features.find(f => f.layer.id === 'live-events' || f.layer.id === 'live-event-status');
  if (live) { selectEvent(live.properties.id); return; }
  // Icons are features to pick; text-only symbols (labels) are not.
  const pick = features.find(f => (f.layer.type !== 'symbol' || (f.layer.layout && f.layer.layout['icon-image'])) &&
    f.sourceLayer !== 'grids' && f.sourceLayer !== 'communities' && f.sourceLayer !== 'streets');
  if (pick) {
    if (pick.sourceLayer === 'events') { selectEvent(pick.id); return; }
    new maplibregl.Popup().setLngLat(e.lngLat)
      .setHTML('<b>' + escapeHTML(pick.sourceLayer) + '</b> #' + pick.id + table(pick.properties)).addTo(map);
    return;
  }
  const r = await fetch('/v1/locate?lon=' + e.lngLat.lng + '&lat=' + e.lngLat.lat);
  const body = await r.json();
  window.citytwin.locate = body;
  const grid = body.grid;
  if (selectedGrid !== null) map.setFeatureState({ source: 'city', sourceLayer: 'grids', id: selectedGrid }, { selected: false });
  selectedGrid = null;
  if (grid && grid.id !== undefined) {
    selectedGrid = grid.id;
    map.setFeatureState({ source: 'city', sourceLayer: 'grids', id: selectedGrid }, { selected: true });
  }
  const html = grid
    ? '<b>网格 ' + escapeHTML(grid.name || '') + '</b>' + table({ code: grid.code, community: (body.community || {}).name, street: (body.street || {}).name, district: (body.district || {}).name })
    : 'No grid owns this point';
  new maplibregl.Popup().setLngLat(e.lngLat).setHTML(html).addTo(map);
});
</script>
</body>
</html>
"""#
}
