_base_ = './resnet50_mid.py'

img_norm_cfg = dict(
    mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', size=224, scale=(0.08, 1.0)),
    dict(type='RandomFlip', flip_prob=0.5, direction='horizontal'),
    dict(type='Normalize', **img_norm_cfg),
    dict(type='Collect', keys=['img', 'gt_label']),
]
data = dict(
    samples_per_gpu=64,
    train=dict(pipeline=train_pipeline),
    test={{_base_.data.val}},
)
bgr_mean = img_norm_cfg['mean'][::-1]
rounded_mean = [round(x) for x in img_norm_cfg['mean'][::-1]]
layers = ['backbone.layer{}'.format(i + 1) for i in range(4)]
lr_mult = {name: dict(lr_mult=0.1 * (i + 1)) for i, name in enumerate(layers) if i % 2 == 0}
optimizer = dict(
    _delete_=True, type='AdamW', lr=1e-3 if len(layers) > 2 else 1e-2,
    weight_decay=0.05, paramwise_cfg=dict(custom_keys=lr_mult))
head = {{_base_.model.head}}
total = sum(x * 2 for x in range(5))
extras = dict(
    neg=-img_norm_cfg['std'][0], chained=1 < 2 <= 3, both=True and not False,
    either=None or 'x', same=[1, 2] == [1, 2], half=7 // 2, power=2 ** 10, rest=7 % 3,
    pick='a' if 3 in {1, 2, 3} else 'b', sizes=tuple(s * 2 for s in (112, 224)),
    names=sorted({'b', 'a'}), pairs=list(zip(['x', 'y'], [1, 2])),
    numbered=list(enumerate(['p', 'q'], 1)), backwards=list(reversed(range(3))),
    stats=[max(rounded_mean), min(3, 1, 2), abs(-2.5), len(layers), str(42), bool(0), float('1.5'),
           int('7'), list('ab'), set([3, 3]), dict([('k', 1)]), round(2.675, 2), sum([1.5, 2])],
    plus=[1] + [2] * 2, text='ab' * 2, key={'in': 1}['in'], nested=[[j * i for j in range(2)] for i in range(2)])
