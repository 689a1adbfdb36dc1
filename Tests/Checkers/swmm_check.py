"""Independent check of CityTwin's drainage traces against swmmio.

convert MODEL OUTDIR
    Loads swmmio's bundled example SWMM model MODEL (a file name under
    swmmio/tests/data without .inp, e.g. Example1) with swmmio.Model and writes
    OUTDIR/layers.json: every link (conduits, and pumps, weirs, orifices where
    the model has them) as a CityTwin pipe from its inlet to its outlet node,
    every node as a pipe_node (outfalls kind outfall, the rest manhole), with
    the model's coordinates mapped into the sample city. Then traces up and down
    from every node with swmmio.utils.functions.trace_from_node and writes
    OUTDIR/traces.json: {"up"|"down": {node: {"nodes": [...], "links": [...]}}}.

inp LAYERS OUTDIR
    Reads a network written by the test (LAYERS: {"nodes": [{"id","kind","at"}],
    "pipes": [{"id","from","to"}], "starts": [[node, "up"|"down", method], ...]}),
    exports it as a SWMM input file OUTDIR/network.inp (junctions, outfalls,
    conduits, cross-sections, coordinates), reads that file back with
    swmmio.Model and traces from each start over its conduits, by trace_from_node
    (method "trace_from_node") or by networkx reachability (method "graph");
    writes OUTDIR/traces.json as above.

Prints a JSON summary (counts of nodes, links, traces).
"""
import contextlib
import io
import json
import os
import sys

import networkx as nx
import swmmio
from swmmio.utils.functions import trace_from_node


class Rows:
    """The links frame's rows, read once: trace_from_node walks every row per
    visited node (iterrows), far too slow on a few thousand links. This hands it
    the same rows from a list; its algorithm is unchanged."""

    class Row:
        __slots__ = ("InletNode", "OutletNode")

        def __init__(self, a, b):
            self.InletNode, self.OutletNode = a, b

    def __init__(self, links):
        self.rows = [(str(name), Rows.Row(str(r.InletNode), str(r.OutletNode))) for name, r in links.iterrows()]

    def iterrows(self):
        return iter(self.rows)


def trace(rows, node, mode):
    with contextlib.redirect_stdout(io.StringIO()):  # trace_from_node prints progress
        t = trace_from_node(rows, node, mode=mode)
    return {"nodes": sorted(set(map(str, t["nodes"]))), "links": sorted(set(map(str, t["conduits"])))}


def reach(graph, node, mode):
    """The same sets by networkx reachability on the conduits swmmio read (a MultiDiGraph
    keyed by link name), for starts whose catchment is too large for trace_from_node (it
    walks every link for each node it reaches: seconds for a few thousand nodes)."""
    nodes = ({node} | nx.ancestors(graph, node)) if mode == "up" else ({node} | nx.descendants(graph, node))
    edges = graph.in_edges(nodes, keys=True) if mode == "up" else graph.out_edges(nodes, keys=True)
    return {"nodes": sorted(map(str, nodes)), "links": sorted({str(k) for _, _, k in edges})}


def convert(name, out):
    data = os.path.join(os.path.dirname(swmmio.__file__), "tests", "data")
    model = swmmio.Model(os.path.join(data, name + ".inp"))
    links = model.links.dataframe
    node_ids = [str(n) for n in model.nodes.dataframe.index]
    outfalls = {str(n) for n in model.inp.outfalls.index}
    coords = model.inp.coordinates
    xy = {str(n): (float(r.X), float(r.Y)) for n, r in coords.iterrows()}
    xs = [p[0] for p in xy.values()] or [0.0]
    ys = [p[1] for p in xy.values()] or [0.0]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0

    def lonlat(n, k):
        if n not in xy:  # a node without coordinates: a spot of its own off the model's box
            return [104.16 + k * 0.0002, 30.63]
        x, y = xy[n]
        return [104.06 + (x - min(xs)) / span * 0.05, 30.63 + (y - min(ys)) / span * 0.05]

    nodes = [{"id": n, "kind": "outfall" if n in outfalls else "manhole", "at": lonlat(n, k)} for k, n in enumerate(node_ids)]
    at = {n["id"]: n["at"] for n in nodes}
    pipes = []
    for l, r in links.iterrows():
        a, b = str(r.InletNode), str(r.OutletNode)
        pipes.append({"id": str(l), "from": a, "to": b, "coords": [at[a], at[b]]})
    rows = Rows(links)
    traces = {"up": {n: trace(rows, n, "up") for n in node_ids}, "down": {n: trace(rows, n, "down") for n in node_ids}}
    write(out, {"nodes": nodes, "pipes": pipes}, traces)
    print(json.dumps({"nodes": len(nodes), "pipes": len(pipes), "outfalls": len(outfalls),
                      "traces": len(node_ids) * 2}))


