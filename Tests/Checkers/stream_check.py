"""Independent check of the live stream (/v1/stream) against a running server:
raw sockets and a hand-written Server-Sent Events parser (no client library),
events, readings and bike positions posted over HTTP.
Usage: stream_check.py BASE GEODATA_DIR
The server runs with stream.client_buffer 60, max_clients 6, heartbeat_s 0.3,
retention_messages 600. Prints one JSON report; the Swift test asserts on it."""
import json, socket, sys, threading, time, urllib.request
from urllib.parse import urlparse

base, geodata = sys.argv[1], sys.argv[2]
host, port = urlparse(base).hostname, urlparse(base).port
report = {}


def http(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


class Client:
    """One stream connection read by a thread; messages parsed as they come."""

    def __init__(self, query="", last_id=None, rcvbuf=None, read=True):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.connect((host, port))
        extra = f"Last-Event-ID: {last_id}\r\n" if last_id is not None else ""
        self.sock.sendall(f"GET /v1/stream{query} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n{extra}\r\n".encode())
        self.raw = b""
        self.status = None
        self.messages, self.comments = [], []
        self.closed = False
        self.lock = threading.Lock()
        if read:
            self.start()

    def start(self):
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                self.closed = True
                return
            head += chunk
        head, _, rest = head.partition(b"\r\n\r\n")
        self.status = int(head.split(b" ")[1])
        chunked = b"chunked" in head.lower()
        buf = rest
        body = b""
        while True:
            if chunked:
                # Undo chunked transfer coding as data arrives.
                while b"\r\n" in buf:
                    size_line, _, after = buf.partition(b"\r\n")
                    size = int(size_line.split(b";")[0], 16)
                    if len(after) < size + 2:
                        break
                    if size == 0:
                        self.closed = True
                    body += after[:size]
                    buf = after[size + 2:]
            else:
                body += buf
                buf = b""
            while b"\n\n" in body:
                frame, _, body = body.partition(b"\n\n")
                self.parse(frame.decode())
            if self.closed:
                return
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                self.closed = True
                return
            buf += chunk

    def parse(self, frame):
        msg = {}
        for line in frame.split("\n"):
            if line.startswith(":"):
                with self.lock:
                    self.comments.append(line[1:].strip())
                continue
            field, _, value = line.partition(":")
            msg[field] = value[1:] if value.startswith(" ") else value
        if "data" in msg or "event" in msg:
            if "data" in msg:
                msg["data"] = json.loads(msg["data"])
            with self.lock:
                self.messages.append(msg)

    def named(self, *names):
        with self.lock:
            return [m for m in self.messages if m.get("event") in names]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def wait(cond, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.02)
    return False


def event_body(lon, lat, text="积水", n=0, pad=0):
    return {"type": "道路积水", "description": f"{text} {n} " + "水" * pad, "lon": lon, "lat": lat,
            "source": "stream-check", "reported_at": "2026-12-01T08:00:00+08:00"}


# Two places in the sample city, about 3 km apart.
inside, outside = (104.080, 30.655), (104.120, 30.690)
bbox = "104.075,30.650,104.085,30.660"

# --- filters ---
events_only = Client("?topics=event")
floods_only = Client("?topics=flood,reading")
boxed = Client("?bbox=" + bbox)
everything = Client("")
wait(lambda: all(c.status == 200 for c in (events_only, floods_only, boxed, everything)))
s1, a = http("POST", "/v1/events", event_body(*inside, n=1))
s2, b = http("POST", "/v1/events", event_body(*outside, n=2))
now = time.time()
stamp = lambda t: time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + "Z"
http("POST", "/v1/sensors/readings", [{"sensor_id": "WL-001", "level_cm": 1, "observed_at": stamp(now - 2)}])
s3, _ = http("POST", "/v1/sensors/readings", [{"sensor_id": "WL-001", "level_cm": 55, "observed_at": stamp(now)}])
wait(lambda: len(everything.named("flood.status", "sensor.reading")) >= 3)
time.sleep(0.5)
report["posts"] = [s1, s2, s3]
report["filters"] = {
    "events_only": [m["event"] for m in events_only.messages],
    "events_only_ids": [m["data"]["id"] for m in events_only.messages],
    "floods_only": [m["event"] for m in floods_only.messages],
    "flood_status": [m["data"] for m in floods_only.named("flood.status")],
    "boxed": [(m["event"], m["data"].get("id")) for m in boxed.messages],
    "everything": [m["event"] for m in everything.messages],
    "ids": [int(m["id"]) for m in everything.messages],
    "created_ids": [a["id"], b["id"]],
}
# Heartbeats reach an idle client (0.3 s apart here).
wait(lambda: len(events_only.comments) >= 3, 5)
report["heartbeats"] = len([c for c in events_only.comments if c == "heartbeat"])

# --- resume: a client that went away gets exactly what it missed ---
last = everything.messages[-1]["id"]
for c in (events_only, floods_only, boxed, everything):
    c.close()
missed = [http("POST", "/v1/events", event_body(*inside, n=10 + k))[1]["id"] for k in range(3)]
resumed = Client("?topics=event", last_id=last)
wait(lambda: len(resumed.named("event.created")) >= 3)
report["resume"] = {"missed": missed, "got": [m["data"]["id"] for m in resumed.named("event.created")],
                    "first_id": int(resumed.messages[0]["id"]) if resumed.messages else None, "last_seen": int(last)}
resumed.close()
# A resume from a later process run (an id never given) starts with a reset.
future = Client("", last_id=10**12)
wait(lambda: len(future.messages) >= 1)
report["future_resume_first"] = future.messages[0]["event"] if future.messages else None
future.close()
wait(lambda: http("GET", "/v1/stream/stats")[1]["clients"] == 0, 10)

# --- client limit (6) ---
held = [Client("") for _ in range(6)]
wait(lambda: all(c.status == 200 for c in held))
extra = Client("")
wait(lambda: extra.status is not None)
report["limit"] = {"held": [c.status for c in held], "extra": extra.status}
for c in held + [extra]:
    c.close()
wait(lambda: http("GET", "/v1/stream/stats")[1]["clients"] == 0, 10)

# --- bike stations: a batch of positions that changes stations' balance status is pushed as
# bikes.station (topic bikes; bbox by the station's point), checked against /v1/bikes/balance
# read before and after, and the stations' own coordinates from the data ---
where = {f["properties"]["station_id"]: f["geometry"]["coordinates"]
         for f in json.load(open(geodata + "/bike_stations.geojson"))["features"]}
before_balance = {s["station_id"]: s for s in http("GET", "/v1/bikes/balance")[1]["stations"]}
deficit = [s for s in before_balance.values() if s["status"] == "deficit" and s["capacity"] >= 4]
st_a = deficit[0]
far = lambda s: abs(where[s["station_id"]][0] - where[st_a["station_id"]][0]) + abs(where[s["station_id"]][1] - where[st_a["station_id"]][1]) > 0.03
st_b = next(s for s in deficit if far(s))
ax, ay = where[st_a["station_id"]]
bike_box = (ax - 0.002, ay - 0.002, ax + 0.002, ay + 0.002)
bikes_only = Client("?topics=bikes")
bikes_boxed = Client("?topics=bikes&bbox=" + ",".join(str(v) for v in bike_box))
events_for_bikes = Client("?topics=event")
wait(lambda: all(c.status == 200 for c in (bikes_only, bikes_boxed, events_for_bikes)))
reports = []
for st in (st_a, st_b):
    x, y = where[st["station_id"]]
    # As many parked bikes as the station holds, at the station: its count rises above the deficit line.
    reports += [{"bike_id": f"SC-{st['station_id']}-{k}", "operator": "stream-check", "lon": x, "lat": y,
                 "observed_at": stamp(time.time() - 5), "status": "parked"} for k in range(st["capacity"])]
sbikes, ingest = http("POST", "/v1/bikes/positions", reports)
after_balance = {s["station_id"]: s for s in http("GET", "/v1/bikes/balance")[1]["stations"]}
changed = {k: (before_balance[k]["status"], v["status"]) for k, v in after_balance.items() if v["status"] != before_balance[k]["status"]}
inside = lambda k: bike_box[0] <= where[k][0] <= bike_box[2] and bike_box[1] <= where[k][1] <= bike_box[3]
wait(lambda: len(bikes_only.named("bikes.station")) >= len(changed) and len(bikes_boxed.named("bikes.station")) >= len([k for k in changed if inside(k)]), 10)
time.sleep(0.5)
got = bikes_only.named("bikes.station")
report["bikes"] = {
    "post_status": sbikes, "applied": ingest.get("applied"), "sent": len(reports),
    "stations_changed": sorted(changed), "a_and_b_changed": st_a["station_id"] in changed and st_b["station_id"] in changed,
    "messages": sorted(m["data"]["station_id"] for m in got),
    "all_topics_bikes": all(m["event"] == "bikes.station" for m in bikes_only.messages),
    "statuses_match": all((m["data"]["previous"], m["data"]["status"]) == changed.get(m["data"]["station_id"]) for m in got),
    "counts_match": all(m["data"]["count"] == after_balance[m["data"]["station_id"]]["count"] for m in got),
    "points_match": all(abs(m["data"]["lon"] - where[m["data"]["station_id"]][0]) < 1e-6
                        and abs(m["data"]["lat"] - where[m["data"]["station_id"]][1]) < 1e-6 for m in got),
    "boxed": sorted(m["data"]["station_id"] for m in bikes_boxed.named("bikes.station")),
    "boxed_expected": sorted(k for k in changed if inside(k)),
    "events_client_got": [m["event"] for m in events_for_bikes.messages],
}
for c in (bikes_only, bikes_boxed, events_for_bikes):
    c.close()
wait(lambda: http("GET", "/v1/stream/stats")[1]["clients"] == 0, 10)

# --- a slow client is dropped; a fast one gets everything; the server keeps answering ---
fast = Client("?topics=event")
slow = Client("?topics=event", rcvbuf=4096, read=False)
wait(lambda: fast.status == 200 and http("GET", "/v1/stream/stats")[1]["clients"] == 2)
before = http("GET", "/v1/stream/stats")[1]
posted, sb = [], None
# The backlog must be more than the kernel takes for the stuck socket (the send buffer grows to
# tcp_wmem's 4 MB on loopback, and the server's ~64 KB writes fill it densely): 1,500 messages
# of ~4.6 KB, about 7 MB. The server's own memory holds none of it (the log is shared).
for part in range(3):  # batches of 500 (the batch limit is 1000)
    batch = [event_body(104.05 + (k % 50) * 0.001, 30.64 + (k // 50) * 0.001, n=1000 + 500 * part + k, pad=1500) for k in range(500)]
    sb, answer = http("POST", "/v1/events/batch", {"events": batch})
    if sb not in (200, 201):
        raise SystemExit(f"batch answered {sb}: {str(answer)[:300]}")
    posted += [x["event"]["id"] for x in answer["results"] if x.get("status") == 201]
wait(lambda: len(fast.named("event.created")) >= len(posted), 60)
wait(lambda: http("GET", "/v1/stream/stats")[1]["dropped_clients"] > before["dropped_clients"], 20)
after = http("GET", "/v1/stream/stats")[1]
t = time.time()
health = http("GET", "/health")[0]
# Now the slow client reads what reached it: the connection ends (closed by the server) before all events.
slow.start()
wait(lambda: slow.closed, 30)
report["slow"] = {"batch_status": sb, "posted": len(posted), "fast_got": len(fast.named("event.created")),
                  "fast_in_order": [m["data"]["id"] for m in fast.named("event.created")] == posted,
                  "dropped_before": before["dropped_clients"], "dropped_after": after["dropped_clients"],
                  "clients_after": after["clients"], "health": health, "slow_closed": slow.closed,
                  "slow_got": len(slow.named("event.created"))}
fast.close()
slow.close()
# After 1,500 more messages, a resume from before them (retention: 600) starts with a reset.
stale = Client("", last_id=last)
wait(lambda: len(stale.messages) >= 1)
report["stale_resume_first"] = stale.messages[0]["event"] if stale.messages else None
stale.close()
print(json.dumps(report, ensure_ascii=False))
