"""``minigen.nn``: layers, containers, losses, initialisation, with PyTorch's names.

    import minigen.nn as nn
    model = nn.Sequential(nn.Linear(784, 400), nn.ReLU(), nn.Linear(400, 10))
"""

from minigen.nn import functional, init, parallel, utils
from minigen.nn.activation import LeakyReLU, ReLU, Sigmoid, Tanh
from minigen.nn.batchnorm import BatchNorm1d, BatchNorm2d
from minigen.nn.containers import ModuleDict, ModuleList, Sequential
from minigen.nn.conv import Conv2d, ConvTranspose2d
from minigen.nn.dropout import Dropout
from minigen.nn.embedding import Embedding
from minigen.nn.flatten import Flatten, Unflatten
from minigen.nn.linear import Linear
from minigen.nn.losses import BCELoss, BCEWithLogitsLoss, MSELoss
from minigen.nn.module import IncompatibleKeys, Module, StateDictError
from minigen.nn.parallel import DataParallel
from minigen.nn.parameter import Parameter

__all__ = [
    "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "Conv2d", "ConvTranspose2d",
    "Dropout", "Embedding", "Flatten", "IncompatibleKeys", "LeakyReLU", "Linear", "MSELoss",
    "Module", "ModuleList", "Parameter", "ReLU", "Sequential", "Sigmoid", "StateDictError",
    "Tanh", "Unflatten", "functional", "init",
    "DataParallel", "ModuleDict", "parallel", "utils",
]
