"""The safetensors format without the safetensors package: `save_file`, `load_file`, `save`, `load` and
`safe_open` (keys / metadata / get_tensor), the same files `safetensors.torch` reads and writes.

A file is
    8 bytes       N, the header's length (unsigned little-endian)
    N bytes       a JSON object: {"<name>": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
                  "__metadata__": {"str": "str"}} padded with spaces to a multiple of 8 bytes
    the rest      each tensor's raw little-endian bytes, at its offsets (relative to the end of the header)

Loading runs no code (JSON and raw bytes only) and checks the header before reading any tensor: its
length against the file, every dtype name, every shape against its byte count, and that the offsets
tile the data with no gap, overlap or byte out of range. Saving to a file is atomic (a temporary file
in the same directory replaces the target).
"""
import json
import os
import struct
import sys

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..serialization import atomic_write

__all__ = ["save", "save_file", "load", "load_file", "safe_open", "SafetensorError"]

# safetensors' dtype names for ember's dtypes (the ones safetensors.torch writes)
_CODES = {"float64": "F64", "float32": "F32", "float16": "F16", "bfloat16": "BF16", "int64": "I64",
          "int32": "I32", "int16": "I16", "int8": "I8", "uint8": "U8", "bool": "BOOL", "complex64": "C64"}
_DTYPES = {code: name for name, code in _CODES.items()}
_RANK = {code: i for i, code in enumerate(["BOOL", "U8", "I8", "I16", "F16", "BF16", "I32", "F32", "C64", "F64",
                                           "I64"])}  # the package's Dtype enum order
_MAX_HEADER = 100_000_000  # what the safetensors reader accepts at most


class SafetensorError(Exception):
    """A malformed safetensors file or an unsupported tensor (the package's exception, by name)."""


# -- writing --------------------------------------------------------------------------------------------
def _check_tensors(tensors):
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    for k, v in tensors.items():
        if not isinstance(v, Tensor):
            raise ValueError(f"Key `{k}` is invalid, expected torch.Tensor but received {type(v)}")
        if not v.is_contiguous():
            raise ValueError(f"You are trying to save a non contiguous tensor: `{k}` which is not allowed. It either "
                             "means you are trying to save tensors which are reference of each other in which case "
                             "it's recommended to save only the full tensors, and reslice at load time, or simply "
                             "call `.contiguous()` on your tensor to pack it before saving.")
        if v.dtype.name not in _CODES:
            raise SafetensorError(f"dtype {v.dtype} is not supported by the safetensors format")


def _host_bytes(t):
    a = t._data
    if type(a) is not np.ndarray:
        a = a.get()  # CuPy: written from a host copy
    a = np.ascontiguousarray(a)
    if sys.byteorder != "little":
        a = a.byteswap()
    return a.reshape(-1).view(np.uint8).tobytes()


