"""torch.utils.tensorboard: SummaryWriter, writing TensorBoard event files itself (no tensorboard
package needed to write; TensorBoard reads them)."""
from .writer import FileWriter, SummaryWriter

__all__ = ["FileWriter", "SummaryWriter"]
