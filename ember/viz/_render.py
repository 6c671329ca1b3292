"""Drawing a laid-out view: SVG, a self-contained HTML page (views open on click), DOT and text."""
import math
import os
from html import escape

from ._layout import layout

TITLE_PX, LINE_PX = 7.4, 6.7  # average glyph widths of the fonts below
TITLE_H, LINE_H, PAD = 18, 14, 8

FILL = {"op": "#dbe9f6", "leaf": "#d9f2d0", "output": "#ffe9b3", "module": "#fdf1d6", "group": "#fdf1d6",
        "port": "#ffffff"}
STROKE = {"op": "#4a7ab0", "leaf": "#4f8f3a", "output": "#b8860b", "module": "#b58900", "group": "#b58900",
          "port": "#999999"}
BAD = "#d62728"
NO_GRAD = "#8c8c8c"
# Gradient norms, small to large (relative to the view): blue, purple, orange.
RAMP = ["#2c7bb6", "#5e60b8", "#8e4ea8", "#c0508a", "#e6743d"]


def shown_lines(v):
    """The lines under a box's title: shape and dtype, saved tensors..., then where it was made."""
    return v.lines + ([f"@ {os.path.basename(v.line[0])}:{v.line[1]}"] if v.line else [])


def box_size(v):
    lines = shown_lines(v)
    w = max([len(v.title) * TITLE_PX] + [len(t) * LINE_PX for t in lines]) + 2 * PAD
    return max(w, 60), TITLE_H + LINE_H * len(lines) + PAD


def edge_color(grad, lo, hi):
    if grad is None:
        return NO_GRAD
    if grad.bad:
        return BAD
    if grad.norm == 0:
        return "#bbbbbb"
    if hi <= lo:
        return RAMP[len(RAMP) // 2]
    k = (math.log10(grad.norm) - lo) / (hi - lo)
    return RAMP[min(len(RAMP) - 1, max(0, int(k * len(RAMP))))]


class Drawn:
    """A view with its layout: what the SVG and the browser test read."""

    def __init__(self, view):
        self.view = view
        self.index = {v: i for i, v in enumerate(view.nodes)}
        self.sizes = [box_size(v) for v in view.nodes]
        labels = any(e.grad is not None for e in view.edges)
        self.layout = layout(self.sizes, [(self.index[e.src], self.index[e.dst]) for e in view.edges],
                             gap_y=64 if labels else 44)
        norms = [math.log10(e.grad.norm) for e in view.edges if e.grad is not None and e.grad.norm > 0
                 and not e.grad.bad]
        self.lo, self.hi = (min(norms), max(norms)) if norms else (0.0, 0.0)

    def box(self, v):
        i = self.index[v]
        w, h = self.sizes[i]
        return self.layout.x[i] - w / 2, self.layout.y[i], w, h


def svg(drawn, uid=""):
    L = drawn.layout
    vid = f"{uid}{drawn.view.id}"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ember-graph" data-view="{drawn.view.id}" '
           f'width="{L.width:.0f}" height="{L.height:.0f}" viewBox="0 0 {L.width:.0f} {L.height:.0f}" '
           'font-family="Helvetica, Arial, sans-serif">',
           "<defs>"]
    for name, color in (("a", NO_GRAD), ("bad", BAD)) + tuple((f"r{k}", c) for k, c in enumerate(RAMP)) + \
            (("z", "#bbbbbb"),):
        out.append(f'<marker id="{vid}-{name}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
                   f'markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="{color}"/></marker>')
    out.append("</defs>")
    out.append(f'<rect width="{L.width:.0f}" height="{L.height:.0f}" fill="#ffffff"/>')
    out.append('<g class="edges">')
    fan_in = {}
    for e in drawn.view.edges:
        fan_in[e.dst] = fan_in.get(e.dst, 0) + 1
    for e, pts in zip(drawn.view.edges, L.routes):
        if not pts:
            continue
        color = edge_color(e.grad, drawn.lo, drawn.hi)
        marker = "bad" if color == BAD else "a" if color == NO_GRAD else "z" if color == "#bbbbbb" \
            else f"r{RAMP.index(color)}"
        cls = "edge" + ("" if e.grad is None else " bad" if e.grad.bad else " grad")
        width = 2.5 if color == BAD else 1.4
        dash = ' stroke-dasharray="4 3"' if color == "#bbbbbb" else ""
        out.append(f'<g class="{cls}" data-src="{e.src.id}" data-dst="{e.dst.id}">'
                   f'<path d="{_path(pts)}" fill="none" stroke="{color}" stroke-width="{width}"{dash} '
                   f'marker-end="url(#{vid}-{marker})"/>')
        if e.grad is not None:
            tx, ty = _label_at(pts, 0.3 if fan_in[e.dst] > 1 else 0.5)
            flag = " ".join(f for f, on in (("NaN", e.grad.nan), ("inf", e.grad.inf)) if on)
            rows = ([flag] if flag else []) + [f"|g|={e.grad.norm:.3g}", f"max={e.grad.max_abs:.3g}"]
            spans = "".join(f'<tspan x="{tx:.1f}" dy="{0 if k == 0 else 10}">{escape(r)}</tspan>'
                            for k, r in enumerate(rows))
            out.append(f'<text class="grad" x="{tx:.1f}" y="{ty - 5 * (len(rows) - 1) + 3:.1f}" font-size="9" '
                       f'text-anchor="middle" fill="{color}" stroke="#ffffff" stroke-width="3" '
                       f'paint-order="stroke">{spans}</text>')
            out.append(f"<title>gradient into {escape(e.src.title)}: {escape(e.grad.short())}</title>")
        out.append("</g>")
    out.append("</g>")
    out.append('<g class="nodes">')
    for v in drawn.view.nodes:
        x, y, w, h = drawn.box(v)
        opens = f' data-opens="{v.members}" style="cursor:pointer"' if v.members else ""
        stroke = BAD if v.bad else STROKE[v.kind]
        sw = 2.5 if v.bad else 1.2
        dash = ' stroke-dasharray="4 3"' if v.kind == "port" else ""
        out.append(f'<g class="node {v.kind}{" bad" if v.bad else ""}" id="{uid}{v.id}" data-kind="{v.kind}"{opens}>')
        if v.kind == "group":  # a stack of boxes
            out.append(f'<rect x="{x + 4:.1f}" y="{y - 4:.1f}" width="{w - 4:.1f}" height="{h:.1f}" rx="5" '
                       f'fill="{FILL[v.kind]}" stroke="{stroke}" stroke-width="{sw}" class="behind"/>')
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="5" fill="{FILL[v.kind]}" '
                   f'stroke="{stroke}" stroke-width="{sw}"{dash}/>')
        weight = "bold" if v.kind in ("op", "module", "group") else "normal"
        out.append(f'<text x="{x + w / 2:.1f}" y="{y + 14:.1f}" font-size="12" font-weight="{weight}" '
                   f'text-anchor="middle">{escape(v.title)}</text>')
        for k, line in enumerate(shown_lines(v)):
            fill = "#777777" if line.startswith("@ ") else BAD if ("NaN" in line or "inf" in line.split()) \
                else "#333333"
            out.append(f'<text x="{x + w / 2:.1f}" y="{y + TITLE_H + 10 + LINE_H * k:.1f}" font-size="11" '
                       f'font-family="Menlo, Consolas, monospace" text-anchor="middle" fill="{fill}">'
                       f'{escape(line)}</text>')
        tip = v.tooltip
        if tip:
            out.append(f"<title>{escape(tip)}</title>")
        out.append("</g>")
    out.append("</g></svg>")
    return "\n".join(out)


