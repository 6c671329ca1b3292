"""torchvision.ops on ember."""
from . import misc
from .boxes import batched_nms, box_area, box_convert, box_iou, clip_boxes_to_image, nms, remove_small_boxes
from .misc import Conv2dNormActivation
from .roi_align import RoIAlign, roi_align

__all__ = ["nms", "batched_nms", "box_iou", "box_area", "box_convert", "remove_small_boxes", "clip_boxes_to_image",
           "roi_align", "RoIAlign", "Conv2dNormActivation"]
