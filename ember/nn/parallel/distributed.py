"""torch.nn.parallel.DistributedDataParallel: constructing one needs an initialised process group, which
ember (without torch.distributed) never has, so it fails as torch does before init_process_group."""
from ..modules.module import Module


class DistributedDataParallel(Module):
    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 init_sync=True, process_group=None, bucket_cap_mb=None, find_unused_parameters=False,
                 check_reduction=False, gradient_as_bucket_view=False, static_graph=False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None, mixed_precision=None,
                 device_mesh=None, skip_all_reduce_unused_params=False):
        raise ValueError("Default process group has not been initialized, please make sure to call "
                         "init_process_group.")
