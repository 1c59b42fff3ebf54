"""A short run against a real coordinator: watched to its end, its result, summary, metrics, listing."""
from __future__ import annotations

import math
from typing import Dict, List, Tuple

import pytest

import metacluster
from conftest import SHORT_RUN

Finished = Tuple[metacluster.Run, List[metacluster.Progress]]


def test_watch_yields_rising_steps_and_ends_with_the_completed_state(finished_run: Finished) -> None:
    run, progress = finished_run
    assert progress, "watch() yielded nothing"
    steps = [p.step for p in progress]
    assert steps == sorted(steps)
    assert all(p.run_id == run.id and p.meta_steps == SHORT_RUN["meta_steps"] for p in progress)
    last = progress[-1]
    assert last.state == metacluster.RunState.COMPLETED and last.state == "completed" and last.finished
    assert last.step == SHORT_RUN["meta_steps"]
    assert all(not p.finished for p in progress[:-1])
    assert run.result is not None and run.result.state == "completed"


def test_wait_returns_the_result_of_a_finished_run_at_once(finished_run: Finished) -> None:
    run, _ = finished_run
    result = run.wait(timeout=60)
    assert result.run_id == run.id and result.state == metacluster.RunState.COMPLETED and result.error == ""
    assert result.summary["eval"]["metric"] == "mse"


def test_summary_holds_the_definition_and_the_evaluation(finished_run: Finished) -> None:
    run, _ = finished_run
    summary = run.summary()
    assert summary["task"] == "sinusoid" and summary["algorithm"] == "maml" and summary["meta_steps"] == 20
    evaluation = summary["eval"]
    assert evaluation["episodes"] == SHORT_RUN["eval_tasks"]
    assert [r["inner_steps"] for r in evaluation["results"]] == SHORT_RUN["eval_inner_steps"]
    assert all(math.isfinite(r["mean"]) and r["ci95"] >= 0 for r in evaluation["results"])


def test_metrics_has_a_row_every_log_every_steps_and_the_last_step(finished_run: Finished) -> None:
    run, _ = finished_run
    rows = run.metrics()
    steps, every = SHORT_RUN["meta_steps"], SHORT_RUN["log_every"]
    assert len(rows) == math.ceil(steps / every)
    assert [r["step"] for r in rows] == [s for s in range(every, steps + 1, every)] + ([steps] if steps % every else [])
    assert all(r["metric"] == "mse" and math.isfinite(r["loss"]) and r["tasks_per_second"] > 0 for r in rows)


def test_metrics_as_a_dataframe_has_one_column_per_key(finished_run: Finished) -> None:
    pandas = pytest.importorskip("pandas")
    run, _ = finished_run
    frame = run.metrics(as_dataframe=True)
    assert isinstance(frame, pandas.DataFrame)
    assert len(frame) == len(run.metrics()) and {"step", "loss", "tasks_per_second"} <= set(frame.columns)


def test_runs_finds_the_run_by_its_tags_and_run_by_its_id(client: metacluster.Client, finished_run: Finished, suite_tags: Dict[str, str]) -> None:
    run, _ = finished_run
    tagged = [p.run_id for p in client.runs(tags=suite_tags)]
    assert run.id in tagged
    assert run.id not in [p.run_id for p in client.runs(tags={"suite": "no-such-suite"})]
    info = client.run(run.id).info()
    assert info.tags == suite_tags and info.name == "python client test"
    assert info.definition["meta_steps"] == 20 and info.definition["eval_inner_steps"] == [1, 5]


def test_runs_pages_through_every_run(client: metacluster.Client, finished_run: Finished) -> None:
    run, _ = finished_run
    one_by_one = [p.run_id for p in client.runs(page_size=1)]
    assert run.id in one_by_one and len(one_by_one) == len(set(one_by_one)) == len(list(client.runs()))


def test_an_unknown_run_is_not_found(client: metacluster.Client) -> None:
    with pytest.raises(metacluster.NotFound, match="run-missing"):
        client.run("run-missing")


def test_workers_lists_the_live_workers(client: metacluster.Client) -> None:
    workers = client.workers()
    assert workers and all(w.device == "cpu" and w.worker_id for w in workers)
