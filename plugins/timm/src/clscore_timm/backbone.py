"""Any timm model as a clscore backbone.

Two modes. Single-vector (default): timm's classifier is removed (``num_classes=0``) and the backbone
returns one map, the output of ``forward_features`` as ``(N, C, H, W)`` when timm's own head only
average-pools it, otherwise timm's pre-logits vector (``forward_head(..., pre_logits=True)``, e.g.
ViT's class token or ConvNeXt's pooled-then-normalised features) as ``(N, C, 1, 1)``; either way a
``GlobalAveragePooling`` neck then gives exactly timm's pre-logits features. Pyramid
(``features_only: true``): the maps named by ``out_indices``, as timm's ``feature_info`` lists them.
Outputs are always NCHW and always a tuple.

timm is imported when a TIMMBackbone is built, never when the plugin is loaded; weights come only
from local files.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from clscore.errors import CheckpointError, ConfigError
from torch import nn

#: timm model-name prefixes that fetch a config or weights from the Hugging Face Hub.
_HUB_PREFIXES = ("hf-hub:", "hf_hub:")
_LOCAL_DIR_PREFIX = "local-dir:"


def check_model_name(model_name: str) -> None:
    """Unknown or hub-only names raise ``ValueError`` with what to do instead."""
    import timm

    if model_name.lower().startswith(_HUB_PREFIXES):
        raise ValueError(
            f"model_name {model_name!r} would download from the Hugging Face Hub, and clscore never "
            "downloads. Use the timm architecture name (e.g. 'resnet18') with "
            "checkpoint_path: /path/to/model.safetensors, or 'local-dir:/path/to/folder' for a folder "
            "holding config.json and the weights."
        )
    if model_name.startswith(_LOCAL_DIR_PREFIX) or timm.is_model(model_name):
        return
    close = difflib.get_close_matches(model_name, timm.list_models(), n=3, cutoff=0.7)
    hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    raise ValueError(
        f"timm has no model {model_name!r}; {hint}list the names with: clsrun timm list '*{model_name[:6]}*'"
    )


def weight_arguments(
    model_name: str,
    pretrained: bool,
    checkpoint_path: str,
    overlay: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """``create_model`` arguments that load weights from a local file only, or load none."""
    overlay = dict(overlay or {})
    if checkpoint_path:
        overlay["file"] = checkpoint_path
    if overlay.get("file"):
        path = Path(overlay["file"]).expanduser()
        if not path.is_file():
            raise CheckpointError(f"TIMMBackbone {model_name}: checkpoint file not found: {path}")
        overlay["file"] = str(path)
        overlay["source"] = ""  # the file wins over any hub or url entry of timm's pretrained config
        return {"pretrained": True, "pretrained_cfg_overlay": overlay}
    if pretrained and not model_name.startswith(_LOCAL_DIR_PREFIX):  # a local-dir model brings its file
        raise ConfigError(
            f"TIMMBackbone {model_name}: pretrained: true needs a local weights file, because clscore never "
            "downloads. Download the weights once (e.g. the model.safetensors of the timm model on the "
            "Hugging Face Hub) and set checkpoint_path: /path/to/model.safetensors, or pass timm's overlay "
            "pretrained_cfg_overlay: {file: /path/to/model.safetensors}."
        )
    args: dict[str, Any] = {"pretrained": pretrained}
    if overlay:
        args["pretrained_cfg_overlay"] = overlay
    return args


def output_format(model: nn.Module) -> str:
    """``"NHWC"`` or ``"NCHW"``: the layout timm declares for the model's (or wrapper's) outputs."""
    fmt = getattr(model, "output_fmt", "NCHW")
    return str(getattr(fmt, "value", fmt))


def pre_logits_channels(model: nn.Module) -> int:
    """The width of timm's pre-logits features: what a linear head on this model takes."""
    return int(getattr(model, "head_hidden_size", None) or model.num_features)


