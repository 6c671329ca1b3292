"""torch.PyTorchFileReader and torch.PyTorchFileWriter: the zip container of torch's checkpoints.

Every record lives under one folder named after the archive ("archive" for a file object, the file's
base name for a path), stored uncompressed with its data aligned to 64 bytes (the padding goes in the
local header's extra field), so that loaders can map storages straight from the file. The writer ends
the archive with the records torch's writer adds: version, byteorder and .data/serialization_id.
ember.save writes its checkpoints through the writer.
"""
import ctypes
import hashlib
import os
import struct
import sys
import zipfile

import numpy as np

__all__ = ["PyTorchFileReader", "PyTorchFileWriter"]

ALIGN = 64  # torch's default storage alignment
_MINIZ_HINT = (". This is an internal miniz error. If you are seeing this error, there is a high likelihood that "
               "your checkpoint file is corrupted. This can happen if the checkpoint was not saved properly, was "
               "transferred incorrectly, or the file was modified after saving.")


def write_entry(zf, name, data, align=ALIGN):
    """An uncompressed entry whose data starts on an `align`-byte boundary (padding in an extra field)."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    start = zf.fp.tell() + 30 + len(name.encode()) + 4
    pad = -start % align
    info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
    zf.writestr(info, data)
    return info


def _record_bytes(data, size):
    """What write_record accepts: bytes, str, a storage, or the address of `size` bytes in memory."""
    if isinstance(data, str):
        data = data.encode()
    if isinstance(data, (bytes, bytearray, memoryview)):
        return data if len(data) == size else bytes(data[:size])  # no copy of a whole storage
    if isinstance(data, int):
        return ctypes.string_at(data, size)
    from ._storage import UntypedStorage

    if isinstance(data, UntypedStorage):
        flat = data._array.reshape(-1, order="A").view(np.uint8)
        if type(flat) is not np.ndarray:
            flat = flat.get()  # CuPy: written from a host copy
        return flat[:size].tobytes()
    raise TypeError(f"write_record(): incompatible function arguments, got {type(data).__name__}")


class PyTorchFileWriter:
    """Writes named records into a torch zip archive: PyTorchFileWriter(path or buffer)."""

    def __init__(self, file, compute_crc32=True, storage_alignment=ALIGN):
        if isinstance(file, (str, os.PathLike)):
            path = os.fspath(file)
            self._name = os.path.splitext(os.path.basename(path))[0]
            self._own = open(path, "wb")
            target = self._own
        else:
            self._name, self._own, target = "archive", None, file
        self._zf = zipfile.ZipFile(target, "w", zipfile.ZIP_STORED, allowZip64=True)
        self._align = int(storage_alignment)
        self._written = set()
        self._version = 3
        self._digest = hashlib.sha1()
        self._finalized = False
        self._id = ""

    def archive_name(self):
        return self._name

    def serialization_id(self):
        """A 40-digit id of what was written (empty until write_end_of_file), as torch's writer gives."""
        return self._id

    def set_min_version(self, version):
        self._version = max(self._version, int(version))

    def get_all_written_records(self):
        return set(self._written)

    def write_record(self, name, data, size):
        if self._finalized:
            raise RuntimeError("!finalized_ INTERNAL ASSERT FAILED: the archive has been written to its end")
        if name in self._written:
            raise RuntimeError(f"Tried to serialize file twice: {name}")
        raw = _record_bytes(data, int(size))
        info = write_entry(self._zf, f"{self._name}/{name}", raw, self._align)
        self._written.add(name)
        self._digest.update(name.encode() + struct.pack("<I", info.CRC))  # the CRC zipfile computed anyway

    def write_record_metadata(self, name, size):
        """A record of `size` zero bytes whose data is filled in later (torch's deferred writes)."""
        self.write_record(name, bytes(int(size)), size)

    def write_end_of_file(self):
        if self._finalized:
            return
        version = f"{self._version}\n".encode()
        self.write_record(".data/version" if self._version >= 6 else "version", version, len(version))
        if "byteorder" not in self._written:
            self.write_record("byteorder", sys.byteorder.encode(), len(sys.byteorder))
        self._id = str(int(self._digest.hexdigest(), 16) % 10 ** 40).zfill(40)
        self.write_record(".data/serialization_id", self._id.encode(), 40)
        self._finalized = True
        self._zf.close()
        if self._own is not None:
            self._own.close()


class PyTorchFileReader:
    """Reads the records of a torch zip archive: PyTorchFileReader(path or readable buffer)."""

    def __init__(self, file):
        try:
            self._zf = zipfile.ZipFile(os.fspath(file) if isinstance(file, (str, os.PathLike)) else file)
        except (zipfile.BadZipFile, EOFError):
            raise RuntimeError("PytorchStreamReader failed reading zip archive: not a ZIP archive" + _MINIZ_HINT) \
                from None
        names = self._zf.namelist()
        if not names:
            raise RuntimeError("PytorchStreamReader failed reading zip archive: not a ZIP archive" + _MINIZ_HINT)
        self._prefix = names[0].split("/", 1)[0] + "/"
        self._records = [n[len(self._prefix):] for n in names if n.startswith(self._prefix)]

    def _info(self, name):
        try:
            return self._zf.getinfo(self._prefix + name)
        except KeyError:
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found" + _MINIZ_HINT) \
                from None

    def get_all_records(self):
        return list(self._records)

    def has_record(self, name):
        return name in self._records

    def get_record(self, name):
        return self._zf.read(self._info(name))

    def get_record_size(self, name):
        return self._info(name).file_size

    def get_record_header_offset(self, name):
        return self._info(name).header_offset

    def get_record_offset(self, name):
        """Where the record's data starts in the file (after its local header)."""
        info = self._info(name)
        fp = self._zf.fp
        here = fp.tell()
        fp.seek(info.header_offset + 26)
        name_len, extra_len = struct.unpack("<HH", fp.read(4))
        fp.seek(here)
        return info.header_offset + 30 + name_len + extra_len

    def serialization_id(self):
        return self.get_record(".data/serialization_id").decode() if self.has_record(".data/serialization_id") \
            else ""

    def get_storage_from_record(self, name, numel, dtype):
        """A tensor over the record's bytes as a storage of `numel` elements of dtype (its storage holds them;
        the tensor itself is empty, as torch's)."""
        from . import _dtype as D
        from ._tensor import Tensor

        raw = self.get_record(name)
        item = dtype.itemsize
        if len(raw) != numel * item:
            raise RuntimeError(f"record size ({len(raw)} bytes) does not match expected size ({numel * item} bytes = "
                               f"{numel} elements * {item} bytes/element) for dtype {dtype}")
        array = np.frombuffer(bytearray(raw), dtype=D.np_dtype(dtype))
        return Tensor._make(array[:0], dtype)
