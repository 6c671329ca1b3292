"""add_embedding's files, as torch writes them for TensorBoard's Projector tab: under
log_dir/<step zero-padded to 5>/<tag>/ the vectors (tensors.tsv), the labels (metadata.tsv) and a sprite
of label images (sprite.png); log_dir/projector_config.pbtxt lists every embedding written (text format)."""
import math
import os

import numpy as np

from .summary import _png


def encode_tag(rawstr):
    """A tag as a folder name: % / and \\ escaped as %xx (torch's _encode)."""
    return rawstr.replace("%", "%25").replace("/", "%2f").replace("\\", "%5c")


def make_tsv(metadata, save_path, metadata_header=None):
    if metadata_header is None:
        lines = [str(x) for x in metadata]
    else:
        if len(metadata_header) != len(metadata[0]):
            raise AssertionError("len of header must be equal to the number of columns in metadata")
        lines = ["\t".join(str(e) for e in metadata_header)] + ["\t".join(str(e) for e in row) for row in metadata]
    with open(os.path.join(save_path, "metadata.tsv"), "w", encoding="utf-8") as f:
        for line in lines:
            f.write(line + "\n")


def make_mat(matlist, save_path):
    with open(os.path.join(save_path, "tensors.tsv"), "w", encoding="utf-8") as f:
        for row in matlist:
            f.write("\t".join(str(x.item()) for x in row) + "\n")


def make_sprite(label_img, save_path):
    """The (N, C, H, W) label images tiled on a square grid of ceil(sqrt(N)) per side, as one PNG."""
    from .summary import make_grid

    n = label_img.shape[0]
    nrow = int(math.ceil(n ** 0.5))
    pad = nrow * nrow - n
    if pad:
        label_img = np.concatenate([label_img, np.zeros((pad,) + label_img.shape[1:], label_img.dtype)])
    grid = make_grid(label_img, ncols=nrow).transpose(1, 2, 0)
    scale = 1 if grid.dtype == np.uint8 else 255
    with open(os.path.join(save_path, "sprite.png"), "wb") as f:
        f.write(_png((grid.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)))


def embedding_info(metadata, label_img, subdir, global_step, tag):
    """One `embeddings { ... }` block of projector_config.pbtxt."""
    lines = [f'  tensor_name: "{tag}:{str(global_step).zfill(5)}"',
             f'  tensor_path: "{subdir}/tensors.tsv"']
    if metadata is not None:
        lines.append(f'  metadata_path: "{subdir}/metadata.tsv"')
    if label_img is not None:
        lines += [f'  sprite {{\n    image_path: "{subdir}/sprite.png"',
                  f"    single_image_dim: {label_img.shape[3]}\n    single_image_dim: {label_img.shape[2]}\n  }}"]
    return "embeddings {\n" + "\n".join(lines) + "\n}\n"
