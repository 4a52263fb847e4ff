"""The training engine: runner, hooks, checkpoints, optimizers, lr policies and evaluation.

Import the submodules you need (``clscore.engine.train``, ``clscore.engine.checkpoint``, ...);
this package itself imports nothing heavy so that the plugin-loading path stays torch-free.
"""
