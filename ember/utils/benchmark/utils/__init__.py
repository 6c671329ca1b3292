"""The measuring, statistics and comparison parts of torch.utils.benchmark."""
