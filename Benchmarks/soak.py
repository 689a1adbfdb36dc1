"""Soak run driver (Benchmarks/soak.sh starts the server and calls this).

Mixed load against one server for DURATION seconds: tiles (gzip or not, some
conditional), queries (locate, nearest, within, buildings, flood points,
features by bbox, bike balance), geocoding (forward, reverse, autocomplete,
batch), event posts and sensor readings, live-stream clients (some reading
slowly, all leaving after a while), slow and abandoning clients (headers sent
byte by byte then dropped; big answers read slowly or cut off), and a
re-import of a layer by another process half-way (the server reloads it).

The server's RSS and open file descriptors are sampled every few seconds.
Checks: no 5xx and no failed connection; RSS at the end within RSS_BOUND (10%)
of RSS after warm-up (medians of a minute of samples each); descriptors with
the load paused for a few seconds after warm-up and at the end differ by at
most FD_SLACK. Prints the figures; exit 1 when a check fails.

Usage: soak.py URL SERVER_PID DURATION_S WORKDIR IMPORT_CMD...
(env IMPORTS: how many imports, spread evenly; default 1, half-way)
"""
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

URL, PID, DURATION, WORK = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
IMPORT_CMD = sys.argv[5:]
HOST, PORT = urllib.parse.urlsplit(URL).hostname, urllib.parse.urlsplit(URL).port
WARMUP = max(60.0, DURATION * 0.2)
WINDOW = min(60.0, DURATION * 0.15)
RSS_BOUND, FD_SLACK = 0.10, 4
IMPORTS = int(os.environ.get("IMPORTS", "1"))
MINX, MAXX, MINY, MAXY = 104.03, 104.17, 30.58, 30.72

stop = threading.Event()
paused = threading.Event()
lock = threading.Lock()
counts = {}      # (kind, status) → n
failures = []    # descriptions of 5xx and failed connections
latencies = {}   # kind → [seconds]


def note(kind, status, seconds=None, detail=""):
    with lock:
        counts[(kind, status)] = counts.get((kind, status), 0) + 1
        if seconds is not None:
            latencies.setdefault(kind, []).append(seconds)
        if (isinstance(status, int) and status >= 500) or status == "error":
            if len(failures) < 50:
                failures.append(f"{kind}: {status} {detail}"[:300])


def rand_point():
    return MINX + random.random() * (MAXX - MINX), MINY + random.random() * (MAXY - MINY)


def tile_for(lon, lat, z):
    import math
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


class Client:
    """One keep-alive connection, reopened after an error."""

    def __init__(self):
        self.conn = None

    def request(self, kind, method, path, body=None, headers=None):
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
            t0 = time.monotonic()
            try:
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                payload = r.read()
                note(kind, r.status, time.monotonic() - t0, f"{method} {path} {payload[:200]!r}")
                return r, payload
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as e:
                self.conn.close()
                self.conn = None
                # A keep-alive connection the server closed while idle: retried once on a new one.
                if attempt == 0:
                    continue
                note(kind, "error", None, f"{method} {path}: {e!r}")
                return None, b""
            except Exception as e:  # noqa: BLE001 - any other failure is a finding
                self.conn.close()
                self.conn = None
                note(kind, "error", None, f"{method} {path}: {e!r}")
                return None, b""


def wait_if_paused():
    while paused.is_set() and not stop.is_set():
        time.sleep(0.1)


def get_json(path):
    c = http.client.HTTPConnection(HOST, PORT, timeout=60)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return json.loads(body)


def tiles_worker(layers):
    c = Client()
    etags = {}
    while not stop.is_set():
        wait_if_paused()
        z = random.randint(10, 16)
        lon, lat = rand_point()
        x, y = tile_for(lon, lat, z)
        layer = random.choice(layers)
        path = f"/tiles/{layer}/{z}/{x}/{y}.mvt"
        headers = {}
        if random.random() < 0.5:
            headers["Accept-Encoding"] = "gzip"
        if path in etags and random.random() < 0.5:
            headers["If-None-Match"] = etags[path]
        r, _ = c.request("tile", "GET", path, headers=headers)
        if r is not None and r.getheader("ETag") and len(etags) < 5000:
            etags[path] = r.getheader("ETag")


