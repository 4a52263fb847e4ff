from __future__ import annotations

from typing import Literal

import pytest

from clscore import hookimpl
from clscore.config import Config, validate
from clscore.errors import ConfigError
from clscore.testing import isolated_host, use_host


class FakeNet:
    """A backbone with typed parameters."""

    def __init__(self, depth: int, style: Literal["pytorch", "caffe"] = "pytorch", out_indices=(3,)):
        pass


class FakePool:
    def __init__(self, dim: int = 2):
        pass


class FakeHead:
    def __init__(self, num_classes: int, in_channels: int | None = None, loss: dict | None = None):
        pass


class FakeLoss:
    def __init__(self, loss_weight: float = 1.0):
        pass


class FakeClassifier:
    def __init__(self, backbone: dict, neck: dict | None = None, head: dict | None = None, train_cfg=None):
        pass


class FakeDataset:
    def __init__(self, data_prefix: str, pipeline: list | None = None, test_mode: bool = False):
        pass


class FakeResize:
    def __init__(self, size: int | tuple[int, int]):
        pass


class FakeStep:
    def __init__(self, step: int | list[int], gamma: float = 0.1, warmup: str | None = None):
        pass


class FakeEMA:
    def __init__(self, momentum: float = 0.0002):
        pass


class FakeMixup:
    def __init__(self, alpha: float, num_classes: int, prob: float = 1.0):
        pass


class FakePlugin:
    name = "fake"

    @hookimpl
    def register_models(self, registry):
        registry.add("ImageClassifier", FakeClassifier)

    @hookimpl
    def register_backbones(self, registry):
        registry.add("ResNet", FakeNet)
        registry.add("LazyNet", "tests_lazy_target_xyz:Nope")  # unknown source: parameters not checked

    @hookimpl
    def register_necks(self, registry):
        registry.add("GlobalAveragePooling", FakePool)

    @hookimpl
    def register_heads(self, registry):
        registry.add("LinearClsHead", FakeHead)

    @hookimpl
    def register_losses(self, registry):
        registry.add("CrossEntropyLoss", FakeLoss)

    @hookimpl
    def register_datasets(self, registry):
        registry.add("ImageNet", FakeDataset)

    @hookimpl
    def register_transforms(self, registry):
        registry.add("Resize", FakeResize)

    @hookimpl
    def register_schedulers(self, registry):
        registry.add("step", FakeStep)

    @hookimpl
    def register_optimizers(self, registry):
        registry.add("SGD", "torch.optim:SGD")

    @hookimpl
    def register_runner_hooks(self, registry):
        registry.add("EMAHook", FakeEMA)

    @hookimpl
    def register_batch_augments(self, registry):
        registry.add("Mixup", FakeMixup)

    @hookimpl
    def register_metrics(self, registry):
        registry.add("Accuracy", FakeEMA)


GOOD = """
model:
  type: ImageClassifier
  backbone: {type: ResNet, depth: 50, style: pytorch}
  neck: {type: GlobalAveragePooling}
  head: {type: LinearClsHead, num_classes: 10, loss: {type: CrossEntropyLoss, loss_weight: 1.0}}
  train_cfg: {augments: [{type: Mixup, alpha: 0.2, num_classes: 10, prob: 0.5}]}
img_norm_cfg: {mean: [1, 2, 3]}
data:
  samples_per_gpu: 32
  workers_per_gpu: 2
  train: {type: ImageNet, data_prefix: x, pipeline: [{type: Resize, size: 32}]}
optimizer: {type: SGD, lr: 0.1, momentum: 0.9, weight_decay: 1e-4, paramwise_cfg: {norm_decay_mult: 0}}
lr_config: {policy: Step, step: [30, 60]}
runner: {type: EpochBasedRunner, max_epochs: 3}
evaluation: {interval: 1, metric: accuracy}
custom_hooks: [{type: EMAHook, momentum: 0.001, priority: ABOVE_NORMAL}]
"""


@pytest.fixture(autouse=True)
def fake_host():
    with use_host(isolated_host(FakePlugin(), builtins=False)) as host:
        yield host


