"""Warm kernels: each notebook still gets a fresh kernel process, without paying for imports.

Starting a kernel and importing pandas, plotnine, great-tables and this package takes
a few seconds of CPU, more than some chapters need for their own work, and a run starts
one kernel per chapter. A :class:`WarmKernels` server is one process that imports all of
that once; every kernel of the run is then a fork of it, which starts in milliseconds
and holds the same modules a kernel would have imported. Each notebook still runs in a
process of its own, with nothing of any other notebook in it.

How a kernel is started:

1. papermill asks its kernel manager (:func:`warm_kernel_manager`) for a kernel; the
   manager starts, instead of ``python -m ipykernel_launcher``, the small stand-in
   ``kernel_launcher.py`` (standard library only, so it starts at once) with the same
   arguments;
2. the stand-in sends its arguments, working folder and environment to the server over a
   Unix socket; the server forks, and the fork becomes the IPython kernel;
3. the stand-in passes on the interrupts and terminations the manager sends it, and
   exits with the kernel's exit code when the kernel exits. If the stand-in is killed,
   the server kills its kernel; if the server goes, its kernels go too.

Where ``os.fork`` is not available the run uses ordinary kernels (:func:`available`).
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "PRELOAD",
    "WarmKernels",
    "available",
    "interpreter_options",
    "serve",
    "warm_kernel_manager",
    "warm_kernels",
]

#: What the server imports before it forks: what the chapter notebooks import.
PRELOAD = (
    "matplotlib_inline.backend_inline",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "IPython.display",
    "pandas",
    "plotnine",
    "great_tables",
    "analysis.dataset",
    "analysis.engine",
    "analysis.report.chapters",
    "analysis.report.charts",
    "analysis.report.chips",
    "analysis.report.extracts",
    "analysis.report.narrative",
    "analysis.report.tables",
    "analysis.report.text",
)

_LAUNCHER = Path(__file__).with_name("kernel_launcher.py")
_KERNEL_MODULE = ["-m", "ipykernel_launcher"]
_READY = "ready"
_START_TIMEOUT = 120.0


def available() -> bool:
    """Whether warm kernels can be used here (they need ``os.fork`` and Unix sockets)."""
    return hasattr(os, "fork") and hasattr(socket, "AF_UNIX")


class WarmKernels:
    """A running server of warm kernels; a context manager that stops it (and its kernels).

    Parameters
    ----------
    python
        The interpreter of the kernels (the one :func:`~analysis.pipeline.execute.check_kernel`
        approved).
    cwd
        The folder the server starts in (the project root).
    options
        Interpreter options of the kernel command (:func:`interpreter_options`).
    datasets
        Dataset folders to load once, for every kernel (spelled as the notebooks will
        spell them).

    Raises
    ------
    OSError
        If the server cannot be started or does not become ready; the run then uses
        ordinary kernels.
    """

    def __init__(
        self,
        python: str = sys.executable,
        cwd: Path | None = None,
        options: Sequence[str] = (),
        datasets: Sequence[str | Path] = (),
    ) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="council-kernels-")
        self.socket = str(Path(self._folder.name) / "kernels.sock")
        self._process = subprocess.Popen(
            [python, *options, "-m", "analysis.pipeline.kernels", self.socket]
            + [str(d) for d in datasets],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = ""
        with selectors.DefaultSelector() as waiting:  # it answers once it has imported
            waiting.register(self._process.stdout, selectors.EVENT_READ)
            if waiting.select(timeout=_START_TIMEOUT):
                line = self._process.stdout.readline().strip()
        if line != _READY:
            self.close()
            raise OSError(f"the warm kernel server did not start ({line or 'no answer'})")

    def manager_class(self) -> type:
        """A kernel manager class whose kernels are forks of this server."""
        return warm_kernel_manager(self.socket)

    def close(self) -> None:
        """Stop the server; it stops any kernel still running."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._folder.cleanup()

    def __enter__(self) -> WarmKernels:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def warm_kernel_manager(server_socket: str) -> type:
    """A jupyter_client kernel manager class that starts its kernels from the server at
    ``server_socket`` (through the stand-in launcher) instead of as new Pythons."""
    from jupyter_client.manager import AsyncKernelManager

    class WarmKernelManager(AsyncKernelManager):  # type: ignore[misc]
        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            command = super().format_kernel_cmd(extra_arguments)
            at = _kernel_module_at(command)
            if at is None:
                return command  # not an IPython kernel: start it as it asks
            arguments = command[at + len(_KERNEL_MODULE) :]
            return [sys.executable, "-I", "-S", str(_LAUNCHER), server_socket, *arguments]

    return WarmKernelManager


def _kernel_module_at(command: Sequence[str]) -> int | None:
    """Where ``-m ipykernel_launcher`` is in a kernel command (after the interpreter and
    its options), or None."""
    for at in range(1, len(command) - 1):
        if list(command[at : at + 2]) == _KERNEL_MODULE:
            return at
    return None


def interpreter_options(command: Sequence[str]) -> list[str]:
    """The interpreter options of a kernel command (``-Xfrozen_modules=off``, ...), which
    the server is started with so that its kernels run as the command would.

    Examples
    --------
    >>> interpreter_options(["python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher"])
    ['-Xfrozen_modules=off']
    """
    at = _kernel_module_at(command)
    return list(command[1:at]) if at is not None else []


# --------------------------------------------------------------------------- the server


