"""watch() and wait() against a scripted stub: the end of a run, a failed run, a stream that breaks."""
from __future__ import annotations

from typing import Iterator, List, Sequence, Union

import grpc
import pytest

import metacluster
from metacluster._proto.api.v1 import cluster_api_pb2 as api
from metacluster.run import Run

Event = Union[api.WatchRunEvent, grpc.RpcError]


class _Broken(grpc.RpcError):
    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.UNAVAILABLE

    def details(self) -> str:
        return "connection reset"


class _Call:
    """A server stream that plays its events, raising the errors among them."""

    def __init__(self, events: Sequence[Event]) -> None:
        self.events, self.cancelled = events, False

    def __iter__(self) -> Iterator[api.WatchRunEvent]:
        for event in self.events:
            if isinstance(event, grpc.RpcError):
                raise event
            yield event

    def cancel(self) -> None:
        self.cancelled = True


class _Stub:
    """WatchRun answers with the next scripted stream; GetRun with the final state."""

    def __init__(self, streams: List[Sequence[Event]], final: int) -> None:
        self.streams, self.final, self.calls = streams, final, []  # type: ignore[var-annotated]

    def WatchRun(self, request: api.WatchRunRequest, timeout: object = None) -> _Call:
        call = _Call(self.streams.pop(0))
        self.calls.append(call)
        return call

    def GetRun(self, request: api.GetRunRequest, timeout: object = None) -> api.RunInfo:
        return api.RunInfo(progress=api.RunProgress(run_id=request.run_id, state=self.final, step=3, meta_steps=3))


class _Client:
    def __init__(self, stub: _Stub) -> None:
        self._stub, self.timeout = stub, 5.0


def _progress(step: int) -> api.WatchRunEvent:
    return api.WatchRunEvent(progress=api.RunProgress(run_id="run-1", state=api.RUN_STATE_TRAINING, step=step, meta_steps=3))


def _result(state: int, error: str = "", summary: str = "") -> api.WatchRunEvent:
    return api.WatchRunEvent(result=api.RunResult(run_id="run-1", state=state, error=error, summary_json=summary))


def test_watch_reopens_a_broken_stream_and_ends_with_the_final_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    stub = _Stub([[_progress(1), _Broken()], [_progress(2), _result(api.RUN_STATE_COMPLETED, summary='{"eval": {}}')]],
                 final=api.RUN_STATE_COMPLETED)
    run = Run(_Client(stub), "run-1")  # type: ignore[arg-type]
    seen = [(p.step, p.state) for p in run.watch()]
    assert seen == [(1, "training"), (2, "training"), (3, "completed")]
    assert run.result == metacluster.RunResult("run-1", metacluster.RunState.COMPLETED, "", {"eval": {}})
    assert all(call.cancelled for call in stub.calls)


def test_wait_raises_run_failed_with_the_servers_reason() -> None:
    stub = _Stub([[_progress(1), _result(api.RUN_STATE_FAILED, error="the loss became NaN at step 2")]], final=api.RUN_STATE_FAILED)
    run = Run(_Client(stub), "run-1")  # type: ignore[arg-type]
    with pytest.raises(metacluster.RunFailed, match="the loss became NaN at step 2") as error:
        run.wait()
    assert error.value.run_id == "run-1" and error.value.reason == "the loss became NaN at step 2"


def test_a_stopped_run_is_a_result_not_an_error() -> None:
    stub = _Stub([[_result(api.RUN_STATE_STOPPED)]], final=api.RUN_STATE_STOPPED)
    assert Run(_Client(stub), "run-1").wait().state == metacluster.RunState.STOPPED  # type: ignore[arg-type]


def test_leaving_the_watch_early_cancels_the_stream() -> None:
    stub = _Stub([[_progress(1), _progress(2), _result(api.RUN_STATE_COMPLETED)]], final=api.RUN_STATE_COMPLETED)
    watch = Run(_Client(stub), "run-1").watch()  # type: ignore[arg-type]
    assert next(watch).step == 1
    watch.close()
    assert stub.calls[0].cancelled


def test_watch_gives_up_after_repeated_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    stub = _Stub([[_Broken()] for _ in range(20)], final=api.RUN_STATE_TRAINING)
    with pytest.raises(metacluster.Unavailable, match="connection reset"):
        list(Run(_Client(stub), "run-1").watch())  # type: ignore[arg-type]
    assert len(stub.calls) == 9
