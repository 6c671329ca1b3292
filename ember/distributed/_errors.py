"""torch.distributed's exception classes (DistBackendError is what a timed-out collective raises)."""

__all__ = ["DistError", "DistBackendError", "DistNetworkError", "DistStoreError"]


class DistError(RuntimeError):
    pass


class DistBackendError(DistError):
    pass


class DistNetworkError(DistError):
    pass


class DistStoreError(DistError):
    pass


def not_initialized():
    return ValueError("Default process group has not been initialized, please make sure to call init_process_group.")
