"""Fixtures of the client's tests.

Tests that need a coordinator take the ``client`` fixture: they run against the ``Coordinator
serve`` at ``METACLUSTER_COORDINATOR`` (with ``METACLUSTER_TOKEN``, if set) and are skipped when it
is unset. ``tests/PythonClient.Tests`` (part of ``./test.sh``) starts Redis, a coordinator and two
TaskWorker processes on loopback and runs these tests against them. The other tests need nothing.
"""
from __future__ import annotations

import os
import uuid
from typing import Dict, Iterator, List, Tuple

import pytest

import metacluster

#: A run that trains and evaluates in seconds on one core: 20 meta-steps of sinusoid MAML.
SHORT_RUN = dict(
    task="sinusoid",
    algorithm="maml",
    meta_steps=20,
    meta_batch=8,
    eval_tasks=10,
    eval_inner_steps=[1, 5],
    log_every=3,
    checkpoint_every=10,
    seed=3,
)


@pytest.fixture(scope="session")
def coordinator_url() -> str:
    url = os.environ.get("METACLUSTER_COORDINATOR")
    if not url:
        pytest.skip("METACLUSTER_COORDINATOR is not set: no coordinator to test against "
                    "(tests/PythonClient.Tests starts one and sets it)")
    return url


@pytest.fixture(scope="session")
def client(coordinator_url: str) -> Iterator[metacluster.Client]:
    with metacluster.Client(coordinator_url, timeout=120) as c:
        yield c


@pytest.fixture(scope="session")
def suite_tags() -> Dict[str, str]:
    """Tags unique to this test session, so that ``runs(tags=…)`` finds only its own runs."""
    return {"suite": uuid.uuid4().hex}


@pytest.fixture(scope="session")
def finished_run(client: metacluster.Client, suite_tags: Dict[str, str]) -> Tuple[metacluster.Run, List[metacluster.Progress]]:
    """The short run, submitted and watched to its end once per session, with what watch() yielded."""
    run = client.submit(name="python client test", tags=suite_tags, **SHORT_RUN)
    progress = list(run.watch(timeout=300))
    return run, progress
