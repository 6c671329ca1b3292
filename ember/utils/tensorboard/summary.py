"""Summaries for TensorBoard's image, text, PR-curve and hparams plugins (torch.utils.tensorboard.summary),
encoded by hand like writer.py's: field numbers from tensorflow/core/framework/{summary,tensor}.proto and
tensorboard/plugins/{pr_curve,text,hparams}/*.proto. Images are PNG-encoded here (zlib only)."""
import struct
import zlib

import numpy as np

from .writer import _f_bytes, _f_double, _f_int, _summary, _to_numpy

__all__ = ["image", "make_image", "text", "pr_curve", "compute_curve", "hparams", "convert_to_HWC", "make_grid",
           "figure_to_image"]

_VALUE_TAG, _VALUE_IMAGE, _VALUE_TENSOR, _VALUE_METADATA = 1, 4, 8, 9
_DT_FLOAT, _DT_STRING = 1, 7


def _metadata(plugin_name, content=b""):
    """SummaryMetadata { plugin_data { plugin_name = 1; content = 2 } }."""
    return _f_bytes(1, _f_bytes(1, plugin_name) + (_f_bytes(2, content) if content else b""))


def _shape(dims):
    """TensorShapeProto { repeated Dim dim = 2 { int64 size = 1 } }."""
    return b"".join(_f_bytes(2, _f_int(1, d)) for d in dims)


# -- images --------------------------------------------------------------------------------------------------
def _png(hwc):
    """PNG bytes of an (H, W, C) uint8 image, C in 1 (grey), 3 (RGB) or 4 (RGBA)."""
    h, w, c = hwc.shape
    color = {1: 0, 3: 2, 4: 6}[c]
    raw = b"".join(b"\x00" + hwc[y].tobytes() for y in range(h))  # filter type 0 on each row

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def make_grid(I, ncols=8):
    """A batch (N, C, H, W) laid out as one (C, H*rows, W*cols) image, as torch's tensorboard does."""
    if I.shape[1] == 1:
        I = np.concatenate([I, I, I], 1)
    if not (I.ndim == 4 and I.shape[1] in (3, 4)):
        raise AssertionError("make_grid expects (N, C, H, W) images with C in 1, 3 or 4")
    nimg, H, W = I.shape[0], I.shape[2], I.shape[3]
    ncols = min(nimg, ncols)
    nrows = int(np.ceil(float(nimg) / ncols))
    canvas = np.zeros((I.shape[1], H * nrows, W * ncols), dtype=I.dtype)
    for i in range(nimg):
        y, x = divmod(i, ncols)
        canvas[:, y * H:(y + 1) * H, x * W:(x + 1) * W] = I[i]
    return canvas


def convert_to_HWC(tensor, input_format):
    input_format = input_format.upper()
    if len(set(input_format)) != len(input_format):
        raise AssertionError(f"You can not use the same dimension shordhand twice. input_format: {input_format}")
    if len(tensor.shape) != len(input_format):
        raise AssertionError(f"size of input tensor and input format are different. tensor shape: "
                             f"{tensor.shape}, input_format: {input_format}")
    if len(input_format) == 4:
        return make_grid(tensor.transpose([input_format.find(c) for c in "NCHW"])).transpose(1, 2, 0)
    if len(input_format) == 3:
        hwc = tensor.transpose([input_format.find(c) for c in "HWC"])
        return np.concatenate([hwc, hwc, hwc], 2) if hwc.shape[2] == 1 else hwc
    hw = tensor.transpose([input_format.find(c) for c in "HW"])
    return np.stack([hw, hw, hw], 2)


def make_image(hwc, rescale=1):
    """Summary.Image { height = 1; width = 2; colorspace = 3; encoded_image_string = 4 }."""
    if rescale != 1:
        raise NotImplementedError("ember's SummaryWriter does not resize images (rescale must be 1)")
    h, w, c = hwc.shape
    return _f_int(1, h) + _f_int(2, w) + _f_int(3, c) + _f_bytes(4, _png(np.ascontiguousarray(hwc)))


def image(tag, tensor, rescale=1, dataformats="NCHW"):
    """A Summary with one image; float images are in [0, 1], uint8 ones in [0, 255] (as torch scales them)."""
    arr = _to_numpy(tensor)
    scale = 1 if arr.dtype == np.uint8 else 255
    hwc = convert_to_HWC(arr, dataformats)
    hwc = (hwc.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)
    return _summary(_f_bytes(_VALUE_TAG, tag) + _f_bytes(_VALUE_IMAGE, make_image(hwc, rescale)))


def figure_to_image(figures, close=True):
    """A matplotlib figure (or list of them) rendered to CHW (NCHW) uint8 RGB arrays."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    def render(figure):
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        w, h = figure.canvas.get_width_height()
        data = np.frombuffer(canvas.buffer_rgba(), dtype=np.uint8).reshape([h, w, 4])[:, :, :3]
        if close:
            plt.close(figure)
        return np.moveaxis(data, 2, 0)

    if isinstance(figures, list):
        return np.stack([render(f) for f in figures])
    return render(figures)


# -- text ----------------------------------------------------------------------------------------------------
def text(tag, text):
    """The text plugin's summary: a string tensor of shape [1] under <tag>/text_summary."""
    tensor = _f_int(1, _DT_STRING) + _f_bytes(2, _shape([1])) + _f_bytes(8, text)
    return _summary(_f_bytes(_VALUE_TAG, tag + "/text_summary") + _f_bytes(_VALUE_METADATA, _metadata("text"))
                    + _f_bytes(_VALUE_TENSOR, tensor))


