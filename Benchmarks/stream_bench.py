"""Live-stream load: N clients on /v1/stream?topics=event while events are posted
at R per second for D seconds. Every client must get every event; delivery delay is
the reception time minus the event's created_at (server clock, same machine).
Server RSS (VmRSS of PID) is sampled every 0.5 s. Prints one JSON report.
Usage: stream_bench.py BASE PID CLIENTS RATE SECONDS"""
import asyncio, json, re, sys, time, threading, urllib.request
from datetime import datetime
from urllib.parse import urlparse

base, pid, clients, rate, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
host, port = urlparse(base).hostname, urlparse(base).port
CREATED = re.compile(rb'event: event\.created\ndata: \{"id":(\d+),.*?"created_at":"([^"]+)"')
delays, got = [], [set() for _ in range(clients)]
rss = []
START = 0.0


def rss_kib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_s(p):
    """User + system CPU seconds of process p (or of this process with "self")."""
    fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100


def parse_time(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


async def client(k, ready):
    reader, writer = await asyncio.open_connection(host, port, limit=1 << 22)
    writer.write(f"GET /v1/stream?topics=event HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    assert b" 200 " in head.split(b"\r\n")[0], head[:100]
    ready.append(k)
    buf = b""
    while True:
        chunk = await reader.read(1 << 16)
        if not chunk:
            return
        now = time.time()
        buf += chunk
        # Chunk-size lines of the transfer coding sit between frames; the pattern skips them.
        cut = buf.rfind(b"\n\n")
        if cut < 0:
            continue
        part, buf = buf[:cut + 2], buf[cut + 2:]
        for m in CREATED.finditer(part):
            got[k].add(int(m.group(1)))
            if k % 10 == 0:  # delays from a tenth of the clients: enough samples, less client CPU
                delays.append(now - parse_time(m.group(2).decode()))


def poster(posted, stop, lane, lanes):
    """One of `lanes` paced posters: event n goes at start + n / rate (lanes take turns)."""
    body = lambda n: json.dumps({"type": "道路积水", "description": f"bench {n}", "lon": 104.05 + (n % 100) * 0.001,
                                 "lat": 30.60 + (n // 100 % 100) * 0.001, "source": "stream-bench"}).encode()
    start, n = START, lane
    while n < rate * seconds:
        due = start + n / rate
        if due > time.time():
            time.sleep(due - time.time())
        req = urllib.request.Request(base + "/v1/events", data=body(n), method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            posted.append(json.loads(r.read())["id"])
        n += lanes
    stop.append(lane)


async def main():
    ready = []
    tasks = [asyncio.create_task(client(k, ready)) for k in range(clients)]
    while len(ready) < clients:
        await asyncio.sleep(0.05)
    connected_rss = rss_kib()
    cpu0 = (cpu_s(pid), cpu_s("self"))
    global START
    posted, stop, lanes = [], [], 6
    START = t0 = time.time()
    for lane in range(lanes):
        threading.Thread(target=poster, args=(posted, stop, lane, lanes), daemon=True).start()
    while len(stop) < lanes:
        rss.append(rss_kib())
        await asyncio.sleep(0.5)
    posting_end = time.time()
    cpu1 = (cpu_s(pid), cpu_s("self"))
    # Let the last events arrive (at most 5 s).
    end = time.time() + 5
    want = set(posted)
    while time.time() < end and not all(want <= g for g in got):
        await asyncio.sleep(0.1)
    rss.append(rss_kib())
    for x in tasks:
        x.cancel()
    complete = sum(1 for g in got if set(posted) <= g)
    d = sorted(delays)
    q = lambda p: round(d[min(len(d) - 1, int(p * len(d)))], 4) if d else None
    print(json.dumps({"clients": clients, "rate_per_s": rate, "seconds": seconds, "posted": len(posted),
                      "achieved_rate": round(len(posted) / (posting_end - t0), 1),
                      "clients_with_every_event": complete, "missing_total": sum(len(set(posted) - g) for g in got),
                      "delay_s": {"samples": len(d), "p50": q(0.5), "p90": q(0.9), "p99": q(0.99), "max": q(1.0)},
                      "cpu_s_while_posting": {"server": round(cpu1[0] - cpu0[0], 1), "bench_clients": round(cpu1[1] - cpu0[1], 1),
                                              "wall": round(posting_end - t0, 1)},
                      "rss_mib": {"connected": round(connected_rss / 1024, 1), "peak": round(max(rss) / 1024, 1),
                                  "end": round(rss[-1] / 1024, 1)}}))


asyncio.run(main())
