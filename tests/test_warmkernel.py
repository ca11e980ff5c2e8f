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


@pytest.fixture
def kernel(spec, monkeypatch, tmp_path):
    for key, value in spec.env.items():
        monkeypatch.setenv(key, value)
    km = KernelManager(kernel_name=spec.name)
    km.start_kernel(cwd=str(tmp_path))
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    yield km, kc
    kc.stop_channels()
    if km.has_kernel:
        km.shutdown_kernel(now=True)


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


def test_interrupt_reaches_the_kernel(kernel):
    km, kc = kernel
    kc.execute("import time; time.sleep(60)")
    time.sleep(0.5)
    started = time.monotonic()
    km.interrupt_kernel()
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
