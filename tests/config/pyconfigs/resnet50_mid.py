_base_ = [
    '_base_/models/resnet50.py', '_base_/datasets/imagenet_bs32.yaml',
    '_base_/default_runtime.py'
]
model = dict(head=dict(num_classes=10, topk=(1, )))
work_dir = './work_dirs/{{ fileBasenameNoExtension }}'
source = dict(dir='{{fileDirname}}', name='{{fileBasename}}', ext='{{fileExtname}}')
