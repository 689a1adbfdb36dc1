"""Independent check of CityTwin's valve isolation against WNTR.

convert NET OUTDIR PLACEMENT SEED
    Loads WNTR's bundled example network NET (Net3, ky4, ...), generates a valve
    layer as WNTR does (wntr.network.generate_valve_layer, placement strategic
    N-1 or random, with SEED), and writes OUTDIR/layers.json: the network as
    CityTwin pipe and pipe_node features with coordinates mapped into the sample
    city. Each WNTR valve (link L, node N) becomes a valve node V on L next to N,
    splitting L into a stub N-V and the rest; reservoirs and tanks become sources.
    WNTR's valve_segments answer goes to OUTDIR/wntr.json.

verify OUTDIR
    Reads OUTDIR/results.json (CityTwin's isolation of every pipe) and checks
    - the cut equals WNTR's segment: the main piece of link L is cut with the
      segment of L, a stub at node N with the segment of N; nodes and links of
      the segment must be exactly those CityTwin returns, and the valves to shut
      are those with the segment on one side only; where the segment holds a
      source, CityTwin stops there (Giswater's mincut): its cut must equal the
      part of WNTR's segment that holds the pipe once the segment is split at its
      sources, and name the sources that part touches;
    - the unintended isolation equals a flood fill from the sources (itself checked
      against networkx connected components at rest) on
      the converted graph with the cut removed and the proposed valves shut.
    Prints a JSON summary with counts and the first mismatches.
"""
import json
import os
import sys

import networkx as nx
import wntr


def network_path(name):
    return os.path.join(os.path.dirname(wntr.__file__), "library", "networks", name + ".inp")


def convert(name, out, placement, seed):
    wn = wntr.network.WaterNetworkModel(network_path(name))
    if placement == "strategic":
        layer = wntr.network.generate_valve_layer(wn, "strategic", 1, seed=seed)
    else:
        layer = wntr.network.generate_valve_layer(wn, "random", int(placement), seed=seed)
    layer = layer.drop_duplicates()
    xs = [n.coordinates[0] for _, n in wn.nodes()]
    ys = [n.coordinates[1] for _, n in wn.nodes()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0

    def lonlat(c):
        return [104.06 + (c[0] - min(xs)) / span * 0.08, 30.63 + (c[1] - min(ys)) / span * 0.07]

    sources = set(wn.reservoir_name_list) | set(wn.tank_name_list)
    nodes, pipes = [], []
    for n, node in wn.nodes():
        nodes.append({"id": n, "kind": "source" if n in sources else "junction", "at": lonlat(node.coordinates)})
    valves = {}
    for _, row in layer.iterrows():
        valves.setdefault(row["link"], set()).add(row["node"])
    for l, link in wn.links():
        a, b = link.start_node_name, link.end_node_name
        pa, pb = lonlat(wn.get_node(a).coordinates), lonlat(wn.get_node(b).coordinates)
        here = valves.get(l, set())

        def between(t):
            return [pa[0] + (pb[0] - pa[0]) * t, pa[1] + (pb[1] - pa[1]) * t]

        main_from, main_to = a, b
        if a in here:
            v = "V|%s|%s" % (l, a)
            nodes.append({"id": v, "kind": "valve", "at": between(0.1)})
            pipes.append({"id": "S|%s|%s" % (l, a), "from": a, "to": v, "coords": [pa, between(0.1)]})
            main_from = v
        if b in here:
            v = "V|%s|%s" % (l, b)
            nodes.append({"id": v, "kind": "valve", "at": between(0.9)})
            pipes.append({"id": "S|%s|%s" % (l, b), "from": v, "to": b, "coords": [between(0.9), pb]})
            main_to = v
        at = {n["id"]: n["at"] for n in nodes}
        pipes.append({"id": l, "from": main_from, "to": main_to, "coords": [at[main_from], at[main_to]]})
    node_seg, link_seg, _ = wntr.metrics.topographic.valve_segments(wn.to_graph(), layer)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "layers.json"), "w") as f:
        json.dump({"nodes": nodes, "pipes": pipes}, f)
    with open(os.path.join(out, "wntr.json"), "w") as f:
        json.dump({"network": name, "valves": len(layer), "sources": sorted(sources),
                   "node_segments": {k: int(v) for k, v in node_seg.items()},
                   "link_segments": {k: int(v) for k, v in link_seg.items()}}, f)
    print(json.dumps({"nodes": len(nodes), "pipes": len(pipes), "valves": len(layer)}))