def head_only_averages(model: nn.Module, channels: int, nhwc: bool) -> bool:
    """Whether timm's head turns a feature map into pre-logits by plain global average pooling.

    Probed on a small random map in eval mode; heads that fail on a map (token models) or do more
    (ConvNeXt's norm, MobileNetV3's conv_head, max pooling) answer ``False``.
    """
    shape = (2, 3, 3, channels) if nhwc else (2, channels, 3, 3)
    x = torch.randn(shape, generator=torch.Generator().manual_seed(0))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            pre = model.forward_head(x, pre_logits=True)
    except Exception:
        return False
    finally:
        model.train(was_training)
    mean = x.mean((1, 2) if nhwc else (2, 3))
    return pre.shape == mean.shape and torch.allclose(pre, mean, atol=1e-5)


def to_nchw(x: torch.Tensor, nhwc: bool) -> torch.Tensor:
    return x.permute(0, 3, 1, 2) if nhwc and x.ndim == 4 else x


def describe_model(model_name: str, **model_kwargs: Any) -> dict[str, Any]:
    """Parameter count, pre-logits channels and ``feature_info`` stages, built without real weights."""
    import timm

    kwargs = {**model_kwargs, "pretrained": False, "num_classes": 0}
    try:  # on the meta device nothing is allocated or initialised, so even huge models are instant
        with torch.device("meta"):
            model = timm.create_model(model_name, **kwargs)
    except Exception:
        model = timm.create_model(model_name, **kwargs)
    stages = [
        {"num_chs": int(s["num_chs"]), "reduction": int(s["reduction"]), "module": s.get("module", "")}
        for s in getattr(model, "feature_info", [])
    ]
    return {
        "params": sum(p.numel() for p in model.parameters()),
        "pre_logits": pre_logits_channels(model),
        "stages": stages,
    }


class TIMMBackbone(nn.Module):
    """A timm model as a backbone: ``model_name`` plus timm's own keyword arguments (``model_kwargs``).

    ``out_channels`` lists the channels of the returned maps, so a head's ``in_channels`` may be left
    out. ``pretrained: true`` needs a local file (``checkpoint_path``, or timm's
    ``pretrained_cfg_overlay: {file: ...}``); a ``checkpoint_path`` is loaded whenever it is given,
    through timm's own loader (classifier dropped, input conv and position embeddings adapted).
    """

    def __init__(
        self,
        model_name: str,
        features_only: bool = False,
        out_indices: Sequence[int] | None = None,
        pretrained: bool = False,
        checkpoint_path: str = "",
        in_channels: int = 3,
        **model_kwargs: Any,
    ) -> None:
        super().__init__()
        import timm

        check_model_name(model_name)
        kwargs = dict(model_kwargs)
        kwargs.update(
            weight_arguments(
                model_name, pretrained, checkpoint_path, kwargs.pop("pretrained_cfg_overlay", None)
            )
        )
        if features_only:
            kwargs["features_only"] = True
            if out_indices is not None:
                kwargs["out_indices"] = tuple(out_indices)
        elif out_indices is not None:
            raise ValueError(
                "out_indices selects feature maps of features_only: true; set that too, or drop it"
            )
        else:
            kwargs["num_classes"] = 0
        self.model_name = model_name
        self.features_only = features_only
        self.model = timm.create_model(model_name, in_chans=in_channels, **kwargs)
        self.nhwc = output_format(self.model) == "NHWC"
        if features_only:
            self.out_channels = [int(c) for c in self.model.feature_info.channels()]
            self.reductions = [int(r) for r in self.model.feature_info.reduction()]
            self.returns_map = True
        else:
            self.out_channels = [pre_logits_channels(self.model)]
            self.returns_map = head_only_averages(self.model, self.model.num_features, self.nhwc)
        self.feat_dim = self.out_channels[-1]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        if self.features_only:
            return tuple(to_nchw(f, self.nhwc) for f in self.model(x))
        feats = self.model.forward_features(x)
        if self.returns_map and feats.ndim == 4:
            return (to_nchw(feats, self.nhwc),)
        vector = self.model.forward_head(feats, pre_logits=True)
        return (vector.reshape(vector.shape[0], -1, 1, 1),)

    def extra_repr(self) -> str:
        mode = "features_only" if self.features_only else ("map" if self.returns_map else "pre_logits")
        return f"model_name={self.model_name!r}, mode={mode}, out_channels={self.out_channels}"
