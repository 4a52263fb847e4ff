"""Data: image decoding, datasets and the transforms of a pipeline.

The sample dict that flows through a pipeline (see DESIGN.md):

- ``img``: a ``torch.Tensor`` of shape ``(C, H, W)``, always **RGB**; ``uint8`` until ``Normalize``
  (or ``Lighting``), ``float32`` after.
- ``gt_label``: a python/numpy int until ``ToTensor(keys=["gt_label"])`` makes it a 0-d int64 tensor.
- ``filename`` / ``ori_filename``: the image's path (in-memory datasets give a name such as
  ``"digits/val/00012"``).
- ``ori_shape`` / ``img_shape``: ``(H, W, C)`` tuples, as in MMClassification (numpy order even
  though ``img`` itself is ``(C, H, W)``).
- whatever transforms add: ``flip``, ``flip_direction``, ``img_norm_cfg``.

This package imports nothing heavy itself; import the submodules you need.
"""
