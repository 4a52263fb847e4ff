"""The hooks a clscore plugin implements: one per component kind, plus CLI commands.

Each ``register_*`` hook receives a registry bound to the calling plugin, so every component
records who provided it. Implement only the hooks you need.

The host calls each plugin's hooks through pluggy on their own (``subset_hook_caller``): a
plugin's implementations never run in the same call as another plugin's, so its registrations are
staged apart and rolled back together if one of its hooks raises. Within that call pluggy's
markers mean what pluggy documents, for the implementations of one hook in one plugin (several are
possible with ``@hookimpl(specname="register_backbones")``):

- ``tryfirst=True`` / ``trylast=True`` run that implementation before / after the others;
- ``wrapper=True`` (a generator: ``result = yield``) runs around them; after the ``yield`` the
  registry it received lists what the plugin registered for that hook, and an exception from the
  implementations is raised at the ``yield``, where the wrapper may handle it (then the plugin's
  registrations are kept) or let it propagate (then they are rolled back).

A plugin disabled by ``CLSCORE_DISABLE_PLUGINS`` or left out by ``CLSCORE_LOAD_PLUGINS`` is blocked
in pluggy (``set_blocked``) and is never imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from clscore.plugins import Registry

PROJECT_NAME = "clscore"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_models(registry: Registry) -> None:
    """Add whole-model classes, such as ``ImageClassifier``, built from ``model:``."""


@hookspec
def register_backbones(registry: Registry) -> None:
    """Add backbones: modules whose ``forward(img)`` returns a tuple of ``(N, C, H, W)`` maps."""


@hookspec
def register_necks(registry: Registry) -> None:
    """Add necks: modules that take the backbone's tuple and return the same kind of thing."""


@hookspec
def register_heads(registry: Registry) -> None:
    """Add heads: modules with ``forward``, ``loss(feats, gt_label)`` and ``predict(feats)``."""


@hookspec
def register_losses(registry: Registry) -> None:
    """Add losses: ``(cls_score, gt_label, weight=None, avg_factor=None) -> tensor`` modules."""


@hookspec
def register_batch_augments(registry: Registry) -> None:
    """Add batch augments (``model.train_cfg.augments``) such as ``Mixup``: ``(img, label) -> (img, soft_label)``."""


@hookspec
def register_transforms(registry: Registry) -> None:
    """Add pipeline transforms: callables that take the sample dict and return it."""


@hookspec
def register_datasets(registry: Registry) -> None:
    """Add map-style datasets with ``classes`` that accept a ``pipeline`` list of transform configs."""


@hookspec
def register_schedulers(registry: Registry) -> None:
    """Add learning-rate policies, selected by ``lr_config.policy`` (case-insensitive)."""


@hookspec
def register_optimizers(registry: Registry) -> None:
    """Add optimizers, selected by ``optimizer.type``; built as ``factory(params, **cfg)``."""


@hookspec
def register_metrics(registry: Registry) -> None:
    """Add metrics: ``(scores, targets) -> {name: value}`` callables, selected by ``evaluation.metric``."""


@hookspec
def register_runner_hooks(registry: Registry) -> None:
    """Add runner hooks for ``custom_hooks``, with MMCV-style ``before_run``/``after_train_iter``/… methods."""


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add ``clsrun`` subcommands to the click group ``cli``; import heavy modules inside the command."""
