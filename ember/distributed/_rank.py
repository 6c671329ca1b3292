"""Start of a rank under mpiexec (`ember run` calls start() when an MPI launcher started it).

MPI is initialised at once (so that a rank that crashes early can still abort the job), torchrun's
environment is set from MPI's ranks, and an uncaught exception (or a non-zero sys.exit) prints its
traceback and aborts the whole MPI job: no rank is left waiting in a collective for a dead peer."""
import os
import sys
import traceback

# The rank variables of the MPI launchers ember knows: MPICH (hydra), Open MPI, PMIx.
_RANK_VARS = ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK")
_LOCAL_RANK_VARS = ("MPI_LOCALRANKID", "OMPI_COMM_WORLD_LOCAL_RANK")
_LOCAL_SIZE_VARS = ("MPI_LOCALNRANKS", "OMPI_COMM_WORLD_LOCAL_SIZE")


def launched_by_mpi(environ=os.environ):
    return any(v in environ for v in _RANK_VARS)


def _first(names, default):
    for n in names:
        if n in os.environ:
            return int(os.environ[n])
    return default


def start():
    from mpi4py import MPI

    world = MPI.COMM_WORLD
    rank, size = world.Get_rank(), world.Get_size()
    local_size = _first(_LOCAL_SIZE_VARS, int(os.environ.get("LOCAL_WORLD_SIZE", size)))
    os.environ["RANK"] = str(rank)
    os.environ["WORLD_SIZE"] = str(size)
    os.environ["LOCAL_RANK"] = str(_first(_LOCAL_RANK_VARS, rank % local_size))
    os.environ["LOCAL_WORLD_SIZE"] = str(local_size)
    os.environ.setdefault("GROUP_RANK", str(rank // local_size))
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", "29500")
    sys.excepthook = _abort_on_exception


def _abort_on_exception(kind, value, tb):
    traceback.print_exception(kind, value, tb)
    abort(1)


def abort(code):
    """End every rank of the job now, with exit status `code`."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    from mpi4py import MPI

    MPI.COMM_WORLD.Abort(code)


def exit_code(code):
    """What sys.exit(code) exits with."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
