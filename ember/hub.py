"""torch.hub's download side: `load_state_dict_from_url`, `download_url_to_file`, `get_dir` / `set_dir`.

The cache is torch's: $TORCH_HOME/hub (TORCH_HOME defaults to $XDG_CACHE_HOME/torch, that to ~/.cache),
checkpoints under hub/checkpoints/, so ember and torch share downloaded weights. A download goes to a
`.partial` file beside its target and is moved into place only when complete (and, with a hash prefix,
only when its SHA-256 starts with that prefix). Loading hubconf.py entry points from GitHub repositories
(hub.load / list / help) is not provided.
"""
import errno
import hashlib
import os
import re
import shutil
import sys
import tempfile
import uuid
import warnings
import zipfile
from urllib.error import URLError
from urllib.parse import urlparse
from urllib.request import Request, urlopen

__all__ = ["download_url_to_file", "get_dir", "set_dir", "load_state_dict_from_url"]

HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")  # the hash prefix in a file name: resnet18-5c106cde.pth
ENV_TORCH_HOME = "TORCH_HOME"
ENV_XDG_CACHE_HOME = "XDG_CACHE_HOME"
DEFAULT_CACHE_DIR = "~/.cache"
READ_DATA_CHUNK = 128 * 1024
_hub_dir = None


class _Progress:
    """A percentage (or byte count) on stderr, as torch's fallback when tqdm is not installed."""

    def __init__(self, total, disable):
        self.total, self.disable, self.n = total, disable, 0

    def update(self, n):
        if self.disable:
            return
        self.n += n
        if self.total is None:
            sys.stderr.write(f"\r{self.n:.1f} bytes")
        else:
            sys.stderr.write(f"\r{100 * self.n / float(self.total):.1f}%")
        sys.stderr.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if not self.disable:
            sys.stderr.write("\n")


def _get_torch_home():
    return os.path.expanduser(os.getenv(ENV_TORCH_HOME,
                                        os.path.join(os.getenv(ENV_XDG_CACHE_HOME, DEFAULT_CACHE_DIR), "torch")))


def get_dir():
    """The hub cache directory: set_dir's, else $TORCH_HOME/hub."""
    if os.getenv("TORCH_HUB"):
        warnings.warn("TORCH_HUB is deprecated, please use env TORCH_HOME instead", stacklevel=2)
    if _hub_dir is not None:
        return _hub_dir
    return os.path.join(_get_torch_home(), "hub")


def set_dir(d):
    """Use d as the hub cache directory."""
    global _hub_dir
    _hub_dir = os.path.expanduser(d)


def download_url_to_file(url, dst, hash_prefix=None, progress=True):
    """Download url to the path dst; with hash_prefix, the file's SHA-256 must start with it."""
    dst = os.path.expanduser(dst)
    for _ in range(tempfile.TMP_MAX):
        tmp_dst = dst + "." + uuid.uuid4().hex + ".partial"
        try:
            f = open(tmp_dst, "w+b")
        except FileExistsError:
            continue
        break
    else:
        raise FileExistsError(errno.EEXIST, "No usable temporary file name found")
    req = Request(url, headers={"User-Agent": "torch.hub"})
    try:
        try:
            u = urlopen(req)
        except URLError as e:
            if getattr(e, "code", None) is not None:  # an HTTP error status: the server answered
                raise
            raise URLError(f"could not download {url} ({e.reason}); without network access, put the file at "
                           f"{dst} yourself") from e
        with u:
            length = u.info().get_all("Content-Length")
            file_size = int(length[0]) if length else None
            sha256 = hashlib.sha256() if hash_prefix is not None else None
            with _Progress(file_size, not progress) as bar:
                while True:
                    buffer = u.read(READ_DATA_CHUNK)
                    if not buffer:
                        break
                    f.write(buffer)
                    if sha256 is not None:
                        sha256.update(buffer)
                    bar.update(len(buffer))
            f.close()
            if sha256 is not None:
                digest = sha256.hexdigest()
                if digest[:len(hash_prefix)] != hash_prefix:
                    raise RuntimeError(f'invalid hash value (expected "{hash_prefix}", got "{digest}")')
        shutil.move(f.name, dst)
    finally:
        f.close()
        if os.path.exists(f.name):
            os.remove(f.name)


def _is_legacy_zip_format(filename):
    """A zip holding one file (torch < 1.6 published checkpoints that way), not a torch.save archive."""
    if zipfile.is_zipfile(filename):
        with zipfile.ZipFile(filename) as zf:
            infolist = zf.infolist()
        return len(infolist) == 1 and not infolist[0].is_dir()
    return False


def _legacy_zip_load(filename, model_dir, map_location, weights_only):
    from .serialization import load

    warnings.warn("Falling back to the old format < 1.6. This support will be deprecated in favor of default zipfile "
                  "format introduced in 1.6. Please redo torch.save() to save it in the new zipfile format.",
                  FutureWarning, stacklevel=3)
    with zipfile.ZipFile(filename) as f:
        member = f.infolist()[0]
        target = os.path.realpath(os.path.join(model_dir, member.filename))
        if os.path.commonpath([target, os.path.realpath(model_dir)]) != os.path.realpath(model_dir):
            raise ValueError(f"Attempted path traversal in zip file: {member.filename}")
        f.extract(member, model_dir)
    return load(target, map_location=map_location, weights_only=weights_only)


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True, check_hash=False,
                             file_name=None, weights_only=False):
    """The object saved at url (downloaded once into model_dir, default get_dir()/checkpoints), loaded."""
    from .serialization import load

    if model_dir is None:
        model_dir = os.path.join(get_dir(), "checkpoints")
    os.makedirs(model_dir, exist_ok=True)
    filename = file_name if file_name is not None else os.path.basename(urlparse(url).path)
    cached_file = os.path.join(model_dir, filename)
    if not os.path.exists(cached_file):
        sys.stdout.write(f'Downloading: "{url}" to {cached_file}\n')
        hash_prefix = None
        if check_hash:
            r = HASH_REGEX.search(filename)
            hash_prefix = r.group(1) if r else None
        download_url_to_file(url, cached_file, hash_prefix, progress=progress)
    if _is_legacy_zip_format(cached_file):
        return _legacy_zip_load(cached_file, model_dir, map_location, weights_only)
    return load(cached_file, map_location=map_location, weights_only=weights_only)
