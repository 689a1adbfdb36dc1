"""Real-browser check of the web map: headless Chromium (Debian's) driven by
Playwright opens `/` with every request off this machine blocked, waits for
MapLibre to be idle, reads the rendered labels (road names from the data, CJK
drawn from the server's glyphs), posts an event and a flood reading through the
API and waits for the console and the map to show them live, opens the event in
the console and dispatches it (detail with handlers, flood and pipe context; the
token prompt; status and note stored), checks the sprite's
icons are placed (POIs, handlers, flood points, valves, live events), switches style,
turns layers off, clicks the map to locate the owning grid, and screenshots.
Usage: webmap_check.py BASE SHOT.png GEODATA_DIR. Prints a JSON report; the
Swift test asserts on it."""
import json, sys, time, urllib.request
from urllib.parse import urlparse
from playwright.sync_api import sync_playwright
from PIL import Image

base, shot, geodata = sys.argv[1], sys.argv[2], sys.argv[3]
report = {"console_errors": [], "page_errors": [], "failed_requests": [], "tile_status": {}, "idle": False,
          "blocked": [], "glyph_status": {}, "glyph_ranges": [], "sprite_status": {}}
road_names = {f["properties"]["name"] for f in json.load(open(geodata + "/roads.geojson"))["features"] if f["properties"].get("name")}

def on_response(r):
    if "/tiles/" in r.url and r.url.endswith(".mvt"):
        report["tile_status"][str(r.status)] = report["tile_status"].get(str(r.status), 0) + 1
    if "/fonts/" in r.url:
        report["glyph_status"][str(r.status)] = report["glyph_status"].get(str(r.status), 0) + 1
        report["glyph_ranges"].append(int(r.url.rsplit("/", 1)[1].split("-")[0]))
    if "/sprites/" in r.url:
        report["sprite_status"][str(r.status)] = report["sprite_status"].get(str(r.status), 0) + 1

def guard(route):
    # Only this machine: anything else (a CDN, a font service) is recorded and refused.
    if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost", "::1") or route.request.url.startswith("data:"):
        route.continue_()
    else:
        report["blocked"].append(route.request.url)
        route.abort()

