"""Helpers for testing clscore plugins; also a pytest plugin (the ``clscore_host`` fixture).

```python
from clscore.testing import assert_registered, assert_training_lowers_loss, isolated_host, tiny_config, use_host
import my_plugin.plugin

def test_my_backbone_trains():
    with use_host(isolated_host(my_plugin.plugin, tiny_data=True)) as host:
        assert_registered(host, "backbone", "MyNet", params=["depth"])
        assert_training_lowers_loss(tiny_config({"type": "MyNet", "depth": 2}, num_samples=4, batch_size=4))
```

Importing this package imports no torch; ``run_one_step`` and ``TinyDataset`` do when used.
"""

from clscore.testing._asserts import (
    HEAVY_MODULES,
    assert_import_is_light,
    assert_registered,
    imported_heavy_modules,
)
from clscore.testing._config import tiny_config
from clscore.testing._host import isolated_host, plugin_info, plugin_name, use_host
from clscore.testing._tiny_plugin import TINY_DATA_PLUGIN
from clscore.testing._train import assert_training_lowers_loss, run_one_step

__all__ = [
    "HEAVY_MODULES",
    "TINY_DATA_PLUGIN",
    "assert_import_is_light",
    "assert_registered",
    "assert_training_lowers_loss",
    "imported_heavy_modules",
    "isolated_host",
    "plugin_info",
    "plugin_name",
    "run_one_step",
    "tiny_config",
    "use_host",
]