def problems(text: str, *options: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        validate(Config.fromstring(text, cfg_options=list(options)))
    assert info.value.exit_code == 2
    return info.value.problems


def test_good_config_validates():
    validate(Config.fromstring(GOOD))


def test_unknown_neck_has_path_and_did_you_mean():
    (problem,) = problems(GOOD, "model.neck.type=GlobalAveragePoolin")
    assert problem.startswith(
        "model.neck: unknown neck 'GlobalAveragePoolin'; did you mean 'GlobalAveragePooling'?"
    )


def test_misspelt_parameter():
    # one message: the required 'depth' is not reported missing as well, the did-you-mean covers it
    (problem,) = problems(GOOD, "model.backbone={type: ResNet, depht: 50}")
    assert problem.startswith(
        "model.backbone.depht: ResNet (fake) has no parameter 'depht'; did you mean 'depth'?"
    )


def test_missing_required_parameter_next_to_an_unrelated_unknown_one():
    found = problems(GOOD, "model.backbone={type: ResNet, colour: red}")
    assert "model.backbone: ResNet (fake) needs parameter 'depth' (int)" in found
    assert any(p.startswith("model.backbone.colour: ResNet (fake) has no parameter 'colour'.") for p in found)


def test_all_problems_are_collected():
    found = problems(
        GOOD,
        "model.backbone.style=tensorflow",
        "model.head.num_classes=ten",
        "model.head.loss.type=CrossEntropy",
        "data.train.pipeline.0.size=big",
        "optimizer.lr=fast",
        "optimizer.momentm=0.9",
        "lr_config.policy=stp",
        "runner.max_epoch=3",
        "custom_hooks.0.momentum=high",
        "evaluation.metric=acc",
        "model.train_cfg.augments.0.alpha=much",
    )
    joined = "\n".join(found)
    for expected in [
        "model.backbone.style: ResNet (fake) expects Literal['pytorch', 'caffe'], got 'tensorflow'",
        "model.head.num_classes: LinearClsHead (fake) expects int, got 'ten'",
        "model.head.loss: unknown loss 'CrossEntropy'; did you mean 'CrossEntropyLoss'?",
        "data.train.pipeline.0.size: Resize (fake) expects int | tuple[int, int], got 'big'",
        "optimizer.lr: SGD (fake) expects float | ",
        "optimizer.momentm: SGD (fake) has no parameter 'momentm'; did you mean 'momentum'?",
        "lr_config.policy: unknown scheduler 'stp'",
        "runner.max_epoch: unknown key; did you mean 'max_epochs'?",
        "custom_hooks.0.momentum: EMAHook (fake) expects float, got 'high'",
        "evaluation.metric: unknown metric 'acc'",
        "model.train_cfg.augments.0.alpha: Mixup (fake) expects float, got 'much'",
    ]:
        assert expected in joined
    assert len(found) == 11


def test_missing_required_parameter_and_type():
    found = problems(GOOD, "model.head={type: LinearClsHead}", "data.train={pipeline: []}")
    assert "model.head: LinearClsHead (fake) needs parameter 'num_classes' (int)" in found
    assert any(p.startswith("data.train: missing 'type'") for p in found)


def test_near_miss_sections_are_errors_unknown_keys_are_variables():
    text = GOOD + "lr_confg: {policy: step}\noptimzer: {type: SGD}\ntrain_pipeline: []\nmy_var: 3\n"
    found = problems(text)
    assert found == [
        "lr_confg: unknown section; did you mean 'lr_config'? (other unknown top-level keys are allowed as variables)",
        "optimzer: unknown section; did you mean 'optimizer'? (other unknown top-level keys are allowed as variables)",
    ]


def test_lazy_component_without_readable_source_is_not_param_checked():
    validate(Config.fromstring(GOOD, ["model.backbone={type: LazyNet, anything: 1}"]))


def test_qualified_name_works():
    validate(Config.fromstring(GOOD, ["model.backbone.type=fake:ResNet"]))


# -- validation answers as building does -------------------------------------------------------------------
class NeedsRunner:
    """A runner hook that expects to be handed the runner: nothing passes it."""

    def __init__(self, runner, interval: int = 1):
        pass


class NeedsOptimizer:
    """An lr policy that expects the optimizer: the builder passes only ``lr_config``'s keys."""

    def __init__(self, optimizer, step: int = 1):
        pass


class InjectedPlugin:
    name = "injected"

    @hookimpl
    def register_runner_hooks(self, registry):
        registry.add("NeedsRunner", NeedsRunner)

    @hookimpl
    def register_schedulers(self, registry):
        registry.add("needsopt", NeedsOptimizer)


def test_parameters_nothing_injects_are_reported_as_building_would_fail_on_them():
    from clscore.errors import ComponentError
    from clscore.plugins import build

    with use_host(isolated_host(FakePlugin(), InjectedPlugin(), builtins=False)):
        found = problems(GOOD, "custom_hooks=[{type: NeedsRunner}]", "lr_config={policy: needsopt}")
        assert found == [
            "lr_config: needsopt (injected) needs parameter 'optimizer'",
            "custom_hooks.0: NeedsRunner (injected) needs parameter 'runner'",
        ]
        # what the engine's builders call for these sections fails on the same parameters
        with pytest.raises(ComponentError, match="runner"):
            build("runner_hook", {"type": "NeedsRunner"})
        with pytest.raises(ComponentError, match="optimizer"):
            build("scheduler", {"type": "needsopt"})


def test_hook_sections_take_the_hooks_parameters():
    with use_host(isolated_host()):
        found = problems(
            "checkpoint_config: {interval: 2, max_keep_ckpt: 3, format: zip}\n"
            "evaluation: {interval: 1, rule: bigger, gpu_collect: false, tmpdir: null}\n"
        )
    assert found[0].startswith("checkpoint_config.max_keep_ckpt: unknown key; did you mean 'max_keep_ckpts'?")
    assert found[1:] == [
        "checkpoint_config.format: expected Literal['pth', 'safetensors'], got 'zip'",
        "evaluation.rule: expected Literal['greater', 'less'] | None, got 'bigger'",
    ]


def test_a_parameter_the_hook_gains_is_a_valid_key_without_editing_the_sections():
    from clscore.plugins import Param

    host = isolated_host()
    signature = host.registry("runner_hook").get("clscore:EvalHook").signature()
    assert signature is not None
    signature.params.append(Param("patience", required=False, annotation="int"))
    with use_host(host):
        validate(Config.fromstring("evaluation: {interval: 1, patience: 3}"))
        (problem,) = problems("evaluation: {patience: soon}")
    assert problem == "evaluation.patience: expected int, got 'soon'"
