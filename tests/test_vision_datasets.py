"""ember.vision.datasets on files the test writes in the real formats (idx, CIFAR pickles,
class folders), downloads served by a local HTTP server standing in for the mirrors."""
import gzip
import hashlib
import http.server
import io
import os
import pickle
import tarfile
import threading

import numpy as np
import pytest
import torch
from PIL import Image

import ember
from ember.vision import datasets as D
from ember.vision import transforms as T


def _idx(arr):
    code = {np.uint8: 8, np.int32: 12}[arr.dtype.type]
    head = bytes([0, 0, code, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def _md5(data):
    return hashlib.md5(data).hexdigest()


@pytest.fixture
def server(tmp_path):
    """Serve tmp_path/www on 127.0.0.1 for the test's duration."""
    www = tmp_path / "www"
    www.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(www), **k)

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield www, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def _mnist_files(rng, n_train=12, n_test=5):
    files = {}
    for split, n in (("train", n_train), ("t10k", n_test)):
        files[f"{split}-images-idx3-ubyte"] = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        files[f"{split}-labels-idx1-ubyte"] = rng.integers(0, 10, (n,), dtype=np.uint8)
    return files


def test_mnist_download_from_mirror(tmp_path, server, monkeypatch):
    www, url = server
    files = _mnist_files(np.random.default_rng(0))
    resources = []
    for name, arr in files.items():
        blob = gzip.compress(_idx(arr))
        (www / f"{name}.gz").write_bytes(blob)
        resources.append((f"{name}.gz", _md5(blob)))
    dead = "http://127.0.0.1:9/"  # nothing listens on the discard port: the next mirror is tried
    monkeypatch.setattr(D.MNIST, "mirrors", [dead, url])
    monkeypatch.setattr(D.MNIST, "resources", resources)
    root = tmp_path / "data"
    ds = D.MNIST(str(root), train=True, download=True)
    assert sorted(os.listdir(root / "MNIST" / "raw")) == sorted(list(files) + [f"{n}.gz" for n in files])
    assert len(ds) == 12 and ds.data.dtype == ember.uint8 and ds.targets.dtype == ember.int64
    np.testing.assert_array_equal(ds.data.numpy(), files["train-images-idx3-ubyte"])
    img, target = ds[3]
    assert isinstance(img, Image.Image) and img.mode == "L"
    np.testing.assert_array_equal(np.asarray(img), files["train-images-idx3-ubyte"][3])
    assert target == int(files["train-labels-idx1-ubyte"][3])
    test = D.MNIST(str(root), train=False, transform=T.ToTensor())
    x, _ = test[0]
    np.testing.assert_allclose(x.numpy()[0], files["t10k-images-idx3-ubyte"][0] / np.float32(255), rtol=1e-6)
    assert "Split: Test" in repr(test)


def test_mnist_errors(tmp_path, server, monkeypatch):
    www, url = server
    with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True"):
        D.MNIST(str(tmp_path))
    monkeypatch.setattr(D.MNIST, "mirrors", ["http://127.0.0.1:9/"])
    with pytest.raises(RuntimeError, match="Error downloading train-images-idx3-ubyte.gz"):
        D.MNIST(str(tmp_path), download=True)
    (www / "train-images-idx3-ubyte.gz").write_bytes(b"not the file")
    monkeypatch.setattr(D.MNIST, "mirrors", [url])
    with pytest.raises(RuntimeError, match="File not found or corrupted"):
        D.MNIST(str(tmp_path / "x"), download=True)


def test_existing_folders_used_as_is(tmp_path):
    rng = np.random.default_rng(1)
    for cls in (D.FashionMNIST, D.KMNIST):
        files = _mnist_files(rng, 4, 3)
        raw = tmp_path / cls.__name__ / "raw"
        raw.mkdir(parents=True)
        for name, arr in files.items():
            (raw / name).write_bytes(_idx(arr))
        ds = cls(str(tmp_path), train=False)
        np.testing.assert_array_equal(ds.targets.numpy(), files["t10k-labels-idx1-ubyte"])
    assert D.FashionMNIST.classes[9] == "Ankle boot"
    raw = tmp_path / "EMNIST" / "raw"
    raw.mkdir(parents=True)
    data = {}
    for split in ("train", "test"):
        data[split] = rng.integers(0, 256, (3, 28, 28), dtype=np.uint8)
        (raw / f"emnist-letters-{split}-images-idx3-ubyte").write_bytes(_idx(data[split]))
        (raw / f"emnist-letters-{split}-labels-idx1-ubyte").write_bytes(_idx(np.array([1, 2, 26], np.uint8)))
    em = D.EMNIST(str(tmp_path), split="letters")
    np.testing.assert_array_equal(em.data.numpy(), data["train"])
    assert em.classes[0] == "N/A" and len(em.classes) == 27
    with pytest.raises(ValueError, match="Unknown value 'nope' for argument split"):
        D.EMNIST(str(tmp_path), split="nope")
    (raw / "emnist-letters-test-labels-idx1-ubyte").write_bytes(_idx(np.zeros((2, 2), np.uint8)))
    with pytest.raises(ValueError, match="expected a 1-D uint8 label file"):
        D.EMNIST(str(tmp_path), split="letters", train=False)


def _cifar_batch(rng, n, key="labels"):
    return {"batch_label": "training batch", key: rng.integers(0, 10, n).tolist(),
            "data": rng.integers(0, 256, (n, 3072), dtype=np.uint8), "filenames": [f"f{i}.png" for i in range(n)]}


def test_cifar10_download_and_read(tmp_path, server, monkeypatch):
    www, url = server
    rng = np.random.default_rng(2)
    batches = {f"data_batch_{i}": _cifar_batch(rng, 3) for i in range(1, 6)}
    batches["test_batch"] = _cifar_batch(rng, 4)
    batches["batches.meta"] = {"label_names": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
                                               "horse", "ship", "truck"], "num_vis": 3072}
    blobs = {k: pickle.dumps(v, protocol=2) for k, v in batches.items()}
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for k, blob in blobs.items():
            info = tarfile.TarInfo(f"cifar-10-batches-py/{k}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    (www / "cifar-10-python.tar.gz").write_bytes(buf.getvalue())
    monkeypatch.setattr(D.CIFAR10, "url", url + "cifar-10-python.tar.gz")
    monkeypatch.setattr(D.CIFAR10, "tgz_md5", _md5(buf.getvalue()))
    monkeypatch.setattr(D.CIFAR10, "train_list", [[f"data_batch_{i}", _md5(blobs[f"data_batch_{i}"])]
                                                  for i in range(1, 6)])
    monkeypatch.setattr(D.CIFAR10, "test_list", [["test_batch", _md5(blobs["test_batch"])]])
    monkeypatch.setattr(D.CIFAR10, "meta", {"filename": "batches.meta", "key": "label_names",
                                            "md5": _md5(blobs["batches.meta"])})
    ds = D.CIFAR10(str(tmp_path), download=True)
    assert len(ds) == 15 and ds.data.shape == (15, 32, 32, 3) and ds.classes[3] == "cat"
    want = batches["data_batch_2"]["data"][1].reshape(3, 32, 32).transpose(1, 2, 0)
    img, target = ds[4]
    np.testing.assert_array_equal(np.asarray(img), want)
    assert target == batches["data_batch_2"]["labels"][1]
    test = D.CIFAR10(str(tmp_path), train=False, transform=T.PILToTensor())
    x, _ = test[0]
    np.testing.assert_array_equal(x.numpy(), batches["test_batch"]["data"][0].reshape(3, 32, 32))
    # a pickle that would run code is refused by the restricted unpickler
    evil = pickle.dumps({"data": os.getcwd, "labels": []})
    path = tmp_path / "cifar-10-batches-py" / "test_batch"
    path.write_bytes(evil)
    monkeypatch.setattr(D.CIFAR10, "test_list", [["test_batch", _md5(evil)]])
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        D.CIFAR10(str(tmp_path), train=False)
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        D.CIFAR10(str(tmp_path / "none"))
    monkeypatch.setattr(D.CIFAR10, "url", "http://127.0.0.1:9/cifar-10-python.tar.gz")
    with pytest.raises(RuntimeError, match="Error downloading cifar-10-python.tar.gz"):
        D.CIFAR10(str(tmp_path / "none"), download=True)


def test_cifar100_fine_labels(tmp_path, monkeypatch):
    rng = np.random.default_rng(3)
    folder = tmp_path / "cifar-100-python"
    folder.mkdir()
    train = _cifar_batch(rng, 5, key="fine_labels")
    meta = {"fine_label_names": [f"c{i}" for i in range(100)], "coarse_label_names": []}
    md5s = {}
    for name, obj in (("train", train), ("test", _cifar_batch(rng, 2, "fine_labels")), ("meta", meta)):
        blob = pickle.dumps(obj)
        (folder / name).write_bytes(blob)
        md5s[name] = _md5(blob)
    monkeypatch.setattr(D.CIFAR100, "train_list", [["train", md5s["train"]]])
    monkeypatch.setattr(D.CIFAR100, "test_list", [["test", md5s["test"]]])
    monkeypatch.setattr(D.CIFAR100, "meta", {"filename": "meta", "key": "fine_label_names", "md5": md5s["meta"]})
    ds = D.CIFAR100(str(tmp_path))
    assert ds.targets == train["fine_labels"] and ds.class_to_idx["c7"] == 7


def test_image_folder(tmp_path):
    rng = np.random.default_rng(4)
    arrays = {}
    for cls in ("dog", "cat"):
        (tmp_path / cls / "sub").mkdir(parents=True)
        for i in range(2):
            a = rng.integers(0, 256, (6, 5, 3), dtype=np.uint8)
            name = f"{cls}/sub/{i}.png" if i else f"{cls}/{i}.png"
            Image.fromarray(a).save(tmp_path / name)
            arrays[str(tmp_path / name)] = a
    (tmp_path / "cat" / "notes.txt").write_text("skip me")
    ds = D.ImageFolder(str(tmp_path), transform=T.PILToTensor())
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    assert [os.path.relpath(p, tmp_path) for p, _ in ds.samples] == ["cat/0.png", "cat/sub/1.png", "dog/0.png",
                                                                     "dog/sub/1.png"]
    assert ds.targets == [0, 0, 1, 1] and ds.imgs is ds.samples
    x, y = ds[2]
    np.testing.assert_array_equal(x.permute(1, 2, 0).numpy(), arrays[ds.samples[2][0]])
    texts = D.DatasetFolder(str(tmp_path), loader=lambda p: open(p).read(), extensions=(".txt",), allow_empty=True)
    assert len(texts) == 1 and texts[0] == ("skip me", 0)
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes dog"):
        D.DatasetFolder(str(tmp_path), loader=open, extensions=(".txt",))
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        D.ImageFolder(str(tmp_path / "cat" / "sub"))


def test_fakedata_matches_torch_draws():
    ds = D.FakeData(size=3, image_size=(3, 8, 6), num_classes=5, random_offset=7, transform=T.ToTensor())
    ember.manual_seed(123)
    before = ember.rand(1)
    ember.manual_seed(123)
    img, target = ds[2]
    assert ember.rand(1).item() == before.item()  # the global generator is restored
    torch.manual_seed(2 + 7)
    ref = torch.randn(3, 8, 6)
    ref_t = torch.randint(0, 5, size=(1,), dtype=torch.long)[0].item()
    assert target == ref_t and isinstance(target, int)
    np.testing.assert_allclose(img.numpy(), ref.mul(255).byte().float().div(255).numpy())
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[3]
    with pytest.raises(ValueError, match="Only transforms or transform/target_transform"):
        D.VisionDataset("x", transforms=lambda a, b: (a, b), transform=lambda a: a)
