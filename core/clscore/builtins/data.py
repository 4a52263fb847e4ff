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
    "AutoContrast": (f"{_T}.augment_ops:AutoContrast", "Stretch each channel to the full 0-255 range."),
    "Equalize": (f"{_T}.augment_ops:Equalize", "Equalise each channel's histogram (PIL's table)."),
    "Invert": (f"{_T}.augment_ops:Invert", "Invert the image: 255 - img."),
    "Posterize": (f"{_T}.augment_ops:Posterize", "Keep the top bits of every value."),
    "Solarize": (f"{_T}.augment_ops:Solarize", "Invert the values at or above a threshold."),
    "SolarizeAdd": (f"{_T}.augment_ops:SolarizeAdd", "Add a magnitude to the values below a threshold."),
    "Brightness": (f"{_T}.augment_ops:Brightness", "Scale brightness by 1 + magnitude (sign at random)."),
    "Contrast": (f"{_T}.augment_ops:Contrast", "Scale contrast by 1 + magnitude (sign at random)."),
    "ColorTransform": (
        f"{_T}.augment_ops:ColorTransform",
        "Scale saturation by 1 + magnitude (random sign).",
    ),
    "Sharpness": (f"{_T}.augment_ops:Sharpness", "Sharpen or blur by 1 + magnitude (sign at random)."),
    "Rotate": (f"{_T}.augment_geometric_ops:Rotate", "Rotate by an angle in degrees, padding with pad_val."),
    "Shear": (f"{_T}.augment_geometric_ops:Shear", "Shear by a factor, horizontally or vertically."),
    "Translate": (f"{_T}.augment_geometric_ops:Translate", "Shift by a fraction of the width or height."),
    "Cutout": (f"{_T}.augment_geometric_ops:Cutout", "Fill a random box of a given shape with pad_val."),
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
    "ImageNet21k": (
        f"{_D}.imagenet21k:ImageNet21k",
        "ImageNet-21k from local class folders or an ann_file (never downloaded); classes given by you.",
    ),
    "CUB": (f"{_D}.cub:CUB", "CUB-200-2011 birds from images.txt, its label and split files (200 classes)."),
    "StanfordCars": (
        f"{_D}.stanford_cars:StanfordCars",
        "Stanford Cars (196 models) from cars_train/cars_test and the devkit .mat files (needs scipy).",
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
