"""ember.viz: the graph drawn (SVG/HTML/DOT/text), its labels checked against torch's graph,
the gradients on its edges against torch's gradients, explain() on wrong custom Functions,
and `python -m ember.viz script.py`."""
import math
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import torch

import ember
import ember.nn as enn
import ember.nn.functional as EF
from ember import viz

SVG = "{http://www.w3.org/2000/svg}"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# -- models built the same way in ember and torch ----------------------------------------------
def mlp(m, seed=0):
    g = np.random.RandomState(seed)
    model = m.nn.Sequential(m.nn.Linear(4, 8), m.nn.Tanh(), m.nn.Linear(8, 2))
    with m.no_grad():
        for p in model.parameters():
            p.copy_(m.tensor(g.standard_normal(tuple(p.shape)).astype(np.float32)))
    x = m.tensor(g.standard_normal((5, 4)).astype(np.float32))
    t = m.tensor(g.standard_normal((5, 2)).astype(np.float32))
    return model, x, t


def mlp_loss(m, model, x, t):
    return m.nn.functional.mse_loss(model(x), t)


def torch_names(y):
    """Node names of torch's graph, in a traversal from the output (the oracle for labels)."""
    names, seen, stack = [], set(), [y.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        names.append(fn.name())
        stack.extend(f for f, _ in fn.next_functions)
    return sorted(names)


def recorded_mlp():
    model, x, t = mlp(ember)
    with viz.record():
        loss = mlp_loss(ember, model, x, t)
    loss.backward()
    return model, loss


def boxes(svg_text):
    """(x, y, w, h, kind) of every node's main box, and the canvas size."""
    root = ET.fromstring(svg_text)
    width, height = float(root.get("width")), float(root.get("height"))
    out = []
    for g in root.iter(SVG + "g"):
        if "node" in (g.get("class") or "").split():
            rect = [r for r in g.findall(SVG + "rect") if r.get("class") != "behind"][0]
            out.append((float(rect.get("x")), float(rect.get("y")), float(rect.get("width")),
                        float(rect.get("height")), g.get("data-kind")))
    return out, width, height


def assert_clean_layout(svg_text):
    found, width, height = boxes(svg_text)
    assert found
    for x, y, w, h, _ in found:
        assert 0 <= x and x + w <= width and 0 <= y and y + h <= height, (x, y, w, h, width, height)
    found.sort()
    for i, (x, y, w, h, _) in enumerate(found):
        for x2, y2, w2, h2, _ in found[i + 1:]:
            if x2 >= x + w:
                break
            assert y2 >= y + h or y >= y2 + h2, f"boxes overlap: {(x, y, w, h)} {(x2, y2, w2, h2)}"
    return found


# -- the picture ---------------------------------------------------------------------------------
def test_svg_parses_boxes_inside_canvas_and_apart():
    model, loss = recorded_mlp()
    found = assert_clean_layout(viz.graph(loss).svg())
    kinds = [k for *_, k in found]
    assert kinds.count("leaf") == 4 and kinds.count("output") == 1


def test_node_labels_are_torch_names_shapes_dtypes_saved_and_lines():
    model, loss = recorded_mlp()
    tmodel, tx, tt = mlp(torch)
    tloss = mlp_loss(torch, tmodel, tx, tt)
    g = viz.graph(loss)
    ops = sorted(v.title for v in g.graph.nodes if v.kind == "op")
    assert ops == sorted(n for n in torch_names(tloss) if "AccumulateGrad" not in n)
    # leaves carry the parameter names (found from the module called while recording)
    leaves = sorted(v.title for v in g.graph.nodes if v.kind == "leaf")
    assert leaves == sorted(n for n, _ in tmodel.named_parameters())
    by_title = {v.title: v for v in g.graph.nodes}
    assert by_title["TanhBackward0"].lines[0] == "(5, 8) float32"
    assert any(line.startswith("saved result: (5, 8) 160 B") for line in by_title["TanhBackward0"].lines)
    assert by_title["MseLossBackward0"].lines[0] == "() float32"
    assert by_title["0.weight"].lines == ["(8, 4) float32"]
    # every op knows the line that made it: this file, in mlp_loss
    for v in g.graph.nodes:
        if v.kind == "op":
            assert os.path.basename(v.line[0]) == "test_viz.py" and v.line[2] in ("mlp_loss", "recorded_mlp")
    assert "mse_loss(model(x), t)" in by_title["MseLossBackward0"].line[3]
    svg = g.svg()
    for text in ("MseLossBackward0", "2.weight", "(5, 8) float32", "saved result: (5, 8) 160 B", "@ test_viz.py:"):
        assert text in svg


def test_params_argument_names_leaves():
    model, x, t = mlp(ember)
    loss = mlp_loss(ember, model, x, t)
    g = viz.graph(loss, params={"first": model[0].weight, "last": model[2].bias})
    leaves = {v.title for v in g.graph.nodes if v.kind == "leaf"}
    assert leaves == {"first", "last", "leaf"}


def test_two_models_name_their_parameters_apart():
    class Generator(enn.Linear):
        pass

    class Critic(enn.Linear):
        pass

    gen, critic = Generator(2, 3), Critic(3, 1)
    with viz.record():
        score = critic(gen(ember.randn(4, 2))).mean()
    leaves = {v.title for v in viz.graph(score).graph.nodes if v.kind == "leaf"}
    assert leaves == {"Generator.weight", "Generator.bias", "Critic.weight", "Critic.bias"}


def test_outside_record_nothing_is_kept_and_the_graph_still_draws():
    model, x, t = mlp(ember)
    loss = mlp_loss(ember, model, x, t)
    assert not hasattr(loss.grad_fn, "_viz")
    assert not ember.autograd.anomaly_mode.anomaly_state.tracing
    g = viz.graph(loss)
    # names come from the module among the caller's variables; shapes from what the nodes know
    assert {v.title for v in g.graph.nodes if v.kind == "leaf"} == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert all(v.line is None for v in g.graph.nodes)
    shapes = {v.title: v.lines[:1] for v in g.graph.nodes}
    assert shapes["TanhBackward0"] == ["(5, 8) float32"] and shapes["MseLossBackward0"] == ["() float32"]
    assert_clean_layout(g.svg())


def test_record_turns_tracing_off_again_even_after_an_error():
    state = ember.autograd.anomaly_mode.anomaly_state
    with pytest.raises(ZeroDivisionError):
        with viz.record():
            assert state.tracing
            1 / 0
    assert not state.tracing and state.recorders == ()
    with ember.autograd.set_detect_anomaly(True):
        with viz.record():
            pass
        assert state.tracing  # anomaly mode still wants the traces
    assert not state.tracing


def test_anomaly_mode_gives_source_lines():
    x = ember.ones(3, requires_grad=True)
    with ember.autograd.set_detect_anomaly(True):
        y = (x * 2).sum()
    assert not ember.autograd.anomaly_mode.anomaly_state.tracing
    v = {n.title: n for n in viz.graph(y).graph.nodes}["MulBackward0"]
    assert v.line[3] == "y = (x * 2).sum()"


def test_edges_carry_torchs_gradients():
    model, loss = recorded_mlp()
    tmodel, tx, tt = mlp(torch)
    mlp_loss(torch, tmodel, tx, tt).backward()
    tgrads = dict(tmodel.named_parameters())
    g = viz.graph(loss)
    seen = 0
    for e in g.graph.edges:
        if e.src.kind == "leaf" and e.src.title.endswith("bias"):
            tg = tgrads[e.src.title].grad
            assert math.isclose(e.grad.norm, float(tg.norm()), rel_tol=1e-5)
            assert math.isclose(e.grad.max_abs, float(tg.abs().max()), rel_tol=1e-5)
            seen += 1
    assert seen == 2
    # the weights reach their AddmmBackward0 through TBackward0: that edge carries weight.grad
    for e in g.graph.edges:
        if e.src.kind == "leaf" and e.src.title.endswith("weight"):
            assert math.isclose(e.grad.norm, float(tgrads[e.src.title].grad.norm()), rel_tol=1e-5)
    out_edge = [e for e in g.graph.edges if e.dst.kind == "output"][0]
    assert out_edge.grad.norm == 1.0
    svg = g.svg()
    assert f"|g|={out_edge.grad.norm:.3g}" in svg and 'class="edge grad"' in svg


def test_nan_gradient_flagged_red():
    x = ember.tensor([1.0, -1.0, 4.0], requires_grad=True)
    with viz.record():
        y = (x.sqrt() * 3).sum()
    y.backward()
    g = viz.graph(y, params={"x": x})
    bad = [e for e in g.graph.edges if e.grad is not None and e.grad.bad]
    assert [e.src.title for e in bad] == ["x"] and bad[0].grad.nan
    svg = g.svg()
    root = ET.fromstring(svg)
    red = [el for el in root.iter(SVG + "g") if el.get("class") == "edge bad"]
    assert len(red) == 1 and red[0].find(SVG + "path").get("stroke") == "#d62728"
    assert "NaN" in red[0].find(SVG + "text").itertext().__next__()
    assert "x" in g.text() and "!! NaN" in g.text()


def test_gradient_statistics():
    from ember.viz._record import Stats

    s = Stats(np.array([[3.0, -4.0]], dtype=np.float32))
    assert (s.norm, s.max_abs, s.nan, s.inf, s.bad) == (5.0, 4.0, False, False, False)
    s = Stats(np.array([1.0, -3.0, np.nan, -np.inf]), mean=True)
    assert (s.norm, s.max_abs, s.nan, s.inf, s.bad) == (math.sqrt(10), 3.0, True, True, True)
    assert s.short() == "NaN inf |g|=3.16 max=3"
    assert Stats(np.array([3 + 4j])).norm == 5.0 and Stats(np.zeros((0, 3))).norm == 0.0


def test_values_option_shows_forward_statistics():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with viz.record(values=True):
        y = (x * 2).exp().sum()
    v = {n.title: n for n in viz.graph(y).graph.nodes}["MulBackward0"]
    assert "mean=4 max|x|=6" in v.lines
    assert not any("mean=" in line for n in viz.graph(y, values=False).graph.nodes for line in n.lines)
    with viz.record():
        z = (x * 2).exp().sum()
    assert not any("mean=" in line for n in viz.graph(z, values=True).graph.nodes for line in n.lines)


def test_multi_output_nodes_show_every_output():
    x = ember.arange(6.0, requires_grad=True)
    with viz.record():
        a, b = x.split([2, 4])
        y = a.sum() + b.prod()
    y.backward()
    v = {n.title: n for n in viz.graph(y).graph.nodes}["SplitWithSizesBackward0"]
    assert v.lines[0] == "(2,) float32 (4,) float32"


def test_text_tree():
    model, loss = recorded_mlp()
    text = viz.graph(loss).text()
    lines = text.splitlines()
    assert lines[0] == "[1] output  () float32"
    assert lines[1].startswith("└─ [2] MseLossBackward0  () float32  saved self: (5, 2) 40 B  saved target: (5, 2) "
                               "40 B  <- |g|=1 max=1  @ test_viz.py:")
    assert "mse_loss(model(x), t)" in lines[1]
    for name in ("AddmmBackward0", "TanhBackward0", "TBackward0", "0.weight", "2.bias"):
        assert name in text
    # a value used twice is printed once, then referred to by number
    x = ember.ones(2, requires_grad=True)
    with viz.record():
        h = x.exp()
        y = (h * h).sum()
    y.backward()
    text = viz.graph(y, params={"x": x}).text()
    assert re.search(r"\^ \[\d+\] ExpBackward0  <- ", text), text
    assert text.count("ExpBackward0") == 2


def test_dot_output(tmp_path):
    model, loss = recorded_mlp()
    g = viz.graph(loss)
    path = g.save(tmp_path / "g.dot")
    text = path.read_text()
    assert text.startswith("digraph ember {") and text.rstrip().endswith("}")
    declared = set(re.findall(r"^\s+(\w+) \[label=", text, re.M))
    edges = re.findall(r"^\s+(\w+) -> (\w+)", text, re.M)
    assert declared == {v.id for v in g.graph.nodes}
    assert len(edges) == len(g.graph.edges) and all(a in declared and b in declared for a, b in edges)
    assert 'label="TanhBackward0\\n(5, 8) float32' in text
    assert re.search(r'subgraph cluster_m\d+ \{\s+label="Sequential";', text)
    assert 'label="|g|=1 max=1"' in text


def test_save_by_extension(tmp_path):
    model, loss = recorded_mlp()
    g = viz.graph(loss)
    ET.parse(g.save(tmp_path / "g.svg"))
    html = g.save(tmp_path / "g.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "<script>" in html
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")  # no external resources
    assert g._repr_svg_().startswith("<svg") and "<svg" in g._repr_html_()
    with pytest.raises(ValueError, match="cannot save a graph as '.png'"):
        g.save(tmp_path / "g.png")


# -- large graphs ------------------------------------------------------------------------------
class Attn(enn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.c_attn, self.c_proj, self.heads = enn.Linear(d, 3 * d), enn.Linear(d, d), heads

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = (z.view(B, T, self.heads, C // self.heads).transpose(1, 2) for z in self.c_attn(x).split(C, 2))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // self.heads)
        att = att.masked_fill(ember.ones(T, T).tril() == 0, float("-inf")).softmax(-1)
        return self.c_proj((att @ v).transpose(1, 2).contiguous().view(B, T, C))


class Block(enn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln_1, self.attn, self.ln_2 = enn.LayerNorm(d), Attn(d, heads), enn.LayerNorm(d)
        self.mlp = enn.Sequential(enn.Linear(d, 4 * d), enn.GELU(), enn.Linear(4 * d, d))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(enn.Module):
    def __init__(self, vocab=50, T=8, d=16, heads=2, layers=4):
        super().__init__()
        self.wte, self.wpe = enn.Embedding(vocab, d), enn.Embedding(T, d)
        self.h = enn.ModuleList([Block(d, heads) for _ in range(layers)])
        self.ln_f, self.lm_head = enn.LayerNorm(d), enn.Linear(d, vocab, bias=False)

    def forward(self, idx, targets):
        x = self.wte(idx) + self.wpe(ember.arange(idx.shape[1]))
        for block in self.h:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        return EF.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))


def gpt_step(layers):
    ember.manual_seed(0)
    model = GPT(layers=layers)
    idx, targets = ember.randint(0, 50, (2, 8)), ember.randint(0, 50, (2, 8))
    with viz.record():
        loss = model(idx, targets)
    loss.backward()
    return loss


def test_modules_collapse_and_repeated_blocks_group():
    g = viz.graph(gpt_step(3), collapse=True)
    drawn = g.drawn()
    top = drawn[0].view
    titles = [v.title for v in top.nodes]
    # the model called once is opened; its blocks form one group; the loss ops stay visible
    assert "h.0 … h.2: Block ×3" in titles and "wte: Embedding" in titles and "NllLossBackward0" in titles
    group = [v for v in top.nodes if v.kind == "group"][0]
    inside = [d.view for d in drawn if d.view.id == group.members][0]
    assert [v.title for v in inside.nodes if v.kind == "module"] == ["h.0: Block", "h.1: Block", "h.2: Block"]
    block = [d.view for d in drawn if d.view.title == "h.1: Block"][0]
    assert {v.title for v in block.nodes if v.kind == "module"} == {"h.1.ln_1: LayerNorm", "h.1.attn: Attn",
                                                                    "h.1.ln_2: LayerNorm", "h.1.mlp: Sequential"}
    assert sum(v.kind == "port" and v.title.startswith("from") for v in block.nodes) == 1
    for d in drawn:
        assert_clean_layout(__import__("ember.viz._render", fromlist=["svg"]).svg(d))
    html = g.html()
    assert html.count('<div class="view"') == len(drawn) and html.count(' hidden>') == len(drawn) - 1


def test_gpt_step_of_thousands_of_nodes_renders_in_seconds():
    loss = gpt_step(50)
    start = time.perf_counter()
    g = viz.graph(loss)
    n = len(g.graph.nodes)
    html = g.html()
    flat = viz.graph(loss, collapse=False).svg()
    elapsed = time.perf_counter() - start
    assert n > 2000
    assert elapsed < 15, elapsed  # ~3 s on one core
    assert "h.0 … h.49: Block ×50" in html
    assert_clean_layout(flat)


# -- explain -------------------------------------------------------------------------------------
class BadSquare(ember.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.square()

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * x  # wrong: 2 * g * x


class GoodSquare(BadSquare):
    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 2 * g * x


class BadSecondInput(ember.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * b  # the second is wrong: g * a


def test_explain_names_the_wrong_function_inside_a_larger_graph():
    def fn(a, b):
        h = ember.tanh(a @ b)
        s = BadSquare.apply(h)
        return (s.sin() + h.exp()).sum(dim=1)

    a, b = ember.randn(3, 4), ember.randn(4, 2)
    report = viz.explain(fn, a, b)
    assert report and report.op == "BadSquareBackward"
    assert report.line[3] == "s = BadSquare.apply(h)"
    assert report.input_shapes == [(3, 2)] and report.output_shapes == [(3, 2)]
    assert "BadSquareBackward (made at test_viz.py:" in str(report)


def test_explain_tells_apart_the_users_of_one_value():
    def fn(a):
        h = a.tanh()
        good = GoodSquare.apply(h)  # made first: the right one of two custom Functions using h
        bad = BadSquare.apply(h)
        return good * 3 + bad.sin() + h

    report = viz.explain(fn, ember.randn(5))
    assert report.op == "BadSquareBackward" and report.line[3] == "bad = BadSquare.apply(h)"
    assert sorted(n.name() for n in report.also) == ["AddBackward0", "GoodSquareBackward"]


def test_explain_second_input_and_module():
    class Net(enn.Module):
        def __init__(self):
            super().__init__()
            self.lin = enn.Linear(3, 3)

        def forward(self, x, w):
            y = self.lin(x).relu()
            return BadSecondInput.apply(y, w).logsumexp(0)

    report = viz.explain(Net(), ember.randn(4, 3), ember.randn(4, 3))
    assert report.op == "BadSecondInputBackward" and report.input_shapes == [(4, 3), (4, 3)]


def test_explain_reports_none_for_correct_graphs():
    def fn(a, b):
        h = ember.tanh(a @ b)
        return (GoodSquare.apply(h).sin() + h.exp()).softmax(-1)

    report = viz.explain(fn, ember.randn(3, 4), ember.randn(4, 2))
    assert not report and report.node is None and report.checked >= 6
    assert str(report).startswith(f"ember.viz.explain: the backward of all {report.checked} checked nodes agrees")
    model = enn.Sequential(enn.Linear(4, 6), enn.GELU(), enn.LayerNorm(6), enn.Linear(6, 1), enn.ReLU(inplace=True))
    assert not viz.explain(model, ember.randn(5, 4))


# -- the command line, lazy loading ------------------------------------------------------------
SCRIPT = """
import sys
import torch
import torch.nn as nn
model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x, y = torch.randn(8, 3), torch.randn(8, 1)
for step in range(3):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
print("args", sys.argv[1:], torch.__name__)
"""


def run_cli(*args, cwd):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "ember.viz", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=120)


def test_cli_writes_the_first_backward_graph(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    r = run_cli(str(script), "--lr", "3", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "args ['--lr', '3'] ember" in r.stdout
    html = (tmp_path / "train.graph.html").read_text()
    assert "MseLossBackward0" in html and "0.weight" in html and "train.py:10" in html and "|g|=1" in html
    assert "mean=" not in html
    r = run_cli("-o", str(tmp_path / "mine.html"), "--values", str(script), cwd=tmp_path)
    assert r.returncode == 0 and "mean=" in (tmp_path / "mine.html").read_text()
    (tmp_path / "nobackward.py").write_text("import torch\nprint(torch.ones(2) * 2)\n")
    r = run_cli(str(tmp_path / "nobackward.py"), cwd=tmp_path)
    assert r.returncode == 1 and "made no backward() call" in r.stderr


def test_viz_is_loaded_lazily():
    code = "import sys, ember; print('ember.viz' in sys.modules); ember.viz; print('ember.viz' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.stdout.split() == ["False", "True"], r.stderr


# -- the layout itself ---------------------------------------------------------------------------
def random_dag(seed, n=40):
    g = np.random.RandomState(seed)
    sizes = [(float(g.randint(40, 200)), float(g.randint(20, 60))) for _ in range(n)]
    edges = [(int(a), int(b)) for a, b in g.randint(0, n, (2 * n, 2)) if a < b]
    return sizes, edges


@pytest.mark.parametrize("seed", range(8))
def test_layout_keeps_boxes_apart_and_edges_downwards(seed):
    from ember.viz._layout import layout

    sizes, edges = random_dag(seed)
    edges.append((7, 3))  # an edge against the index order (these seeds make no cycle with it)
    L = layout(sizes, edges)
    rects = [(x - w / 2, y, w, h) for x, y, (w, h) in zip(L.x, L.y, sizes)]
    for i, (x, y, w, h) in enumerate(rects):
        assert 0 <= x and x + w <= L.width and 0 <= y and y + h <= L.height
        for x2, y2, w2, h2 in rects[i + 1:]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y
    for (s, d), pts in zip(edges, L.routes):
        assert pts[0] == (L.x[s], L.y[s] + sizes[s][1]) and pts[-1] == (L.x[d], L.y[d])
        assert all(b[1] >= a[1] for a, b in zip(pts, pts[1:]))  # data flows down


def test_layout_breaks_cycles_and_removes_avoidable_crossings():
    from ember.viz._layout import _crossings, layout

    # two sources each feeding the sink on the far side: the barycenter order uncrosses them
    sizes = [(50.0, 20.0)] * 4
    L = layout(sizes, [(0, 3), (1, 2)])
    assert (L.x[0] < L.x[1]) == (L.x[3] < L.x[2])
    assert _crossings([[0, 1], [2, 3]], [[3], [2], [], []], {0: 0, 1: 1, 2: 0, 3: 1}) == 1
    # a cycle (possible between module boxes) is drawn, one edge pointing up
    L = layout(sizes[:3], [(0, 1), (1, 2), (2, 0)])
    assert len({round(y) for y in L.y}) == 3 and all(len(r) >= 2 for r in L.routes)


@pytest.mark.skipif(not __import__("shutil").which("dot"), reason="Graphviz's `dot` is not installed")
def test_dot_text_is_valid_graphviz_and_engine_dot_draws_it(tmp_path):
    g = viz.graph(gpt_step(2))
    r = subprocess.run(["dot", "-Tplain"], input=g.dot(), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and not r.stderr, r.stderr
    nodes = [line.split()[1] for line in r.stdout.splitlines() if line.startswith("node ")]
    assert sorted(nodes) == sorted(v.id for v in g.graph.nodes)
    root = ET.parse(g.save(tmp_path / "g.svg", engine="dot")).getroot()
    assert root.tag == SVG + "svg" and "NllLossBackward0" in ET.tostring(root, encoding="unicode")
