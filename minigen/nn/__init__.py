"""``minigen.nn``: layers, containers, losses, initialisation, with PyTorch's names.

    import minigen.nn as nn
    model = nn.Sequential(nn.Linear(784, 400), nn.ReLU(), nn.Linear(400, 10))
"""

from minigen.nn import functional, init, parallel, utils
from minigen.nn.activation import LeakyReLU, ReLU, Sigmoid, Tanh
from minigen.nn.batchnorm import BatchNorm1d, BatchNorm2d
from minigen.nn.classification_losses import CrossEntropyLoss, NLLLoss
from minigen.nn.containers import ModuleDict, ModuleList, Sequential
from minigen.nn.conv import Conv2d, ConvTranspose2d
from minigen.nn.dropout import Dropout
from minigen.nn.embedding import Embedding
from minigen.nn.flatten import Flatten, Unflatten
from minigen.nn.identity import Identity
from minigen.nn.l1_losses import L1Loss, SmoothL1Loss
from minigen.nn.linear import Linear
from minigen.nn.losses import BCELoss, BCEWithLogitsLoss, MSELoss
from minigen.nn.module import Module
from minigen.nn.parallel import DataParallel
from minigen.nn.parameter import Parameter
from minigen.nn.pooling import AvgPool2d, MaxPool2d
from minigen.nn.softmax import LogSoftmax, Softmax
from minigen.nn.state_dict import IncompatibleKeys, StateDictError
from minigen.nn.upsampling import Upsample

__all__ = [
    "AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "Conv2d",
    "ConvTranspose2d", "CrossEntropyLoss", "Dropout", "Embedding", "Flatten", "Identity",
    "IncompatibleKeys", "L1Loss", "LeakyReLU", "Linear", "LogSoftmax", "MSELoss", "MaxPool2d",
    "Module", "ModuleList", "NLLLoss", "Parameter", "ReLU", "Sequential", "Sigmoid",
    "SmoothL1Loss", "Softmax", "StateDictError", "Tanh", "Unflatten", "Upsample", "functional",
    "init",
    "DataParallel", "ModuleDict", "parallel", "utils",
]
