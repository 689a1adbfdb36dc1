"""Real-browser check of the web map: headless Chromium (Debian's) driven by
Playwright opens `/`, waits for MapLibre to be idle, switches style, turns
layers off, clicks the map to locate the owning grid, and screenshots.
Prints a JSON report; the Swift test asserts on it."""
import json, sys
from playwright.sync_api import sync_playwright
from PIL import Image

base, shot = sys.argv[1], sys.argv[2]
report = {"console_errors": [], "page_errors": [], "failed_requests": [], "tile_status": {}, "idle": False}

def on_response(r):
    if "/tiles/" in r.url and r.url.endswith(".mvt"):
        report["tile_status"][str(r.status)] = report["tile_status"].get(str(r.status), 0) + 1

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                args=["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"])
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    page.on("console", lambda m: report["console_errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: report["page_errors"].append(str(e)))
    page.on("requestfailed", lambda r: report["failed_requests"].append(r.url + " " + str(r.failure)))
    page.on("response", on_response)
    page.goto(base + "/#14.5/30.67/104.10")
    page.wait_for_function("window.citytwin && window.citytwin.idle", timeout=90000)
    report["idle"] = True
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
    # Turn off every layer that would take the click, then click: the owning grid is located.
    page.evaluate("""() => {
      for (const cb of document.querySelectorAll('#layers input')) {
        const id = cb.parentElement.textContent.trim();
        if (!/^(grids-|district|communities|streets)/.test(id) && cb.checked) cb.click();
      }
    }""")
    page.mouse.click(600, 450)
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
    report["js_errors"] = page.evaluate("window.citytwin.errors")
    report["tile_errors"] = page.evaluate("window.citytwin.tileErrors")
    browser.close()
print(json.dumps(report, ensure_ascii=False))
