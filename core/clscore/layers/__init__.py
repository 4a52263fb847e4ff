"""Building blocks for models and plugins: one vocabulary for ``norm_cfg``, ``act_cfg``,
``init_cfg``, pretrained weights, stochastic depth and ``out_indices``.

Every component (the core's heads and backbones, clscore-plugin-resnet, a generated plugin) builds
with these, so a config key means the same everywhere::

    from clscore.layers import build_norm_layer, build_activation_layer, initialize, DropPath

    self.bn1 = build_norm_layer(norm_cfg, 64)            # {type: BN, requires_grad: false}, ...
    self.act = build_activation_layer({"type": "ReLU", "inplace": True})
    initialize(self, init_cfg, default=[{"type": "Kaiming", "layer": "Conv2d"}])
"""

from clscore.layers._activation import ACTIVATION_TYPES, ActCfg, build_activation_layer
from clscore.layers._conv import ConvModule, norm_layer_name
from clscore.layers._drop_path import DropPath, drop_path
from clscore.layers._indices import normalize_out_indices
from clscore.layers._init import (
    INIT_TYPES,
    InitCfg,
    initialize,
    loads_pretrained,
    parse_init_cfg,
    with_pretrained,
)
from clscore.layers._norm import (
    DEFAULT_NORM_CFG,
    NORM_TYPES,
    LayerNorm2d,
    NormCfg,
    build_norm_layer,
    check_norm_cfg,
)
from clscore.layers._pretrained import CLASSIFIER_BACKBONE_PREFIX, load_pretrained

__all__ = [
    "ACTIVATION_TYPES",
    "CLASSIFIER_BACKBONE_PREFIX",
    "DEFAULT_NORM_CFG",
    "INIT_TYPES",
    "NORM_TYPES",
    "ActCfg",
    "ConvModule",
    "DropPath",
    "InitCfg",
    "LayerNorm2d",
    "NormCfg",
    "build_activation_layer",
    "build_norm_layer",
    "check_norm_cfg",
    "drop_path",
    "initialize",
    "load_pretrained",
    "loads_pretrained",
    "norm_layer_name",
    "normalize_out_indices",
    "parse_init_cfg",
    "with_pretrained",
]
