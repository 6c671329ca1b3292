"""SummaryWriter: TensorBoard event files, written without the tensorboard package.

An event file is a sequence of TFRecords (length, masked CRC-32C of the length,
payload, masked CRC-32C of the payload), each payload a serialized `Event`
protocol buffer. The few messages needed (Event, Summary, Summary.Value,
HistogramProto, TensorProto, SessionLog) are encoded by hand below with their
field numbers from tensorflow/core/{util/event,framework/summary,framework/tensor}.proto.
"""
import os
import socket
import struct
import time
from datetime import datetime
from itertools import count

import numpy as np

__all__ = ["SummaryWriter", "FileWriter"]


# -- protocol buffer encoding -------------------------------------------------------------------------
def _varint(n):
    n &= (1 << 64) - 1  # int64 fields: negatives as 64-bit two's complement
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _key(field, wire):
    return _varint(field << 3 | wire)


def _f_int(field, n):
    return _key(field, 0) + _varint(int(n))


def _f_double(field, x):
    return _key(field, 1) + struct.pack("<d", x)


def _f_float(field, x):
    return _key(field, 5) + struct.pack("<f", x)


def _f_bytes(field, data):
    if isinstance(data, str):
        data = data.encode()
    return _key(field, 2) + _varint(len(data)) + data


def _f_packed_doubles(field, values):
    return _f_bytes(field, np.asarray(values, "<f8").tobytes())


# Field numbers
_EVENT_WALL_TIME, _EVENT_STEP, _EVENT_FILE_VERSION, _EVENT_GRAPH_DEF, _EVENT_SUMMARY, _EVENT_SESSION_LOG = 1, 2, 3, 4, 5, 6
_VALUE_TAG, _VALUE_SIMPLE, _VALUE_HISTO, _VALUE_TENSOR, _VALUE_METADATA = 1, 2, 5, 8, 9
_DT_FLOAT, _DT_DOUBLE = 1, 2
_SESSION_START = 1


def _event(wall_time, step=None, summary=None, file_version=None, session_log=None, graph_def=None):
    out = _f_double(_EVENT_WALL_TIME, wall_time)
    if step is not None:
        out += _f_int(_EVENT_STEP, step)
    if file_version is not None:
        out += _f_bytes(_EVENT_FILE_VERSION, file_version)
    if graph_def is not None:
        out += _f_bytes(_EVENT_GRAPH_DEF, graph_def)
    if summary is not None:
        out += _f_bytes(_EVENT_SUMMARY, summary)
    if session_log is not None:
        out += _f_bytes(_EVENT_SESSION_LOG, _f_int(1, session_log))
    return out


def _summary(*values):
    """Summary { repeated Value value = 1 }."""
    return b"".join(_f_bytes(1, v) for v in values)


def scalar(name, value, new_style=False, double_precision=False):
    """A Summary with one scalar: simple_value, or (new_style) a 0-d tensor for the scalars plugin."""
    arr = _to_numpy(value)
    if arr.squeeze().ndim != 0:
        raise AssertionError("scalar should be 0D")
    x = float(arr.reshape(-1)[0])
    if not new_style:
        return _summary(_f_bytes(_VALUE_TAG, name) + _f_float(_VALUE_SIMPLE, x))
    shape = b""  # TensorShapeProto of a scalar: no dims
    if double_precision:
        tensor = _f_int(1, _DT_DOUBLE) + _f_bytes(2, shape) + _f_packed_doubles(6, [x])
    else:
        tensor = _f_int(1, _DT_FLOAT) + _f_bytes(2, shape) + _f_bytes(5, struct.pack("<f", x))
    metadata = _f_bytes(1, _f_bytes(1, "scalars"))  # plugin_data { plugin_name: "scalars" }
    return _summary(_f_bytes(_VALUE_TAG, name) + _f_bytes(_VALUE_TENSOR, tensor) + _f_bytes(_VALUE_METADATA, metadata))


