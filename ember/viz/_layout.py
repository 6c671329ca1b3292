"""A layered (Sugiyama) layout of a directed graph, drawn top to bottom.

1. cycles broken (a depth-first search reverses back edges; autograd graphs have
   none, but boxes standing for module calls can make some);
2. layers: a node sits one layer above its highest consumer (the longest path to
   a sink), so a leaf sits just above the op that first uses it;
3. edges longer than one layer go through dummy nodes, one per layer crossed;
4. crossings reduced by barycenter sweeps, keeping the best order seen;
5. x coordinates: each layer is pulled towards its neighbours' centres, and the
   closest placement that keeps the boxes apart is an isotonic regression
   (pool adjacent violators), so boxes never overlap.
"""
from bisect import bisect_right


class Layout:
    __slots__ = ("x", "y", "width", "height", "routes")

    def __init__(self, x, y, width, height, routes):
        self.x, self.y = x, y  # centre x, top y of every node
        self.width, self.height = width, height
        self.routes = routes  # per edge: [(x, y)...] from the source's bottom to the target's top


def layout(sizes, edges, gap_x=28, gap_y=56, margin=16, dummy_width=12, sweeps=6):
    n = len(sizes)
    succ = [[] for _ in range(n)]
    pairs = {}
    for s, d in edges:
        if s != d and (s, d) not in pairs:
            pairs[(s, d)] = True
            succ[s].append(d)
    flipped = _break_cycles(n, succ)
    dag = [(d, s) if (s, d) in flipped else (s, d) for s, d in pairs]
    succ = [[] for _ in range(n)]
    for s, d in dag:
        succ[s].append(d)
    rank = _ranks(n, succ)

    # Dummy nodes: one per layer an edge crosses.
    width = [w for w, _ in sizes]
    rank = list(rank)
    pred = [[] for _ in range(n)]
    succ = [[] for _ in range(n)]
    chains = {}
    for s, d in dag:
        chain = [s]
        for r in range(rank[s] + 1, rank[d]):
            v = len(rank)
            rank.append(r)
            width.append(dummy_width)
            pred.append([])
            succ.append([])
            chain.append(v)
        chain.append(d)
        for a, b in zip(chain, chain[1:]):
            succ[a].append(b)
            pred[b].append(a)
        chains[(s, d)] = chain
    total = len(rank)
    layers = [[] for _ in range(max(rank, default=-1) + 1)]
    for v in _initial_order(total, succ, pred):
        layers[rank[v]].append(v)

    layers = _reduce_crossings(layers, pred, succ, sweeps)
    x = _place(layers, width, pred, succ, gap_x)

    # Heights and the final canvas.
    heights = [max((sizes[v][1] for v in layer if v < n), default=0) for layer in layers]
    tops = []
    y = margin
    for h in heights:
        tops.append(y)
        y += h + gap_y
    left = min((x[v] - width[v] / 2 for v in range(total)), default=0)
    shift = margin - left
    x = [c + shift for c in x]
    canvas_w = max((x[v] + width[v] / 2 for v in range(total)), default=0) + margin
    canvas_h = (y - gap_y + margin) if layers else 2 * margin
    node_y = [tops[rank[v]] + (heights[rank[v]] - sizes[v][1]) / 2 for v in range(n)]

    routes = []
    for s, d in edges:
        if s == d:
            routes.append([])
            continue
        key = (d, s) if (s, d) in flipped else (s, d)
        chain = chains[key]
        pts = [(x[chain[0]], node_y[chain[0]] + sizes[chain[0]][1])]
        for v in chain[1:-1]:
            r = rank[v]
            pts.append((x[v], tops[r]))
            pts.append((x[v], tops[r] + heights[r]))
        pts.append((x[chain[-1]], node_y[chain[-1]]))
        if key != (s, d):
            pts.reverse()
        routes.append(pts)
    return Layout(x[:n], node_y, canvas_w, canvas_h, routes)


def _break_cycles(n, succ):
    """Edges that close a cycle in a depth-first search (iterative): reversing them leaves a DAG."""
    state = [0] * n  # 0 new, 1 on the stack, 2 done
    back = set()
    for root in range(n):
        if state[root]:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:
            v, it = stack[-1]
            for w in it:
                if state[w] == 0:
                    state[w] = 1
                    stack.append((w, iter(succ[w])))
                    break
                if state[w] == 1:
                    back.add((v, w))
            else:
                state[v] = 2
                stack.pop()
    return back


