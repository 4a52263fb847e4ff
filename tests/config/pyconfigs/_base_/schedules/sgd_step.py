optimizer = dict(type='SGD', lr=0.1 * 4 / 2, momentum=0.9, weight_decay=5e-4 * 1024 / 512)
optimizer_config = dict(grad_clip=None)
lr_config = dict(policy='step', step=[30, 60, 90], warmup_ratio=1 / 3, warmup_iters=5 * 626)
runner = dict(type='EpochBasedRunner', max_epochs=100)
