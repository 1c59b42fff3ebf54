"""Python client of the meta-training cluster: submit runs to a coordinator (``Coordinator serve``),
watch them, fetch their results and files, and adapt a trained meta-model to new tasks.

    import metacluster
    client = metacluster.Client("http://127.0.0.1:7100")
    run = client.submit(task="sinusoid", algorithm="maml", meta_steps=2000, tags={"project": "demo"})
    for p in run.watch():
        print(p.step, p.meta_steps, p.loss)
    print(run.summary()["eval"])

Modules: ``client`` (Client), ``run`` (Run), ``options`` (run options to the API's RunDefinition),
``messages`` (what the API returns), ``errors``, ``files`` (resumable downloads), ``tensors``
(numpy to the wire), ``channel`` (gRPC channel, token, retries); ``_proto`` holds the generated
stubs (``scripts/generate.sh``). ``metacluster.torch`` (imported on its own; needs the ``torch`` extra) loads a
run's safetensors export as a PyTorch module and adapts it locally; ``safetensors`` reads the file.
"""
from .client import Client
from .errors import (
    DeadlineExceeded,
    FailedPrecondition,
    InvalidArgument,
    MetaClusterError,
    NotFound,
    PermissionDenied,
    RunFailed,
    Unauthenticated,
    Unavailable,
)
from .messages import Progress, RunFile, RunInfo, RunResult, RunState, WorkerInfo
from .options import OPTION_NAMES
from .run import Run

__version__ = "0.1.0"

__all__ = [
    "Client",
    "Run",
    "OPTION_NAMES",
    "Progress",
    "RunResult",
    "RunInfo",
    "RunState",
    "RunFile",
    "WorkerInfo",
    "MetaClusterError",
    "InvalidArgument",
    "NotFound",
    "FailedPrecondition",
    "Unauthenticated",
    "PermissionDenied",
    "Unavailable",
    "DeadlineExceeded",
    "RunFailed",
]
