"""ember's SummaryWriter read back by the real tensorboard package (EventAccumulator and the plugins'
own parsers), compared with what torch's SummaryWriter writes for the same calls."""
import io
import os

import numpy as np
import pytest
import torch
from google.protobuf import text_format
from PIL import Image
from tensorboard.backend import process_graph
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import metadata as hparams_metadata
from tensorboard.plugins.pr_curve import metadata as pr_metadata
from tensorboard.plugins.projector import projector_config_pb2
from tensorboard.util import tensor_util
from torch.utils.tensorboard import SummaryWriter as TorchWriter

import ember
from ember.utils.tensorboard import SummaryWriter

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def both(tmp_path, log):
    """Run log(writer, lib) with ember's writer and torch's; the two log dirs, read back."""
    dirs = []
    for name, writer_cls, lib in (("ember", SummaryWriter, ember), ("torch", TorchWriter, torch)):
        d = str(tmp_path / name)
        with writer_cls(d) as w:
            log(w, lib)
        dirs.append(d)
    return dirs


def accumulate(d):
    acc = EventAccumulator(d, size_guidance={"images": 0, "tensors": 0, "scalars": 0})
    acc.Reload()
    return acc


def pixels(encoded):
    return np.asarray(Image.open(io.BytesIO(encoded)).convert("RGB"))


def test_images_and_figures(tmp_path):
    rng = np.random.default_rng(0)
    chw = rng.uniform(0, 1, (3, 5, 7)).astype(np.float32)
    nchw = rng.uniform(0, 1, (10, 1, 4, 6)).astype(np.float32)
    hwc8 = rng.integers(0, 256, (6, 4, 3), dtype=np.uint8)
    hw = rng.uniform(0, 1, (3, 9)).astype(np.float64)

    def fig():
        import matplotlib.pyplot as plt

        f = plt.figure(figsize=(2, 1.5), dpi=50)
        plt.plot([0, 1, 2], [2, 0, 1])
        return f

    def log(w, lib):
        w.add_image("chw", lib.tensor(chw), 1)
        w.add_images("batch", lib.tensor(nchw), 2)
        w.add_image("hwc8", lib.tensor(hwc8), 3, dataformats="HWC")
        w.add_image("hw", lib.tensor(hw), 4, dataformats="HW")
        w.add_figure("figure", fig(), 5)
        w.add_figure("figures", [fig(), fig()], 6)

    e, t = map(accumulate, both(tmp_path, log))
    assert sorted(e.Tags()["images"]) == sorted(t.Tags()["images"]) == sorted(
        ["chw", "batch", "hwc8", "hw", "figure", "figures"])
    for tag in e.Tags()["images"]:
        (ei,), (ti,) = e.Images(tag), t.Images(tag)
        assert (ei.step, ei.width, ei.height) == (ti.step, ti.width, ti.height), tag
        np.testing.assert_array_equal(pixels(ei.encoded_image_string), pixels(ti.encoded_image_string), tag)


def test_text_and_pr_curve(tmp_path):
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 50)
    preds = rng.uniform(0, 1, 50)

    def log(w, lib):
        w.add_text("note", "hello **world**", 3)
        w.add_pr_curve("pr", lib.tensor(labels), lib.tensor(preds), 7, num_thresholds=20)
        w.add_pr_curve("pr_default", labels, preds, 8)

    e, t = map(accumulate, both(tmp_path, log))
    (ev,), (tv,) = e.Tensors("note/text_summary"), t.Tensors("note/text_summary")
    assert ev.step == 3 and tensor_util.make_ndarray(ev.tensor_proto).tolist() == [b"hello **world**"]
    assert tensor_util.make_ndarray(tv.tensor_proto).tolist() == [b"hello **world**"]
    assert e.SummaryMetadata("note/text_summary").plugin_data.plugin_name == "text"
    for tag in ("pr", "pr_default"):
        (ev,), (tv,) = e.Tensors(tag), t.Tensors(tag)
        assert ev.step == tv.step
        np.testing.assert_allclose(tensor_util.make_ndarray(ev.tensor_proto),
                                   tensor_util.make_ndarray(tv.tensor_proto), rtol=1e-6)
        em, tm = e.SummaryMetadata(tag), t.SummaryMetadata(tag)
        assert em.plugin_data.plugin_name == tm.plugin_data.plugin_name == "pr_curves"
        assert (pr_metadata.parse_plugin_metadata(em.plugin_data.content)
                == pr_metadata.parse_plugin_metadata(tm.plugin_data.content))


