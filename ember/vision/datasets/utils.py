"""Download, check and extract dataset files (torchvision.datasets.utils)."""
import bz2
import gzip
import hashlib
import lzma
import os
import shutil
import tarfile
import urllib.error
import urllib.request
import zipfile

USER_AGENT = "pytorch/vision"


def calculate_md5(fpath, chunk_size=1024 * 1024):
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        while chunk := f.read(chunk_size):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5, **kwargs):
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5=None):
    if not os.path.isfile(fpath):
        return False
    return True if md5 is None else check_md5(fpath, md5)


def download_url(url, root, filename=None, md5=None, max_redirect_hops=3):
    """Fetch url into root/filename unless a file with that md5 is there; URLError propagates
    (callers try their next mirror), a bad checksum raises RuntimeError."""
    root = os.path.expanduser(root)
    filename = filename or os.path.basename(url)
    fpath = os.fspath(os.path.join(root, filename))
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request) as response, open(fpath + ".partial", "wb") as f:
        shutil.copyfileobj(response, f)
    os.replace(fpath + ".partial", fpath)
    if not check_integrity(fpath, md5):
        raise RuntimeError("File not found or corrupted.")


_COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def extract_archive(from_path, to_path=None, remove_finished=False):
    """Unpack a .zip / .tar[.gz|.bz2|.xz] / .tgz into to_path, or decompress a single .gz/.bz2/.xz file."""
    to_path = os.path.dirname(from_path) if to_path is None else to_path
    name = os.path.basename(from_path)
    if zipfile.is_zipfile(from_path):
        with zipfile.ZipFile(from_path) as z:
            z.extractall(to_path)
    elif name.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz")):
        with tarfile.open(from_path) as tar:
            tar.extractall(to_path, filter="data")  # no absolute paths or links outside to_path
    else:
        ext = os.path.splitext(name)[1]
        if ext not in _COMPRESSED:
            raise RuntimeError(f"Archive type of '{from_path}' is not supported")
        out = os.path.join(to_path, name[: -len(ext)])
        with _COMPRESSED[ext](from_path, "rb") as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
        to_path = out
    if remove_finished:
        os.remove(from_path)
    return to_path


def download_and_extract_archive(url, download_root, extract_root=None, filename=None, md5=None,
                                 remove_finished=False):
    download_root = os.path.expanduser(download_root)
    extract_root = extract_root or download_root
    filename = filename or os.path.basename(url)
    download_url(url, download_root, filename, md5)
    archive = os.path.join(download_root, filename)
    extract_archive(archive, extract_root, remove_finished)
