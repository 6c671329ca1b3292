"""ember.viz's HTML as a person sees it: rendered by headless Chromium (the system's package;
`.ci/run` installs it). The DOM after the page's script ran has the nodes, edges and gradient
colours; a click on a module box opens its view; a screenshot shows the colours."""
import re
import shutil
import subprocess

import pytest

import ember
import ember.nn as enn
from ember import viz

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER = next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no headless Chromium found (apt-get install chromium); "
                                                        "the browser tests of ember.viz are skipped")
RED = "#d62728"


def browse(tmp_path, url, *flags):
    profile = tmp_path / "profile"
    cmd = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
           f"--user-data-dir={profile}", "--virtual-time-budget=3000", *flags, url]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


def nan_graph():
    """A small model whose backward makes one NaN gradient (sqrt at a negative input)."""
    ember.manual_seed(0)
    model = enn.Sequential(enn.Linear(3, 4), enn.Tanh(), enn.Linear(4, 1))
    x = ember.tensor([[1.0, -2.0, 0.5], [0.1, 0.2, 0.3]])
    s = ember.tensor([-1.0, 4.0], requires_grad=True)
    with viz.record():
        loss = (model(x).squeeze(1) * 2).sum() + s.sqrt().nan_to_num().sum()
    loss.backward()
    return viz.graph(loss, params=dict(model.named_parameters(), s=s))


def visible_view(dom):
    views = re.findall(r'<div class="view" data-view="(v\d+)"[^>]*?( hidden(="")?)?>', dom)
    shown = [v for v, hidden, _ in views if not hidden]
    assert len(shown) == 1, views
    return shown[0]


def test_dom_has_nodes_edges_and_gradient_colours(tmp_path):
    g = nan_graph()
    page = g.save(tmp_path / "graph.html")
    dom = browse(tmp_path, page.as_uri(), "--dump-dom")
    assert visible_view(dom) == "v0"
    assert "<b>graph</b>" in dom  # the script ran: it wrote the breadcrumb
    view = g.drawn()[0].view
    assert len(re.findall(r'<g class="node ', dom)) == len(view.nodes)
    assert len(re.findall(r'<g class="edge[ "]', dom)) == len(view.edges)
    for v in view.nodes:
        assert f">{v.title}</text>" in dom
    # gradients: the NaN one in red, the others on the blue-orange ramp, with their numbers
    assert re.search(r'<g class="edge bad"[^>]*><path [^>]*stroke="' + RED, dom)
    assert len(re.findall(r'<g class="edge grad"', dom)) >= 8
    assert ">NaN</tspan>" in dom and re.search(r">\|g\|=[0-9.e+-]+</tspan>", dom)


def test_click_on_a_module_box_opens_it(tmp_path):
    ember.manual_seed(0)
    inner = enn.Sequential(enn.Linear(4, 4), enn.ReLU())
    model = enn.Sequential(inner, enn.Linear(4, 4), enn.ReLU(), enn.Linear(4, 1))
    with viz.record():
        loss = model(ember.randn(2, 4)).sum()
    loss.backward()
    g = viz.graph(loss, collapse=True)
    box = [v for v in g.drawn()[0].view.nodes if v.kind == "module"][0]
    html = g.html()
    click = ("<script>document.querySelector('g.node[data-opens=\"%s\"]')"
             ".dispatchEvent(new MouseEvent('click', {bubbles: true}));</script>" % box.members)
    page = tmp_path / "click.html"
    page.write_text(html.replace("</body>", click + "</body>"))
    dom = browse(tmp_path, page.as_uri(), "--dump-dom")
    assert visible_view(dom) == box.members
    assert re.search(r'<a>graph</a> › <b>' + re.escape(box.title) + "</b>", dom)
    # a view can also be opened from the address (#v1)
    dom = browse(tmp_path, (tmp_path / "click.html").as_uri() + "#" + box.members, "--dump-dom")
    assert visible_view(dom) == box.members


def test_screenshot_shows_boxes_and_gradient_colours(tmp_path):
    from PIL import Image

    shot = tmp_path / "shot.png"
    page = nan_graph().save(tmp_path / "graph.html")
    browse(tmp_path, page.as_uri(), f"--screenshot={shot}", "--window-size=700,1300", "--hide-scrollbars")
    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    counts = {}
    for n, rgb in colours:
        counts[rgb] = counts.get(rgb, 0) + n

    def pixels(hex_colour, tol=12):
        want = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        return sum(n for rgb, n in counts.items() if all(abs(a - b) <= tol for a, b in zip(rgb, want)))

    from ember.viz._render import FILL, RAMP

    assert pixels(FILL["op"]) > 2000 and pixels(FILL["leaf"]) > 1000  # op and parameter boxes
    assert pixels(RED) > 30  # the NaN edge
    assert sum(pixels(c) > 20 for c in RAMP) >= 2  # gradients of different sizes

