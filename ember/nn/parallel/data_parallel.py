"""DataParallel and data_parallel on one device: a transparent wrapper, as torch's without several GPUs."""
from ..modules.module import Module

__all__ = ["DataParallel", "data_parallel"]


class DataParallel(Module):
    """Runs `module` on the inputs as they are; its state_dict keys get torch's 'module.' prefix."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.dim = dim
        self.device_ids = [] if device_ids is None else [d if isinstance(d, int) else getattr(d, "index", d)
                                                         for d in device_ids]
        self.output_device = output_device if output_device is not None else (
            self.device_ids[0] if self.device_ids else None)

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0, module_kwargs=None):
    """Evaluate module(*inputs) on the accelerator, as torch's data_parallel does with one device
    (without an accelerator torch cannot determine the device type, and neither does ember)."""
    from ... import cuda

    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    if not cuda.is_available():
        raise RuntimeError("device type could not be determined")
    out = module(*inputs, **(module_kwargs or {}))
    if output_device == -1:
        return out.to("cpu")
    if output_device is not None:
        return out.to(f"cuda:{output_device}" if isinstance(output_device, int) else output_device)
    return out
