"""Run options to the API's RunDefinition, and the errors a caller gets before any call."""
from __future__ import annotations

from pathlib import Path

import pytest

import metacluster
from metacluster.options import definition_dict, run_definition


def test_options_become_the_typed_definition_with_only_the_given_fields_set() -> None:
    definition = run_definition(dict(task="sinusoid", meta_batch=8, inner_lr=0.4, rotations=True,
                                     data=[Path("/data/a.zip"), "/data/b"], eval_inner_steps=[1, 10], seed=2**63, device=None))
    assert definition_dict(definition) == {
        "task": "sinusoid", "meta_batch": 8, "inner_lr": 0.4, "rotations": True,
        "data": ["/data/a.zip", "/data/b"], "eval_inner_steps": [1, 10], "seed": 2**63,
    }
    assert not definition.HasField("device")


def test_command_line_lists_are_accepted_as_comma_separated_strings() -> None:
    definition = run_definition(dict(eval_inner_steps="1, 5,10", eval_groups="Greek,Latin", data="/data/one,with,commas.zip"))
    assert list(definition.eval_inner_steps) == [1, 5, 10]
    assert list(definition.eval_groups) == ["Greek", "Latin"]
    assert list(definition.data) == ["/data/one,with,commas.zip"]


@pytest.mark.parametrize("name, hint", [("meta_stepz", "meta_steps"), ("out", "run.download"), ("meta-batch", "meta_batch")])
def test_an_unknown_option_is_a_type_error_naming_it(name: str, hint: str) -> None:
    with pytest.raises(TypeError, match=name) as error:
        run_definition({name: 1})
    assert hint in str(error.value)


@pytest.mark.parametrize("name, value", [("meta_steps", "20"), ("meta_steps", 2.5), ("rotations", 1), ("task", 3), ("inner_lr", "0.1"), ("eval_inner_steps", "1,x")])
def test_a_value_of_the_wrong_type_is_a_type_error_naming_the_option(name: str, value: object) -> None:
    with pytest.raises(TypeError, match=name):
        run_definition({name: value})


def test_an_integer_outside_its_field_is_a_value_error_naming_it() -> None:
    with pytest.raises(ValueError, match="meta_steps"):
        run_definition({"meta_steps": 2**40})


def test_submit_raises_the_type_error_before_any_call() -> None:
    # Port 9 (discard) on loopback: nothing answers, so a call would fail with Unavailable instead.
    with metacluster.Client("http://127.0.0.1:9", token="") as client:
        with pytest.raises(TypeError, match="learning_rate"):
            client.submit(task="sinusoid", learning_rate=0.1)


def test_every_option_of_the_definition_is_accepted() -> None:
    assert {"task", "algorithm", "data", "meta_batch", "eval_inner_steps", "tr_lambda", "grad_dtype"} <= metacluster.OPTION_NAMES


@pytest.mark.parametrize("url", ["127.0.0.1:7100", "grpc://host:1", "http://"])
def test_a_client_needs_an_http_or_https_url(url: str) -> None:
    with pytest.raises(ValueError, match="http"):
        metacluster.Client(url)


def test_a_token_over_plain_http_off_loopback_is_warned_about() -> None:
    with pytest.warns(UserWarning, match="clear text"):
        metacluster.Client("http://10.1.2.3:7100", token="t").close()
    with metacluster.Client("http://127.0.0.1:7100", token="t"):
        pass
