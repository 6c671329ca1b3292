"""`ember run script.py [args...]`: run an unmodified PyTorch script on ember.

A meta-path finder maps `torch` and every `torch.X` import to `ember` and
`ember.X` (the same module objects, so `torch.nn is ember.nn`). The script runs
as `__main__` with its own argv, and its exit status is ours.
"""
import importlib
import importlib.abc
import importlib.util
import os
import runpy
import sys


class _Alias(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module):
        pass


# top-level names served by ember packages
_ROOTS = {"torch": "ember", "torchvision": "ember.vision"}


class TorchToEmber(importlib.abc.MetaPathFinder):
    """Resolve `torch[.X]` imports to `ember[.X]` (and `torchvision[.X]` to `ember.vision[.X]`)."""

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top not in _ROOTS:
            return None
        target_name = _ROOTS[top] + fullname[len(top):]
        try:
            found = importlib.util.find_spec(target_name)
        except ModuleNotFoundError:
            found = None
        if found is None:
            parent, _, attr = target_name.rpartition(".")
            # Some torch submodules are attributes of an ember module (torch.autograd.Variable style).
            try:
                mod = importlib.import_module(parent)
                if hasattr(mod, attr) and type(getattr(mod, attr)).__name__ == "module":
                    return importlib.util.spec_from_loader(fullname, _Alias(f"{parent}.{attr}"))
            except ImportError:
                pass
            raise ModuleNotFoundError(f"No module named '{fullname}': ember does not provide {fullname} yet "
                                      f"(looked for {target_name})", name=fullname)
        return importlib.util.spec_from_loader(fullname, _Alias(target_name))


def install():
    """Make `import torch` load ember for the rest of this process; dtypes print as torch's
    (`torch.float32`), since the script believes it is running on torch."""
    from . import _dtype

    _dtype.REPR_PREFIX = "torch."
    if not any(isinstance(f, TorchToEmber) for f in sys.meta_path):
        sys.meta_path.insert(0, TorchToEmber())
    from ._run_children import patch_multiprocessing

    patch_multiprocessing()


def run_script(path, args):
    install()
    sys.argv = [path] + list(args)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    runpy.run_path(path, run_name="__main__")


def run_module(name, args):
    install()
    sys.argv = [name] + list(args)
    runpy.run_module(name, run_name="__main__", alter_sys=True)


USAGE = """usage: ember run script.py [args...]      run a PyTorch script on ember
       ember run -m module [args...]
       ember run --nproc-per-node N script.py [args...]   N ranks (torchrun's flags; or mpiexec -n N ember run)
       ember demo                          train the bundled examples
       ember bench                         time ember against PyTorch"""


def _under_mpi():
    from .distributed._rank import launched_by_mpi

    return launched_by_mpi()


def _run_rank(rest):
    """One rank of an MPI job: torchrun's environment from MPI, and a crash (or non-zero exit) aborts the job."""
    from .distributed import _rank

    _rank.start()
    try:
        if rest[0] == "-m":
            run_module(rest[1], rest[2:])
        else:
            run_script(rest[0], rest[1:])
    except SystemExit as e:
        code = _rank.exit_code(e.code)
        if code:
            _rank.abort(code)
        return 0
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    cmd, rest = argv[0], argv[1:]
    if cmd == "run":
        if not rest:
            print(USAGE, file=sys.stderr)
            return 2
        if rest[0].startswith("--"):  # torchrun's flags: start the ranks through mpiexec
            from .distributed.run import main as launch

            return launch(rest)
        if _under_mpi():
            return _run_rank(rest)
        if rest[0] == "-m":
            run_module(rest[1], rest[2:])
        else:
            run_script(rest[0], rest[1:])
        return 0
    if cmd in ("demo", "bench"):
        mod = importlib.import_module(f"ember.{cmd}")
        return mod.main(rest)
    print(f"ember: unknown command '{cmd}'\n{USAGE}", file=sys.stderr)
    return 2