def serve(path: str, datasets: Sequence[str] = (), preload: Sequence[str] = PRELOAD) -> None:
    """Import ``preload`` and load ``datasets``, then fork a kernel for each stand-in that
    connects to ``path``.

    A notebook that loads one of ``datasets`` gets a copy of it, as long as its files are
    unchanged (:func:`analysis.dataset.read.remember_dataset`).

    The server is single-threaded (forking a process with threads is not safe): one loop
    accepts stand-ins, reads their requests, reaps kernels that exited and tells their
    stand-ins, and kills the kernel of a stand-in that went away. It stops on SIGTERM, or
    when the process that started it is gone, and takes its kernels with it.
    """
    parent = os.getppid()
    # As ipykernel_launcher does: the folder the server was started from is not on the
    # path of its kernels (IPython puts the kernel's working folder there itself).
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    _import_as_in_a_kernel(preload)
    from analysis.dataset.read import remember_dataset
    from analysis.errors import WorkbookError

    for folder in datasets:
        with contextlib.suppress(WorkbookError, OSError):  # the notebook will say what is wrong
            remember_dataset(folder)

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    kernels: dict[socket.socket, int] = {}  # stand-in connection -> kernel pid
    buffers: dict[socket.socket, bytes] = {}
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    print(_READY, flush=True)
    try:
        while not stopping and os.getppid() == parent:
            for key, _ in selector.select(timeout=0.05):
                conn = key.fileobj
                if conn is listener:
                    accepted, _ = listener.accept()
                    selector.register(accepted, selectors.EVENT_READ)
                    buffers[accepted] = b""
                    continue
                assert isinstance(conn, socket.socket)
                data = conn.recv(1 << 16)
                if not data:  # the stand-in went away: so does its kernel
                    _kill(kernels.pop(conn, None))
                    selector.unregister(conn)
                    conn.close()
                    buffers.pop(conn, None)
                elif conn not in kernels:
                    buffers[conn] += data
                    if b"\n" in buffers[conn]:
                        request = json.loads(buffers.pop(conn).split(b"\n", 1)[0])
                        pid = _fork_kernel(request, listener, list(selector.get_map().values()))
                        kernels[conn] = pid
                        conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
            _reap(kernels)
    finally:
        for pid in kernels.values():
            _kill(pid)
        for conn in list(kernels):
            conn.close()
        listener.close()
        with contextlib.suppress(OSError):
            os.unlink(path)


class _Kernel:
    """What a module sees of a kernel when it asks ``get_ipython()`` on import."""

    kernel = True


def _import_as_in_a_kernel(modules: Sequence[str]) -> None:
    """Import ``modules`` so that they set themselves up as they would in a kernel.

    Some look at where they are on import: matplotlib chooses its backend from
    ``MPLBACKEND``, which ipykernel sets before any user code; pandas sizes its displays
    for a terminal unless ``get_ipython()`` answers with a kernel.
    """
    import builtins

    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    had = hasattr(builtins, "get_ipython")
    if not had:
        builtins.get_ipython = _Kernel  # type: ignore[attr-defined]
    try:
        for module in modules:
            __import__(module)
    finally:
        if not had:
            del builtins.get_ipython  # type: ignore[attr-defined]


def _reap(kernels: dict[socket.socket, int]) -> None:
    """Tell the stand-in of every kernel that exited its exit code."""
    for conn, pid in list(kernels.items()):
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done, status = pid, 0
        if done == pid:
            code = os.waitstatus_to_exitcode(status)
            with contextlib.suppress(OSError):
                conn.sendall(json.dumps({"exit": code}).encode() + b"\n")
            del kernels[conn]


def _kill(pid: int | None) -> None:
    if pid is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _fork_kernel(request: dict[str, Any], listener: socket.socket, keys: list[Any]) -> int:
    """Fork; the child becomes an IPython kernel with the stand-in's arguments."""
    server = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        for key in keys:
            with contextlib.suppress(OSError):
                key.fileobj.close()
        listener.close()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setsid()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        _fresh_random_state()
        from ipykernel.kernelapp import IPKernelApp

        # The kernel watches the server, its parent: it exits if the server is gone.
        argv = [*request["argv"], f"--IPKernelApp.parent_handle={server}"]
        sys.argv = [sys.executable, *argv]
        IPKernelApp.launch_instance(argv=argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:  # the kernel could not start: say why where the run can see it
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    return 0  # pragma: no cover - the child never gets here


def _fresh_random_state() -> None:
    """Give the kernel random state of its own, as a new process has (``random`` reseeds
    itself after a fork; numpy's global generator does not)."""
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


@contextlib.contextmanager
def warm_kernels(
    kernel_name: str, cwd: Path, wanted: bool = True, datasets: Sequence[str | Path] = ()
) -> Iterator[WarmKernels | None]:
    """A :class:`WarmKernels` server for the kernel ``kernel_name``, for the block; None
    when not wanted or not possible here (the notebooks then run in ordinary kernels)."""
    if not wanted or not available():
        yield None
        return
    from jupyter_client.kernelspec import KernelSpecManager

    command = KernelSpecManager().get_kernel_spec(kernel_name).argv
    if _kernel_module_at(command) is None:
        yield None  # not an IPython kernel of this interpreter: nothing to warm
        return
    try:
        server = WarmKernels(sys.executable, cwd, interpreter_options(command), datasets)
    except OSError:
        yield None
        return
    with server:
        yield server


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])
