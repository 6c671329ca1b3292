"""python -m ember.viz [-o graph.html] script.py [args...]

Runs the script as `ember run` does (`import torch` loads ember), recording its graph,
and writes the graph of the first backward() call it makes, with the gradients that
flowed, to an HTML file (default: <script>.graph.html). Recording stops after that
call, so the rest of the script runs at full speed.
"""
import argparse
import os
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m ember.viz", description=__doc__.split("\n\n")[1])
    parser.add_argument("-o", "--output", help="HTML file to write (default: <script>.graph.html)")
    parser.add_argument("--values", action="store_true", help="also show the forward values' statistics")
    parser.add_argument("script")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    opts = parser.parse_args(argv)
    out = opts.output or os.path.splitext(opts.script)[0] + ".graph.html"

    from .. import _tensor, autograd
    from .._run import run_script
    from . import graph, record

    rec = record(values=opts.values)
    original = autograd.run_backward
    done = []

    def first_backward(tensors, *args, **kwargs):
        result = original(tensors, *args, **kwargs)
        if not done and kwargs.get("accumulate", True):
            done.append(True)
            rec.__exit__(None, None, None)
            _restore()
            graph(tuple(tensors)).save(out)
            print(f"ember.viz: wrote the graph of the first backward() to {out}", file=sys.stderr)
        return result

    def _restore():
        _tensor.run_backward = autograd.run_backward = original

    _tensor.run_backward = autograd.run_backward = first_backward
    rec.__enter__()
    try:
        run_script(opts.script, opts.args)
    finally:
        if not done:
            rec.__exit__(None, None, None)
            _restore()
            print("ember.viz: the script made no backward() call; no graph written", file=sys.stderr)
    return 0 if done else 1


if __name__ == "__main__":
    sys.exit(main())
