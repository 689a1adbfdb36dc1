#!/usr/bin/env python3
"""Open-loop HTTP load at a fixed rate, for latency at a stated throughput.

wrk keeps N connections busy and measures latency at saturation; a goal such
as "500 events/s with p99 <= 20 ms" is latency at an offered rate. Requests
are scheduled at t0 + i/rate and spread over keep-alive connections; each
latency runs from the scheduled time to the end of the response, so a stall
counts for every request it delays (no coordinated omission).

Usage: paced_load.py URL --rate R --seconds S [--connections C]
                     [--kind post-event|locate|get] [--path /x] [--bbox minx,miny,maxx,maxy]
Prints one JSON object: sent, ok, errors, timeouts, rate, p50_ms, p99_ms, max_ms.
"""
import argparse
import asyncio
import json
import random
import sys
import time
from urllib.parse import urlparse

TYPES = ["井盖缺失", "管道破裂", "道路积水", "火情", "占道经营", "违章停车",
         "噪音扰民", "垃圾堆放", "共享单车乱停放", "路灯损坏", "绿化损坏"]


def make_request(kind, host, path, box, rng):
    minx, miny, maxx, maxy = box
    lon, lat = minx + rng.random() * (maxx - minx), miny + rng.random() * (maxy - miny)
    if kind == "post-event":
        body = json.dumps({"type": rng.choice(TYPES), "description": "paced event", "lon": round(lon, 6),
                           "lat": round(lat, 6), "source": "paced"}, ensure_ascii=False).encode()
        head = (f"POST /v1/events HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        return head + body
    if kind == "locate":
        path = f"/v1/locate?lon={lon:.6f}&lat={lat:.6f}"
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()


async def read_response(reader):
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length, chunked = 0, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        k, _, v = line.decode("latin-1").partition(":")
        k = k.strip().lower()
        if k == "content-length":
            length = int(v.strip())
        elif k == "transfer-encoding" and "chunked" in v.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--rate", type=float, required=True)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--kind", default="get", choices=["post-event", "locate", "get"])
    ap.add_argument("--path", default="/health")
    ap.add_argument("--bbox", default="104.03,30.58,104.17,30.72")
    ap.add_argument("--timeout", type=float, default=5.0)
    a = ap.parse_args()
    u = urlparse(a.url)
    host, port = u.hostname, u.port or 80
    box = tuple(float(x) for x in a.bbox.split(","))
    rng = random.Random(7)
    total = int(a.rate * a.seconds)
    queue: asyncio.Queue = asyncio.Queue()
    latencies, errors, timeouts = [], [0], [0]
    loop = asyncio.get_running_loop()
    t0 = loop.time() + 0.2

    async def schedule():
        for i in range(total):
            at = t0 + i / a.rate
            delay = at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            queue.put_nowait((at, make_request(a.kind, f"{host}:{port}", a.path, box, rng)))
        for _ in range(a.connections):
            queue.put_nowait(None)

    async def worker():
        reader = writer = None
        while True:
            item = await queue.get()
            if item is None:
                break
            at, req = item
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                writer.write(req)
                status = await asyncio.wait_for(read_response(reader), a.timeout)
                latencies.append(loop.time() - at)
                if status >= 400:
                    errors[0] += 1
            except asyncio.TimeoutError:
                timeouts[0] += 1
                writer.close()
                writer = None
            except (ConnectionError, OSError, ValueError, asyncio.IncompleteReadError):
                errors[0] += 1
                if writer is not None:
                    writer.close()
                writer = None
        if writer is not None:
            writer.close()

    start = time.monotonic()
    await asyncio.gather(schedule(), *[worker() for _ in range(a.connections)])
    elapsed = time.monotonic() - start
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2) if latencies else None

    print(json.dumps({"kind": a.kind, "offered_rate": a.rate, "sent": total, "ok": len(latencies) - errors[0],
                      "errors": errors[0], "timeouts": timeouts[0], "rate": round(len(latencies) / elapsed, 1),
                      "p50_ms": pct(0.5), "p99_ms": pct(0.99), "max_ms": pct(1.0)}))


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
