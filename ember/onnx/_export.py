"""torch.onnx.export: run the model once on the example inputs with the tracer installed, then
build the ModelProto with the `onnx` package (an optional dependency, imported here only)."""
import inspect
import os
import warnings

import numpy as np

from .. import autograd, random
from .._tensor import Tensor
from . import _graph, _modules
from ._symbolic import onnx_type
from .errors import OnnxExporterError

# torch.onnx._constants.ONNX_DEFAULT_OPSET in torch 2.13; ember's symbolics need opset 13 or later
# (Softmax over one axis, Squeeze/Unsqueeze axes as inputs).
ONNX_DEFAULT_OPSET = 20
ONNX_MIN_OPSET = 13

_exporting = [False]


def is_in_onnx_export():
    """Whether an ONNX export is running (torch.onnx.is_in_onnx_export)."""
    return _exporting[0]


def _import_onnx():
    try:
        import onnx
    except ImportError as e:
        raise ImportError("torch.onnx.export needs the 'onnx' package: pip install onnx "
                          "(or install ember with the 'onnx' extra)") from e
    return onnx


def _input_names(model, tensors, input_names):
    names = list(input_names or [])
    if len(names) < len(tensors):
        try:  # as torch's exporter: the forward's parameter names
            params = [p.name for p in inspect.signature(model.forward).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        except (TypeError, ValueError):
            params = []
        for i in range(len(names), len(tensors)):
            names.append(params[i] if i < len(params) and params[i] not in names else f"input_{i}")
    return names


def _dim_names(dynamic_axes, name):
    """{axis: symbol} for one input or output from dynamic_axes (dict or list form)."""
    spec = (dynamic_axes or {}).get(name)
    if spec is None:
        return {}
    if isinstance(spec, dict):
        return {int(k): str(v) for k, v in spec.items()}
    return {int(a): f"{name}_dynamic_axes_{i + 1}" for i, a in enumerate(spec)}


def _flat_outputs(out):
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat_outputs(o)]
    if isinstance(out, dict):
        return [t for o in out.values() for t in _flat_outputs(o)]
    raise TypeError(f"torch.onnx.export: the model returned {type(out).__name__}; expected Tensors")


def _run(model, args, kwargs, graph, names, recording=None):
    """Run the model once with a tracer on `graph`: (tracer, output, params {state_dict name: tensor},
    graph inputs as (name, tensor)). recording: None, or a list the tracer fills with each recorded
    op's shapes instead of translating it."""
    tracer = _graph.Tracer(graph, recording)
    params = {}
    if hasattr(model, "state_dict"):
        for name, t in model.state_dict(keep_vars=True).items():
            if isinstance(t, Tensor) and id(t) not in tracer.by_id:
                tracer.bind(t, graph.reserve(name))
                params[name] = t
    call_args, inputs, k = [], [], 0
    with autograd.enable_grad():
        for a in args:
            if isinstance(a, Tensor):
                leaf = a.detach()
                if leaf.is_floating_point() or leaf.is_complex():
                    leaf.requires_grad_()
                x = leaf.clone()  # not a leaf: in-place ops on the input stay legal
                if not x._requires_grad:
                    x._requires_grad = True  # integer inputs keep being traced through the operator fast paths
                inputs.append((tracer.bind(x, graph.reserve(names[k])), a))
                call_args.append(x)
                k += 1
            else:
                call_args.append(a)
        wrapped = _modules.wrap_modules(model, tracer) if hasattr(model, "modules") else []
        rng = random.get_rng_state()
        _graph.install(tracer)
        _exporting[0] = True
        try:
            out = model(*call_args, **(kwargs or {}))
        finally:
            _exporting[0] = False
            _graph.uninstall()
            _modules.unwrap_modules(wrapped)
    if not np.array_equal(random.get_rng_state()._data, rng._data):
        # The draws would be baked into the graph as constants (dropout's mask, say).
        raise OnnxExporterError("torch.onnx.export: the model drew random numbers while it was traced (dropout or "
                                "another random op in training mode?); call model.eval() before exporting")
    return tracer, out, params, inputs