def query_worker(point_layers, addresses):
    c = Client()
    while not stop.is_set():
        wait_if_paused()
        lon, lat = rand_point()
        k = random.randrange(12)
        if k == 0:
            c.request("locate", "GET", f"/v1/locate?lon={lon:.6f}&lat={lat:.6f}")
        elif k == 1:
            c.request("nearest", "GET", f"/v1/nearest?layer={random.choice(point_layers)}&lon={lon:.6f}&lat={lat:.6f}&k=5")
        elif k == 2:
            c.request("within", "GET", f"/v1/within?layer={random.choice(point_layers)}&lon={lon:.6f}&lat={lat:.6f}&radius=300&limit=50")
        elif k == 3:
            c.request("buildings", "GET", f"/v1/buildings/at?lon={lon:.6f}&lat={lat:.6f}")
        elif k == 4:
            d = 0.01
            c.request("flood", "GET", f"/v1/flood/points?bbox={lon - d:.5f},{lat - d:.5f},{lon + d:.5f},{lat + d:.5f}")
        elif k == 5:
            d = 0.003
            c.request("features", "GET", f"/v1/layers/addresses/features?bbox={lon - d:.5f},{lat - d:.5f},{lon + d:.5f},{lat + d:.5f}&limit=100")
        elif k == 6:
            q = random.choice(addresses)
            c.request("geocode", "GET", "/v1/geocode?q=" + urllib.parse.quote(q) + "&limit=3")
        elif k == 7:
            c.request("reverse", "GET", f"/v1/reverse?lon={lon:.6f}&lat={lat:.6f}")
        elif k == 8:
            q = random.choice(addresses)
            c.request("autocomplete", "GET", "/v1/autocomplete?q=" + urllib.parse.quote(q[: random.randint(1, len(q))]))
        elif k == 9:
            c.request("geocode_batch", "POST", "/v1/geocode/batch", {"queries": random.sample(addresses, 20)})
        elif k == 10:
            if random.random() < 0.1:
                c.request("balance", "GET", "/v1/bikes/balance?radius=100")
        else:
            c.request("events_list", "GET", "/v1/events?limit=50")


def write_worker(sensors):
    c = Client()
    types = ["井盖缺失", "管道破裂", "道路积水", "占道经营", "违章停车", "噪音扰民", "垃圾堆放", "路灯损坏"]
    n = 0
    while not stop.is_set():
        wait_if_paused()
        lon, lat = rand_point()
        c.request("event_post", "POST", "/v1/events",
                  {"type": random.choice(types), "description": f"soak {n}", "lon": round(lon, 6), "lat": round(lat, 6),
                   "source": "soak"})
        if n % 2 == 0 and sensors:
            now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            c.request("readings", "POST", "/v1/sensors/readings",
                      [{"sensor_id": s, "level_cm": round(random.uniform(0, 60), 1), "observed_at": now}
                       for s in random.sample(sensors, min(3, len(sensors)))])
        n += 1
        time.sleep(0.2)


def raw_socket():
    s = socket.create_connection((HOST, PORT), timeout=30)
    return s


def stream_worker():
    """Live-stream clients: each follows /v1/stream for 5-40 s (a third read slowly), then leaves."""
    while not stop.is_set():
        wait_if_paused()
        try:
            s = raw_socket()
            if random.random() < 0.33:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.sendall(f"GET /v1/stream HTTP/1.1\r\nHost: {HOST}\r\nAccept: text/event-stream\r\n\r\n".encode())
            head = s.recv(4096)
            status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else "error"
            note("stream", status, None, repr(head[:100]))
            slow = random.random() < 0.33
            end = time.monotonic() + random.uniform(5, 40)
            while time.monotonic() < end and not stop.is_set():
                if slow:
                    time.sleep(2)
                try:
                    if not s.recv(512 if slow else 65536):
                        note("stream", "error", None, "server closed the stream")
                        break
                except socket.timeout:
                    pass
            s.close()
        except OSError as e:
            note("stream", "error", None, repr(e))
            time.sleep(1)


