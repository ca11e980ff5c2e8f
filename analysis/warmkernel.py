"""IPython kernels forked from a process that has already imported the
chapters' libraries.

Every chapter runs in a fresh kernel, as Jupyter would run it. A fresh kernel
spends about half of a chapter's time importing (IPython, pandas, matplotlib,
myst-nb and this package: 2 of 4.5 s, measured with ``python -X importtime``
and ``benchmarks/bench.py``). Here one *server* process imports them once;
each kernel is then a ``fork`` of it, a new process with those modules already
in memory, and otherwise exactly the kernel ``python -m ipykernel_launcher``
starts (same arguments, working directory and environment, its own
standard streams).

Jupyter starts a kernel from a kernel spec (``kernel.json``). The spec written
by :func:`server` starts :func:`launch`, a small process that asks the server
for a kernel and stays alive exactly as long as that kernel:

- it forwards SIGINT and SIGTERM (interrupt, terminate) to the kernel;
- it exits when the kernel exits (the socket between them closes);
- when it is killed (Papermill stops kernels with SIGKILL), the kernel sees
  the socket close and exits too, so no kernel outlives its notebook.

    with warmkernel.server() as spec:            # imports once
        papermill.execute_notebook(..., kernel_name=spec.name)  # with spec.env

Set ``SRD_COLD_KERNELS=1`` to start every kernel from scratch instead
(the benchmark compares both; so does ``tests/test_run.py``).
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

NAME = "srd-warm"
# what a chapter imports, in import order. A fork copies only the thread that
# forks, so the server must have no other thread when it forks: numpy's
# OpenBLAS starts a thread pool at import unless told to use one thread
# (SINGLE_THREADED, set before the imports), and the server counts its threads
# (/proc/self/task) before every fork; with more than one, the kernel is
# started from scratch instead, as Jupyter would start it.
PRELOAD = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "matplotlib_inline.backend_inline",
    "numpy", "pandas", "matplotlib.figure", "matplotlib.backends.backend_agg", "myst_nb",
    "analysis.chapter", "analysis.plots", "analysis.frameworks", "analysis.indicators",
    "analysis.config",
)
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
STARTUP_TIMEOUT = 30.0  # seconds a launcher waits for the server before starting a kernel cold


@dataclass(frozen=True)
class Spec:
    name: str   # the kernel name to give Papermill
    env: dict   # environment under which that name resolves (JUPYTER_PATH)


def cold() -> bool:
    return os.environ.get("SRD_COLD_KERNELS", "") not in ("", "0")


def threads() -> int:
    """The threads of this process (the kernel's own count, not Python's view)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


# --------------------------------------------------------------------- wire
def _send(sock: socket.socket, payload: dict, fds: list[int]) -> None:
    data = json.dumps(payload).encode()
    socket.send_fds(sock, [struct.pack("!I", len(data)) + data], fds)


def _recv(sock: socket.socket) -> tuple[dict, list[int]]:
    head, fds, _flags, _addr = socket.recv_fds(sock, 4, 3)
    try:
        while len(head) < 4:
            more = sock.recv(4 - len(head))
            if not more:
                raise ConnectionError("connection closed before the request")
            head += more
        size, body = struct.unpack("!I", head)[0], b""
        while len(body) < size:
            more = sock.recv(size - len(body))
            if not more:
                raise ConnectionError("connection closed inside the request")
            body += more
        request = json.loads(body)
        if len(fds) != 3 or not isinstance(request, dict):
            raise ValueError("a request is a JSON object sent with three descriptors")
        return request, fds
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise


# ------------------------------------------------------------------- server
def serve(path: str) -> None:
    """Import :data:`PRELOAD`, then fork a kernel for each connection on the
    Unix socket ``path``. The socket lives in a private temporary folder
    (mode 0700): only this user's processes can ask for a kernel, as only
    they could start one.

    Runs until SIGTERM (from :func:`server`) or until the process that started
    it is gone; either way the kernels it forked are killed with it, so an
    interrupted build leaves no kernel behind. Ctrl-C is not for the server:
    its owner stops it once the notebooks being run have stopped (a server
    dying first would leave their launchers waiting for it)."""
    import importlib

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    kernels: list[int] = []

    def stop(*_args) -> None:
        for pid in kernels:  # still ours (not a reused pid), it leads its own session (see _kernel)
            with contextlib.suppress(OSError, ValueError, IndexError):
                if _parent_of(pid) == os.getpid():
                    os.killpg(pid, signal.SIGKILL)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)

    # as ipykernel_launcher does: the working directory is not an import root
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    # the backend a kernel selects at start, so matplotlib is imported as a kernel imports it
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.environ.update(SINGLE_THREADED)  # before numpy: no BLAS thread pool to lose in the fork
    for module in PRELOAD:
        importlib.import_module(module)
    importlib.import_module("analysis.plots")._code_hash()  # the figures' code key, computed once for every kernel
    if threads() > 1:
        print(f"warm kernel: the server has {threads()} threads after its imports; forking is not safe, "
              "so every kernel starts from scratch", file=sys.stderr)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped by the system
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)  # launchers wait until the socket exists: the imports are done
    listener.settimeout(1.0)
    while True:
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            if os.getppid() != parent:  # the build that started it was killed
                stop()
            continue
        try:
            request, fds = _recv(conn)
        except (ConnectionError, ValueError, OSError):
            conn.close()  # a malformed request (its descriptors are closed by _recv)
            continue
        if threads() > 1:  # a fork would copy a process whose other threads vanish: start cold instead
            pid = 0
        else:
            pid = os.fork()
            if pid == 0:  # the kernel
                listener.close()
                _kernel(conn, request, fds)
            kernels.append(pid)
        for fd in fds:
            os.close(fd)
        with contextlib.suppress(OSError):
            conn.sendall(f"{pid}\n".encode())
        conn.close()


