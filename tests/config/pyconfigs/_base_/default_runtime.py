"""Runtime settings; its own base is the schedule (three levels with the configs below)."""
_base_ = './schedules/sgd_step.py'
checkpoint_config = dict(interval=1)
log_config = dict(interval=100, hooks=[
    dict(type='TextLoggerHook'),
])
dist_params = dict(backend='nccl')
log_level = 'INFO'
load_from = None
resume_from = None
workflow = [('train', 1)]
__helper = 2  # names starting with two underscores are not kept
_scaled = __helper * 8  # a single underscore is kept
