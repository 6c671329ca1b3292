"""convert_conv2d/3d_weight_memory_format. ember tensors have one memory layout (C-contiguous,
NumPy/CuPy arrays): torch.channels_last has no meaning here, and converting a module's
convolution weights is a no-op that returns the module unchanged."""

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]


def convert_conv2d_weight_memory_format(module, memory_format):
    """torch re-lays out the weights of Conv2d/ConvTranspose2d in module; ember has no other
    layout: returns module as it is."""
    return module


def convert_conv3d_weight_memory_format(module, memory_format):
    """The 3-D twin of convert_conv2d_weight_memory_format: returns module as it is."""
    return module
