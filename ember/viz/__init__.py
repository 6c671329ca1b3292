"""ember.viz: see the autograd graph, the gradients that flowed through it, and the op whose
gradient is wrong. No Graphviz needed: ember lays the graph out itself.

    with ember.viz.record():          # source lines, module calls, gradient hooks
        loss = loss_fn(model(x), y)
    loss.backward()
    g = ember.viz.graph(loss)          # shows itself in Jupyter (SVG / HTML)
    g.save("graph.html")              # or .svg, .dot
    print(g.text())                   # a tree for the terminal

    ember.viz.explain(fn, x)          # the first node whose backward disagrees with finite differences

    python -m ember.viz script.py     # the graph of the script's first backward(), as HTML
"""
import os
import secrets

from ._explain import explain
from ._model import Graph
from ._record import record

__all__ = ["graph", "record", "explain", "GraphView"]


class GraphView:
    """What `graph()` returns: renders on demand (SVG, HTML, DOT, text)."""

    def __init__(self, outputs, params=None, values=None, collapse="auto"):
        self.graph = Graph(outputs, params, values)
        self.collapse = collapse
        self._drawn = None
        self._uid = "g" + secrets.token_hex(3) + "-"

    def drawn(self):
        """The laid-out views (the first is the top one)."""
        if self._drawn is None:
            from ._render import Drawn
            from ._views import views

            self._drawn = [Drawn(v) for v in views(self.graph, self.collapse)]
        return self._drawn

    def svg(self):
        from ._render import svg

        return svg(self.drawn()[0], self._uid)

    def html(self, title="ember graph"):
        from ._render import html

        return html(self.drawn(), self._uid, title)

    def dot(self):
        from ._render import dot

        return dot(self.graph)

    def text(self):
        from ._render import text

        return text(self.graph)

    def _repr_svg_(self):
        return self.svg()

    def _repr_html_(self):
        from ._render import html

        return html(self.drawn(), self._uid, fragment=True)

    def save(self, path, engine=None):
        """Write .svg, .html or .dot (by extension). engine="dot" draws the SVG with Graphviz's `dot`."""
        ext = os.path.splitext(str(path))[1].lower()
        if ext == ".svg":
            text = self._dot_svg() if engine == "dot" else self.svg()
        elif ext in (".html", ".htm"):
            text = self.html()
        elif ext in (".dot", ".gv"):
            text = self.dot()
        else:
            raise ValueError(f"ember.viz: cannot save a graph as '{ext}' (use .svg, .html or .dot)")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def _dot_svg(self):
        import shutil
        import subprocess

        exe = shutil.which("dot")
        if exe is None:
            raise RuntimeError("ember.viz: engine='dot' needs Graphviz's `dot` program on PATH")
        return subprocess.run([exe, "-Tsvg"], input=self.dot(), capture_output=True, text=True, check=True).stdout

    def __repr__(self):
        ops = sum(1 for v in self.graph.nodes if v.kind == "op")
        return f"<ember.viz graph: {ops} ops, {len(self.graph.edges)} edges>"


def graph(y, params=None, values=None, collapse="auto"):
    """The graph that made `y` (a tensor or a sequence of tensors).

    params: {name: tensor} naming the leaves (default: the parameters of the modules called
    inside record(), or of the nn.Modules among the caller's variables). values: whether to show
    the forward values' statistics (default: when recorded, by record(values=True)). collapse: one box per
    module call ("auto": when more than 150 ops were recorded inside modules)."""
    return GraphView(y, params, values, collapse)
