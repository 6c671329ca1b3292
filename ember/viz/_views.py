"""What one picture shows: all nodes, or (for a large recorded graph) one box per module call.

Collapsed, the top view shows the nodes made outside any module and one box
per outermost module call; each box opens a view of its own contents (its
ops, and boxes for the calls inside it). Consecutive calls of sibling modules
of the same class doing the same ops (a stack of transformer blocks) share one
group box, which opens onto the calls it holds. Values entering a view from
outside come in through 'input' boxes, values leaving it go to 'output' boxes.
"""
from ._model import VEdge, VNode
from ._record import Stats


class View:
    __slots__ = ("id", "title", "nodes", "edges", "parent")

    def __init__(self, id, title, nodes, edges, parent):
        self.id, self.title, self.nodes, self.edges, self.parent = id, title, nodes, edges, parent


def views(graph, collapse="auto", threshold=150):
    """[View]: the first is the top one."""
    ops = sum(1 for v in graph.nodes if v.kind == "op")
    if collapse == "auto":
        collapse = graph.scoped() and ops > threshold
    if not collapse or not graph.scoped():
        return [View("v0", "graph", list(graph.nodes), list(graph.edges), None)]
    _scope_leaves(graph)
    graph.incident = {}
    for e in graph.edges:
        graph.incident.setdefault(e.src, []).append(e)
        graph.incident.setdefault(e.dst, []).append(e)
    out = []
    _build(graph, "graph", [(v, list(v.scope)) for v in graph.nodes], None, True, out)
    return out


def _scope_leaves(graph):
    """A leaf belongs to the innermost module call that all its users are in."""
    users = {}
    for e in graph.edges:
        if e.src.kind == "leaf":
            users.setdefault(e.src, []).append(e.dst.scope)
    for leaf, scopes in users.items():
        common = scopes[0]
        for s in scopes[1:]:
            k = 0
            while k < min(len(common), len(s)) and common[k] is s[k]:
                k += 1
            common = common[:k]
        leaf.scope = tuple(common)


def _build(graph, title, entries, parent, may_group, out):
    """Make the view of these (node, remaining scope) entries and, recursively, of its boxes."""
    entries = _open_lone_call(entries)
    view = View(f"v{len(out)}", title, [], [], parent)
    out.append(view)
    item = {}  # graph node -> the node of this view standing for it
    boxes = {}  # ModuleCall -> its box
    inner = {}  # box -> entries inside it
    for v, rest in entries:
        if not rest:
            item[v] = v
            view.nodes.append(v)
            continue
        call = rest[0]
        box = boxes.get(call)
        if box is None:
            box = boxes[call] = VNode(f"{view.id}m{call.index}", "module", call.title, index=call.index)
            box.call = call
            inner[box] = []
            view.nodes.append(box)
        inner[box].append((v, rest[1:]))
        item[v] = box
        box.bad = box.bad or v.bad
    if may_group:
        _group(view, boxes, inner, item)
    for box, contents in inner.items():
        ops = sum(1 for v, _ in contents if v.kind == "op")
        if box.kind == "module":
            box.lines.append(f"{ops} op" + ("" if ops == 1 else "s"))
        box.tooltip = "click to open"
    view.edges = _edges([e for v, _ in entries for e in graph.incident.get(v, ())], view, item)
    for box, contents in list(inner.items()):
        if box.kind == "group":
            members = [(v, rest) for v, rest in contents]
            child = _build(graph, box.title, members, view.id, False, out)
        else:
            child = _build(graph, box.title, contents, view.id, True, out)
        box.members = child.id  # the view the box opens
    return view


def _open_lone_call(entries):
    """A view that would hold one module box and almost nothing else (the model called once,
    its loss) shows that call's contents instead: there is nothing to collapse there."""
    while True:
        calls = {rest[0] for _, rest in entries if rest}
        others = sum(1 for _, rest in entries if not rest)
        if len(calls) != 1 or others > 3:
            return entries
        entries = [(v, rest[1:] if rest else rest) for v, rest in entries]


