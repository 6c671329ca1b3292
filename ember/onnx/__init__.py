"""torch.onnx: importable so scripts that reference it load; ember has no ONNX exporter."""

__all__ = ["export", "is_in_onnx_export"]


def export(model, args=(), f=None, *, kwargs=None, **options):
    raise NotImplementedError("torch.onnx.export: ember has no ONNX exporter (graph capture and ONNX "
                              "serialization are not implemented)")


def is_in_onnx_export():
    return False
