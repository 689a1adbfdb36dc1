#!/usr/bin/env python3
"""Latencies of one running CityTwin over a generated city, for Benchmarks/scale.sh.

One keep-alive connection, requests one after another (the cost of one answer,
not throughput): uncached tiles over z10-16 (a fresh server, each tile asked
once), then the same tiles again (cached), locate, nearest, geocode and bike
balance (one district's, as a district screen asks, and the whole city's). Points and
addresses are drawn with a fixed seed inside the city.

Usage: scale_probe.py PORT GEODATA_DIR [--tiles-per-zoom 30] [--layers a,b]
Prints one JSON object of p50/p99 in milliseconds.
"""
import argparse
import csv
import http.client
import json
import math
import random
import time
import urllib.parse


def pct(xs, p):
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(math.ceil(p / 100 * len(xs))) - 1)], 2) if xs else None


def tile_of(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("geodata")
    ap.add_argument("--tiles-per-zoom", type=int, default=30)
    ap.add_argument("--layers", default="grids,roads,buildings,pipes,bike_stations,flood_points,handlers")
    a = ap.parse_args()
    rng = random.Random(16)
    conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=120)

    def get(path, headers=None):
        t = time.perf_counter()
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        body = r.read()
        ms = (time.perf_counter() - t) * 1000
        if r.status >= 500:
            raise SystemExit(f"{path}: HTTP {r.status}")
        return ms, r.status, body

    with open(f"{a.geodata}/district.geojson", encoding="utf-8") as f:
        coords = [c for feat in json.load(f)["features"] for c in feat["geometry"]["coordinates"][0]]
    w, s = min(c[0] for c in coords), min(c[1] for c in coords)
    e, n = max(c[0] for c in coords), max(c[1] for c in coords)

    def point():
        return w + rng.random() * (e - w), s + rng.random() * (n - s)

    out = {"bbox": [round(w, 4), round(s, 4), round(e, 4), round(n, 4)]}
    # Tiles over the city at z10-16: every tile at low zooms, a seeded sample above.
    tiles = []
    for z in range(10, 17):
        x0, y1 = tile_of(w, s, z)
        x1, y0 = tile_of(e, n, z)
        every = [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
        tiles += rng.sample(every, min(len(every), a.tiles_per_zoom))
    gz = {"Accept-Encoding": "gzip"}
    uncached = [get(f"/tiles/{a.layers}/{z}/{x}/{y}.mvt", gz)[0] for z, x, y in tiles]
    cached = [get(f"/tiles/{a.layers}/{z}/{x}/{y}.mvt", gz)[0] for z, x, y in tiles]
    out.update(tiles=len(tiles), tile_uncached_p50=pct(uncached, 50), tile_uncached_p99=pct(uncached, 99),
               tile_uncached_max=pct(uncached, 100), tile_cached_p99=pct(cached, 99),
               # The slowest uncached tiles, to tell a slow zoom from a slow moment.
               tile_uncached_slowest=[[f"{z}/{x}/{y}", round(ms, 1)] for ms, (z, x, y) in sorted(zip(uncached, tiles), reverse=True)[:3]])

    def series(name, paths):
        ms = [get(p)[0] for p in paths]
        out[f"{name}_p50"], out[f"{name}_p99"] = pct(ms, 50), pct(ms, 99)

    series("locate", [f"/v1/locate?lon={x:.6f}&lat={y:.6f}" for x, y in (point() for _ in range(500))])
    series("nearest", [f"/v1/nearest?layer=bike_stations&lon={x:.6f}&lat={y:.6f}&k=5" for x, y in (point() for _ in range(500))])
    with open(f"{a.geodata}/addresses.csv", encoding="utf-8") as f:
        addresses = [row["full"] for row in csv.DictReader(f)]
    series("geocode", ["/v1/geocode?q=" + urllib.parse.quote(q) for q in rng.sample(addresses, 300)])
    # A district's screen asks for its own district's balance; the whole city's grows with the city.
    with open(f"{a.geodata}/district.geojson", encoding="utf-8") as f:
        codes = [feat["properties"]["code"] for feat in json.load(f)["features"]]
    series("balance", [f"/v1/bikes/balance?radius=100&district={codes[k % len(codes)]}" for k in range(20)])
    series("balance_city", ["/v1/bikes/balance?radius=100"] * 10)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