def verify(out):
    layers = json.load(open(os.path.join(out, "layers.json")))
    ref = json.load(open(os.path.join(out, "wntr.json")))
    results = json.load(open(os.path.join(out, "results.json")))
    node_seg, link_seg = ref["node_segments"], ref["link_segments"]
    sources = set(ref["sources"])
    seg_nodes, seg_links = {}, {}
    for n, s in node_seg.items():
        seg_nodes.setdefault(s, set()).add(n)
    for l, s in link_seg.items():
        seg_links.setdefault(s, set()).add(l)
    # Valve (L, N): the stub side is in N's segment, the main side in L's.
    valve_sides = {}
    for n in layers["nodes"]:
        if n["kind"] == "valve":
            _, l, node = n["id"].split("|")
            valve_sides[n["id"]] = (link_seg[l], node_seg[node])
    graph = nx.MultiGraph()
    graph.add_nodes_from(n["id"] for n in layers["nodes"])
    for p in layers["pipes"]:
        graph.add_edge(p["from"], p["to"], key=p["id"])
    everything = {p["id"] for p in layers["pipes"]}
    ends = {p["id"]: (p["from"], p["to"]) for p in layers["pipes"]}

    incident = {}
    for p in layers["pipes"]:
        for v in (p["from"], p["to"]):
            incident.setdefault(v, []).append(p["id"])

    def fed(cut=frozenset(), shut=frozenset()):
        """Flood fill from the sources: nodes reached through no shut valve and no cut pipe;
        pipes with a reached end (cut pipes carry nothing)."""
        reach = set(s for s in sources if s not in shut)
        todo = list(reach)
        while todo:
            v = todo.pop()
            for p in incident.get(v, []):
                if p in cut:
                    continue
                a, b = ends[p]
                w = b if a == v else a
                if w not in reach and w not in shut:
                    reach.add(w)
                    todo.append(w)
        pipes = {p for p, (a, b) in ends.items() if p not in cut and (a in reach or b in reach)}
        return reach, pipes

    def split_at_sources(q):
        """Nodes and WNTR links reached from pipe q (or a stub's node) through no valve node,
        not going on past a source."""
        links, nodes = set(), set()
        if q.startswith("S|"):
            todo = [q.split("|")[2]]
        else:
            links.add(q)
            todo = [v for v in ends[q] if not v.startswith("V|")]
        while todo:
            v = todo.pop()
            if v in nodes:
                continue
            nodes.add(v)
            if v in sources:
                continue
            for p in incident.get(v, []):
                if p.startswith("S|") or p in links:
                    continue
                links.add(p)
                todo.extend(w for w in ends[p] if not w.startswith("V|") and w not in nodes)
        return nodes, links

    reach0, fed0 = fed()
    # The same at rest by networkx, to trust the flood fill above.
    nx_reach = set().union(*(nx.node_connected_component(graph, s) for s in sources if s in graph))
    assert nx_reach == reach0, "flood fill disagrees with networkx"
    mismatches, bad, exact, inside_source, unintended_checked = [], 0, 0, 0, 0
    for r in results:
        q = r["pipe"]
        if q.startswith("S|"):
            _, l, node = q.split("|")
            seg = node_seg[node]
        else:
            seg = link_seg[q]
        w_nodes, w_links = seg_nodes.get(seg, set()), seg_links.get(seg, set())
        c_nodes = {n for n in r["nodes"] if not n.startswith("V|")}
        c_links = {p for p in r["pipes"] if not p.startswith("S|")}
        if w_nodes & sources:
            # The segment split at its sources (Giswater: a source stops the search): the part
            # holding the pipe, walked over WNTR's links (valve nodes and stubs are barriers),
            # must lie in WNTR's segment and equal the cut; the sources it touches are named.
            inside_source += 1
            comp_nodes, comp_links = split_at_sources(q)
            ok = (comp_links <= w_links and comp_nodes <= w_nodes and c_links == comp_links
                  and c_nodes == comp_nodes - sources and set(r["sources"]) == comp_nodes & sources and r["sources"])
        else:
            exact += 1
            want_valves = {v for v, (ls, ns) in valve_sides.items() if (ls == seg) != (ns == seg)}
            ok = c_nodes == w_nodes and c_links == w_links and set(r["to_close"]) == want_valves and not r["sources"]
        if not ok:
            bad += 1
        if not ok and len(mismatches) < 5:
            mismatches.append({"pipe": q, "segment": seg, "wntr_nodes": sorted(w_nodes)[:20], "citytwin_nodes": sorted(c_nodes)[:20],
                               "wntr_links": sorted(w_links)[:20], "citytwin_links": sorted(c_links)[:20]})
        # Flood fill from the sources with the cut's pipes gone and the proposed valves shut.
        reach, fed_now = fed(frozenset(r["pipes"]), frozenset(r["to_close"]))
        cut = set(r["pipes"])
        want_pipes = (fed0 - fed_now) - cut
        want_nodes = {n for n in reach0 - reach if n not in r["to_close"] and n not in r["nodes"]}
        unintended_checked += 1
        wrong = set(r["unintended_pipes"]) != want_pipes or set(r["unintended_nodes"]) != want_nodes
        bad += 1 if wrong else 0
        if wrong and len(mismatches) < 5:
            mismatches.append({"pipe": q, "unintended_want": sorted(want_pipes)[:20], "unintended_got": sorted(r["unintended_pipes"])[:20],
                               "nodes_want": sorted(want_nodes)[:20], "nodes_got": sorted(r["unintended_nodes"])[:20]})
    print(json.dumps({"checked": len(results), "exact": exact, "with_source": inside_source,
                      "unintended_checked": unintended_checked, "all_pipes": len(everything),
                      "segments": len(seg_links), "bad": bad, "mismatches": mismatches}))


if __name__ == "__main__":
    if sys.argv[1] == "convert":
        convert(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        verify(sys.argv[2])
