"""What controls, the kiosk's attract mode, tests and the monkey bench ask the session to do.

Commands are plain data: whoever sends one never touches the model.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Train:
    pass


@dataclass(frozen=True)
class Pause:
    pass


@dataclass(frozen=True)
class StepOnce:
    pass


@dataclass(frozen=True)
class Reset:
    """Start the model again from scratch, same text and architecture."""


@dataclass(frozen=True)
class SetPreset:
    name: str


@dataclass(frozen=True)
class SetText:
    text: str
    name: str = "Your text"


@dataclass(frozen=True)
class LoadTextFile:
    path: str


@dataclass(frozen=True)
class SetArchitecture:
    heads: int
    layers: int
    embed: int
    context: int


@dataclass(frozen=True)
class SetLearningRate:
    lr: float


@dataclass(frozen=True)
class SetTemperature:
    temperature: float


@dataclass(frozen=True)
class SetSpeed:
    steps_per_frame: int


Command = (Train | Pause | StepOnce | Reset | SetPreset | SetText | LoadTextFile | SetArchitecture
           | SetLearningRate | SetTemperature | SetSpeed)
