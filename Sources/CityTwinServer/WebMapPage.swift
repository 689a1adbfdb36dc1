/// The web map at `/`: MapLibre GL JS with a style switcher, layer
/// toggles, feature popups and click-to-locate (the owning grid via
/// /v1/locate). `window.citytwin` exposes load state for the browser test.
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
  #map { position: absolute; inset: 0; }
  #panel { position: absolute; top: 10px; left: 10px; z-index: 2; background: rgba(255,255,255,.92); padding: 8px 10px;
           border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.3); max-height: 80vh; overflow: auto; }
  #panel h1 { font-size: 14px; margin: 0 0 6px; }
  #layers label { display: block; white-space: nowrap; }
  .maplibregl-popup-content table { border-collapse: collapse; }
  .maplibregl-popup-content td { padding: 1px 4px; border-bottom: 1px solid #eee; vertical-align: top; }
</style>
</head>
<body>
<div id="map"></div>
<div id="panel">
  <h1>CityTwin</h1>
  <label>Style <select id="style">{{STYLE_OPTIONS}}</select></label>
  <div id="layers"></div>
</div>
<script src="{{MAPLIBRE_JS}}"></script>
<script>
window.citytwin = { idle: false, errors: [], tileErrors: 0, styleLoaded: false, locate: null };
window.addEventListener('error', e => window.citytwin.errors.push(String(e.message || e)));
const consoleError = console.error;
console.error = function (...args) { window.citytwin.errors.push(args.map(String).join(' ')); consoleError.apply(console, args); };

const hidden = new Set();
const map = new maplibregl.Map({ container: 'map', style: '/styles/{{FIRST_STYLE}}.json', hash: true });
map.addControl(new maplibregl.NavigationControl());
map.addControl(new maplibregl.ScaleControl());

map.on('error', e => {
  const msg = (e && e.error && e.error.message) || String(e);
  if (e && (e.tile || e.sourceId)) window.citytwin.tileErrors += 1;
  window.citytwin.errors.push(msg);
});
map.on('styledata', () => { window.citytwin.styleLoaded = true; buildToggles(); });
map.on('idle', () => { window.citytwin.idle = true; });

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

document.getElementById('style').onchange = e => {
  window.citytwin.idle = false;
  map.setStyle('/styles/' + e.target.value + '.json');
};

function table(obj) {
  const rows = Object.entries(obj).map(([k, v]) =>
    '<tr><td>' + escapeHTML(k) + '</td><td>' + escapeHTML(typeof v === 'object' ? JSON.stringify(v) : String(v)) + '</td></tr>');
  return '<table>' + rows.join('') + '</table>';
}
function escapeHTML(s) { return s.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c])); }

let selectedGrid = null;
map.on('click', async e => {
  const features = map.queryRenderedFeatures(e.point).filter(f => f.layer.type !== 'background' && f.sourceLayer !== 'district');
  const pick = features.find(f => f.sourceLayer !== 'grids' && f.sourceLayer !== 'communities' && f.sourceLayer !== 'streets');
  if (pick) {
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
