"""Model definitions for the MobileNetV3 reference project."""

from .mobilenetv3 import MobileNetV3, mobilenet_v3_large, mobilenet_v3_small

__all__ = ["MobileNetV3", "mobilenet_v3_small", "mobilenet_v3_large"]
