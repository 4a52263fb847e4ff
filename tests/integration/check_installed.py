"""Run in a fresh environment where the wheels were installed as a user installs them.

Checks that ``clsrun plugins -v`` lists ResNet and TIMMBackbone with their distributions, that
the example configs using them validate, and that their models build and run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXPECTED = {"resnet": ("clscore-plugin-resnet", "ResNet"), "timm": ("clscore-plugin-timm", "TIMMBackbone")}


def clsrun(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "clscore", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"clsrun {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def main(configs: Path) -> None:
    import clscore

    assert "site-packages" in clscore.__file__, f"clscore is not installed from a wheel: {clscore.__file__}"
    listing = clsrun("plugins", "-v")
    print(listing)
    for plugin, (distribution, component) in EXPECTED.items():
        rows = [line.split() for line in listing.splitlines() if line.split()[:1] == [plugin]]
        assert rows and rows[0][1] == distribution and rows[0][-1] == "loaded", (plugin, rows)
        assert component in listing, component
    checked = sorted(
        [*configs.glob("digits/*.yaml"), *configs.glob("timm/*.yaml"), *configs.glob("resnet/*.yaml")]
    )
    assert checked, f"no configs under {configs}"
    for config in checked:
        print(clsrun("config", "validate", str(config)).strip())

    import torch

    from clscore import Config, build_model

    for config in [*configs.glob("digits/*.yaml"), *configs.glob("timm/*.yaml")]:
        cfg = Config.fromfile(config)
        model = build_model(cfg.model).eval()
        size = 32
        with torch.no_grad():
            logits = model(torch.rand(2, 3, size, size))
        assert logits.shape == (2, cfg.model.head.num_classes), (config, logits.shape)
        print(f"{config.name}: builds, logits {tuple(logits.shape)}")
    from clscore.data import png_decode, region_decode

    # optional: built where libjpeg's and zlib's headers were when the wheel was made
    print(f"JPEG crops decoded alone (clscore.data._jpeg_region): {region_decode.available()}")
    print(f"plain PNGs inflated in one go (clscore.data._png_plain): {png_decode.available()}")
    print("install check: ok")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
