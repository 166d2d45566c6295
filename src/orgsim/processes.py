"""Child processes that are safe to start from a threaded process and that die with their parent.

Every process orgsim starts comes from here or is made to call :func:`die_with_parent`:

* ``orgsim run``'s workers (:mod:`orgsim.background`) are started by :func:`context`: ``forkserver`` where
  the platform has it (Linux, macOS), ``spawn`` elsewhere. (The figures are drawn in the command's own
  process: see :func:`orgsim.viz.save.draw_all`.)
  Never ``fork``: forking a process that runs threads (pyarrow's pools, Dask, a notebook's kernel) can deadlock
  the child, and Python 3.12 warns about it. The fork server is a small single-threaded process, started
  once, that has imported the simulation (numba, the kernels' module) before it forks each child, so
  workers share that import instead of each doing it.
* ``orgsim sweep``'s local Dask workers call :func:`die_with_parent` as they start (a worker plugin).
* ``orgsim dashboard``'s server runs :data:`DIE_WITH_PARENT_CODE` first.

:func:`die_with_parent` makes a child end when its parent ends, however it ends (``kill -9`` included):
on Linux the kernel sends the child SIGKILL (``prctl(PR_SET_PDEATHSIG)``); elsewhere a watchdog thread does
so when the parent's end of a pipe closes. The fork server itself ends when its parent does (once no child
holds its "alive" pipe: :func:`die_with_parent` closes a child's copy), and then its children get the signal.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading

START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
# What the fork server imports once, before it forks any child: what a worker imports first.
SERVER_PRELOAD = ["orgsim.simulation"]
PARENT_PID_VARIABLE = "ORGSIM_PARENT_PID"  # for a child started with subprocess: its parent's pid
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def context(method: str = START_METHOD) -> multiprocessing.context.BaseContext:
    """The multiprocessing context for orgsim's child processes (see the module's docstring)."""
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(SERVER_PRELOAD)
    return ctx


def die_with_parent(parent_pid: int | None = None) -> None:
    """End this process when its parent ends, even if the parent is killed with SIGKILL.

    ``parent_pid``: the parent's pid, if known (a child started with ``subprocess``: see
    :data:`PARENT_PID_VARIABLE`); for a multiprocessing child, its parent process is found by itself.
    If the parent has ended already, this process ends at once.
    """
    parent = multiprocessing.parent_process()
    _let_the_server_go()
    if sys.platform == "linux":
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    elif parent is not None and parent.sentinel is not None:
        threading.Thread(target=_exit_when_ready, args=(parent.sentinel,), daemon=True,
                         name="orgsim: die with parent").start()
    elif parent_pid is not None:
        threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True,
                         name="orgsim: die with parent").start()
    # The parent may have ended before the line above; a forkserver child's own parent is the server,
    # which ends when the process that started it ends: ask about that process, not the server.
    if (parent is not None and not parent.is_alive()) or (parent_pid is not None and os.getppid() != parent_pid):
        os._exit(1)


def _let_the_server_go() -> None:
    """In a fork server's child: close the child's copy of the server's "alive" pipe.

    The fork server ends when every copy of that pipe's writing end is closed: its parent's, and the
    copy multiprocessing hands each child (for a child that would use the same server). A child that kept
    it would keep the server alive after the parent's death, and the server, its parent, would then never
    end, so the kernel would never send this child the parent-death signal. (``_forkserver_alive_fd`` is
    private, the same in Python 3.11 to 3.13; a process that started a server of its own keeps it.)
    """
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if fd is not None and getattr(server, "_forkserver_pid", None) is None:
        server._forkserver_alive_fd = None
        try:
            os.close(fd)
        except OSError:
            pass


def _exit_when_ready(sentinel: int) -> None:
    from multiprocessing.connection import wait

    wait([sentinel])
    os._exit(1)


def _exit_when_orphaned(parent_pid: int) -> None:
    import time

    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os._exit(1)


# Run by `python -c` before a child program (the dashboard's server): it ends with the process that started it.
DIE_WITH_PARENT_CODE = (f"import os; from orgsim.processes import die_with_parent; "
                        f"die_with_parent(int(os.environ.pop({PARENT_PID_VARIABLE!r}, 0)) or None)")
