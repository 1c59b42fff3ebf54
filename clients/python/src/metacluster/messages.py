"""The API's replies as plain Python objects: frozen dataclasses with the proto's field names, and
states as strings, so they print, compare and go into a DataFrame without protobuf."""
from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from typing import Any, Dict

from ._proto.api.v1 import cluster_api_pb2 as api
from .options import definition_dict

__all__ = ["RunState", "Progress", "RunResult", "RunInfo", "WorkerInfo", "RunFile"]


class RunState(str, enum.Enum):
    """Where a run is; compares equal to its lower-case name (``state == "completed"``)."""

    UNSPECIFIED = "unspecified"
    PENDING = "pending"
    TRAINING = "training"
    EVALUATING = "evaluating"
    COMPLETED = "completed"
    FAILED = "failed"
    STOPPED = "stopped"

    @property
    def finished(self) -> bool:
        """True for the states a run does not leave: completed, failed, stopped."""
        return self in (RunState.COMPLETED, RunState.FAILED, RunState.STOPPED)

    @classmethod
    def from_proto(cls, value: int) -> "RunState":
        """The state of the proto enum's number (``RUN_STATE_TRAINING`` is ``TRAINING``)."""
        name = api.RunState.Name(value) if value in api.RunState.values() else "RUN_STATE_UNSPECIFIED"
        return cls[name[len("RUN_STATE_"):]]

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Progress:
    """One snapshot of a run: what ``watch()`` yields and ``runs()`` lists."""

    run_id: str
    state: RunState
    step: int
    meta_steps: int
    loss: float
    tasks_per_second: float
    workers: int
    elapsed_seconds: float
    eta_seconds: float
    name: str
    tags: Dict[str, str] = field(default_factory=dict)
    created: str = ""
    error: str = ""

    @property
    def finished(self) -> bool:
        """True once the run has ended."""
        return self.state.finished

    @classmethod
    def from_proto(cls, p: api.RunProgress) -> "Progress":
        return cls(p.run_id, RunState.from_proto(p.state), p.step, p.meta_steps, p.loss, p.tasks_per_second,
                   p.workers, p.elapsed_seconds, p.eta_seconds, p.name, dict(p.tags), p.created, p.error)


@dataclass(frozen=True)
class RunResult:
    """How a run ended. ``summary`` is ``summary.json`` of a completed run, parsed (else empty)."""

    run_id: str
    state: RunState
    error: str
    summary: Dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_proto(cls, r: api.RunResult) -> "RunResult":
        return cls(r.run_id, RunState.from_proto(r.state), r.error, _parse_json(r.summary_json))


@dataclass(frozen=True)
class RunInfo:
    """All the coordinator says about one run (``GetRun``)."""

    progress: Progress
    definition: Dict[str, Any]
    name: str
    tags: Dict[str, str]
    summary: Dict[str, Any]
    error: str
    created: str

    @property
    def state(self) -> RunState:
        return self.progress.state

    @classmethod
    def from_proto(cls, i: api.RunInfo) -> "RunInfo":
        return cls(Progress.from_proto(i.progress), definition_dict(i.definition), i.name, dict(i.tags),
                   _parse_json(i.summary_json), i.error, i.created)


@dataclass(frozen=True)
class WorkerInfo:
    """A live worker of the cluster."""

    worker_id: str
    device: str
    silo: str

    @classmethod
    def from_proto(cls, w: api.WorkerInfo) -> "WorkerInfo":
        return cls(w.worker_id, w.device, w.silo)


@dataclass(frozen=True)
class RunFile:
    """A file of a run's directory: ``path`` is relative and '/'-separated (``checkpoints/final.ckpt``)."""

    path: str
    size: int

    @classmethod
    def from_proto(cls, f: api.RunFile) -> "RunFile":
        return cls(f.path, f.size)


def _parse_json(text: str) -> Dict[str, Any]:
    return json.loads(text) if text else {}

