"""torch.distributed.elastic: the parts torchrun scripts import (multiprocessing.errors.record)."""