def post(path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                args=["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"])
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.route("**/*", guard)
    page.on("console", lambda m: report["console_errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: report["page_errors"].append(str(e)))
    page.on("requestfailed", lambda r: report["failed_requests"].append(r.url + " " + str(r.failure)))
    page.on("response", on_response)
    page.goto(base + "/#15/30.655/104.08")
    page.wait_for_function("window.citytwin && window.citytwin.idle", timeout=90000)
    report["idle"] = True
    # Labels: road names placed along lines at z15, from the data; CJK glyphs came from the server.
    placed = page.evaluate("[...new Set(map.queryRenderedFeatures({layers: ['road-labels']}).map(f => f.properties.name))]")
    report["road_labels"] = len(placed)
    report["road_labels_from_data"] = len([n for n in placed if n in road_names])
    report["local_ideographs"] = page.evaluate("map.style && map.style.glyphManager ? String(map.style.glyphManager.localIdeographFontFamily) : 'unknown'")
    report["labels_by_layer"] = page.evaluate("""() => { const out = {};
        for (const id of ['street-labels','community-labels','grid-labels','road-labels','pois','flood-labels'])
          out[id] = map.getLayer(id) ? map.queryRenderedFeatures({layers: [id]}).length : -1; return out; }""")
    # Icons: the sprite's images are in the map, and layers drawing them place features.
    report["sprite_images"] = page.evaluate("map.listImages().filter(n => /^(event|status|flood|poi|valve|handler)-/.test(n)).length")
    report["icons_by_layer"] = page.evaluate("""() => { const out = {};
        for (const id of ['pois','handlers','valves'])
          out[id] = map.getLayer(id) ? map.queryRenderedFeatures({layers: [id]}).filter(f => f.layer.layout['icon-image']).length : -1;
        return out; }""")
    # The live stream: an event posted through the API shows in the list and on the map.
    page.wait_for_function("window.citytwin.streamOpen", timeout=30000)
    centre = page.evaluate("map.getCenter().toArray()")
    t0 = time.time()
    ev = post("/v1/events", {"type": "道路积水", "description": "浏览器测试 live event", "lon": centre[0], "lat": centre[1],
                             "source": "webmap-check", "reported_at": "2026-12-01T08:00:00+08:00"})
    page.wait_for_function("id => document.querySelector('#events li[data-id=\"' + id + '\"]') !== null", arg=ev["id"], timeout=30000)
    report["event_in_list_s"] = round(time.time() - t0, 3)
    page.wait_for_function("""id => map.queryRenderedFeatures({layers: ['live-events']}).some(f => f.properties.id === id)""", arg=ev["id"], timeout=30000)
    report["event_on_map_s"] = round(time.time() - t0, 3)
    report["live_event_icon"] = page.evaluate("""id => { const f = map.queryRenderedFeatures({layers: ['live-events']}).find(f => f.properties.id === id);
        return f && f.layer.type === 'symbol' ? map.getLayer('live-events').getLayoutProperty('icon-image') !== undefined : false; }""", ev["id"])
    # The console: a click on the event in the list opens its detail (location, grid, due time, proposed
    # handlers, flood and pipe context, history); dispatching to a proposed handler asks for the write token
    # once (a prompt, answered empty: a loopback server without tokens), the event moves to dispatched (the
    # list follows from the stream), and a note goes in without asking again.
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.type + ": " + d.message), d.accept("")))
    page.click('#events li[data-id="%d"]' % ev["id"])
    page.wait_for_function("document.querySelector('#detail button[data-assign]') !== null && document.querySelector('#detail-pipes') !== null", timeout=30000)
    detail = page.inner_text("#detail")
    nearest_pipe = json.load(urllib.request.urlopen(base + "/v1/nearest?layer=pipes&k=1&lon=%f&lat=%f" % (ev["lon"], ev["lat"])))["results"][0]
    listed_pipes = page.evaluate("[...document.querySelectorAll('#detail-pipes li')].map(li => li.dataset.pipe)")
    report["console_detail"] = {
        "has": {k: (k in detail) for k in ("grid", "due", "location", "duplicate_of", "handlers", "flood", "pipes", "history")},
        "grid_code": ev.get("grid", {}).get("code") if isinstance(ev.get("grid"), dict) else None,
        "shows_grid_code": isinstance(ev.get("grid"), dict) and ev["grid"].get("code", "-") in detail,
        "handler_buttons": page.evaluate("document.querySelectorAll('#detail button[data-assign]').length"),
        "proposed_handlers": len(ev.get("handlers") or []),
        "status_buttons": page.evaluate("[...document.querySelectorAll('#detail button[data-status]')].map(b => b.dataset.status)"),
        "pipes_listed": listed_pipes,
        "nearest_pipe": nearest_pipe["properties"].get("pipe_id"),
    }
    # The map highlights the selection: the selected event's ring is drawn.
    try:
        page.wait_for_function("id => map.queryRenderedFeatures({layers: ['live-events-selected']}).some(f => f.properties.id === id)",
                               arg=ev["id"], timeout=15000)
        report["console_detail"]["ringed"] = page.evaluate("map.queryRenderedFeatures({layers: ['live-events-selected']}).map(f => f.properties.id)")
    except Exception:
        report["console_detail"]["ringed"] = []
    handler = page.evaluate("document.querySelector('#detail button[data-assign]').dataset.assign")
    page.click("#detail button[data-assign]")
    page.wait_for_function("""id => { const li = document.querySelector('#events li[data-id="' + id + '"]'); return li && li.textContent.includes('dispatched'); }""",
                           arg=ev["id"], timeout=30000)
    page.fill("#note", "浏览器测试 note")
    page.click("#add-note")
    page.wait_for_function("document.querySelector('#detail').textContent.includes('浏览器测试 note')", timeout=30000)
    stored = json.load(urllib.request.urlopen(base + "/v1/events/%d" % ev["id"]))
    report["console_actions"] = {"event_id": ev["id"], "dialogs": dialogs, "handler": handler, "status": stored["status"], "assignee": stored.get("assignee"),
                                 "history_kinds": [h.get("kind") for h in stored.get("history", [])],
                                 "note_stored": any((h.get("note") or "") == "浏览器测试 note" for h in stored.get("history", []))}
    # A reading over its threshold recolours the flood point live (feature state from the stream).
    flood = [f for f in json.load(urllib.request.urlopen(base + "/v1/flood/points"))["results"] if f["status"] == "normal"][0]
    lon, lat = flood["geometry"]["coordinates"]
    page.evaluate("([lon, lat]) => { window.citytwin.idle = false; map.jumpTo({center: [lon, lat], zoom: 15}); }", [lon, lat])
    page.wait_for_function("window.citytwin.idle", timeout=90000)
    report["flood_labels_at_point"] = page.evaluate("map.queryRenderedFeatures({layers: ['flood-labels']}).length")
    report["flood_icons_at_point"] = page.evaluate("map.queryRenderedFeatures({layers: ['flood-icons']}).length")
    level = flood["threshold_cm"] * 2
    t0 = time.time()
    post("/v1/sensors/readings", [{"sensor_id": flood["properties"]["sensor_id"], "level_cm": level,
                                   "observed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}])
    page.wait_for_function("""id => { const f = map.queryRenderedFeatures({layers: ['flood-points']}).find(f => f.id === id);
        return f && f.state && f.state.status === 'flooded'; }""", arg=flood["id"], timeout=30000)
    report["flood_recoloured_s"] = round(time.time() - t0, 3)
    # Its icon too: drawn from the stream's status, the tile's own (older) icon for it hidden.
    page.wait_for_function("""id => map.queryRenderedFeatures({layers: ['live-flood-icons']}).some(f => f.properties.id === id && f.properties.status === 'flooded')""",
                           arg=flood["id"], timeout=30000)
    # (The filter takes effect when the worker has laid the tiles out again.)
    try:
        page.wait_for_function("id => !map.queryRenderedFeatures({layers: ['flood-icons']}).some(f => f.id === id)", arg=flood["id"], timeout=15000)
        report["flood_tile_icon_hidden"] = True
    except Exception:
        report["flood_tile_icon_hidden"] = False
    report["flood_panel"] = page.inner_text("#floods li:first-child")
    page.evaluate("([lon, lat]) => { window.citytwin.idle = false; map.jumpTo({center: [lon, lat], zoom: 14.5}); }", [104.10, 30.67])
    page.wait_for_function("window.citytwin.idle", timeout=90000)
    report["style_layers"] = page.evaluate("map.getStyle().layers.length")
    report["rendered_features"] = page.evaluate("map.queryRenderedFeatures().length")
    report["toggles"] = page.evaluate("document.querySelectorAll('#layers input').length")
    page.screenshot(path=shot)
    img = Image.open(shot).convert("RGB").resize((128, 96))
    raw = img.tobytes()
    report["colours"] = len({raw[i:i + 3] for i in range(0, len(raw), 3)})
    # The dark style for the big screen.
    page.evaluate("window.citytwin.idle = false")
    page.select_option("#style", "ops-screen")
    page.wait_for_function("window.citytwin.idle && map.getStyle().name === 'ops-screen'", timeout=90000)
    report["second_style"] = page.evaluate("map.getStyle().name")
    report["second_style_road_labels"] = page.evaluate("map.queryRenderedFeatures({layers: ['road-labels']}).length")
    report["second_style_icons"] = page.evaluate("map.queryRenderedFeatures({layers: ['pois', 'handlers', 'flood-icons']}).length")
    page.screenshot(path=shot.replace(".png", "-ops-screen.png"))
    # Turn off every layer that would take the click, then click: the owning grid is located.
    page.evaluate("""() => {
      for (const cb of document.querySelectorAll('#layers input')) {
        const id = cb.parentElement.textContent.trim();
        if (!/^(grids-|district|communities|streets)/.test(id) && cb.checked) cb.click();
      }
    }""")
    page.mouse.click(500, 450)
    page.wait_for_function("window.citytwin.locate !== null", timeout=30000)
    report["locate"] = page.evaluate("window.citytwin.locate")
    page.wait_for_selector(".maplibregl-popup-content", timeout=10000)
    report["popup"] = page.inner_text(".maplibregl-popup-content")
    # Clicking a feature shows its properties: turn buildings back on and click one.
    page.evaluate("""() => { for (const cb of document.querySelectorAll('#layers input'))
        if (cb.parentElement.textContent.trim() === 'buildings-3d' || cb.parentElement.textContent.trim() === 'buildings-flat') { if (!cb.checked) cb.click(); } }""")
    page.evaluate("window.citytwin.idle = false")
    page.evaluate("map.jumpTo({zoom: 16.5})")
    page.wait_for_function("window.citytwin.idle", timeout=90000)
    pt = page.evaluate("""() => { const f = map.queryRenderedFeatures({layers: ['buildings-3d']});
        if (!f.length) return null; const c = f[0].geometry.coordinates[0][0]; const p = map.project(c); return [p.x, p.y, f.length]; }""")
    report["buildings_rendered"] = pt[2] if pt else 0
    report["missing_images"] = page.evaluate("window.citytwin.missingImages")
    report["legend_icons"] = page.evaluate("document.querySelectorAll('#legend .ic').length")
    report["js_errors"] = page.evaluate("window.citytwin.errors")
    report["tile_errors"] = page.evaluate("window.citytwin.tileErrors")
    browser.close()
print(json.dumps(report, ensure_ascii=False))
