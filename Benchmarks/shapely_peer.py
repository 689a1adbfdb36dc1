"""shapely 2 / GEOS STRtree peer for `citytwin-bench queries`.

Reads the raw little-endian float64 files written by the Swift side, times the
bulk STRtree calls a GIS team would use, and prints JSON. Same data, same run.
"""
import json, sys, time
import numpy as np
import shapely
from shapely import STRtree

d = sys.argv[1]
def arr(name): return np.fromfile(f"{d}/{name}.f64", dtype="<f8").reshape(-1, 2)

points = shapely.points(arr("points"))
queries = shapely.points(arr("knn_queries"))
centers = shapely.points(arr("centers"))
locate_q = shapely.points(arr("locate_queries"))
out = {}

def best(fn, runs=3):
    t = min((lambda: (s := time.perf_counter(), fn(), time.perf_counter() - s)[2])() for _ in range(runs))
    return t

t0 = time.perf_counter(); tree = STRtree(points); out["build_1m_points"] = time.perf_counter() - t0
out["build_1m_points"] = min(out["build_1m_points"], best(lambda: STRtree(points), 2))
# Bulk nearest: shapely returns the single nearest (planar degrees); it has no k.
out["knn"] = best(lambda: tree.query_nearest(queries, return_distance=False, all_matches=False))
out["knn_queries"] = len(queries)

for name in ["grids_sample", "grids_100k"]:
    ring_size = int(open(f"{d}/{name}.ring").read())
    rings = np.fromfile(f"{d}/{name}.f64", dtype="<f8").reshape(-1, ring_size, 2)
    polys = shapely.polygons(rings)
    ptree = STRtree(polys)
    # Which polygon owns each point: points queried against the polygon tree.
    out[f"locate_{name}"] = best(lambda: ptree.query(locate_q, predicate="within"))
out["locate_queries"] = len(locate_q)

# Bike balance: bikes within 100 m of each centre. dwithin is planar (degrees):
# 100 m as degrees of latitude, a slight under-count east-west that favours shapely.
deg = 100 / 111195.0
def balance():
    idx = tree.query(centers, predicate="dwithin", distance=deg)
    return np.bincount(idx[0], minlength=len(centers))
out["balance"] = best(balance)
out["centers"] = len(centers)
print(json.dumps(out))
