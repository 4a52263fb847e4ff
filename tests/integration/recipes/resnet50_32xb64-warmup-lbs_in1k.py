_base_ = ['./resnet50_32xb64-warmup_in1k.py']
model = dict(
    head=dict(
        type='LinearClsHead',
        loss=dict(
            type='LabelSmoothLoss',
            loss_weight=1.0,
            label_smooth_val=0.1,
            num_classes=1000),
    ))
