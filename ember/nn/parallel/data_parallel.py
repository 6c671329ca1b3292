"""torch.nn.parallel.data_parallel: ember drives one device per process, so the module runs once on it."""


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0, module_kwargs=None):
    """Evaluate module(*inputs) on the accelerator, as torch's data_parallel does with one device."""
    from ... import cuda

    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    if not cuda.is_available():
        raise RuntimeError("device type could not be determined")
    out = module(*inputs, **(module_kwargs or {}))
    if output_device is not None and output_device != -1:
        out = out.to(f"cuda:{output_device}" if isinstance(output_device, int) else output_device)
    elif output_device == -1:
        out = out.to("cpu")
    return out
