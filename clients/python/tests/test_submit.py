"""Submitting against a real coordinator: refused definitions, idempotent request ids, stop, auth."""
from __future__ import annotations

import os
import uuid
from typing import Dict

import pytest

import metacluster

TINY_RUN = dict(task="sinusoid", meta_steps=2, meta_batch=2, eval_tasks=0, checkpoint_every=0)


def test_an_invalid_definition_is_invalid_argument_naming_the_field(client: metacluster.Client) -> None:
    with pytest.raises(metacluster.InvalidArgument, match="definition.algorithm") as error:
        client.submit(task="sinusoid", algorithm="protonet")
    assert isinstance(error.value, ValueError) and "protonet" in error.value.message


def test_an_out_of_range_value_is_invalid_argument_naming_the_field(client: metacluster.Client) -> None:
    with pytest.raises(metacluster.InvalidArgument, match="definition.shots"):
        client.submit(task="sinusoid", shots=-2)


def test_an_unknown_keyword_is_a_type_error(client: metacluster.Client, suite_tags: Dict[str, str]) -> None:
    before = [p.run_id for p in client.runs(tags=suite_tags)]
    with pytest.raises(TypeError, match="meta_stepz"):
        client.submit(task="sinusoid", meta_stepz=10, tags=suite_tags)
    assert [p.run_id for p in client.runs(tags=suite_tags)] == before


def test_the_same_request_id_returns_the_same_run(client: metacluster.Client, suite_tags: Dict[str, str]) -> None:
    request_id = uuid.uuid4().hex
    first = client.submit(request_id=request_id, tags=suite_tags, **TINY_RUN)
    again = client.submit(request_id=request_id, tags=suite_tags, **TINY_RUN)
    assert again.id == first.id
    assert first.created is True and again.created is False
    with pytest.raises(metacluster.InvalidArgument, match="request_id"):
        client.submit(request_id=request_id, **{**TINY_RUN, "meta_steps": 3})
    assert first.wait(timeout=300).state == "completed"


def test_stop_ends_a_long_run_in_the_stopped_state(client: metacluster.Client, suite_tags: Dict[str, str]) -> None:
    run = client.submit(task="sinusoid", meta_steps=1_000_000, eval_tasks=0, checkpoint_every=0, tags=suite_tags)
    run.stop()
    result = run.wait(timeout=300)
    assert result.state == metacluster.RunState.STOPPED
    assert run.progress().step < 1_000_000
    with pytest.raises(metacluster.FailedPrecondition, match="stopped"):
        run.summary()


def test_a_failed_wait_names_the_deadline(client: metacluster.Client, suite_tags: Dict[str, str]) -> None:
    run = client.submit(task="sinusoid", meta_steps=1_000_000, eval_tasks=0, checkpoint_every=0, tags=suite_tags)
    try:
        with pytest.raises(TimeoutError, match=run.id):
            run.wait(timeout=0.5)
    finally:
        run.stop()
    run.wait(timeout=300)


def test_a_coordinator_that_requires_a_token_refuses_calls_without_it(coordinator_url: str) -> None:
    if not os.environ.get("METACLUSTER_TOKEN"):
        pytest.skip("the coordinator under test requires no token (METACLUSTER_TOKEN is unset)")
    for token in ("", "not-the-token"):
        with metacluster.Client(coordinator_url, token=token) as stranger:
            with pytest.raises(metacluster.Unauthenticated):
                stranger.workers()
