"""Built-in transforms and datasets (lazy registrations; no torch imported here)."""

from clscore.hookspecs import hookimpl

_T = "clscore.data.transforms"
_D = "clscore.data.datasets"

TRANSFORMS = {
    "Compose": ("clscore.data.compose:Compose", "Apply a list of transforms in order."),
    "LoadImageFromFile": (
        f"{_T}.loading:LoadImageFromFile",
        "Decode an image file to an RGB uint8 tensor (EXIF orientation, all colour modes, bomb-safe).",
    ),
    "RandomResizedCrop": (f"{_T}.geometric:RandomResizedCrop", "Random area/aspect crop resized to a size."),
    "Resize": (f"{_T}.geometric:Resize", "Resize to (h, w), a square, or one side keeping the aspect (-1)."),
    "CenterCrop": (f"{_T}.geometric:CenterCrop", "Crop the centre; small images are zero-padded."),
    "RandomCrop": (f"{_T}.geometric:RandomCrop", "Optionally pad, then crop a random window."),
    "RandomFlip": (f"{_T}.geometric:RandomFlip", "Flip horizontally or vertically with a probability."),
    "Normalize": (f"{_T}.colour:Normalize", "(img - mean) / std on RGB images, as float32."),
    "ColorJitter": (f"{_T}.colour:ColorJitter", "Random brightness, contrast, saturation and hue."),
    "RandomGrayscale": (f"{_T}.colour:RandomGrayscale", "Turn the image gray with a probability."),
    "Lighting": (f"{_T}.colour:Lighting", "AlexNet-style PCA lighting noise."),
    "RandomErasing": (f"{_T}.erasing:RandomErasing", "Fill a random rectangle (const or random values)."),
    "AutoAugment": (f"{_T}.autoaugment:AutoAugment", "AutoAugment with torchvision's ImageNet policy."),
    "RandAugment": (f"{_T}.autoaugment:RandAugment", "RandAugment on torchvision's op set."),
    "ImageToTensor": (f"{_T}.formatting:ImageToTensor", "Make image keys (C, H, W) tensors."),
    "ToTensor": (f"{_T}.formatting:ToTensor", "Make keys tensors; a label becomes a 0-d int64 tensor."),
    "Collect": (f"{_T}.formatting:Collect", "Keep the listed keys plus an img_metas dict of meta keys."),
}

DATASETS = {
    "CustomDataset": (
        f"{_D}.folder:CustomDataset",
        "Images in one folder per class, or listed by an ann_file of 'path label' lines.",
    ),
    "ImageNet": (
        f"{_D}.folder:ImageNet",
        "ImageNet-1k from local folders or meta/val.txt (never downloaded).",
    ),
    "CIFAR10": (f"{_D}.cifar:CIFAR10", "CIFAR-10 from the local python-pickle batches."),
    "CIFAR100": (f"{_D}.cifar:CIFAR100", "CIFAR-100 from the local python-pickle batches."),
    "MNIST": (f"{_D}.mnist:MNIST", "MNIST from the local idx files, as RGB."),
    "FashionMNIST": (f"{_D}.mnist:FashionMNIST", "Fashion-MNIST from the local idx files, as RGB."),
    "Digits": (
        f"{_D}.uci_digits:Digits",
        "The embedded UCI handwritten digits (1,797 8x8 scans, CC BY 4.0).",
    ),
    "RepeatDataset": (f"{_D}.wrappers:RepeatDataset", "Repeat a dataset a number of times."),
    "ConcatDataset": (f"{_D}.wrappers:ConcatDataset", "Concatenate datasets with the same classes."),
    "ClassBalancedDataset": (
        f"{_D}.wrappers:ClassBalancedDataset",
        "Oversample rare classes by repeat-factor sampling.",
    ),
}


@hookimpl
def register_transforms(registry):
    """Register the core's transforms."""
    for name, (target, summary) in TRANSFORMS.items():
        registry.add(name, target, summary=summary)


@hookimpl
def register_datasets(registry):
    """Register the core's datasets and dataset wrappers."""
    for name, (target, summary) in DATASETS.items():
        registry.add(name, target, summary=summary)