def _label_at(pts, t):
    """A point at parameter t on the route's last curve (the one into the target)."""
    (x0, y0), (x1, y1) = pts[-2], pts[-1]
    m = (y0 + y1) / 2
    a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
    return (a + b) * x0 + (c + d) * x1, a * y0 + (b + c) * m + d * y1


def _path(pts):
    """A smooth path through the route: vertical tangents at every point."""
    (x, y) = pts[0]
    d = [f"M{x:.1f},{y:.1f}"]
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        if x0 == x1:
            d.append(f"L{x1:.1f},{y1:.1f}")
        else:
            m = (y0 + y1) / 2
            d.append(f"C{x0:.1f},{m:.1f} {x1:.1f},{m:.1f} {x1:.1f},{y1:.1f}")
    return "".join(d)


_STYLE = """
.ember-viz{font-family:Helvetica,Arial,sans-serif;font-size:13px;color:#222}
.ember-viz .bar{padding:6px 4px;border-bottom:1px solid #ddd;margin-bottom:6px}
.ember-viz .bar a{color:#2c5f9e;cursor:pointer;text-decoration:underline}
.ember-viz .legend span{display:inline-block;margin-left:12px}
.ember-viz .legend i{display:inline-block;width:18px;height:3px;vertical-align:middle;margin-right:4px}
.ember-viz .view{overflow:auto}
.ember-viz g.node[data-opens]:hover rect{stroke-width:2.5}
"""

_SCRIPT = """
(function(){
  var root=document.getElementById("%(uid)sroot");
  var views=root.querySelectorAll("div.view");
  var crumbs=root.querySelector(".crumbs");
  function byId(id){return root.querySelector('div.view[data-view="'+id+'"]');}
  function show(id){
    views.forEach(function(v){v.hidden=(v.getAttribute("data-view")!==id);});
    var trail=[],v=byId(id);
    while(v){trail.unshift(v);v=v.getAttribute("data-parent")?byId(v.getAttribute("data-parent")):null;}
    crumbs.innerHTML="";
    trail.forEach(function(t,i){
      var s=document.createElement(i<trail.length-1?"a":"b");
      s.textContent=t.getAttribute("data-title");
      if(i<trail.length-1){s.onclick=function(){show(t.getAttribute("data-view"));};}
      crumbs.appendChild(s);
      if(i<trail.length-1){crumbs.appendChild(document.createTextNode(" \\u203a "));}
    });
  }
  root.querySelectorAll("g.node[data-opens]").forEach(function(g){
    g.addEventListener("click",function(){show(g.getAttribute("data-opens"));});
  });
  var start=location.hash.slice(1);
  show(start&&byId(start)?start:"v0");
})();
"""


