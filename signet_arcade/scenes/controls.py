"""The control sidebar (pygame_gui): training data, architecture, training settings, run buttons.

Controls only send Commands through a callback; they never touch the session. What they show is
kept in a `ControlState` so a window resize can rebuild every widget without losing a value.
"""
from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pygame
import pygame_gui
from pygame_gui.core import ObjectID
from pygame_gui.core.utility import clipboard_paste
from pygame_gui.elements import (UIButton, UIDropDownMenu, UIHorizontalSlider, UILabel,
                                 UITextBox, UITextEntryBox)

from signet_arcade import commands as cmd
from signet_arcade import fonts
from signet_arcade.nn.config import LIMITS as MODEL_LIMITS
from signet_arcade.session import MAX_TEXT_CHARS
from signet_arcade.snapshot import Snapshot

# Below the 800x480 the layout is made for (an offline render may ask for less), labels are cut
# short on purpose; pygame_gui would warn about each one.
warnings.filterwarnings("ignore", message="Label Rect is too small", category=UserWarning)

THEME_PATH = Path(__file__).resolve().parents[2] / "assets" / "theme.json"

HEAD_CHOICES = (1, 2, 3, 4, 6, 8, 12, 16)
LAYER_CHOICES = (1, 2, 3, 4, 6, 8, 12)
EMBED_CHOICES = (8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)
CONTEXT_CHOICES = (8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 512)
MIN_HEAD_SIZE = 4            # fewer numbers per head than this cannot learn much

LR_RANGE = (1e-5, 1e-1)      # log slider
TEMPERATURE_RANGE = (0.1, 2.0)
SPEED_RANGE = (1, 1000)      # steps per frame, log slider
BOX_PREVIEW_CHARS = 2_000    # pygame_gui lays out a text box's whole text at once: 2,000 characters
                             # take 80 ms, 100,000 took minutes. Longer drafts show only their start.
MAX_DRAFT_CHARS = MAX_TEXT_CHARS   # the session learns from no more; a held Ctrl+V stops growing here


@dataclass(frozen=True)
class ArchitectureLimits:
    max_heads: int = 8
    max_layers: int = 4
    max_embed: int = 128
    max_context: int = 128

    @classmethod
    def from_settings(cls, settings) -> ArchitectureLimits:
        """The curator's limits, never beyond what the model itself accepts."""
        return cls(max_heads=min(settings.max_heads, MODEL_LIMITS["heads"][1]),
                   max_layers=min(settings.max_layers, MODEL_LIMITS["layers"][1]),
                   max_embed=min(settings.max_embed, MODEL_LIMITS["embed"][1]),
                   max_context=min(settings.max_context, MODEL_LIMITS["context"][1]))


@dataclass
class ControlState:
    """Everything the sidebar shows; survives a rebuild of the widgets."""

    preset: str = ""
    text_name: str = ""                  # what the model learns from: a preset, a file, "Your text"
    text_length: int = 0
    draft: str = ""                      # what is typed in the text box
    heads: int = 4
    layers: int = 2
    embed: int = 32
    context: int = 64
    lr: float = 3e-4
    temperature: float = 0.4
    speed: int = 100
    running: bool = False
    presets: list = field(default_factory=list)     # [(name, description)]


def head_options(limits: ArchitectureLimits, current: int) -> list[int]:
    """Head counts a visitor may pick: each needs at least one valid embed size."""
    ok = [h for h in HEAD_CHOICES if h <= limits.max_heads and embed_options(h, limits, None)]
    return sorted(set(ok) | {current})


