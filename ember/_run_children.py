"""Child processes of `ember run` see ember as `torch` too.

The `spawn` and `forkserver` start methods (macOS's and Windows' default, and
Linux's from Python 3.14) start a fresh interpreter that re-imports the
script's `__main__`; without the import alias it would load real torch or fail.
`fork` children inherit the alias with the rest of the process.

- spawn: the child's `-c` command installs the alias before `spawn_main` runs.
- forkserver: the server imports `ember._run_child` (which installs the alias)
  instead of pre-importing `__main__`, so every child forked from it has the
  alias when it imports the script.
"""
import multiprocessing.spawn as _spawn

_PREFIX = "import ember._run; ember._run.install(); "


def patch_multiprocessing():
    original = _spawn.get_command_line
    if getattr(original, "_ember_alias", False):
        return

    def get_command_line(**kwds):
        cmd = original(**kwds)
        if "-c" in cmd:  # a frozen executable takes no -c: nothing to prefix
            i = cmd.index("-c") + 1
            cmd[i] = _PREFIX + cmd[i]
        return cmd

    get_command_line._ember_alias = True
    _spawn.get_command_line = get_command_line
    import multiprocessing.forkserver as forkserver

    forkserver.set_forkserver_preload(["ember._run_child"])