def inp(layers_path, out):
    layers = json.load(open(layers_path))
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "network.inp")
    with open(path, "w") as f:
        f.write("[TITLE]\nCityTwin drainage network\n\n[OPTIONS]\nFLOW_UNITS CMS\nINFILTRATION HORTON\nFLOW_ROUTING DYNWAVE\n\n")
        f.write("[JUNCTIONS]\n;;Name Elevation MaxDepth InitDepth SurDepth Aponded\n")
        for n in layers["nodes"]:
            if n["kind"] != "outfall":
                f.write("%s 0 3 0 0 0\n" % n["id"])
        f.write("\n[OUTFALLS]\n;;Name Elevation Type StageData Gated\n")
        for n in layers["nodes"]:
            if n["kind"] == "outfall":
                f.write("%s 0 FREE NO\n" % n["id"])
        f.write("\n[CONDUITS]\n;;Name FromNode ToNode Length Roughness InOffset OutOffset InitFlow MaxFlow\n")
        for p in layers["pipes"]:
            f.write("%s %s %s 70 0.013 0 0 0 0\n" % (p["id"], p["from"], p["to"]))
        f.write("\n[XSECTIONS]\n;;Link Shape Geom1 Geom2 Geom3 Geom4 Barrels\n")
        for p in layers["pipes"]:
            f.write("%s CIRCULAR 0.6 0 0 0 1\n" % p["id"])
        f.write("\n[COORDINATES]\n;;Node X-Coord Y-Coord\n")
        for n in layers["nodes"]:
            f.write("%s %.7f %.7f\n" % (n["id"], n["at"][0], n["at"][1]))
    model = swmmio.Model(path)
    # The conduits section as swmmio parses it: Model.links and Model.network would also join
    # every link's coordinates, which swmmio does in time quadratic in the links (a minute here).
    links = model.inp.conduits
    nodes = len(model.inp.junctions) + len(model.inp.outfalls)
    assert len(links) == len(layers["pipes"]), "swmmio read %d links of %d" % (len(links), len(layers["pipes"]))
    assert nodes == len(layers["nodes"]), "swmmio read %d nodes of %d" % (nodes, len(layers["nodes"]))
    sys.setrecursionlimit(100_000)  # trace_from_node recurses once per pipe along the longest path
    rows = Rows(links)
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(str(n) for n in model.inp.junctions.index)
    graph.add_nodes_from(str(n) for n in model.inp.outfalls.index)
    graph.add_edges_from((str(r.InletNode), str(r.OutletNode), str(k)) for k, r in links.iterrows())
    traces = {"up": {}, "down": {}}
    for node, mode, method in layers["starts"]:
        if method == "trace_from_node":
            traces[mode][node] = trace(rows, node, mode)
        else:
            traces[mode][node] = reach(graph, node, mode)
    write(out, None, traces)
    print(json.dumps({"nodes": nodes, "pipes": len(links), "traces": len(layers["starts"])}))


def write(out, layers, traces):
    os.makedirs(out, exist_ok=True)
    if layers is not None:
        with open(os.path.join(out, "layers.json"), "w") as f:
            json.dump(layers, f)
    with open(os.path.join(out, "traces.json"), "w") as f:
        json.dump(traces, f)


if __name__ == "__main__":
    if sys.argv[1] == "convert":
        convert(sys.argv[2], sys.argv[3])
    else:
        inp(sys.argv[2], sys.argv[3])
