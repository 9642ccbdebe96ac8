"""Warm kernels: forks of one server that has imported what the notebooks import.

The report they make must be the report new kernels make; a kernel must not outlive
its stand-in or its server; where they cannot be had, notebooks run in new kernels.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from same import differences

from analysis.dataset.read import load_dataset, remember_dataset
from analysis.pipeline import kernels
from analysis.pipeline.execute import KERNEL_NAME, ROOT, execute_chapters, plan_chapters
from analysis.pipeline.kernels import WarmKernels, warm_kernels

pytestmark = pytest.mark.skipif(not kernels.available(), reason="warm kernels need os.fork")

DATASET = Path(__file__).resolve().parent / "fixtures" / "pipeline" / "dataset"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _gone_within(pid: int, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_warm_kernels_make_the_same_notebooks_and_figures_as_new_kernels(tmp_path):
    data = load_dataset(DATASET)
    chapters = plan_chapters(data["themes"], "2021-22-Q2", str(DATASET))
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    execute_chapters(chapters, warm, 2, progress=lambda _: None, warm=True)
    execute_chapters(chapters, cold, 2, progress=lambda _: None, warm=False)
    assert list(warm.glob("figures/*.svg")), "the fixture's report has charts to compare"
    assert differences(warm, cold) == []


async def _kernel_pid(manager_class: type) -> tuple[object, int, int]:
    """Start a kernel; return its manager, the stand-in's pid and the kernel's own pid."""
    manager = manager_class(kernel_name=KERNEL_NAME)
    await manager.start_kernel(cwd=str(ROOT))
    client = manager.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    found: list[int] = []

    def output(message: dict) -> None:
        if message["msg_type"] == "stream":
            found.append(int(message["content"]["text"].strip()))

    await client.execute_interactive("import os; print(os.getpid())", output_hook=output)
    client.stop_channels()
    return manager, manager.provisioner.process.pid, found[0]


def test_a_kernel_is_a_fork_of_the_server_and_dies_with_its_stand_in():
    with WarmKernels(sys.executable, ROOT) as server:
        manager, stand_in, kernel = asyncio.run(_kernel_pid(server.manager_class()))
        assert kernel != stand_in
        assert _alive(kernel)
        os.kill(stand_in, signal.SIGKILL)
        assert _gone_within(kernel), "the kernel outlived its killed stand-in"
        asyncio.run(manager.shutdown_kernel(now=True))


def test_stopping_the_server_stops_its_kernels():
    server = WarmKernels(sys.executable, ROOT)
    manager, _, kernel = asyncio.run(_kernel_pid(server.manager_class()))
    server.close()
    assert _gone_within(kernel), "the kernel outlived its server"
    asyncio.run(manager.shutdown_kernel(now=True))


def test_a_kernel_shut_down_by_its_manager_exits_with_its_stand_in():
    with WarmKernels(sys.executable, ROOT) as server:
        manager, stand_in, kernel = asyncio.run(_kernel_pid(server.manager_class()))
        asyncio.run(manager.shutdown_kernel())
        assert _gone_within(kernel) and _gone_within(stand_in)


def test_a_server_that_does_not_start_is_an_error_and_the_run_uses_new_kernels(monkeypatch):
    with pytest.raises(OSError, match="did not start"):
        WarmKernels(sys.executable, ROOT, options=["-c", "print('no')"])

    def broken(*args, **kwargs):
        raise OSError("the warm kernel server did not start (no answer)")

    monkeypatch.setattr(kernels, "WarmKernels", broken)
    with warm_kernels(KERNEL_NAME, ROOT) as server:
        assert server is None


def test_without_fork_or_when_not_wanted_there_is_no_server(monkeypatch):
    with warm_kernels(KERNEL_NAME, ROOT, wanted=False) as server:
        assert server is None
    monkeypatch.setattr(kernels, "available", lambda: False)
    with warm_kernels(KERNEL_NAME, ROOT) as server:
        assert server is None


def test_a_remembered_dataset_is_a_copy_and_a_changed_file_is_read_anew(tmp_path, monkeypatch):
    import shutil

    from analysis.dataset import read

    folder = shutil.copytree(DATASET, tmp_path / "dataset")
    monkeypatch.setattr(read, "_REMEMBERED", {})
    remember_dataset(folder)
    first, second = load_dataset(folder), load_dataset(folder)
    assert first is not second
    first["themes"].loc[:, "name"] = "changed in one notebook"
    assert (second["themes"]["name"] != "changed in one notebook").all()
    pd.testing.assert_frame_equal(second["measures"], read._REMEMBERED[folder][1]["measures"])

    themes = folder / "themes.csv"
    themes.write_text(themes.read_text(encoding="utf-8").replace("Theme", "Area"), "utf-8")
    assert load_dataset(folder)["themes"]["name"].str.contains("Area").all()
