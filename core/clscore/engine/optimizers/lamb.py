"""LAMB (You et al., "Large Batch Optimization for Deep Learning: Training BERT in 76 minutes", 2019).

The variant MMClassification 0.25 registers as ``Lamb`` (timm's, after NVIDIA's FusedLAMB), used by the
ResNet-Strikes-Back recipes: gradients are first clipped to a global norm of ``max_grad_norm`` over all
parameters, then each tensor takes a bias-corrected Adam step with L2 weight decay added to the update,
scaled by the trust ratio ``||w|| / ||update||`` (1 when either norm is zero). Parameters of a group
without weight decay skip the trust ratio unless ``always_adapt``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import torch


class Lamb(torch.optim.Optimizer):
    """Layer-wise adaptive Adam (LAMB) with global gradient-norm clipping, as in MMClassification 0.25.

    ``grad_averaging``: scale the gradient by ``1 - beta1`` in the first moment (else by 1).
    ``max_grad_norm``: clip the global gradient norm to this before the step (``None``: no clipping).
    ``trust_clip``: cap the trust ratio at 1 (LAMBC).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        bias_correction: bool = True,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-6,
        weight_decay: float = 0.01,
        grad_averaging: bool = True,
        max_grad_norm: float | None = 1.0,
        trust_clip: bool = False,
        always_adapt: bool = False,
    ) -> None:
        if not float(lr) >= 0:
            raise ValueError(f"lr must be >= 0, got {lr}")
        if not float(eps) >= 0:
            raise ValueError(f"eps must be >= 0, got {eps}")
        if len(betas) != 2 or not all(0 <= float(b) < 1 for b in betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {betas}")
        if not float(weight_decay) >= 0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
        if max_grad_norm is not None and not float(max_grad_norm) > 0:
            raise ValueError(f"max_grad_norm must be > 0 or null (no clipping), got {max_grad_norm}")
        defaults = {
            "lr": float(lr),
            "bias_correction": bool(bias_correction),
            "betas": (float(betas[0]), float(betas[1])),
            "eps": float(eps),
            "weight_decay": float(weight_decay),
            "grad_averaging": bool(grad_averaging),
            "max_grad_norm": None if max_grad_norm is None else float(max_grad_norm),
            "trust_clip": bool(trust_clip),
            "always_adapt": bool(always_adapt),
        }
        super().__init__(params, defaults)

    def _clip_divisor(self) -> torch.Tensor | None:
        """``max(global grad norm / max_grad_norm, 1)``, or ``None`` without clipping or gradients."""
        max_norm = self.defaults["max_grad_norm"]
        grads = [p.grad for group in self.param_groups for p in group["params"] if p.grad is not None]
        if any(g.is_sparse for g in grads):
            raise RuntimeError("Lamb does not support sparse gradients; use SparseAdam for those parameters")
        if max_norm is None or not grads:
            return None
        device = grads[0].device
        total = torch.stack([g.pow(2).sum().to(device) for g in grads]).sum().sqrt()
        return (total / max_norm).clamp(min=1.0)

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # type: ignore[override]
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        divisor = self._clip_divisor()
        for group in self.param_groups:
            # One step count per group (saved with the param groups in the state dict).
            group["step"] = group.get("step", 0) + 1
            beta1, beta2 = group["betas"]
            grad_scale = 1 - beta1 if group["grad_averaging"] else 1.0
            if group["bias_correction"]:
                correction1 = 1 - beta1 ** group["step"]
                correction2 = 1 - beta2 ** group["step"]
            else:
                correction1 = correction2 = 1.0
            weight_decay = group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad if divisor is None else p.grad / divisor.to(p.grad.device)
                state = self.state[p]
                if not state:
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                exp_avg.mul_(beta1).add_(grad, alpha=grad_scale)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denom = (exp_avg_sq.sqrt() / math.sqrt(correction2)).add_(group["eps"])
                update = (exp_avg / correction1).div_(denom)
                if weight_decay != 0:
                    update.add_(p, alpha=weight_decay)
                if weight_decay != 0 or group["always_adapt"]:
                    update.mul_(self._trust_ratio(p, update, group["trust_clip"]))
                p.add_(update, alpha=-group["lr"])
        return loss

    @staticmethod
    def _trust_ratio(param: torch.Tensor, update: torch.Tensor, clip: bool) -> torch.Tensor:
        w_norm, u_norm = param.norm(2.0), update.norm(2.0)
        usable = (w_norm > 0) & (u_norm > 0)
        ratio = torch.where(usable, w_norm / torch.where(usable, u_norm, 1.0), 1.0)
        return ratio.clamp(max=1.0) if clip else ratio
