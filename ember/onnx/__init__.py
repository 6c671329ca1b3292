"""torch.onnx: export a model to an ONNX file by tracing one run (see _export and _graph)."""
from . import errors
from ._export import ONNXProgram, export, is_in_onnx_export
from .errors import OnnxExporterError, OnnxExporterWarning

__all__ = ["export", "is_in_onnx_export", "ONNXProgram", "OnnxExporterError", "OnnxExporterWarning", "errors"]