# -- precision-recall curves -------------------------------------------------------------------------------
def compute_curve(labels, predictions, num_thresholds=None, weights=None):
    """tp, fp, tn, fn, precision, recall at each of num_thresholds thresholds (torch's computation)."""
    minimum_count = 1e-7
    if weights is None:
        weights = 1.0
    bucket_indices = np.int32(np.floor(predictions * (num_thresholds - 1)))
    float_labels = labels.astype(np.float64)
    histogram_range = (0, num_thresholds - 1)
    tp_buckets, _ = np.histogram(bucket_indices, bins=num_thresholds, range=histogram_range,
                                 weights=float_labels * weights)
    fp_buckets, _ = np.histogram(bucket_indices, bins=num_thresholds, range=histogram_range,
                                 weights=(1.0 - float_labels) * weights)
    tp = np.cumsum(tp_buckets[::-1])[::-1]
    fp = np.cumsum(fp_buckets[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(minimum_count, tp + fp)
    recall = tp / np.maximum(minimum_count, tp + fn)
    return np.stack((tp, fp, tn, fn, precision, recall))


def pr_curve(tag, labels, predictions, num_thresholds=127, weights=None):
    num_thresholds = min(num_thresholds, 127)
    data = compute_curve(_to_numpy(labels), _to_numpy(predictions), num_thresholds, weights)
    tensor = (_f_int(1, _DT_FLOAT) + _f_bytes(2, _shape(data.shape))
              + _f_bytes(5, np.asarray(data, "<f4").reshape(-1).tobytes()))
    content = _f_int(2, num_thresholds)  # PrCurvePluginData { version = 1 (0); num_thresholds = 2 }
    return _summary(_f_bytes(_VALUE_TAG, tag) + _f_bytes(_VALUE_METADATA, _metadata("pr_curves", content))
                    + _f_bytes(_VALUE_TENSOR, tensor))


# -- hyperparameters -----------------------------------------------------------------------------------------
# google.protobuf.Value: number_value = 2, string_value = 3; ListValue: values = 1
# hparams api.proto: DataType STRING = 1, BOOL = 2, FLOAT64 = 3; Status SUCCESS = 1
_DATA_TYPES = {str: 1, float: 3}


def _value(v, kind):
    if kind is str:
        return _f_bytes(3, v)
    return _f_double(2, float(v))


def _hparams_summary(tag, plugin_field, message):
    content = _f_bytes(plugin_field, message)  # HParamsPluginData { version = 1 (0); experiment = 2; ... }
    return _summary(_f_bytes(_VALUE_TAG, tag) + _f_bytes(_VALUE_METADATA, _metadata("hparams", content)))


def hparams(hparam_dict=None, metric_dict=None, hparam_domain_discrete=None):
    """The hparams plugin's three summaries: (experiment, session_start_info, session_end_info)."""
    from ..._tensor import Tensor

    if not isinstance(hparam_dict, dict):
        raise TypeError("parameter: hparam_dict should be a dictionary, nothing logged.")
    if not isinstance(metric_dict, dict):
        raise TypeError("parameter: metric_dict should be a dictionary, nothing logged.")
    hparam_domain_discrete = hparam_domain_discrete or {}
    if not isinstance(hparam_domain_discrete, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for k, v in hparam_domain_discrete.items():
        if k not in hparam_dict or not isinstance(v, list) or not all(isinstance(d, type(hparam_dict[k])) for d in v):
            raise TypeError(f"parameter: hparam_domain_discrete[{k}] should be a list of same type as "
                            f"hparam_dict[{k}].")
    infos, start = [], b""
    for k, v in hparam_dict.items():
        if v is None:
            continue
        if isinstance(v, Tensor):
            v = float(_to_numpy(v).reshape(-1)[0])
        if isinstance(v, (int, float)):  # before bool, as torch checks: True logs as the number 1.0
            kind = float
        elif isinstance(v, str):
            kind = str
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        start += _f_bytes(1, _f_bytes(1, k) + _f_bytes(2, _value(v, kind)))  # map<string, Value> hparams = 1
        # HParamInfo { name = 1; type = 4; domain_discrete = 5 }
        info = _f_bytes(1, k) + _f_int(4, _DATA_TYPES[kind])
        if k in hparam_domain_discrete:
            info += _f_bytes(5, b"".join(_f_bytes(1, _value(d, kind)) for d in hparam_domain_discrete[k]))
        infos.append(info)
    # Experiment { hparam_infos = 4; metric_infos = 5 { name = 1 { tag = 2 } } }
    experiment = b"".join(_f_bytes(4, i) for i in infos) + b"".join(_f_bytes(5, _f_bytes(1, _f_bytes(2, k)))
                                                                    for k in metric_dict)
    exp = _hparams_summary("_hparams_/experiment", 2, experiment)
    ssi = _hparams_summary("_hparams_/session_start_info", 3, start)
    sei = _hparams_summary("_hparams_/session_end_info", 4, _f_int(1, 1))  # SessionEndInfo { status = 1 }
    return exp, ssi, sei
