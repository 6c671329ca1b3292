"""SummaryWriter: event files parsed back by an independent reader (TFRecord framing, CRCs, protobuf)."""
import glob
import os
import struct

import numpy as np
import pytest

import ember
from ember.utils.tensorboard import SummaryWriter
from ember.utils.tensorboard.writer import crc32c, masked_crc32c


def read_records(path):
    """The payloads of a TFRecord file, checking both masked CRCs of every record."""
    data = open(path, "rb").read()
    out, pos = [], 0
    while pos < len(data):
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (hcrc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        assert hcrc == masked_crc32c(header)
        payload = data[pos + 12:pos + 12 + length]
        (pcrc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
        assert pcrc == masked_crc32c(payload)
        out.append(payload)
        pos += 16 + length
    assert pos == len(data)
    return out


def parse(buf):
    """A protobuf message as {field: [raw values]} (varints as ints, fixed64 as doubles, fixed32 as floats)."""
    fields, pos = {}, 0

    def varint():
        nonlocal pos
        shift = result = 0
        while True:
            b = buf[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    while pos < len(buf):
        key = varint()
        field, wire = key >> 3, key & 7
        if wire == 0:
            value = varint()
        elif wire == 1:
            (value,) = struct.unpack("<d", buf[pos:pos + 8])
            pos += 8
        elif wire == 5:
            (value,) = struct.unpack("<f", buf[pos:pos + 4])
            pos += 4
        elif wire == 2:
            n = varint()
            value = buf[pos:pos + n]
            pos += n
        else:
            raise AssertionError(f"unexpected wire type {wire}")
        fields.setdefault(field, []).append(value)
    return fields


def events(log_dir):
    files = glob.glob(os.path.join(log_dir, "events.out.tfevents.*"))
    assert len(files) == 1
    return [parse(r) for r in read_records(files[0])]


def test_crc32c_known_values():
    assert crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value
    assert crc32c(b"") == 0


def test_scalars_round_trip(tmp_path):
    with SummaryWriter(tmp_path / "run") as w:
        assert w.get_logdir() == tmp_path / "run"
        for step in range(5):
            w.add_scalar("loss", 1.0 / (step + 1), step)
        w.add_scalar("acc", ember.tensor(0.75), global_step=7, walltime=123.5)
        w.add_scalar("np", np.float64(2.5), 8)
    evs = events(tmp_path / "run")
    assert evs[0][3] == [b"brain.Event:2"] and 1 in evs[0]
    values = []
    for ev in evs[1:]:
        (summary,) = ev[5]
        (value,) = parse(summary)[1]
        v = parse(value)
        values.append((v[1][0].decode(), ev.get(2, [0])[0], v[2][0]))
    assert values[:5] == [("loss", s, pytest.approx(1.0 / (s + 1))) for s in range(5)]
    assert values[5] == ("acc", 7, 0.75) and evs[6][1] == [123.5]
    assert values[6] == ("np", 8, 2.5)
    with pytest.raises(AssertionError, match="scalar should be 0D"):
        SummaryWriter(tmp_path / "x").add_scalar("bad", ember.ones(2))


def test_new_style_scalar(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_scalar("s", 3.25, 1, new_style=True)
        w.add_scalar("d", 1 / 3, 2, new_style=True, double_precision=True)
    evs = events(tmp_path)
    v = parse(parse(evs[1][5][0])[1][0])
    tensor = parse(v[8][0])
    assert tensor[1] == [1] and struct.unpack("<f", tensor[5][0]) == (3.25,)
    assert parse(parse(v[9][0])[1][0])[1] == [b"scalars"]
    tensor = parse(parse(parse(evs[2][5][0])[1][0])[8][0])
    assert tensor[1] == [2] and struct.unpack("<d", tensor[6][0]) == (1 / 3,)


def test_histogram(tmp_path):
    rng = np.random.default_rng(0)
    values = rng.normal(size=1000)
    with SummaryWriter(tmp_path) as w:
        w.add_histogram("w", ember.tensor(values), 3)
        w.add_histogram("w2", values, 4, bins=10)
        w.add_histogram("w3", values, 5, bins=100, max_bins=7)
        with pytest.raises(ValueError, match="The input has no element."):
            w.add_histogram("empty", np.array([]))
    evs = events(tmp_path)
    for ev, bins in zip(evs[1:], ["tf", 10, 15]):
        v = parse(parse(ev[5][0])[1][0])
        h = parse(v[5][0])
        assert h[1][0] == pytest.approx(values.min()) and h[2][0] == pytest.approx(values.max())
        assert h[3] == [1000.0] and h[4][0] == pytest.approx(values.sum())
        assert h[5][0] == pytest.approx(values.dot(values))
        limits = np.frombuffer(h[6][0], "<f8")
        counts = np.frombuffer(h[7][0], "<f8")
        assert counts.sum() == 1000 and len(limits) == len(counts)
        assert np.all(np.diff(limits) > 0) and limits[-1] >= values.max()
        if bins == 10:
            np.testing.assert_array_equal(counts, np.concatenate([[0], np.histogram(values, 10)[0]]))
        if bins == 15:
            assert len(counts) <= 16


def test_add_scalars_writes_one_run_per_tag(tmp_path):
    w = SummaryWriter(tmp_path)
    for step in range(3):
        w.add_scalars("metrics", {"train": step * 1.0, "val": step * 2.0}, step)
    w.close()
    for tag, factor in (("train", 1.0), ("val", 2.0)):
        evs = events(tmp_path / f"metrics_{tag}")
        got = [parse(parse(e[5][0])[1][0]) for e in evs[1:]]
        assert [g[1][0] for g in got] == [b"metrics"] * 3
        assert [g[2][0] for g in got] == [s * factor for s in range(3)]


def test_default_log_dir_flush_and_queue(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_exp", max_queue=100)
    assert w.log_dir.startswith("runs" + os.sep) and w.log_dir.endswith("_exp")
    w.add_scalar("a", 1.0, 0)
    assert len(events(w.log_dir)) == 1  # queued, not yet written
    w.flush()
    assert len(events(w.log_dir)) == 2
    w.close()
    w.close()  # closing twice is harmless


def test_purge_step(tmp_path):
    with SummaryWriter(tmp_path, purge_step=42) as w:
        w.add_scalar("a", 1.0, 43)
    evs = events(tmp_path)
    assert evs[1][2] == [42] and evs[1][3] == [b"brain.Event:2"]
    assert evs[2][2] == [42] and parse(evs[2][6][0])[1] == [1]  # SessionLog START