def _probe(model, args, kwargs, names, dynamic_axes, opset):
    """The shapes of every recorded op in a run whose dynamic input dims are one larger than the
    example's (each grown by repeating its first slice): the reshapes compare their target with it to
    tell the dims that follow a dynamic one. None when that run fails (then a heuristic is used)."""
    grown, k = [], 0
    for a in args:
        if isinstance(a, Tensor):
            for axis in sorted(_dim_names(dynamic_axes, names[k])):
                a = _grow(a, axis)
            k += 1
        grown.append(a)
    shapes = []
    try:
        _run(model, grown, kwargs, _graph.Graph(opset, dynamic=True), names, recording=shapes)
    except Exception:  # the model refuses other sizes (or anything else): no probe
        return None
    return shapes


def _grow(a, axis):
    from .. import cat

    a = a.detach()
    return cat([a, a.narrow(axis, 0, 1)], axis)


def trace(model, args, kwargs, input_names, output_names, dynamic_axes, opset, export_params,
          keep_initializers_as_inputs):
    """The ONNX graph pieces of one traced run: (graph, inputs, outputs), inputs/outputs as
    (name, dtype, shape, {axis: symbol})."""
    names = _input_names(model, [a for a in args if isinstance(a, Tensor)], input_names)
    probe = _probe(model, args, kwargs, names, dynamic_axes, opset) if dynamic_axes else None
    graph = _graph.Graph(opset, dynamic=bool(dynamic_axes), probe=probe)
    tracer, out, params, bound = _run(model, args, kwargs, graph, names)
    if probe is not None and [p[0] for p in probe] != tracer.ops:
        raise OnnxExporterError("torch.onnx.export: the traced ops change with the size of a dynamic axis (a Python "
                                "loop over it, as an RNN's over time?); ember's exporter records one run, so that "
                                "axis cannot be dynamic")
    inputs = [(name, a._dtype, a.shape, _dim_names(dynamic_axes, name)) for name, a in bound]
    results = _flat_outputs(out)
    out_names = list(output_names or [])
    outputs = []
    for i, t in enumerate(results):
        name = tracer.name(t)
        want = out_names[i] if i < len(out_names) else ("output" if len(results) == 1 else f"output_{i}")
        graph.rename_or_copy(name, graph.reserve(want))
        outputs.append((want, t._dtype, t.shape, _dim_names(dynamic_axes, want)))
    used = {i for node in graph.nodes for i in node[1]}
    weights = {name: np.ascontiguousarray(t.detach()._data) for name, t in params.items() if name in used}
    graph.initializers = {**weights, **graph.initializers}  # the model's own tensors first, in state_dict order
    params_as_inputs = [n for n in params if n in graph.initializers] if (
        keep_initializers_as_inputs or not export_params) else []
    if not export_params:
        for n in params_as_inputs:
            p = graph.initializers.pop(n)
            inputs.append((n, params[n]._dtype, p.shape, {}))
    elif params_as_inputs:
        inputs += [(n, params[n]._dtype, graph.initializers[n].shape, {}) for n in params_as_inputs]
    return graph, inputs, outputs


def build_model(graph, inputs, outputs):
    onnx = _import_onnx()
    from onnx import helper, numpy_helper

    def value_info(name, dtype, shape, symbols, known=True):
        dims = [symbols.get(i, n if known else None) for i, n in enumerate(shape)]
        return helper.make_tensor_value_info(name, onnx_type(dtype), dims)

    nodes = [helper.make_node(op, ins, outs, **attrs) for op, ins, outs, attrs in graph.nodes]
    inits = [numpy_helper.from_array(np.asarray(a), name) for name, a in graph.initializers.items()]
    # Output shapes are only known for the example: with symbolic inputs, the dims not named
    # in dynamic_axes are left unknown rather than pinned to the example's sizes.
    g = helper.make_graph(nodes, "main_graph", [value_info(*i) for i in inputs],
                          [value_info(*o, known=not graph.dynamic) for o in outputs], initializer=inits)
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", graph.opset)],
                              producer_name="ember")
    model.ir_version = min(model.ir_version, 10)  # what current runtimes read
    if graph.dynamic:
        _infer_output_dims(onnx, model)
    return model


