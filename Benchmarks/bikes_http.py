"""Live bike positions over HTTP (see bikes-http.sh): NDJSON batches posted by
a few threads, balance latency after a batch, visibility of a moved bike, server
RSS; and the SQLite peer: the same rows upserted straight into SQLite."""
import argparse, http.client, json, os, random, sqlite3, threading, time, urllib.parse

ap = argparse.ArgumentParser()
ap.add_argument("--url", required=True)
ap.add_argument("--bikes", type=int, default=1_200_000)
ap.add_argument("--batch", type=int, default=10_000)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--pid", type=int, required=True)
ap.add_argument("--stations", required=True)
ap.add_argument("--peer-db", required=True)
a = ap.parse_args()
u = urllib.parse.urlparse(a.url)
rng = random.Random(13)
stations = [f["geometry"]["coordinates"] for f in json.load(open(a.stations))["features"]]
ops = ["哈啰", "美团", "青桔", "OP4"]
xs = [0.0] * a.bikes
ys = [0.0] * a.bikes
for i in range(a.bikes):
    c = stations[i % len(stations)]
    xs[i] = c[0] + rng.uniform(-0.0015, 0.0015)
    ys[i] = c[1] + rng.uniform(-0.0013, 0.0013)
t0 = time.time() - 3600
tick = [0]


def batches(move):
    tick[0] += 1
    t = t0 + tick[0]
    out = []
    for s in range(0, a.bikes, a.batch):
        lines = []
        for i in range(s, min(s + a.batch, a.bikes)):
            if move:
                xs[i] += rng.uniform(-0.0002, 0.0002)
                ys[i] += rng.uniform(-0.0002, 0.0002)
            lines.append('{"bike_id":"B%d","operator":"%s","lon":%.7f,"lat":%.7f,"observed_at":%.3f,"status":"%s"}'
                         % (i, ops[i & 3], xs[i], ys[i], t, "riding" if i % 10 == 0 else "parked"))
        out.append(("\n".join(lines)).encode())
    return out


def post_all(bodies):
    q = list(enumerate(bodies))
    lock = threading.Lock()
    applied = [0]
    failures = []

    def work():
        try:
            work_()
        except Exception as e:  # a failed post fails the run, loudly
            failures.append(e)

    def work_():
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
        while True:
            with lock:
                if not q:
                    break
                _, body = q.pop()
            c.request("POST", "/v1/bikes/positions", body, {"Content-Type": "application/x-ndjson"})
            r = c.getresponse()
            data = json.loads(r.read())
            assert r.status == 200, data
            with lock:
                applied[0] += data["applied"]
    start = time.time()
    ts = [threading.Thread(target=work) for _ in range(a.threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if failures:
        raise failures[0]
    return applied[0], time.time() - start


def rss():
    for line in open(f"/proc/{a.pid}/status"):
        if line.startswith(("VmRSS", "VmHWM")):
            yield line.split()[0][:-1], int(line.split()[1]) / 1024


def get(path):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    c.request("GET", path)
    r = c.getresponse()
    return r.status, r.read()


print("generating %d reports ×2 ..." % a.bikes, flush=True)
inserts = batches(False)
updates = batches(True)
n, s = post_all(inserts)
print("insert: %d applied in %.1f s: %.0f/s (threads %d)" % (n, s, n / s, a.threads))
n, s = post_all(updates)
print("update: %d applied in %.1f s: %.0f/s (threads %d)" % (n, s, n / s, a.threads))
# Balance right after a batch (sequential: post, then balance).
lat = []
more = batches(True)
for body in more[:20]:
    post_all([body])
    t = time.time()
    st, _ = get("/v1/bikes/balance")
    lat.append((time.time() - t) * 1000)
    assert st == 200
lat.sort()
print("balance after a batch: p50 %.1f ms, max %.1f ms (20 batches, 6,120 stations)" % (lat[len(lat) // 2], lat[-1]))
# A moved bike: time until /v1/within and its tile show it.
i = a.bikes // 2
xs[i] += 0.003
tick[0] += 1
body = ('{"bike_id":"B%d","operator":"%s","lon":%.7f,"lat":%.7f,"observed_at":%.3f}' % (i, ops[i & 3], xs[i], ys[i], t0 + tick[0])).encode()
start = time.time()
post_all([body])
while True:
    st, data = get("/v1/within?layer=bikes&lon=%.7f&lat=%.7f&radius=2" % (xs[i], ys[i]))
    if b'"B%d"' % i in data:
        break
within_ms = (time.time() - start) * 1000
import math
z = 16
n2 = 2 ** z
tx = int((xs[i] + 180) / 360 * n2)
ty = int((1 - math.asinh(math.tan(math.radians(ys[i]))) / math.pi) / 2 * n2)
while True:
    st, data = get("/tiles/bikes/%d/%d/%d.mvt" % (z, tx, ty))
    if b"B%d" % i in data:
        break
tile_ms = (time.time() - start) * 1000
print("moved bike visible: within %.1f ms, in its z16 tile %.1f ms" % (within_ms, tile_ms))
print("server " + ", ".join("%s %.0f MiB" % kv for kv in rss()))

# Peer: the same rows into SQLite directly (history + latest upsert, one transaction per batch).
if os.path.exists(a.peer_db):
    os.remove(a.peer_db)
db = sqlite3.connect(a.peer_db, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=NORMAL")
db.execute("CREATE TABLE bike_positions(bike_id TEXT NOT NULL, operator TEXT NOT NULL, observed_ms INTEGER NOT NULL, lon REAL, lat REAL, status INTEGER)")
db.execute("CREATE TABLE bike_latest(bike_id TEXT PRIMARY KEY, operator TEXT NOT NULL, observed_ms INTEGER NOT NULL, lon REAL, lat REAL, status INTEGER) WITHOUT ROWID")
upsert = ("INSERT INTO bike_latest VALUES (?,?,?,?,?,?) ON CONFLICT(bike_id) DO UPDATE SET operator=excluded.operator, "
          "observed_ms=excluded.observed_ms, lon=excluded.lon, lat=excluded.lat, status=excluded.status "
          "WHERE excluded.observed_ms > bike_latest.observed_ms")


def rows(t):
    return [("B%d" % i, ops[i & 3], t, xs[i], ys[i], 1 if i % 10 == 0 else 0) for i in range(a.bikes)]


for label, t in (("insert", 1), ("update", 2)):
    rs = rows(t)
    start = time.time()
    for s in range(0, len(rs), a.batch):
        chunk = rs[s:s + a.batch]
        db.execute("BEGIN")
        db.executemany("INSERT INTO bike_positions VALUES (?,?,?,?,?,?)", chunk)
        db.executemany(upsert, chunk)
        db.execute("COMMIT")
    el = time.time() - start
    print("peer sqlite3 %s: %.0f rows/s (one connection, no parsing or checks)" % (label, len(rs) / el))