def _ranks(n, succ):
    """Layer of each node, 0 at the top: the longest path to a sink, counted from the bottom."""
    height = [0] * n
    indeg = [0] * n
    for v in range(n):
        for w in succ[v]:
            indeg[w] += 1
    order = [v for v in range(n) if indeg[v] == 0]
    for v in order:  # grows while it is walked: Kahn's topological order
        for w in succ[v]:
            indeg[w] -= 1
            if indeg[w] == 0:
                order.append(w)
    for v in reversed(order):
        if succ[v]:
            height[v] = 1 + max(height[w] for w in succ[v])
    top = max(height, default=0)
    return [top - h for h in height]


def _initial_order(total, succ, pred):
    """A depth-first order from the sources: related nodes start out next to each other."""
    seen = [False] * total
    order = []
    for root in range(total):
        if seen[root] or pred[root]:
            continue
        stack = [root]
        while stack:
            v = stack.pop()
            if seen[v]:
                continue
            seen[v] = True
            order.append(v)
            stack.extend(reversed(succ[v]))
    order.extend(v for v in range(total) if not seen[v])
    return order


def _reduce_crossings(layers, pred, succ, sweeps):
    pos = {}
    for layer in layers:
        for i, v in enumerate(layer):
            pos[v] = i
    best = [list(layer) for layer in layers]
    best_count = _crossings(layers, succ, pos)
    for it in range(sweeps):
        down = it % 2 == 0
        indices = range(1, len(layers)) if down else range(len(layers) - 2, -1, -1)
        for i in indices:
            layer = layers[i]
            keyed = []
            for v in layer:
                nbrs = pred[v] if down else succ[v]
                key = sum(pos[u] for u in nbrs) / len(nbrs) if nbrs else pos[v]
                keyed.append((key, pos[v], v))
            keyed.sort()
            layers[i] = [v for _, _, v in keyed]
            for j, v in enumerate(layers[i]):
                pos[v] = j
        count = _crossings(layers, succ, pos)
        if count < best_count:
            best_count = count
            best = [list(layer) for layer in layers]
        if best_count == 0:
            break
    return best


def _crossings(layers, succ, pos):
    """Edge crossings between consecutive layers (inversions counted with a sorted list)."""
    total = 0
    for layer in layers[:-1]:
        ends = []
        for v in layer:
            for p in sorted(pos[w] for w in succ[v]):
                ends.append(p)
        seen = []
        for p in reversed(ends):  # pairs (earlier source, later target) that cross
            k = bisect_right(seen, p - 1)
            total += k
            seen.insert(k, p)
    return total


def _place(layers, width, pred, succ, gap_x):
    """x centres: packed left to right, then pulled towards the neighbours, layer by layer."""
    x = [0.0] * len(width)
    for layer in layers:
        at = 0.0
        for v in layer:
            x[v] = at + width[v] / 2
            at += width[v] + gap_x
    passes = [("down", pred), ("up", succ)] * 4 + [("both", None)]
    for direction, nbrs_of in passes:
        indices = range(len(layers)) if direction != "up" else range(len(layers) - 1, -1, -1)
        for i in indices:
            layer = layers[i]
            desired = []
            for v in layer:
                nbrs = (pred[v] + succ[v]) if nbrs_of is None else nbrs_of[v]
                desired.append(sum(x[u] for u in nbrs) / len(nbrs) if nbrs else x[v])
            for v, c in zip(layer, _isotonic(desired, [width[v] for v in layer], gap_x)):
                x[v] = c
    return x


def _isotonic(desired, widths, gap):
    """Centres closest (least squares) to `desired` that keep consecutive boxes `gap` apart."""
    offsets = [0.0]
    for a, b in zip(widths, widths[1:]):
        offsets.append(offsets[-1] + (a + b) / 2 + gap)
    blocks = []  # [sum, count]
    for d, o in zip(desired, offsets):
        blocks.append([d - o, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
    out = []
    for s, c in blocks:
        out.extend([s / c] * c)
    return [z + o for z, o in zip(out, offsets)]