def _infer_output_dims(onnx, model):
    """Fill the output dims left unknown from ONNX shape inference (which carries the input's
    symbols through), as torch's exporter shows them: e.g. (batch, 3) rather than (?, ?)."""
    try:
        inferred = onnx.shape_inference.infer_shapes(model).graph.output
    except Exception:  # inference is a refinement: a graph it cannot follow keeps unknown dims
        return
    for out, got in zip(model.graph.output, inferred):
        dims, new = out.type.tensor_type.shape.dim, got.type.tensor_type.shape.dim
        if len(dims) != len(new):
            continue
        for d, n in zip(dims, new):
            if not d.dim_param and not d.HasField("dim_value"):
                if n.HasField("dim_value"):
                    d.dim_value = n.dim_value
                elif n.dim_param:
                    d.dim_param = n.dim_param


class ONNXProgram:
    """What torch.onnx.export returns: the ModelProto, `save`, and a call that runs it in onnxruntime."""

    def __init__(self, model_proto):
        self.model_proto = model_proto
        self._session = None

    @property
    def model(self):
        return self.model_proto

    def save(self, destination, **kwargs):
        onnx = _import_onnx()
        if isinstance(destination, (str, os.PathLike)):
            onnx.save_model(self.model_proto, os.fspath(destination))
        else:
            destination.write(self.model_proto.SerializeToString())

    def __call__(self, *args, **kwargs):
        import ember

        if self._session is None:
            import onnxruntime

            self._session = onnxruntime.InferenceSession(self.model_proto.SerializeToString(),
                                                         providers=["CPUExecutionProvider"])
        feeds = {i.name: np.asarray(a.detach().cpu()._data) for i, a in zip(self._session.get_inputs(), args)}
        return [ember.from_numpy(np.asarray(r)) for r in self._session.run(None, feeds)]

    def __repr__(self):
        return f"ONNXProgram(model_proto=<ModelProto with {len(self.model_proto.graph.node)} nodes>)"


def export(model, args=(), f=None, *, kwargs=None, verbose=None, input_names=None, output_names=None,
           opset_version=None, dynamo=True, external_data=True, dynamic_shapes=None,
           custom_translation_table=None, report=False, optimize=True, verify=False, profile=False,
           dump_exported_program=False, artifacts_dir=".", export_params=True, keep_initializers_as_inputs=False,
           dynamic_axes=None, training=None, operator_export_type=None, do_constant_folding=True,
           custom_opsets=None, export_modules_as_functions=False, autograd_inlining=True):
    _import_onnx()
    if dynamo is False:
        warnings.warn(
            "You are using the legacy TorchScript-based ONNX export. Starting in PyTorch 2.9, the new "
            "torch.export-based ONNX exporter has become the default. Learn more about the new export logic: "
            "https://docs.pytorch.org/docs/stable/onnx_export.html. For exporting control flow: "
            "https://pytorch.org/tutorials/beginner/onnx/export_control_flow_model_to_onnx_tutorial.html",
            category=DeprecationWarning, stacklevel=2)
    if dynamic_shapes is not None:
        raise NotImplementedError("torch.onnx.export: ember's exporter takes dynamic_axes, not dynamic_shapes")
    opset = ONNX_DEFAULT_OPSET if opset_version is None else int(opset_version)
    if opset < ONNX_MIN_OPSET:
        raise ValueError(f"torch.onnx.export: ember's exporter supports opset_version {ONNX_MIN_OPSET} and later, "
                         f"got {opset}")
    if isinstance(args, Tensor):
        args = (args,)
    args = tuple(args)
    if args and isinstance(args[-1], dict) and kwargs is None:  # the legacy form: trailing kwargs dict
        args, kwargs = args[:-1], args[-1]
    graph, inputs, outputs = trace(model, args, kwargs, input_names, output_names, dynamic_axes, opset,
                                   export_params, keep_initializers_as_inputs)
    program = ONNXProgram(build_model(graph, inputs, outputs))
    if verbose:
        print(program.model_proto.graph)
    if f is not None:
        program.save(f)
    return program if dynamo is not False else None  # torch's TorchScript-based path returns None