def test_hparams(tmp_path):
    hp = {"lr": 0.1, "layers": 3, "opt": "adam", "flag": True}
    domain = {"opt": ["adam", "sgd"], "layers": [1, 3]}

    def log(w, lib):
        w.add_hparams(hp, {"hparam/acc": 0.75, "hparam/loss": 0.5}, domain, run_name="run1", global_step=2)

    e_dir, t_dir = both(tmp_path, log)
    e, t = accumulate(os.path.join(e_dir, "run1")), accumulate(os.path.join(t_dir, "run1"))
    for tag, parse in (("_hparams_/experiment", hparams_metadata.parse_experiment_plugin_data),
                       ("_hparams_/session_start_info", hparams_metadata.parse_session_start_info_plugin_data),
                       ("_hparams_/session_end_info", hparams_metadata.parse_session_end_info_plugin_data)):
        em, tm = e.SummaryMetadata(tag), t.SummaryMetadata(tag)
        assert em.plugin_data.plugin_name == "hparams"
        assert parse(em.plugin_data.content) == parse(tm.plugin_data.content), tag
    assert [s.value for s in e.Scalars("hparam/acc")] == [0.75] and e.Scalars("hparam/loss")[0].step == 2
    with pytest.raises(TypeError, match="hparam_dict and metric_dict should be dictionary"):
        SummaryWriter(str(tmp_path / "x")).add_hparams([1], {})


class Net(ember.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = ember.nn.Linear(4, 3)
        self.out = ember.nn.Linear(3, 2)

    def forward(self, x):
        return self.out(self.fc(x).relu())


def test_graph(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        w.add_graph(Net(), ember.randn(5, 4))
    graph = accumulate(str(tmp_path)).Graph()
    nodes = {n.name: n for n in graph.node}
    for p in ("fc.weight", "fc.bias", "out.weight", "out.bias"):
        assert f"Net/{p}" in nodes
    assert "input/input.0" in nodes and nodes["input/input.0"].op == "IO Node"
    assert sorted(n.op for n in graph.node if n.op.startswith("aten::")) == ["aten::addmm", "aten::addmm",
                                                                            "aten::relu"]
    for n in graph.node:  # every edge names a node of the graph
        for i in n.input:
            assert i in nodes, (n.name, i)
    (out,) = [n for n in graph.node if n.name.startswith("output/")]
    last = nodes[out.input[0]]  # out(relu(fc(x))): addmm(out.bias, relu(addmm(fc.bias, x, fc.weight)), out.weight)
    assert last.op == "aten::addmm" and {"Net/out.weight", "Net/out.bias"} <= set(last.input)
    (relu,) = [nodes[i] for i in last.input if nodes[i].op == "aten::relu"]
    first = nodes[relu.input[0]]
    assert first.op == "aten::addmm" and {"Net/fc.weight", "Net/fc.bias", "input/input.0"} == set(first.input)
    # what the Graphs tab's backend does with it before sending it to the page
    process_graph.prepare_graph_for_ui(graph)
    assert 'name: "Net/fc.weight"' in text_format.MessageToString(graph)


def test_embedding(tmp_path):
    rng = np.random.default_rng(2)
    mat = rng.normal(size=(5, 3)).astype(np.float32)
    labels = ["a", "b", "c", "d", "e"]
    imgs = rng.uniform(0, 1, (5, 3, 4, 4)).astype(np.float32)

    def log(w, lib):
        w.add_embedding(lib.tensor(mat), metadata=labels, label_img=lib.tensor(imgs), global_step=3, tag="feat/x")
        w.add_embedding(lib.tensor(mat[:, :2]), metadata=[[1, "p"], [2, "q"], [3, "r"], [4, "s"], [5, "t"]],
                        metadata_header=["id", "name"])

    e_dir, t_dir = both(tmp_path, log)

    def config(d):
        return text_format.Parse(open(os.path.join(d, "projector_config.pbtxt")).read(),
                                 projector_config_pb2.ProjectorConfig())

    ec, tc = config(e_dir), config(t_dir)
    assert ec == tc and len(ec.embeddings) == 2
    for emb in ec.embeddings:
        for path in (emb.tensor_path, emb.metadata_path):
            a, b = open(os.path.join(e_dir, path)).read(), open(os.path.join(t_dir, path)).read()
            assert a == b, path
    sprite = ec.embeddings[0].sprite.image_path
    np.testing.assert_array_equal(pixels(open(os.path.join(e_dir, sprite), "rb").read()),
                                  pixels(open(os.path.join(t_dir, sprite), "rb").read()))
