"""Tutorial (issue 10, section 4): export a trained MLP to ONNX and run it in onnxruntime. The
model is trained a few steps, put in eval mode (its Dropout becomes the identity), exported with a
dynamic batch axis (dynamo=False: the TorchScript-based exporter that takes dynamic_axes and needs
no onnxscript), checked with onnx.checker, and run by onnxruntime on a batch of another size; the
largest difference from the model's own outputs is printed."""
import os
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch import nn

torch.manual_seed(0)
X = torch.randn(128, 10)
Y = (X[:, :5].sum(1) > X[:, 5:].sum(1)).long()
model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 2))
opt = torch.optim.Adam(model.parameters(), lr=0.01)
for step in range(30):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(X), Y)
    loss.backward()
    opt.step()
    if step % 10 == 9:
        print(f"step {step + 1} loss {loss.item():.4f}")

model.eval()
path = os.path.join(tempfile.mkdtemp(), "mlp.onnx")
torch.onnx.export(model, (X[:4],), path, input_names=["features"], output_names=["logits"],
                  dynamic_axes={"features": {0: "batch"}, "logits": {0: "batch"}}, dynamo=False)
proto = onnx.load(path)
onnx.checker.check_model(proto)
print("opset", proto.opset_import[0].version, "nodes", [n.op_type for n in proto.graph.node])
print("initializers", sorted(i.name for i in proto.graph.initializer))
dims = [d.dim_param or d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim]
print("input", proto.graph.input[0].name, dims, "output", proto.graph.output[0].name)

session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
batch = torch.randn(7, 10)
(onnx_out,) = session.run(None, {"features": batch.numpy()})
with torch.no_grad():
    ref = model(batch)
print("onnxruntime", onnx_out.shape, f"max abs diff below 1e-5: {np.abs(onnx_out - ref.numpy()).max() < 1e-5}")
print("first row", " ".join(f"{v:.4f}" for v in onnx_out[0].tolist()))
print("predictions", onnx_out.argmax(1).tolist(), "model", ref.argmax(1).tolist())
