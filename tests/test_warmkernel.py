"""Kernels forked from the warm server behave as kernels Jupyter starts:
they run code, can be interrupted, and never outlive their launcher."""
import os
import time

import pytest
from jupyter_client.manager import KernelManager

from analysis import warmkernel


@pytest.fixture(scope="module")
def spec():
    with warmkernel.server() as spec:
        yield spec


def start(spec, monkeypatch, cwd):
    for key, value in spec.env.items():
        monkeypatch.setenv(key, value)
    km = KernelManager(kernel_name=spec.name)
    km.start_kernel(cwd=str(cwd))
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return km, kc


def stop(km, kc):
    kc.stop_channels()
    if km.has_kernel:
        km.shutdown_kernel(now=True)


@pytest.fixture
def kernel(spec, monkeypatch, tmp_path):
    km, kc = start(spec, monkeypatch, tmp_path)
    yield km, kc
    stop(km, kc)


def run(kc, code, timeout=30):
    """Execute ``code``; return (stdout text, error name or None)."""
    out, error = [], []

    def hook(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            error.append(msg["content"]["ename"])
    kc.execute_interactive(code, output_hook=hook, timeout=timeout)
    return "".join(out), (error[0] if error else None)


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pid, seconds=10.0):
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


def test_kernel_is_a_fork_with_the_libraries_imported(kernel, tmp_path):
    km, kc = kernel
    text, error = run(kc, "import os, sys\n"
                          "print(os.getpid(), os.getcwd(), 'pandas' in sys.modules, os.environ['JUPYTER_PATH'])")
    assert error is None
    pid, cwd, preloaded, jupyter_path = text.split()
    assert int(pid) != km.provisioner.process.pid          # not the launcher itself
    assert cwd == str(tmp_path) and preloaded == "True"     # launcher's directory; imports done
    assert jupyter_path == os.environ["JUPYTER_PATH"]       # launcher's environment


def test_the_server_forks_with_one_thread_only(kernel):
    """Fork safety: the process kernels are forked from has no thread but the
    forking one (numpy's BLAS pool is held to one thread, warmkernel.SINGLE_THREADED)."""
    km, kc = kernel
    text, error = run(kc, "import os; print(os.getppid(), len(os.listdir('/proc/self/task')) >= 1)")
    assert error is None
    server = int(text.split()[0])
    assert server != km.provisioner.process.pid  # the parent is the server, not the launcher
    assert len(os.listdir(f"/proc/{server}/task")) == 1
    assert warmkernel.threads() >= 1


def test_interrupt_reaches_the_kernel(kernel):
    km, kc = kernel
    msg_id = kc.execute("import time; time.sleep(60)")
    while True:  # the kernel has begun the cell (on a loaded machine, half a second was not always enough)
        msg = kc.get_iopub_msg(timeout=30)
        if msg["msg_type"] == "execute_input" and msg["parent_header"].get("msg_id") == msg_id:
            break
    time.sleep(0.3)  # into time.sleep itself
    started = time.monotonic()
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=20)
    while reply["msg_type"] == "kernel_info_reply":  # a late answer to wait_for_ready's repeated requests
        reply = kc.get_shell_msg(timeout=20)
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
    assert time.monotonic() - started < 10
    assert run(kc, "print(1 + 1)") == ("2\n", None)         # and it is still usable


def test_killed_launcher_takes_its_kernel_along(kernel):
    """Papermill stops kernels with SIGKILL to the launcher: the forked kernel
    must go too, or every chapter would leave a process behind."""
    km, kc = kernel
    pid = int(run(kc, "import os; print(os.getpid())")[0])
    launcher = km.provisioner.process.pid
    km.shutdown_kernel(now=True)
    assert wait_gone(launcher) and wait_gone(pid)


def test_launcher_exits_with_its_kernel(kernel):
    km, kc = kernel
    pid = int(run(kc, "import os; print(os.getpid())")[0])
    launcher = km.provisioner.process
    kc.execute("import os; os._exit(0)")
    assert wait_gone(pid)
    assert launcher.wait(timeout=10) == 0


def test_a_malformed_request_leaves_the_server_serving(spec, monkeypatch, tmp_path):
    """Garbage on the socket is refused (connection closed, no kernel forked)
    and the next launcher still gets its kernel."""
    import socket

    path = os.path.join(spec.env["JUPYTER_PATH"].split(os.pathsep)[0], "server.sock")
    for garbage in (b"\x00\x00\x00\x05hello", b"\x00\x00\x00\x02{}", b"\xff"):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(path)
            s.sendall(garbage)
            s.shutdown(socket.SHUT_WR)
            s.settimeout(10)
            assert s.recv(100) == b""          # closed without a pid: nothing was forked
    km, kc = start(spec, monkeypatch, tmp_path)
    try:
        # forked by the server (a kernel started cold would not have pandas yet)
        assert run(kc, "import sys; print('pandas' in sys.modules)") == ("True\n", None)
    finally:
        stop(km, kc)