def _chained(runs, boxes, inner):
    """Split runs where a call does not feed the next one (two embeddings side by side are
    not a stack): the next call must be reached from the previous within a few edges."""
    out = []
    for key, run in runs:
        part = [run[0]]
        for prev, call in zip(run, run[1:]):
            if _feeds(inner[boxes[prev]], inner[boxes[call]]):
                part.append(call)
            else:
                out.append((key, part))
                part = [call]
        out.append((key, part))
    return out


def _feeds(a, b, hops=4):
    """Whether a value made in `a` reaches `b` within `hops` edges (edges are found on the nodes'
    autograd links, made to point forward here)."""
    inside_a = {v.node for v, _ in a if v.node is not None}
    inside_b = {v.node for v, _ in b if v.node is not None}
    frontier = set(inside_b)
    for _ in range(hops + 1):
        nxt = set()
        for fn in frontier:
            for child, _ in fn.next_functions:
                if child is None:
                    continue
                if child in inside_a:
                    return True
                if child not in inside_b:
                    nxt.add(child)
        frontier = nxt
    return False


def _signature(contents):
    return tuple(v.title for v, _ in sorted(contents, key=lambda e: e[0].index) if v.kind == "op")


def _group(view, boxes, inner, item):
    """Runs of consecutive calls of same-class modules doing the same ops become one group box."""
    calls = sorted(boxes, key=lambda c: c.index)
    runs = []
    for call in calls:
        key = (call.kind, _signature(inner[boxes[call]]))
        if runs and runs[-1][0] == key:
            runs[-1][1].append(call)
        else:
            runs.append((key, [call]))
    for key, run in _chained(runs, boxes, inner):
        if len(run) < 2:
            continue
        first, last = run[0], run[-1]
        names = f"{first.name} … {last.name}: " if first.name else ""
        group = VNode(f"{view.id}g{first.index}", "group", f"{names}{first.kind} ×{len(run)}", index=first.index)
        group.lines.append(f"{len(run)} calls, {len(key[1])} ops each")
        contents = []
        for call in run:
            box = boxes.pop(call)
            view.nodes.remove(box)
            group.bad = group.bad or box.bad
            # The group view shows the calls again as boxes: put each call back on its entries.
            contents.extend((v, [call] + rest) for v, rest in inner.pop(box))
        for v, _ in contents:
            item[v] = group
        inner[group] = contents
        view.nodes.append(group)
    view.nodes.sort(key=lambda v: (v.index, v.id))


def _edges(edges, view, item):
    """Edges between this view's nodes; outside ends become input/output boxes. Parallel edges merge."""
    merged = {}
    ports = {}
    seen = set()
    for e in edges:
        if id(e) in seen:
            continue
        seen.add(id(e))
        s, d = item.get(e.src), item.get(e.dst)
        if s is None and d is None or s is d:
            continue
        if s is None:
            s = _port(view, ports, e.src, "input")
        elif d is None:
            d = _port(view, ports, e.dst, "output")
        key = (s, d)
        old = merged.get(key)
        merged[key] = VEdge(s, d, e.grad, e.slot) if old is None else VEdge(s, d, _merge(old.grad, e.grad), old.slot)
    return list(merged.values())


def _port(view, ports, outside, kind):
    p = ports.get((outside, kind))
    if p is None:
        label = f"from {outside.title}" if kind == "input" else f"to {outside.title}"
        p = ports[(outside, kind)] = VNode(f"{view.id}p{len(ports)}", "port", label,
                                           outside.lines[:1] if kind == "input" else [],
                                           index=-2 if kind == "input" else 10 ** 9)
        view.nodes.append(p)
    return p


def _merge(a, b):
    """Statistics of several gradients drawn as one edge: norms add in squares, the max is the max."""
    if a is None or b is None:
        return a if b is None else b
    m = Stats.__new__(Stats)
    m.norm = (a.norm ** 2 + b.norm ** 2) ** 0.5
    m.max_abs = max(a.max_abs, b.max_abs)
    m.numel = a.numel + b.numel
    m.mean = (a.mean * a.numel + b.mean * b.numel) / max(m.numel, 1)
    m.nan, m.inf = a.nan or b.nan, a.inf or b.inf
    return m
