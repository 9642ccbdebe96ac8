"""The stand-in a warm kernel manager starts instead of ``python -m ipykernel_launcher``.

Run as ``python -I -S kernel_launcher.py SERVER_SOCKET KERNEL_ARGUMENTS...``: it uses the
standard library only, so it starts at once. It asks the warm kernel server
(:mod:`analysis.pipeline.kernels`) for a kernel with its arguments, working folder and
environment, passes on the interrupts and terminations it is sent, and exits with the
kernel's exit code when the kernel exits.
"""

import contextlib
import json
import os
import signal
import socket
import sys


def main(argv: list[str]) -> int:
    server, arguments = argv[0], argv[1:]
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(server)
    request = {"argv": arguments, "cwd": os.getcwd(), "env": dict(os.environ)}
    conn.sendall(json.dumps(request).encode() + b"\n")
    stream = conn.makefile("r", encoding="utf-8")
    pid = json.loads(stream.readline())["pid"]

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, forward)
    while True:
        line = stream.readline()
        if not line:  # the server is gone, and its kernels with it
            return 1
        message = json.loads(line)
        if "exit" in message:
            return int(message["exit"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