def _serialize(tensors, metadata):
    _check_tensors(tensors)
    if metadata is not None:
        if not isinstance(metadata, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                     for k, v in metadata.items()):
            raise SafetensorError("metadata must be a dict of str to str")
    # the package's layout: data ordered by dtype (its enum order, last first: wider elements before
    # narrower, which keeps every tensor aligned), then by name; the header lists them in that order
    names = sorted(tensors, key=lambda k: (-_RANK[_CODES[tensors[k].dtype.name]], k))
    entries, chunks, offset = {}, [], 0
    for name in names:
        data = _host_bytes(tensors[name])
        entries[name] = {"dtype": _CODES[tensors[name].dtype.name], "shape": list(tensors[name].shape),
                         "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header = {} if metadata is None else {"__metadata__": metadata}
    header.update(entries)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return [struct.pack("<Q", len(text)), text] + chunks


def save(tensors, metadata=None):
    """The safetensors bytes of a dict of tensors."""
    return b"".join(_serialize(tensors, metadata))


def save_file(tensors, filename, metadata=None):
    """Write a dict of tensors to filename in the safetensors format, atomically."""
    parts = _serialize(tensors, metadata)
    atomic_write(filename, lambda out: out.writelines(parts))


# -- reading --------------------------------------------------------------------------------------------
def _header_error(what):
    return SafetensorError(f"Error while deserializing header: {what}")


def _parse_header(read_prefix, total):
    """(entries, metadata, data_start) from a file of `total` bytes whose first bytes read_prefix(n) gives."""
    if total < 8:
        raise _header_error("HeaderTooSmall")
    (n,) = struct.unpack("<Q", read_prefix(8))
    if n > _MAX_HEADER:
        raise _header_error(f"HeaderTooLarge: the header claims {n} bytes (at most {_MAX_HEADER})")
    if 8 + n > total:
        raise _header_error(f"InvalidHeaderLength: the header claims {n} bytes but the file has {total - 8} "
                            "after the length")
    raw = read_prefix(8 + n)[8:]
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise _header_error(f"InvalidHeaderDeserialization: {e}") from None
    if not isinstance(header, dict):
        raise _header_error("InvalidHeaderDeserialization: the header is not a JSON object")
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not (isinstance(metadata, dict)
                                     and all(isinstance(v, str) for v in metadata.values())):
        raise _header_error("InvalidHeaderDeserialization: __metadata__ must map str to str")
    entries = {}
    for name, info in header.items():
        if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
            raise _header_error(f"InvalidHeaderDeserialization: tensor {name!r} needs exactly dtype, shape and "
                                "data_offsets")
        code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        if code not in _DTYPES:
            raise _header_error(f"InvalidHeaderDeserialization: unknown dtype {code!r} for tensor {name!r}")
        if not (isinstance(shape, list) and all(type(s) is int and s >= 0 for s in shape)):
            raise _header_error(f"InvalidHeaderDeserialization: bad shape {shape!r} for tensor {name!r}")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(type(o) is int and o >= 0 for o in offsets)
                and offsets[0] <= offsets[1]):
            raise _header_error(f"InvalidHeaderDeserialization: bad data_offsets {offsets!r} for tensor {name!r}")
        dtype = D._BY_NAME[_DTYPES[code]]
        nbytes = int(np.prod(shape, dtype=object)) * np.dtype(D.np_dtype(dtype)).itemsize
        if nbytes != offsets[1] - offsets[0]:
            raise _header_error(f"TensorInvalidInfo: tensor {name!r} of shape {shape} and dtype {code} needs "
                                f"{nbytes} bytes but its offsets span {offsets[1] - offsets[0]}")
        entries[name] = (dtype, tuple(shape), offsets[0], offsets[1])
    # the offsets must tile the data exactly: no gap, no overlap, nothing past the end
    end = 0
    for name, (_, _, begin, stop) in sorted(entries.items(), key=lambda kv: (kv[1][2], kv[1][3])):
        if begin != end:
            raise _header_error(f"InvalidOffset({name}): tensor {name!r} starts at byte {begin}, expected {end} "
                                "(overlapping or non-contiguous tensors)")
        end = stop
    data_len = total - 8 - n
    if end != data_len:
        raise _header_error(f"MetadataIncompleteBuffer: the tensors span {end} bytes but the file holds "
                            f"{data_len} after the header")
    return entries, metadata, 8 + n


def _tensor(buffer, start, entry, device):
    dtype, shape, begin, stop = entry
    a = np.frombuffer(buffer, dtype=np.uint8, count=stop - begin, offset=start + begin).view(D.np_dtype(dtype))
    if sys.byteorder != "little":
        a = a.byteswap()
    t = Tensor._make(a.reshape(shape).copy(), dtype)
    return t if str(device) == "cpu" else t.to(device)


def load(data):
    """The dict of tensors in safetensors bytes."""
    data = bytes(data)
    entries, _, start = _parse_header(lambda k: data[:k], len(data))
    return {name: _tensor(data, start, entry, "cpu") for name, entry in entries.items()}


def load_file(filename, device="cpu"):
    """The dict of tensors in a safetensors file, on `device`."""
    with safe_open(filename, framework="pt", device=device) as f:
        return {k: f.get_tensor(k) for k in f.keys()}


class safe_open:
    """Lazy access to a safetensors file: `keys()`, `metadata()`, `get_tensor(name)`; a context manager.
    The header is checked when the file opens; each tensor's bytes are read when asked for."""

    def __init__(self, filename, framework="pt", device="cpu"):
        if framework not in ("pt", "torch", "pytorch", "numpy", "np"):
            raise SafetensorError(f"framework {framework} is invalid")
        self._framework, self._device = framework, device
        self._file = open(filename, "rb")
        try:
            total = os.fstat(self._file.fileno()).st_size

            def read_prefix(k):
                self._file.seek(0)
                return self._file.read(k)

            self._entries, self._metadata, self._start = _parse_header(read_prefix, total)
        except BaseException:
            self._file.close()
            raise

    def _open(self):
        if self._file is None:
            raise SafetensorError("File is closed")
        return self._file

    def keys(self):
        self._open()
        return sorted(self._entries)

    def offset_keys(self):
        self._open()
        return [k for k, _ in sorted(self._entries.items(), key=lambda kv: kv[1][2])]

    def metadata(self):
        self._open()
        return None if self._metadata is None else dict(self._metadata)

    def get_tensor(self, name):
        f = self._open()
        if name not in self._entries:
            raise SafetensorError(f"File does not contain tensor {name}")
        dtype, shape, begin, stop = self._entries[name]
        f.seek(self._start + begin)
        raw = f.read(stop - begin)
        t = _tensor(raw, -begin, self._entries[name], self._device)
        return t.numpy() if self._framework in ("numpy", "np") else t

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