def html(drawns, uid, title="ember graph", fragment=False):
    legend = "".join(f'<span><i style="background:{c}"></i>{t}</span>' for c, t in (
        (RAMP[0], "small gradient"), (RAMP[-1], "large gradient"), (BAD, "NaN/inf"), (NO_GRAD, "no gradient yet")))
    body = [f'<div class="ember-viz" id="{uid}root">',
            f'<div class="bar"><span class="crumbs"></span><span class="legend">{legend}</span>'
            '<span class="hint"> (boxes with a module open on click)</span></div>'
            if len(drawns) > 1 else f'<div class="bar"><span class="crumbs"></span><span class="legend">{legend}'
            '</span></div>']
    for d in drawns:
        parent = f' data-parent="{d.view.parent}"' if d.view.parent else ""
        body.append(f'<div class="view" data-view="{d.view.id}" data-title="{escape(d.view.title)}"{parent}'
                    f'{" hidden" if d.view.parent else ""}>{svg(d, uid)}</div>')
    body.append(f"<script>{_SCRIPT % {'uid': uid}}</script></div>")
    page = f"<style>{_STYLE}</style>" + "\n".join(body)
    if fragment:
        return page
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
            f"<body>{page}</body></html>\n")


def dot(graph):
    """Graphviz DOT text of the whole graph; module calls are clusters."""
    def q(s):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    out = ["digraph ember {", '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];']
    tree = {}  # call -> [child calls], [nodes]
    top = []
    for v in graph.nodes:
        label = "\\n".join([v.title] + shown_lines(v)).replace('"', "'")
        color = BAD if v.bad else STROKE[v.kind]
        line = f'  {v.id} [label="{label}", fillcolor="{FILL[v.kind]}", color="{color}"'
        if v.tooltip:
            line += f", tooltip={q(v.tooltip)}"
        line += "];"
        out.append(line)
        if v.scope:
            for k, call in enumerate(v.scope):
                entry = tree.setdefault(call, ([], []))
                if k == 0 and call not in top:
                    top.append(call)
                if k + 1 < len(v.scope) and v.scope[k + 1] not in entry[0]:
                    entry[0].append(v.scope[k + 1])
            tree[v.scope[-1]][1].append(v.id)

    def cluster(call, indent):
        children, ids = tree[call]
        lines = [f"{indent}subgraph cluster_m{call.index} {{", f"{indent}  label={q(call.title)};"]
        lines += [f"{indent}  {i};" for i in ids]
        for c in children:
            lines += cluster(c, indent + "  ")
        return lines + [f"{indent}}}"]

    for call in top:
        out += cluster(call, "  ")
    for e in graph.edges:
        attrs = []
        if e.grad is not None:
            attrs.append(f"label={q(e.grad.short())}")
            attrs.append(f'color="{BAD if e.grad.bad else RAMP[0]}"')
        out.append(f"  {e.src.id} -> {e.dst.id}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    out.append("}")
    return "\n".join(out) + "\n"


def text(graph):
    """The graph as an indented tree from the outputs; a node reached again is referred to by number."""
    into = {}
    for e in graph.edges:
        into.setdefault(e.dst, []).append(e)
    for edges in into.values():
        edges.sort(key=lambda e: e.slot)
    number = {}
    out = []
    stack = [(v, "", "", None) for v in reversed([v for v in graph.nodes if v.kind == "output"])]
    while stack:
        v, lead, child_lead, edge = stack.pop()
        grad = ""
        if edge is not None and edge.grad is not None:
            grad = ("  !! " if edge.grad.bad else "  <- ") + edge.grad.short()
        if v in number:
            out.append(f"{lead}^ [{number[v]}] {v.title}{grad}")
            continue
        number[v] = len(number) + 1
        info = "  ".join(v.lines)
        where = f"  @ {os.path.basename(v.line[0])}:{v.line[1]}  {v.line[3]}" if v.line else ""
        out.append(f"{lead}[{number[v]}] {v.title}  {info}{grad}{where}".rstrip())
        children = into.get(v, [])
        for k in range(len(children) - 1, -1, -1):
            last = k == len(children) - 1
            e = children[k]
            stack.append((e.src, child_lead + ("└─ " if last else "├─ "), child_lead + ("   " if last else "│  "), e))
    return "\n".join(out) + "\n"
