"""torch._dynamo.exc: the exceptions dynamo raises that ember's eager forms raise too."""

__all__ = ["TorchDynamoException", "UncapturedHigherOrderOpError"]


class TorchDynamoException(RuntimeError):
    pass


class UncapturedHigherOrderOpError(TorchDynamoException):
    """A higher-order op (cond, while_loop) whose arguments dynamo could not capture."""
