"""Using a finished run against a real coordinator: its files, a resumed download, predictions."""
from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import numpy as np
import pytest

import metacluster

Finished = Tuple[metacluster.Run, List[metacluster.Progress]]


def test_download_copies_every_file_including_checkpoints(finished_run: Finished, tmp_path: Path) -> None:
    run, _ = finished_run
    listed = {f.path: f.size for f in run.files()}
    assert {"summary.json", "metrics.jsonl", "checkpoints/final.ckpt"} <= set(listed)
    assert run.download(tmp_path / "run") == tmp_path / "run"
    copied = {p.relative_to(tmp_path / "run").as_posix(): p.stat().st_size for p in (tmp_path / "run").rglob("*") if p.is_file()}
    assert copied == listed
    assert (tmp_path / "run" / "summary.json").read_bytes() == run.read_file("summary.json")


def test_download_continues_a_half_written_part_file(finished_run: Finished, tmp_path: Path) -> None:
    run, _ = finished_run
    original = run.read_file("checkpoints/final.ckpt")
    half = len(original) // 2
    target = tmp_path / "checkpoints" / "final.ckpt"
    target.parent.mkdir(parents=True)
    # A marked first half: had the client fetched the file again from byte 0, the marks would be gone.
    (tmp_path / "checkpoints" / "final.ckpt.part").write_bytes(b"\xAB" * half)
    run.download(tmp_path, patterns=["checkpoints/final.ckpt"])
    assert target.read_bytes() == b"\xAB" * half + original[half:]
    assert not (tmp_path / "checkpoints" / "final.ckpt.part").exists()
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["final.ckpt"]


def test_download_skips_files_already_complete(finished_run: Finished, tmp_path: Path) -> None:
    run, _ = finished_run
    run.download(tmp_path, patterns=["summary.json"])
    kept = tmp_path / "summary.json"
    kept.write_bytes(b"x" * kept.stat().st_size)
    run.download(tmp_path, patterns=["summary.json"])
    assert set(kept.read_bytes()) == {ord("x")}


def test_a_missing_file_is_not_found(finished_run: Finished) -> None:
    run, _ = finished_run
    with pytest.raises(metacluster.NotFound):
        run.read_file("no-such-file.txt")


def _sine_task(amplitude: float, phase: float, k: int, q: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    support_x = rng.uniform(-5, 5, size=(k, 1)).astype(np.float32)
    query_x = np.linspace(-5, 5, q, dtype=np.float32).reshape(q, 1)
    return support_x, amplitude * np.sin(support_x - phase), query_x


def test_adapt_and_predict_returns_one_finite_value_per_query(finished_run: Finished) -> None:
    run, _ = finished_run
    support_x, support_y, query_x = _sine_task(2.0, 0.5, k=10, q=7)
    predictions = run.adapt_and_predict(support_x, support_y, query_x, inner_steps=5)
    assert isinstance(predictions, np.ndarray) and predictions.dtype == np.float32
    assert predictions.shape == (7, 1) and np.all(np.isfinite(predictions))


def test_adapt_and_predict_is_deterministic(finished_run: Finished) -> None:
    run, _ = finished_run
    support_x, support_y, query_x = _sine_task(3.0, 1.0, k=5, q=4)
    first = run.adapt_and_predict(support_x, support_y, query_x)
    second = run.adapt_and_predict(support_x, support_y, query_x)
    np.testing.assert_array_equal(first, second)
    no_steps = run.adapt_and_predict(support_x, support_y, query_x, inner_steps=0)
    assert not np.array_equal(first, no_steps), "adapting for the run's eval steps changed nothing"


def test_adapt_and_predict_names_a_bad_argument(finished_run: Finished) -> None:
    run, _ = finished_run
    support_x, support_y, query_x = _sine_task(1.0, 0.0, k=5, q=3)
    with pytest.raises(metacluster.InvalidArgument, match="query_x"):
        run.adapt_and_predict(support_x, support_y, np.zeros((3, 4), dtype=np.float32))
    with pytest.raises(TypeError, match="inner_steps"):
        run.adapt_and_predict(support_x, support_y, query_x, inner_steps=1.5)  # type: ignore[arg-type]