def make_histogram(values, bins, max_bins=None):
    """HistogramProto fields for `values` (torch's make_histogram: only the bins with support,
    plus an empty one on the left, since TensorBoard keeps right limits only)."""
    if values.size == 0:
        raise ValueError("The input has no element.")
    values = values.reshape(-1)
    counts, limits = np.histogram(values, bins=bins)
    num_bins = len(counts)
    if max_bins is not None and num_bins > max_bins:
        subsampling = num_bins // max_bins
        remainder = num_bins % subsampling
        if remainder != 0:
            counts = np.pad(counts, pad_width=[[0, subsampling - remainder]], mode="constant", constant_values=0)
        counts = counts.reshape(-1, subsampling).sum(axis=-1)
        new_limits = np.empty((counts.size + 1,), limits.dtype)
        new_limits[:-1] = limits[:-1:subsampling]
        new_limits[-1] = limits[-1]
        limits = new_limits
    cum_counts = np.cumsum(np.greater(counts, 0))
    start, end = np.searchsorted(cum_counts, [0, cum_counts[-1] - 1], side="right")
    start, end = int(start), int(end) + 1
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    if counts.size == 0 or limits.size == 0:
        raise ValueError("The histogram is empty, please file a bug report.")
    return (_f_double(1, values.min()) + _f_double(2, values.max()) + _f_double(3, len(values))
            + _f_double(4, values.sum()) + _f_double(5, values.dot(values))
            + _f_packed_doubles(6, limits) + _f_packed_doubles(7, counts))


def histogram(name, values, bins, max_bins=None):
    return _summary(_f_bytes(_VALUE_TAG, name)
                    + _f_bytes(_VALUE_HISTO, make_histogram(_to_numpy(values).astype(float), bins, max_bins)))


def _to_numpy(x):
    from ..._tensor import Tensor

    if isinstance(x, Tensor):
        return np.asarray(x.detach().numpy(force=True))
    return np.asarray(x)


# -- TFRecord framing -------------------------------------------------------------------------------------
def _crc32c_table():
    poly = 0x82F63B78  # Castagnoli, reflected
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def tfrecord(data):
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc32c(header)) + data + struct.pack("<I", masked_crc32c(data))


# -- writers -------------------------------------------------------------------------------------------------
_uid = count()