def slow_worker():
    """Clients that misbehave: headers trickled then dropped, a big answer read slowly or cut off."""
    while not stop.is_set():
        wait_if_paused()
        try:
            k = random.randrange(3)
            s = raw_socket()
            if k == 0:
                req = f"GET /v1/locate?lon=104.1&lat=30.65 HTTP/1.1\r\nHost: {HOST}\r\nX-Slow: "
                for ch in req.encode()[: random.randint(5, len(req))]:
                    s.send(bytes([ch]))
                    time.sleep(0.05)
                s.close()
                note("slow_headers_dropped", "sent")
            elif k == 1:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
                s.sendall(f"GET /v1/layers/buildings/features?limit=1000 HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
                got = 0
                for _ in range(20):
                    time.sleep(0.25)
                    b = s.recv(1024)
                    if not b:
                        break
                    got += len(b)
                s.close()
                note("slow_reader_abandoned", "read", None)
            else:
                s.sendall(f"POST /v1/events HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{{\"type\":".encode())
                time.sleep(random.uniform(0.5, 3))
                s.close()
                note("body_cut_off", "sent")
        except OSError as e:
            note("slow", "error", None, repr(e))
        time.sleep(random.uniform(0.2, 1.0))


def rss_kb():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fds():
    return len(os.listdir(f"/proc/{PID}/fd"))


def main():
    layers_info = get_json("/v1/layers")
    names = {l["name"]: l for l in layers_info}
    tile_layers = [n for n in ["grids", "roads", "buildings", "pipes", "pipe_nodes", "bike_stations", "bikes", "pois",
                               "flood_points", "grids,roads", "buildings,roads,pois"] if all(p in names for p in n.split(","))]
    point_layers = [n for n in ["pois", "handlers", "bike_stations", "pipe_nodes", "addresses"] if n in names]
    addresses = []
    with open("GeoData/addresses.csv", encoding="utf-8") as f:
        next(f)
        for i, line in enumerate(f):
            if i % 40 == 0:
                addresses.append(line.split(",")[2])
    with open("GeoData/work_orders_12345.geojson", encoding="utf-8") as f:
        orders = json.load(f)["features"]
    addresses += [o["properties"]["address"] for o in orders[:400] if o["properties"].get("address")]
    with open("GeoData/flood_points.geojson", encoding="utf-8") as f:
        sensors = [ft["properties"]["sensor_id"] for ft in json.load(f)["features"]]

    threads = [threading.Thread(target=tiles_worker, args=(tile_layers,)) for _ in range(2)]
    threads += [threading.Thread(target=query_worker, args=(point_layers, addresses)) for _ in range(2)]
    threads += [threading.Thread(target=write_worker, args=(sensors,))]
    threads += [threading.Thread(target=stream_worker) for _ in range(4)]
    threads += [threading.Thread(target=slow_worker) for _ in range(2)]
    samples = []  # (t, rss_kb, fds)
    start = time.monotonic()
    print(f"soak: {DURATION:.0f} s, warm-up {WARMUP:.0f} s, {len(threads)} client threads, "
          f"tile layers {len(tile_layers)}, rss {rss_kb() / 1024:.0f} MB, fds {fds()} at start", flush=True)
    for t in threads:
        t.daemon = True
        t.start()

    def idle_fds():
        paused.set()
        time.sleep(6)  # stream and slow clients finish their current step
        n = fds()
        paused.clear()
        return n

    import_at = [DURATION * (i + 1) / (IMPORTS + 1) for i in range(IMPORTS)] if IMPORT_CMD else []
    imports_done = 0
    import_done = None
    fd_warm = None
    reload_seen = None
    version0 = get_json("/health")["snapshot_version"]
    next_report = start + 60
    while True:
        now = time.monotonic()
        t = now - start
        if t >= DURATION:
            break
        samples.append((t, rss_kb(), fds()))
        if fd_warm is None and t >= WARMUP:
            fd_warm = idle_fds()
            print(f"soak: warm-up done at {t:.0f} s: rss {samples[-1][1] / 1024:.0f} MB, idle fds {fd_warm}", flush=True)
        if imports_done < len(import_at) and t >= import_at[imports_done]:
            imports_done += 1
            reload_seen = None
            version0 = get_json("/health")["snapshot_version"]
            t0 = time.monotonic()
            r = subprocess.run(IMPORT_CMD, capture_output=True, text=True)
            import_done = time.monotonic() - t0
            print(f"soak: import {imports_done} by another process at {t:.0f} s (rss {samples[-1][1] / 1024:.0f} MB): exit {r.returncode} in {import_done:.1f} s "
                  f"({r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr.strip()[-200:]})", flush=True)
            if r.returncode != 0:
                failures.append("import failed: " + r.stderr[-300:])
        if import_done is not None and reload_seen is None:
            v = get_json("/health")["snapshot_version"]
            if v != version0:
                reload_seen = t
                print(f"soak: server reloaded (snapshot {version0} → {v}) at {t:.0f} s, rss {rss_kb() / 1024:.0f} MB", flush=True)
        if now >= next_report:
            with lock:
                total = sum(counts.values())
                bad = len(failures)
            print(f"soak: {t:.0f} s: {total} requests, rss {samples[-1][1] / 1024:.0f} MB, fds {samples[-1][2]}, failures {bad}", flush=True)
            next_report += 60
        time.sleep(5)
    fd_end = idle_fds()
    stop.set()
    for th in threads:
        th.join(timeout=60)

    with open(os.path.join(WORK, "samples.csv"), "w") as f:
        f.write("seconds,rss_kb,fds\n")
        for s in samples:
            f.write(f"{s[0]:.1f},{s[1]},{s[2]}\n")
    warm = [s[1] for s in samples if WARMUP <= s[0] < WARMUP + WINDOW]
    last = [s[1] for s in samples if s[0] >= DURATION - WINDOW]
    rss_warm, rss_end = statistics.median(warm), statistics.median(last)
    growth = rss_end / rss_warm - 1
    by_kind = {}
    statuses = {}
    for (kind, status), n in counts.items():
        by_kind[kind] = by_kind.get(kind, 0) + n
        statuses[status] = statuses.get(status, 0) + n
    http_total = sum(n for (k, s), n in counts.items() if isinstance(s, int))
    fivexx = sum(n for (k, s), n in counts.items() if isinstance(s, int) and s >= 500)
    errors = sum(n for (k, s), n in counts.items() if s == "error")
    print(f"soak: {http_total} HTTP answers in {DURATION:.0f} s ({http_total / DURATION:.0f}/s); by status "
          + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))))
    for kind in sorted(by_kind):
        lat = sorted(latencies.get(kind, []))
        p99 = f", p99 {lat[int(len(lat) * 0.99)] * 1000:.0f} ms" if lat else ""
        print(f"soak:   {kind}: {by_kind[kind]}{p99}")
    print(f"soak: RSS {samples[0][1] / 1024:.0f} MB at start, {rss_warm / 1024:.0f} MB after warm-up, "
          f"{rss_end / 1024:.0f} MB at the end ({growth * 100:+.1f}%; bound {RSS_BOUND * 100:.0f}%), "
          f"max {max(s[1] for s in samples) / 1024:.0f} MB")
    print(f"soak: fds {samples[0][2]} at start, idle {fd_warm} after warm-up and {fd_end} at the end "
          f"(slack {FD_SLACK}), max {max(s[2] for s in samples)} under load")
    ok = True
    if fivexx or errors:
        ok = False
        print(f"soak: FAIL: {fivexx} 5xx answers, {errors} failed connections")
        for f_ in failures[:20]:
            print("soak:   " + f_)
    if growth > RSS_BOUND:
        ok = False
        print("soak: FAIL: RSS grew more than the bound after warm-up")
    if fd_warm is None or fd_end > fd_warm + FD_SLACK:
        ok = False
        print("soak: FAIL: open descriptors grew")
    if any(f_.startswith("import failed") for f_ in failures):
        ok = False
        print("soak: FAIL: the import failed")
    if IMPORT_CMD and reload_seen is None:
        ok = False
        print("soak: FAIL: the server did not reload after the import")
    print("soak: " + ("PASS" if ok else "FAIL"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
