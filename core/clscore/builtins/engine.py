"""Built-in optimizers, lr policies and runner hooks (lazy registrations; no torch imported here)."""

from clscore.hookspecs import hookimpl

#: Every ``torch.optim`` optimizer, by its class name; built as ``Class(params, **cfg)``.
TORCH_OPTIMIZERS = (
    "ASGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "LBFGS",
    "NAdam",
    "RAdam",
    "RMSprop",
    "Rprop",
    "SGD",
    "SparseAdam",
)

_POLICIES = "clscore.engine.schedulers.policies"
_ANNEALING = "clscore.engine.schedulers.annealing"
_HOOKS = "clscore.engine.hooks"


@hookimpl
def register_optimizers(registry):
    for name in TORCH_OPTIMIZERS:
        registry.add(
            name, f"torch.optim:{name}", summary=f"torch.optim.{name}, built with the model's param groups."
        )
    registry.add(
        "Lamb",
        "clscore.engine.optimizers.lamb:Lamb",
        summary="LAMB (MMClassification/timm variant): Adam step × trust ratio, global grad-norm clipping.",
    )


@hookimpl
def register_schedulers(registry):
    registry.add("fixed", f"{_POLICIES}:FixedLr", summary="Constant lr (warmup still applies).")
    registry.add(
        "step",
        f"{_POLICIES}:StepLr",
        summary="lr × gamma at each milestone of step (list) or every step (int).",
    )
    registry.add("exp", f"{_POLICIES}:ExpLr", summary="lr × gamma ** progress.")
    registry.add("poly", f"{_POLICIES}:PolyLr", summary="Polynomial decay to min_lr with the given power.")
    registry.add("inv", f"{_POLICIES}:InvLr", summary="lr × (1 + gamma × progress) ** -power.")
    registry.add(
        "CosineAnnealing",
        f"{_POLICIES}:CosineAnnealingLr",
        summary="Cosine decay to min_lr or base lr × min_lr_ratio.",
    )
    registry.add(
        "OneCycle", f"{_POLICIES}:OneCycleLr", summary="1cycle: rise to max_lr, then anneal, per iteration."
    )
    registry.add(
        "CosineRestart",
        f"{_POLICIES}:CosineRestartLr",
        summary="Cosine annealing restarted after each period.",
    )
    registry.add(
        "FlatCosineAnnealing",
        f"{_ANNEALING}:FlatCosineAnnealingLr",
        summary="Base lr for start_percent of the run, then cosine decay to min_lr / min_lr_ratio.",
    )
    registry.add(
        "CosineAnnealingCooldown",
        f"{_ANNEALING}:CosineAnnealingCooldownLr",
        summary="Cosine decay, then min lr × cool_down_ratio for the last cool_down_time epochs/iters.",
    )
    registry.add(
        "LinearAnnealing",
        f"{_ANNEALING}:LinearAnnealingLr",
        summary="Linear decay to min_lr or base lr × min_lr_ratio.",
    )
    registry.add(
        "Cyclic",
        f"{_ANNEALING}:CyclicLr",
        summary="Cyclical lr per iteration: up to base × target_ratio[0], down to base × target_ratio[1].",
    )


@hookimpl
def register_runner_hooks(registry):
    registry.add(
        "EMAHook",
        f"{_HOOKS}.ema:EMAHook",
        summary="Exponential moving average of the weights; evaluates on it.",
    )
    registry.add(
        "ClassNumCheckHook",
        f"{_HOOKS}.checks:ClassNumCheckHook",
        summary="Warns when head.num_classes differs from the dataset's classes; errors on labels out of range.",
    )
    registry.add(
        "CheckpointHook", f"{_HOOKS}.checkpoint:CheckpointHook", summary="Periodic atomic checkpoints."
    )
    registry.add(
        "EvalHook",
        f"{_HOOKS}.evaluation:EvalHook",
        summary="Periodic evaluation on data.val, best checkpoint.",
    )
    registry.add(
        "TextLoggerHook", f"{_HOOKS}.logger:TextLoggerHook", summary="Text log lines and <time>.log.json."
    )
    registry.add(
        "PreciseBNHook",
        f"{_HOOKS}.precise_bn:PreciseBNHook",
        summary="Recomputes BN running statistics as true averages over num_samples training samples.",
    )
    registry.add(
        "TensorboardLoggerHook",
        f"{_HOOKS}.logger:TensorboardLoggerHook",
        summary="Logged scalars to TensorBoard (needs the tensorboard package).",
    )
