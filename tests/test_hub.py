"""ember.hub (torch.hub's download side) against torch.hub, over a local HTTP server on 127.0.0.1."""
import functools
import hashlib
import http.server
import os
import socket
import threading
from urllib.error import URLError

import pytest
import torch

import ember
from ember import hub


@pytest.fixture
def server(tmp_path):
    """Serves tmp_path/www on 127.0.0.1; yields (base url, folder, list of requested paths)."""
    www = tmp_path / "www"
    www.mkdir()
    seen = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            seen.append(self.path)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(www)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", www, seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def published(www, state):
    """A checkpoint named as torch's model zoo names them: <name>-<sha256 prefix>.pth."""
    tmp = www / "tmp.pth"
    torch.save(state, tmp)
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    name = f"net-{digest[:8]}.pth"
    tmp.rename(www / name)
    return name, digest


def test_load_state_dict_from_url_caches_like_torch(server, tmp_path, monkeypatch, capsys):
    base, www, seen = server
    torch.manual_seed(0)
    state = torch.nn.Linear(3, 2).state_dict()
    name, _ = published(www, state)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(hub, "_hub_dir", None)
    assert hub.get_dir() == str(tmp_path / "home" / "hub") == torch.hub.get_dir()
    sd = hub.load_state_dict_from_url(f"{base}/{name}", check_hash=True, progress=True)
    cached = tmp_path / "home" / "hub" / "checkpoints" / name
    assert cached.exists() and not [p for p in os.listdir(cached.parent) if p.endswith(".partial")]
    out = capsys.readouterr()
    assert f'Downloading: "{base}/{name}" to {cached}' in out.out and "100.0%" in out.err
    assert set(sd) == set(state)
    for k in state:
        assert sd[k].tolist() == state[k].tolist()
    assert len([p for p in seen if name in p]) == 1
    hub.load_state_dict_from_url(f"{base}/{name}", progress=False)  # from the cache: no second request
    assert len([p for p in seen if name in p]) == 1
    # torch finds ember's cached file (same layout) and loads it without downloading
    t_sd = torch.hub.load_state_dict_from_url(f"{base}/{name}", progress=False)
    assert len([p for p in seen if name in p]) == 1 and torch.equal(t_sd["weight"], state["weight"])


def test_model_dir_file_name_and_set_dir(server, tmp_path, monkeypatch):
    base, www, _ = server
    name, _ = published(www, {"x": torch.arange(3)})
    sd = hub.load_state_dict_from_url(f"{base}/{name}", model_dir=str(tmp_path / "m"), file_name="renamed.pt",
                                      progress=False)
    assert (tmp_path / "m" / "renamed.pt").exists() and sd["x"].tolist() == [0, 1, 2]
    monkeypatch.setattr(hub, "_hub_dir", None)
    hub.set_dir(str(tmp_path / "custom"))
    assert hub.get_dir() == str(tmp_path / "custom")
    hub.load_state_dict_from_url(f"{base}/{name}", progress=False)
    assert (tmp_path / "custom" / "checkpoints" / name).exists()


def test_bad_hash_refused_like_torch(server, tmp_path):
    base, www, _ = server
    name, digest = published(www, {"x": torch.ones(2)})
    bad = "net-deadbeef.pth"
    os.rename(www / name, www / bad)
    with pytest.raises(RuntimeError) as t_err:
        torch.hub.download_url_to_file(f"{base}/{bad}", str(tmp_path / "t.pth"), hash_prefix="deadbeef",
                                       progress=False)
    with pytest.raises(RuntimeError) as e_err:
        hub.load_state_dict_from_url(f"{base}/{bad}", model_dir=str(tmp_path / "e"), check_hash=True,
                                     progress=False)
    assert str(e_err.value) == str(t_err.value) == f'invalid hash value (expected "deadbeef", got "{digest}")'
    assert os.listdir(tmp_path / "e") == []  # nothing left behind, not even the partial file
    hub.download_url_to_file(f"{base}/{bad}", str(tmp_path / "ok.pth"), hash_prefix=digest[:10], progress=False)
    assert ember.load(tmp_path / "ok.pth")["x"].tolist() == [1.0, 1.0]


def test_no_network_gives_a_clear_error(tmp_path):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(URLError, match="could not download .*put the file at"):
        hub.load_state_dict_from_url(f"http://127.0.0.1:{port}/w.pth", model_dir=str(tmp_path), progress=False)
    assert os.listdir(tmp_path) == []


def test_http_error_status_passes_through(server, tmp_path):
    base, _, _ = server
    with pytest.raises(URLError) as info:
        hub.download_url_to_file(f"{base}/missing.pth", str(tmp_path / "x"), progress=False)
    assert info.value.code == 404 and os.listdir(tmp_path) == ["www"]


def test_lazy_attribute():
    assert ember.hub is hub
