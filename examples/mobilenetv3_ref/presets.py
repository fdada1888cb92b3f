"""Data-augmentation presets, following torchvision's ``references/classification/presets.py``."""

from torchvision import transforms
from torchvision.transforms.functional import InterpolationMode


# ImageNet channel statistics
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class ClassificationPresetTrain:
    """Training transform: random resized crop + horizontal flip + normalisation.

    Takes a PIL image and returns a normalised ``float32`` tensor of shape ``(3, crop_size, crop_size)``.
    """

    def __init__(
        self,
        *,
        crop_size=224,
        mean=IMAGENET_MEAN,
        std=IMAGENET_STD,
        interpolation=InterpolationMode.BILINEAR,
        hflip_prob=0.5,
    ):
        trans = [transforms.RandomResizedCrop(crop_size, interpolation=interpolation)]
        if hflip_prob > 0:
            trans.append(transforms.RandomHorizontalFlip(hflip_prob))
        trans.extend(
            [
                transforms.ToTensor(),
                transforms.Normalize(mean=mean, std=std),
            ]
        )
        self.transforms = transforms.Compose(trans)

    def __call__(self, img):
        return self.transforms(img)


class ClassificationPresetEval:
    """Evaluation transform: resize the shorter side, center crop, normalise."""

    def __init__(
        self,
        *,
        crop_size=224,
        resize_size=256,
        mean=IMAGENET_MEAN,
        std=IMAGENET_STD,
        interpolation=InterpolationMode.BILINEAR,
    ):
        self.transforms = transforms.Compose(
            [
                transforms.Resize(resize_size, interpolation=interpolation),
                transforms.CenterCrop(crop_size),
                transforms.ToTensor(),
                transforms.Normalize(mean=mean, std=std),
            ]
        )

    def __call__(self, img):
        return self.transforms(img)