class FileWriter:
    """Appends events to one event file in log_dir; pending events are written out when
    max_queue of them are waiting, when flush_secs have passed, or on flush()/close()."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=""):
        log_dir = str(log_dir)
        os.makedirs(log_dir, exist_ok=True)
        self._log_dir = log_dir
        self._max_queue = max_queue
        self._flush_secs = flush_secs
        name = "events.out.tfevents.%010d.%s.%s.%s%s" % (time.time(), socket.gethostname(), os.getpid(),
                                                         next(_uid), filename_suffix)
        self._path = os.path.join(log_dir, name)
        self._file = open(self._path, "ab")
        self._pending = []
        self._last_flush = time.time()
        self.add_event(_event(time.time(), file_version="brain.Event:2"))
        self.flush()

    def get_logdir(self):
        return self._log_dir

    def add_event(self, event):
        if self._file is None:
            raise RuntimeError("the event file of this writer has been closed")
        self._pending.append(tfrecord(event))
        if len(self._pending) >= self._max_queue or time.time() - self._last_flush >= self._flush_secs:
            self.flush()

    def add_summary(self, summary, global_step=None, walltime=None):
        self.add_event(_event(time.time() if walltime is None else walltime,
                              None if global_step is None else int(global_step), summary=summary))

    def flush(self):
        if self._file is None:
            return
        self._file.write(b"".join(self._pending))
        self._pending.clear()
        self._file.flush()
        self._last_flush = time.time()

    def close(self):
        if self._file is not None:
            self.flush()
            self._file.close()
            self._file = None


class SummaryWriter:
    """torch.utils.tensorboard.SummaryWriter: log scalars, histograms, images, figures, text, PR curves,
    hyperparameters, the model graph and embeddings for TensorBoard.

    Event files go to log_dir (default runs/<Mon DD_HH-MM-SS>_<host><comment>).
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120, filename_suffix=""):
        if not log_dir:
            current_time = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", current_time + "_" + socket.gethostname() + comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = self.all_writers = None
        self._get_file_writer()
        # TensorFlow's default histogram buckets: +-1e-12 * 1.1**k up to 1e20, and 0
        v, buckets = 1e-12, []
        while v < 1e20:
            buckets.append(v)
            v *= 1.1
        self.default_bins = [-b for b in reversed(buckets)] + [0] + buckets

    def _get_file_writer(self):
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                step, self.purge_step = self.purge_step, None
                self.file_writer.add_event(_event(time.time(), step, file_version="brain.Event:2"))
                self.file_writer.add_event(_event(time.time(), step, session_log=_SESSION_START))
        return self.file_writer

    def get_logdir(self):
        return self.log_dir

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        self._get_file_writer().add_summary(scalar(tag, scalar_value, new_style, double_precision),
                                            global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Each tag goes to its own run, log_dir/<main_tag>_<tag>, under the name main_tag."""
        walltime = time.time() if walltime is None else walltime
        fw_logdir = self._get_file_writer().get_logdir()
        for tag, value in tag_scalar_dict.items():
            fw_tag = fw_logdir + "/" + main_tag.replace("/", "_") + "_" + tag
            fw = self.all_writers.get(fw_tag)
            if fw is None:
                fw = self.all_writers[fw_tag] = FileWriter(fw_tag, self.max_queue, self.flush_secs,
                                                           self.filename_suffix)
            fw.add_summary(scalar(main_tag, value), global_step, walltime)

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None, max_bins=None):
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        self._get_file_writer().add_summary(histogram(tag, values, bins, max_bins), global_step, walltime)

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        from .summary import image

        self._get_file_writer().add_summary(image(tag, img_tensor, dataformats=dataformats), global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        self.add_image(tag, img_tensor, global_step, walltime, dataformats)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """A matplotlib figure (or a list of them, shown as a grid) as an image."""
        from .summary import figure_to_image

        if isinstance(figure, list):
            self.add_image(tag, figure_to_image(figure, close), global_step, walltime, dataformats="NCHW")
        else:
            self.add_image(tag, figure_to_image(figure, close), global_step, walltime, dataformats="CHW")

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        from .summary import text

        self._get_file_writer().add_summary(text(tag, text_string), global_step, walltime)

    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127, weights=None,
                     walltime=None):
        from .summary import pr_curve

        self._get_file_writer().add_summary(pr_curve(tag, labels, predictions, num_thresholds, weights),
                                            global_step, walltime)

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None, global_step=None):
        """The hparams plugin's summaries and each metric as a scalar, in the run log_dir/<run_name>
        (default: the current time), as torch writes them."""
        from .summary import hparams

        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        exp, ssi, sei = hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        if not run_name:
            run_name = str(time.time())
        logdir = os.path.join(self._get_file_writer().get_logdir(), run_name)
        with SummaryWriter(log_dir=logdir) as w_hp:
            for summary in (exp, ssi, sei):
                w_hp.file_writer.add_summary(summary, global_step)
            for k, v in metric_dict.items():
                w_hp.add_scalar(k, v, global_step)

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """The autograd graph of model(*input_to_model), for TensorBoard's Graphs tab."""
        from ._pytorch_graph import graph

        self._get_file_writer().add_event(_event(time.time(), graph_def=graph(model, input_to_model)))

    def add_embedding(self, mat, metadata=None, label_img=None, global_step=None, tag="default",
                      metadata_header=None):
        """Vectors (N, D) with optional labels and label images for the Projector tab."""
        from . import _embedding as E

        mat = _to_numpy(mat)
        if global_step is None:
            global_step = 0
        subdir = f"{str(global_step).zfill(5)}/{E.encode_tag(tag)}"
        logdir = self._get_file_writer().get_logdir()
        save_path = os.path.join(logdir, subdir)
        if os.path.exists(save_path):
            if not os.path.isdir(save_path):
                raise NotADirectoryError(f"Path: `{save_path}` exists, but is a file. Cannot proceed.")
            print("warning: Embedding dir exists, did you set global_step for add_embedding()?")
        os.makedirs(save_path, exist_ok=True)
        if metadata is not None:
            if mat.shape[0] != len(metadata):
                raise AssertionError("#labels should equal with #data points")
            E.make_tsv(metadata, save_path, metadata_header=metadata_header)
        if label_img is not None:
            label_img = _to_numpy(label_img)
            if mat.shape[0] != label_img.shape[0]:
                raise AssertionError("#images should equal with #data points")
            E.make_sprite(label_img, save_path)
        if mat.ndim != 2:
            raise AssertionError("mat should be 2D, where mat.size(0) is the number of data points")
        E.make_mat(mat, save_path)
        self._projector_config = getattr(self, "_projector_config", "") + E.embedding_info(
            metadata, label_img, subdir, global_step, tag)
        with open(os.path.join(logdir, "projector_config.pbtxt"), "w", encoding="utf-8") as f:
            f.write(self._projector_config)

    def flush(self):
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()

    def close(self):
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()
