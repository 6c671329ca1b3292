"""DataParallel on one device: a transparent wrapper, as torch's without several GPUs."""
from ..modules.module import Module

__all__ = ["DataParallel"]


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
