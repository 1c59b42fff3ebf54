"""metacluster.torch: exported models rebuilt in PyTorch compute what the cluster computes.

``tests/reference`` holds, per architecture and algorithm, a model exported by the cluster's
``RunExport`` and what the cluster's own code (TorchSharp) computes with it: the plain outputs on
some queries and the predictions after adapting to a support set, as a worker answers
AdaptAndPredict. ``tests/Cluster.Tests/Cli/TorchReferenceTests.cs`` writes them and fails when they
go stale. The last test compares against a live coordinator when one is given.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import metacluster  # noqa: E402
import metacluster.torch as mt  # noqa: E402
from metacluster.safetensors import SafetensorsError, read_safetensors  # noqa: E402
from safetensors_files import CNN4_METADATA, MLP_METADATA, cnn4_tensors, mlp_tensors, write_safetensors  # noqa: E402

REFERENCE = Path(__file__).parent / "reference"
CASES = sorted(p.name[: -len(".expected.safetensors")] for p in REFERENCE.glob("*.expected.safetensors"))
# float32 through a few layers and steps, computed by libtorch in both languages but not always by the same kernels.
TOLERANCE = dict(rtol=1e-4, atol=2e-5)


def _case(name: str) -> Tuple[Path, Dict[str, np.ndarray], int]:
    expected = read_safetensors(REFERENCE / f"{name}.expected.safetensors")
    return REFERENCE / f"{name}.safetensors", expected.tensors, int(expected.metadata["inner_steps"])


def test_every_architecture_and_kind_of_adaptation_has_a_reference_case() -> None:
    assert {"mlp-maml", "mlp-metasgd", "mlp-anil", "mlp-fomaml-classes", "cnn4-maml", "cnn4-protonet", "cnn4-mtl"} <= set(CASES)


@pytest.mark.parametrize("name", CASES)
def test_the_module_has_the_files_tensors_by_name_and_shape(name: str) -> None:
    path, _, _ = _case(name)
    model = mt.load_model(path)
    exported = read_safetensors(path).tensors
    state = model.state_dict()
    assert list(state) == list(exported)
    for key, values in exported.items():
        np.testing.assert_array_equal(state[key].numpy(), values)
    assert model.metadata["run_id"] == f"reference-{name}" and model.source == str(path)


@pytest.mark.parametrize("name", [c for c in CASES if "protonet" not in c])
def test_the_modules_forward_pass_equals_the_clusters_outputs(name: str) -> None:
    path, expected, _ = _case(name)
    model = mt.load_model(path)
    with torch.no_grad():
        outputs = model(torch.from_numpy(expected["query_x"])).numpy()
    np.testing.assert_allclose(outputs, expected["outputs"], **TOLERANCE)
    no_steps = mt.adapt_and_predict(model, expected["support_x"], expected["support_y"], expected["query_x"], inner_steps=0)
    np.testing.assert_allclose(no_steps, expected["outputs"], **TOLERANCE)


@pytest.mark.parametrize("name", CASES)
def test_adapt_and_predict_equals_the_clusters_predictions(name: str) -> None:
    path, expected, steps = _case(name)
    # No inner_steps: the run's largest eval_inner_steps, which the reference was computed with.
    predictions = mt.adapt_and_predict(path, expected["support_x"], expected["support_y"], expected["query_x"])
    assert predictions.dtype == np.float32 and predictions.shape == expected["predictions"].shape
    np.testing.assert_allclose(predictions, expected["predictions"], **TOLERANCE)
    if steps > 0:
        again = mt.adapt_and_predict(path, expected["support_x"], expected["support_y"], expected["query_x"], inner_steps=steps)
        np.testing.assert_array_equal(again, predictions)
        assert not np.allclose(predictions, expected["outputs"], **TOLERANCE), "adapting changed nothing"


def test_meta_sgd_rates_are_parameters_and_the_inner_loop_uses_them(tmp_path: Path) -> None:
    path, expected, steps = _case("mlp-metasgd")
    model = mt.load_model(path)
    assert model.lr.layer0.weight.shape == model.layer0.weight.shape
    with pytest.raises(ValueError, match="meta-learned rates"):
        mt.adapt_and_predict(model, expected["support_x"], expected["support_y"], expected["query_x"], inner_lr=0.1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.startswith("lr."):
                p.mul_(2)
    doubled = mt.adapt_and_predict(model, expected["support_x"], expected["support_y"], expected["query_x"], inner_steps=steps)
    assert not np.allclose(doubled, expected["predictions"], **TOLERANCE)


def test_a_damaged_export_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path, _, _ = _case("mlp-maml")
    raw = bytearray(path.read_bytes())
    raw[-10] ^= 0x5A
    damaged = tmp_path / "damaged.safetensors"
    damaged.write_bytes(bytes(raw))
    with pytest.raises(SafetensorsError, match=f"^{damaged}: damaged: the data's SHA-256"):
        mt.load_model(damaged)
    truncated = tmp_path / "truncated.safetensors"
    truncated.write_bytes(bytes(raw[:5]))
    with pytest.raises(SafetensorsError, match="truncated"):
        mt.load_model(truncated)
    with pytest.raises(SafetensorsError, match="cannot be read"):
        mt.load_model(tmp_path / "absent.safetensors")


def test_a_file_that_lacks_or_misshapes_a_tensor_is_refused(tmp_path: Path) -> None:
    tensors = mlp_tensors([1, 40, 40, 1])
    del tensors["layer1.bias"]
    with pytest.raises(ValueError, match="no tensor 'layer1.bias'"):
        mt.load_model(write_safetensors(tmp_path / "a.safetensors", tensors, MLP_METADATA))
    tensors = mlp_tensors([1, 40, 40, 1])
    tensors["layer2.weight"] = tensors["layer2.weight"].T.copy()
    with pytest.raises(ValueError, match=r"'layer2.weight' has shape \[40, 1\]"):
        mt.load_model(write_safetensors(tmp_path / "b.safetensors", tensors, MLP_METADATA))
    with pytest.raises(ValueError, match="'transformer' is not one this loader builds"):
        mt.load_model(write_safetensors(tmp_path / "c.safetensors", tensors, {**MLP_METADATA, "model": "transformer"}))


def test_hand_made_mlp_matches_plain_numpy(tmp_path: Path) -> None:
    tensors = mlp_tensors([2, 8, 3], seed=4)
    model = mt.load_model(write_safetensors(tmp_path / "m.safetensors", tensors, {**MLP_METADATA, "layer_sizes": "2,8,3"}))
    x = np.random.default_rng(1).normal(size=(5, 2)).astype(np.float32)
    hidden = np.maximum(x @ tensors["layer0.weight"].T + tensors["layer0.bias"], 0)
    with torch.no_grad():
        np.testing.assert_allclose(model(torch.from_numpy(x)).numpy(), hidden @ tensors["layer1.weight"].T + tensors["layer1.bias"], rtol=1e-5, atol=1e-6)


def test_cnn4_normalises_with_the_batchs_statistics_in_eval_mode_too(tmp_path: Path) -> None:
    model = mt.load_model(write_safetensors(tmp_path / "c.safetensors", cnn4_tensors(4, 8), {**CNN4_METADATA, "ways": "4", "algorithm": "maml"}))
    assert not model.training
    images = torch.rand(6, 1, 28, 28, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        together = model(images)
        alone = model(images[:3])
    assert together.shape == (6, 4)
    assert not torch.allclose(together[:3], alone), "batch norm used stored statistics, not the batch's"


def test_bad_inputs_are_errors_naming_the_argument() -> None:
    path, expected, _ = _case("cnn4-maml")
    sx, sy, qx = expected["support_x"], expected["support_y"], expected["query_x"]
    with pytest.raises(ValueError, match=r"query_x must be \[N, 1, 16, 16\]"):
        mt.adapt_and_predict(path, sx, sy, qx[:, :, :8])
    with pytest.raises(ValueError, match=r"class indices 0\.\.2"):
        mt.adapt_and_predict(path, sx, sy + 5, qx)
    with pytest.raises(ValueError, match="support_y has 2 rows for 3 support inputs"):
        mt.adapt_and_predict(path, sx, sy[:2], qx)
    with pytest.raises(ValueError, match="inner_steps must be an integer"):
        mt.adapt_and_predict(path, sx, sy, qx, inner_steps=-1)
    with pytest.raises(TypeError, match="load_model"):
        mt.adapt_and_predict(torch.nn.Linear(1, 1), sx, sy, qx)


def test_without_torch_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r"pip install 'metacluster\[torch\]'"):
        mt.load_model(REFERENCE / "mlp-maml.safetensors")


def test_a_finished_runs_export_adapts_as_the_coordinators_adapt_and_predict(finished_run: Tuple[metacluster.Run, List[metacluster.Progress]], tmp_path: Path) -> None:
    run, _ = finished_run
    run.download(tmp_path, patterns=["model.safetensors"])
    model = mt.load_model(tmp_path / "model.safetensors")
    assert model.metadata["run_id"] == run.id and model.metadata["task_kind"] == "regression"
    rng = np.random.default_rng(11)
    support_x = rng.uniform(-5, 5, (10, 1)).astype(np.float32)
    support_y = (2.5 * np.sin(support_x - 0.7)).astype(np.float32)
    query_x = np.linspace(-5, 5, 9, dtype=np.float32).reshape(9, 1)
    for steps in (0, 1, 5, None):
        cluster = run.adapt_and_predict(support_x, support_y, query_x, inner_steps=steps)
        np.testing.assert_allclose(mt.adapt_and_predict(model, support_x, support_y, query_x, inner_steps=steps), cluster, **TOLERANCE)
