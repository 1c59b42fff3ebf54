"""A handle on one run of a coordinator: watch it, wait for it, stop it, read its files, use its model."""
from __future__ import annotations

import fnmatch
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, Iterator, List, Optional, Union

import grpc
import numpy as np

from ._proto.api.v1 import cluster_api_pb2 as api
from .errors import DeadlineExceeded, FailedPrecondition, MetaClusterError, RunFailed, from_rpc_error, translated
from .files import ChunkStream, download_file, local_path, read_file
from .messages import Progress, RunFile, RunInfo, RunResult, RunState
from .tensors import from_tensor, to_tensor

if TYPE_CHECKING:  # pragma: no cover
    import pandas

    from .client import Client

__all__ = ["Run"]

# A watch stream cut after it started (coordinator restart, proxy timeout) is opened again this
# many times in a row, waiting a little longer each time; a coordinator resumes its runs on restart.
_WATCH_RECONNECTS = 8


class Run:
    """One meta-training run. Get one from ``Client.submit``, ``Client.run`` or ``Client.runs``.

    Attributes:
        id: the run id the coordinator gave it.
        created: from ``submit``: False when the request id named a run started earlier; else None.
        result: how the run ended, once ``watch()`` or ``wait()`` has seen its end; else None.
    """

    def __init__(self, client: "Client", run_id: str, created: Optional[bool] = None) -> None:
        self._client = client
        self.id = run_id
        self.created = created
        self.result: Optional[RunResult] = None

    def __repr__(self) -> str:
        return f"Run({self.id!r})"

    def info(self) -> RunInfo:
        """Everything the coordinator says about the run now: progress, definition, name, tags, summary."""
        with translated():
            return RunInfo.from_proto(self._client._stub.GetRun(api.GetRunRequest(run_id=self.id), timeout=self._client.timeout))

    def progress(self) -> Progress:
        """The run's progress now."""
        return self.info().progress

    def watch(self, timeout: Optional[float] = None) -> Iterator[Progress]:
        """Yields the run's progress (each new step or state) until it ends; the last one carries the
        final state, and ``self.result`` is then set. Stopping the iteration early closes the stream.

        Args:
            timeout: seconds to watch at most (``DeadlineExceeded``, a ``TimeoutError``, after); None: no limit.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        failures = 0
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            call = self._client._stub.WatchRun(api.WatchRunRequest(run_id=self.id), timeout=remaining)
            try:
                for event in call:
                    failures = 0
                    if event.WhichOneof("event") == "result":
                        self.result = RunResult.from_proto(event.result)
                        yield self._final_progress()
                        return
                    yield Progress.from_proto(event.progress)
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.UNAVAILABLE or failures >= _WATCH_RECONNECTS:
                    raise from_rpc_error(error) from error
            finally:
                call.cancel()
            # The stream ended without the result, or the coordinator went away: watch again.
            failures += 1
            if failures > _WATCH_RECONNECTS:
                raise MetaClusterError(f"watching run {self.id}: the stream ended {failures} times without its result")
            time.sleep(min(0.25 * 2 ** failures, 5.0))

    def wait(self, timeout: Optional[float] = None) -> RunResult:
        """Blocks until the run ends and returns how it ended (completed or stopped).

        Raises:
            RunFailed: the run failed; the exception carries the server's reason.
            DeadlineExceeded: it did not end within ``timeout`` seconds (also a ``TimeoutError``).
        """
        try:
            for _ in self.watch(timeout):
                pass
        except DeadlineExceeded as error:
            raise DeadlineExceeded(f"run {self.id} did not end within {timeout} s", error.code) from error
        assert self.result is not None
        if self.result.state == RunState.FAILED:
            raise RunFailed(self.id, self.result.error)
        return self.result

    def stop(self) -> None:
        """Asks the coordinator to stop the run (at once if it has not started its first step);
        ``wait()`` then returns a result in the ``stopped`` state."""
        with translated():
            self._client._stub.StopRun(api.StopRunRequest(run_id=self.id), timeout=self._client.timeout)

    def summary(self) -> Dict[str, Any]:
        """``summary.json`` of the completed run: its definition, ``train_seconds``,
        ``tasks_per_second``, and ``eval`` (``metric``, ``episodes``, ``results`` per inner-step count).

        Raises:
            FailedPrecondition: the run has not completed (or ended without a summary).
        """
        info = self.info()
        if info.summary:
            return info.summary
        if info.state == RunState.COMPLETED:
            return json.loads(self.read_file("summary.json"))
        reason = f": {info.error}" if info.error else ""
        raise FailedPrecondition(f"run {self.id} has no summary: it is {info.state}{reason}")

    def metrics(self, as_dataframe: bool = False) -> Union[List[Dict[str, Any]], "pandas.DataFrame"]:
        """The rows of ``metrics.jsonl``: one every ``log_every`` meta-steps (``step``, ``loss``,
        ``metric``, ``value``, ``tasks_per_second``, ``workers``, ``elapsed_seconds``, ``retries``,
        with TRLearner ``tr_loss`` and ``relation_entropy``), as far as the run has got.

        Args:
            as_dataframe: return a ``pandas.DataFrame`` (one column per key) instead of a list of dicts.
        """
        text = self.read_file("metrics.jsonl").decode("utf-8")
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        if not as_dataframe:
            return rows
        try:
            import pandas as pd
        except ImportError as error:
            raise ImportError("metrics(as_dataframe=True) needs pandas (pip install 'metacluster[pandas]')") from error
        return pd.DataFrame(rows)

    def files(self) -> List[RunFile]:
        """The files of the run's directory on the coordinator (summary, metrics, checkpoints, models…)."""
        with translated():
            reply = self._client._stub.ListRunFiles(api.ListRunFilesRequest(run_id=self.id), timeout=self._client.timeout)
        return [RunFile.from_proto(f) for f in reply.files]

    def read_file(self, path: str) -> bytes:
        """One file of the run's directory (``path`` as ``files()`` names it), in memory."""
        with translated():
            return read_file(self._chunks(path), path)

    def download(self, directory: Union[str, "os.PathLike[str]"], patterns: Optional[Iterable[str]] = None) -> Path:
        """Copies the run's files into ``directory`` (created if needed) and returns it.

        Each file arrives as ``NAME.part`` and is renamed when complete; a ``.part`` left by an
        interrupted download is continued from its length. A file already there with the size the
        server lists is taken as downloaded. A server path that would land outside ``directory``
        raises ``ValueError`` before anything is written.

        Args:
            patterns: only the files matching one of these shell patterns (``"checkpoints/*"``,
                ``"*.safetensors"``); None: every file.
        """
        root = Path(directory)
        wanted = [f for f in self.files() if patterns is None or any(fnmatch.fnmatch(f.path, p) for p in patterns)]
        targets = [(f, local_path(root, f.path)) for f in wanted]
        root.mkdir(parents=True, exist_ok=True)
        for file, target in targets:
            if target.is_file() and target.stat().st_size == file.size:
                continue
            with translated():
                download_file(self._chunks(file.path), file.path, target, file.size)
        return root

    def adapt_and_predict(self, support_x: Any, support_y: Any, query_x: Any, inner_steps: Optional[int] = None) -> np.ndarray:
        """Adapts the finished run's meta-model to a support set (on a worker) and predicts the queries.

        Args:
            support_x: support inputs ``[K, …]`` (converted to float32).
            support_y: support targets: ``[K, outputs]`` for regression, ``[K]`` class indices for classification.
            query_x: query inputs ``[Q, …]``.
            inner_steps: adaptation steps; None uses the run's largest ``eval_inner_steps``.

        Returns:
            ``[Q, outputs]``: predicted values (regression) or class scores (classification).

        Raises:
            InvalidArgument: a shape or value the model cannot take (the message names the argument).
            FailedPrecondition: the run has not finished.
        """
        if inner_steps is not None and (isinstance(inner_steps, bool) or not isinstance(inner_steps, int)):
            raise TypeError(f"inner_steps must be an integer, got {inner_steps!r}")
        request = api.AdaptAndPredictRequest(
            run_id=self.id,
            support_x=to_tensor("support_x", support_x),
            support_y=to_tensor("support_y", support_y),
            query_x=to_tensor("query_x", query_x),
        )
        if inner_steps is not None:
            request.inner_steps = inner_steps
        with translated():
            reply = self._client._stub.AdaptAndPredict(request, timeout=self._client.timeout)
        return from_tensor(reply.predictions)

    def _chunks(self, path: str) -> ChunkStream:
        stub = self._client._stub
        return lambda offset: stub.DownloadRunFile(api.DownloadRunFileRequest(run_id=self.id, path=path, offset=offset))

    def _final_progress(self) -> Progress:
        try:
            return self.progress()
        except MetaClusterError:
            # The result is what matters; a progress without the last counters still ends the watch.
            assert self.result is not None
            return Progress(self.id, self.result.state, 0, 0, float("nan"), 0.0, 0, 0.0, 0.0, "")