def _parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def _kernel(conn: socket.socket, request: dict, fds: list[int]) -> None:
    """In the forked child: become the kernel ``python -m ipykernel_launcher
    <argv>`` would have been, in the launcher's directory and environment."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the signals as a fresh process has them
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setsid()
        for target, fd in zip((0, 1, 2), fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        argv = list(request["argv"])
        if os.environ.get("JPY_PARENT_PID"):  # read by ipykernel at import, i.e. in the server: pass it on
            argv.append(f"--IPKernelApp.parent_handle={os.environ['JPY_PARENT_PID']}")
        sys.argv = ["ipykernel_launcher", *argv]

        def exit_with_launcher() -> None:
            while conn.recv(4096):
                pass
            os._exit(0)  # the launcher is gone: so is its kernel

        threading.Thread(target=exit_with_launcher, daemon=True).start()
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001 - report it, then leave
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


# ----------------------------------------------------------------- launcher
def launch(path: str, argv: list[str]) -> int:
    """The process Jupyter starts as the kernel: ask the server at ``path``
    for a kernel with ``argv`` and live as long as it does."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    while True:
        try:
            sock.connect(path)
            break
        except (FileNotFoundError, ConnectionRefusedError):
            if not os.path.isdir(os.path.dirname(path)):  # the server has been stopped (build interrupted)
                print("warm kernel: the kernel server has stopped", file=sys.stderr)
                return 1
            if time.monotonic() > deadline:
                print(f"warm kernel: no server at {path} after {STARTUP_TIMEOUT:.0f} s; "
                      "starting the kernel from scratch", file=sys.stderr)
                os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv])
            time.sleep(0.02)
    _send(sock, {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}, [0, 1, 2])
    reply = sock.makefile("rb")
    line = reply.readline()
    if not line.strip():
        print("warm kernel: the server did not start a kernel", file=sys.stderr)
        return 1
    pid = int(line)
    if pid == 0:  # the server cannot fork safely: the kernel Jupyter would start
        sock.close()
        os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv])

    def forward(signum, _frame):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    while reply.read(4096):  # until the kernel exits and its end closes
        pass
    return 0


# ------------------------------------------------------------------ context
@contextlib.contextmanager
def server():
    """Start the server in the background and yield the :class:`Spec` to run
    notebooks with; stop it on exit, and with it every kernel it forked (stop
    the notebooks first: their kernels go with the server)."""
    from .paths import ROOT, search_path

    with tempfile.TemporaryDirectory(prefix="srd-kernels-") as tmp:
        path = str(Path(tmp) / "server.sock")
        spec_dir = Path(tmp) / "kernels" / NAME
        spec_dir.mkdir(parents=True)
        spec_dir.joinpath("kernel.json").write_text(json.dumps({
            # the file itself, not ``-m analysis.warmkernel``: the launcher needs only the
            # standard library, whatever the environment of the process starting it
            "argv": [sys.executable, str(Path(__file__).resolve()), "launch", path, "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "interrupt_mode": "signal",
        }))
        proc = subprocess.Popen([sys.executable, "-m", "analysis.warmkernel", "serve", path],
                                cwd=ROOT, stdin=subprocess.DEVNULL)
        try:
            yield Spec(NAME, {"JUPYTER_PATH": search_path(tmp, os.environ.get("JUPYTER_PATH"))})
        finally:
            proc.terminate()  # the server kills its kernels, then exits
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def main(argv: list[str]) -> int:
    if argv[:1] == ["serve"] and len(argv) == 2:
        serve(argv[1])
        return 0
    if argv[:1] == ["launch"] and len(argv) >= 2:
        return launch(argv[1], argv[2:])
    print("usage: python -m analysis.warmkernel serve SOCKET | launch SOCKET -f CONNECTION_FILE",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