def embed_options(heads: int, limits: ArchitectureLimits, current: int | None) -> list[int]:
    """Embed sizes that split evenly into `heads` heads of a useful size."""
    ok = [e for e in EMBED_CHOICES
          if e <= limits.max_embed and e % heads == 0 and e // heads >= MIN_HEAD_SIZE]
    if current is not None and current % heads == 0:
        ok.append(current)
    return sorted(set(ok))


def nearest(options: list[int], value: int) -> int:
    return min(options, key=lambda o: (abs(math.log(o / value)), o))


def log_to_slider(value: float, lo: float, hi: float) -> float:
    """Position 0..1000 on a log slider for `value` in [lo, hi]."""
    value = min(max(value, lo), hi)
    return 1000 * math.log(value / lo) / math.log(hi / lo)


def slider_to_log(pos: float, lo: float, hi: float) -> float:
    return lo * (hi / lo) ** (pos / 1000)


def short_number(x: float) -> str:
    """3e-4, 1.5e-3: how the learning rate is written on the label."""
    mantissa, exponent = f"{x:.1e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def load_theme(scale: float) -> dict:
    """The JSON theme with every font size multiplied by `scale` (text grows on big screens)."""
    theme = json.loads(THEME_PATH.read_text(encoding="utf-8"))
    for block in theme.values():
        font = block.get("font") if isinstance(block, dict) else None
        if font and "size" in font:
            font["size"] = str(max(9, round(int(font["size"]) * scale)))
    return theme


def make_manager(size: tuple[int, int], scale: float) -> pygame_gui.UIManager:
    return pygame_gui.UIManager(size, theme_path=load_theme(scale), enable_live_theme_updates=False)


class _Rows:
    """A cursor that hands out rectangles from the top of the sidebar downwards."""

    def __init__(self, rect: pygame.Rect, row: int, gap: int):
        self.rect, self.row, self.gap, self.y = rect, row, gap, rect.y

    def take(self, height: int) -> pygame.Rect:
        r = pygame.Rect(self.rect.x, self.y, self.rect.width, height)
        self.y += height + self.gap
        return r

    def skip(self, height: int) -> None:
        self.y += height


def _split(rect: pygame.Rect, *fractions: float, gap: int = 4) -> list[pygame.Rect]:
    """Cut a row into side-by-side pieces of the given width fractions."""
    free = rect.width - gap * (len(fractions) - 1)
    out, x = [], rect.x
    for i, f in enumerate(fractions):
        w = rect.right - x if i == len(fractions) - 1 else round(free * f)
        out.append(pygame.Rect(x, rect.y, w, rect.height))
        x += w + gap
    return out


class Controls:
    """Builds the sidebar widgets into `rect` and turns their events into Commands.

    `on_record` is called by the record button; None (recording not allowed) leaves the button out.
    """

    def __init__(self, manager: pygame_gui.UIManager, rect: pygame.Rect, scale: float, compact: bool,
                 state: ControlState, limits: ArchitectureLimits, send: Callable[[object], None],
                 on_help: Callable[[str, pygame.Rect], None], on_record: Callable[[], None] | None = None):
        self.manager, self.rect, self.state, self.limits = manager, rect, state, limits
        self.send, self.on_help, self.on_record = send, on_help, on_record
        self.record_button: UIButton | None = None
        self.help_buttons: dict[str, UIButton] = {}
        self.scale = scale
        self._build(scale, compact)

    # --- building ----------------------------------------------------------------------------
    def _build(self, scale: float, compact: bool) -> None:
        m = self.manager
        gap = max(3, round(5 * scale * (0.7 if compact else 1)))
        title_h = round(22 * scale)
        small_h = round(17 * scale)
        box_rows = 2.2 if compact else 5
        # Widget rows (buttons, preset, use, 2 architecture, 3 sliders, record) and the text box
        # share what the 3 group titles, 4 small lines and 17 gaps (14 widgets + 3 group breaks)
        # leave; the record row adds a widget and a group break.
        record = self.on_record is not None
        rows_n = 8 + record
        fixed = 3 * title_h + 4 * small_h + (17 + 2 * record) * gap
        row = int(min(34 * scale, (self.rect.height - fixed) / (rows_n + box_rows)))
        row = max(row, 20)
        box_h = max(2 * row, self.rect.height - fixed - rows_n * row)   # the text box takes what is left
        rows = _Rows(self.rect, row, gap)
        s = self.state

        train, step, reset = _split(rows.take(row), 0.42, 0.29, 0.29)
        self.train_button = UIButton(train, "Pause" if s.running else "Train", m,
                                     object_id=ObjectID("#train", "@pause" if s.running else "@train"))
        self.step_button = UIButton(step, "Step once", m)
        self.reset_button = UIButton(reset, "Reset", m)
        rows.skip(gap)

        self._group_title(rows.take(title_h), "Training data", "training_data")
        names = [name for name, _ in s.presets] or ["(no presets)"]
        start = s.preset if s.preset in names else names[0]
        self.preset_menu = UIDropDownMenu(names, start, rows.take(row), m, object_id="#preset",
                                          expansion_height_limit=self.rect.bottom - rows.y)
        self.description = UITextBox(self._description(), rows.take(3 * small_h), m,
                                     object_id=ObjectID("#description", "@description"))
        UILabel(rows.take(small_h), "Or use your own text:", m, object_id=ObjectID(None, "@muted"))
        # No placeholder text: with one, pygame_gui 0.6.14 raises when typed text first wraps.
        self.text_box = UITextEntryBox(rows.take(box_h), s.draft[:BOX_PREVIEW_CHARS], m,
                                       object_id="#own_text")
        self._hidden_tail = s.draft[BOX_PREVIEW_CHARS:]      # the part of the draft the box does not show
        use, count = _split(rows.take(row), 0.5, 0.5)
        self.use_button = UIButton(use, "Use this text", m, object_id="#use_text")
        self.count_label = UILabel(count, self._count_text(), m, object_id=ObjectID("#count", "@muted"))
        rows.skip(gap)

        self._group_title(rows.take(title_h), "Architecture (resets model)", "architecture")
        hl, hd, ll, ld = _split(rows.take(row), 0.22, 0.28, 0.22, 0.28)
        el, ed, cl, cd = _split(rows.take(row), 0.22, 0.28, 0.22, 0.28)
        for r, text in ((hl, "Heads"), (ll, "Layers"), (el, "Embed"), (cl, "Context")):
            UILabel(r, text, m, object_id=ObjectID(None, "@muted"))
        self._arch_rects = {"heads": hd, "layers": ld, "embed": ed, "context": cd}
        self.arch_menus: dict[str, UIDropDownMenu] = {}
        for name in self._arch_rects:
            self._build_arch_menu(name)
        rows.skip(gap)

        self._group_title(rows.take(title_h), "Training", "training")
        self.lr_label, self.lr_slider = self._slider_row(
            rows.take(row), "Learning rate", log_to_slider(s.lr, *LR_RANGE), "#lr")
        self.temp_label, self.temp_slider = self._slider_row(
            rows.take(row), "Temperature", 1000 * (s.temperature - TEMPERATURE_RANGE[0])
            / (TEMPERATURE_RANGE[1] - TEMPERATURE_RANGE[0]), "#temperature")
        self.speed_label, self.speed_slider = self._slider_row(
            rows.take(row), "Speed", log_to_slider(s.speed, *SPEED_RANGE), "#speed")
        self._refresh_value_labels()
        if record:
            rows.skip(gap)
            button, hint = _split(rows.take(row), 0.56, 0.44, gap=6)
            # Its words come from the recorder (show_recording), which knows whether it is running.
            self.record_button = UIButton(button, "", m, object_id=ObjectID("#record", "@record"))
            UILabel(hint, "or press F9", m, object_id=ObjectID(None, "@muted"))

    def _group_title(self, rect: pygame.Rect, text: str, help_key: str) -> None:
        # The theme's group-title font is NotoSans Bold 15 at scale 1: measure with the same font.
        width = fonts.get("bold", round(15 * self.scale)).size(text)[0] + 10
        label = pygame.Rect(rect.x, rect.y, min(width, rect.width - rect.height), rect.height)
        UILabel(label, text, self.manager, object_id=ObjectID(None, "@group_title"))
        help_rect = pygame.Rect(label.right + 2, rect.y, rect.height, rect.height)
        self.help_buttons[help_key] = UIButton(help_rect, "?", self.manager,
                                               object_id=ObjectID("#help_" + help_key, "@help"))

    def _slider_row(self, rect: pygame.Rect, text: str, pos: float, object_id: str):
        label_rect, slider_rect = _split(rect, 0.56, 0.44, gap=6)
        label = UILabel(label_rect, text, self.manager, object_id=object_id + "_label")
        slider = UIHorizontalSlider(slider_rect, pos, (0, 1000), self.manager, object_id=object_id)
        return label, slider

    def _build_arch_menu(self, name: str) -> None:
        s, lim = self.state, self.limits
        options = {
            "heads": lambda: head_options(lim, s.heads),
            "layers": lambda: sorted({v for v in LAYER_CHOICES if v <= lim.max_layers} | {s.layers}),
            "embed": lambda: embed_options(s.heads, lim, s.embed),
            "context": lambda: sorted({v for v in CONTEXT_CHOICES if v <= lim.max_context} | {s.context}),
        }[name]()
        if name in self.arch_menus:
            self.arch_menus[name].kill()
        self.arch_menus[name] = UIDropDownMenu(
            [str(v) for v in options], str(getattr(s, name)), self._arch_rects[name], self.manager,
            object_id="#" + name, expansion_height_limit=max(60, self.rect.bottom - self._arch_rects[name].bottom))

    # --- words shown -------------------------------------------------------------------------
    def _description(self) -> str:
        """The preset's one-line description, or what else the model is learning from."""
        s = self.state
        presets = dict(s.presets)
        if s.text_name in presets or not s.text_name:
            words = presets.get(s.preset, "")
        else:
            words = f"Learning from {s.text_name}: {s.text_length:,} characters"
        return words.replace("&", "&amp;").replace("<", "&lt;")

    def _count_text(self) -> str:
        n = len(self.state.draft)
        if n == 0:
            return "Type or paste above"
        return f"{n:,} character" + ("" if n == 1 else "s")

    def _refresh_value_labels(self) -> None:
        s = self.state
        self.lr_label.set_text(f"Learning rate  {short_number(s.lr)}")
        self.temp_label.set_text(f"Temperature  {s.temperature:.2f}")
        self.speed_label.set_text(f"Speed  {s.speed}/frame")

    # --- events ------------------------------------------------------------------------------
    def intercept(self, event: pygame.event.Event) -> bool:
        """Take a paste (Ctrl/Cmd+V) into the text box before pygame_gui does: the whole pasted
        text goes into the draft, the box shows only its start. True when the event was used."""
        if not (event.type == pygame.KEYDOWN and event.key == pygame.K_v and self.text_box.is_focused
                and event.mod & (pygame.KMOD_CTRL | pygame.KMOD_META) and not event.mod & pygame.KMOD_ALT):
            return False
        pasted = clipboard_paste() or ""
        at = min(self.text_box.edit_position, len(self.state.draft))
        draft = self.state.draft[:at] + pasted.replace("\r\n", "\n").replace("\r", "\n") + self.state.draft[at:]
        draft = draft[:MAX_DRAFT_CHARS]
        self.state.draft = draft
        self._hidden_tail = draft[BOX_PREVIEW_CHARS:]
        self.text_box.set_text(draft[:BOX_PREVIEW_CHARS])
        self.text_box.edit_position = min(at + len(pasted), BOX_PREVIEW_CHARS)
        self.count_label.set_text(self._count_text())
        return True

    def process_event(self, event: pygame.event.Event) -> bool:
        """Turn a pygame_gui event from one of our widgets into a Command; True when used."""
        element = getattr(event, "ui_element", None)
        s = self.state
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            if element is self.train_button:
                self.send(cmd.Pause() if s.running else cmd.Train())
                self._show_running(not s.running)
            elif element is self.step_button:
                self.send(cmd.StepOnce())
            elif element is self.reset_button:
                self.send(cmd.Reset())
            elif element is self.use_button:
                self.send(cmd.SetText(s.draft))
            elif element is not None and element is self.record_button:
                self.on_record()
            else:
                for key, button in self.help_buttons.items():
                    if element is button:
                        self.on_help(key, button.rect)
                        return True
                return False
            return True
        if event.type == pygame_gui.UI_TEXT_ENTRY_CHANGED and element is self.text_box:
            s.draft = self.text_box.get_text() + self._hidden_tail
            self.count_label.set_text(self._count_text())
            return True
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            if element is self.preset_menu:
                s.preset = s.text_name = event.text
                self.description.set_text(self._description())
                self.send(cmd.SetPreset(s.preset))
                return True
            for name, menu in self.arch_menus.items():
                if element is menu:
                    self._choose_architecture(name, int(event.text))
                    return True
            return False
        if event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED:
            return self._slide(element)
        return False

    def _choose_architecture(self, name: str, value: int) -> None:
        s = self.state
        setattr(s, name, value)
        if name == "heads":
            valid = embed_options(s.heads, self.limits, None)
            if s.embed not in valid:
                s.embed = nearest(valid, s.embed)
            self._build_arch_menu("embed")
        self.send(cmd.SetArchitecture(heads=s.heads, layers=s.layers, embed=s.embed, context=s.context))

    def _slide(self, element) -> bool:
        s = self.state
        if element is self.lr_slider:
            s.lr = float(f"{slider_to_log(self.lr_slider.get_current_value(), *LR_RANGE):.2g}")
            self.send(cmd.SetLearningRate(s.lr))
        elif element is self.temp_slider:
            lo, hi = TEMPERATURE_RANGE
            s.temperature = round(lo + (hi - lo) * self.temp_slider.get_current_value() / 1000, 2)
            self.send(cmd.SetTemperature(s.temperature))
        elif element is self.speed_slider:
            s.speed = max(1, round(slider_to_log(self.speed_slider.get_current_value(), *SPEED_RANGE)))
            self.send(cmd.SetSpeed(s.speed))
        else:
            return False
        self._refresh_value_labels()
        return True

    # --- following the session --------------------------------------------------------------
    def sync(self, snap: Snapshot) -> None:
        """Show what the session really does (the divergence guard may lower the learning rate,
        a new text may force a smaller context, the kiosk demo may switch presets)."""
        s = self.state
        if snap.running != s.running:
            self._show_running(snap.running)
        if snap.lr and not math.isclose(snap.lr, s.lr, rel_tol=0.02):
            s.lr = snap.lr
            self.lr_slider.set_current_value(log_to_slider(s.lr, *LR_RANGE), warn=False)
            self._refresh_value_labels()
        if not math.isclose(snap.temperature, s.temperature, abs_tol=0.005):
            s.temperature = snap.temperature
            lo, hi = TEMPERATURE_RANGE
            self.temp_slider.set_current_value(1000 * (min(max(s.temperature, lo), hi) - lo) / (hi - lo), warn=False)
            self._refresh_value_labels()
        if snap.speed != s.speed:
            s.speed = snap.speed
            self.speed_slider.set_current_value(log_to_slider(s.speed, *SPEED_RANGE), warn=False)
            self._refresh_value_labels()
        if snap.heads and (snap.heads, snap.layers, snap.embed, snap.context) != (s.heads, s.layers, s.embed, s.context):
            s.heads, s.layers, s.embed, s.context = snap.heads, snap.layers, snap.embed, snap.context
            for name in self._arch_rects:
                self._build_arch_menu(name)
        names = dict(s.presets)
        if snap.text_name in names and snap.text_name != s.preset:
            s.preset = snap.text_name
            self.preset_menu.kill()
            rect = self.preset_menu.relative_rect
            self.preset_menu = UIDropDownMenu(list(names), s.preset, rect, self.manager, object_id="#preset",
                                              expansion_height_limit=self.rect.bottom - rect.bottom)
        if (snap.text_name, snap.text_length) != (s.text_name, s.text_length):
            s.text_name, s.text_length = snap.text_name, snap.text_length
            self.description.set_text(self._description())

    def _show_running(self, running: bool) -> None:
        self.state.running = running
        self.train_button.set_text("Pause" if running else "Train")
        self.train_button.change_object_id(ObjectID("#train", "@pause" if running else "@train"))

    def show_recording(self, recording: bool, label: str) -> None:
        """The record button follows the recorder (F9 and the button both toggle it)."""
        button = self.record_button
        if button is None or button.text == label:
            return
        button.set_text(label)
        button.change_object_id(ObjectID("#record", "@recording" if recording else "@record"))

    def help_targets(self) -> list[tuple[pygame.Rect, str]]:
        """Where each "?" is, for hover tooltips."""
        return [(button.rect, key) for key, button in self.help_buttons.items()]
