"""A seeded monkey: a stream of random visitor input driving the real App headless.

Shared by tests/test_monkey.py (2,000 events) and bench/monkey.py (any number, with replay). Every
gesture goes through pygame's event queue and `App.handle_event`, as in the live loop, so clicks
reach pygame_gui and its widgets send their own Commands; a few gestures send Commands directly
with values no widget offers. The stream depends only on the seed and the app's state, so the same
seed replays the same run. A failure names the seed and the index of the gesture that caused it.
"""
from __future__ import annotations

import logging
import math
import random
import traceback
from pathlib import Path

import numpy as np
import pygame
from pygame_gui.core.utility import clipboard_copy

from signet_arcade import commands as cmd
from signet_arcade.scenes import theme

FRAME_DT = 1 / 30
SMALL_MODEL_COST = 5_000_000      # params x context; above this a step is slow, so train rarely
BIG_MODEL_STEP_EVERY = 25         # frames between steps of a slow model
CHECK_EVERY = 50                  # gestures between checks of the screen and the model

# What a visitor (or a curious child) types or pastes. SDL delivers typing in TEXTINPUT events of
# at most 32 bytes; pastes arrive whole through the clipboard.
TEXTS = {
    "empty": "",
    "space": " ",
    "one char": "a",
    "words": "the cat sat on the mat. ",
    "emoji": "🦉🌊🎨👩‍👩‍👧‍👦🏳️‍🌈",
    "control chars": "\x00\x01\x07\x08\x1b\r\t\x7f\u200b\u200e\ufeff",
    "right to left": "مرحبا بالعالم שלום עולם ",
    "combining": "e\u0301a\u0308\u0338Z\u0351\u0367\u0364",
    "markup": "<b>bold</b> <font size=99>&amp; &lt; <a href='x'>link</a> <br> <img src=x>",
    "surrogate-ish": "\ud7ff\ue000\U0010ffff",
    "cjk": "".join(chr(c) for c in range(0x4E00, 0x4E00 + 1200)),
    "repeated": "a" * 5000,
    "newlines": "\n" * 300,
    "megabyte": ("A visitor pasted a whole book into the box. " * 24_000)[:1_000_000],
}
TYPING_TEXTS = tuple(k for k, v in TEXTS.items() if len(v.encode()) <= 32)

KEYS = (pygame.K_a, pygame.K_z, pygame.K_SPACE, pygame.K_RETURN, pygame.K_BACKSPACE, pygame.K_DELETE,
        pygame.K_TAB, pygame.K_ESCAPE, pygame.K_LEFT, pygame.K_RIGHT, pygame.K_UP, pygame.K_DOWN,
        pygame.K_HOME, pygame.K_END, pygame.K_PAGEUP, pygame.K_PAGEDOWN, pygame.K_F1, pygame.K_F4,
        pygame.K_F11, pygame.K_F12, pygame.K_q, pygame.K_w, pygame.K_c, pygame.K_v, pygame.K_x,
        pygame.K_KP_ENTER, pygame.K_MENU, pygame.K_AC_BACK)
MODS = (0, 0, 0, pygame.KMOD_LCTRL, pygame.KMOD_LSHIFT, pygame.KMOD_LALT,
        pygame.KMOD_LCTRL | pygame.KMOD_LSHIFT, pygame.KMOD_LGUI)

WINDOW_SIZES = ((800, 480), (1024, 600), (640, 480), (320, 240), (1, 1), (100, 60), (2000, 90),
                (90, 1500), (1280, 720), (1366, 768))

LEARNING_RATES = (1e-12, 1e-5, 0.1, 1.0, 1e3, 1e6, 0.0, -1.0, math.nan, math.inf, True, "fast")
ARCHITECTURES = ((1, 1, 8, 2), (1, 1, 8, 8), (2, 1, 16, 16), (4, 2, 32, 32), (8, 4, 128, 128),
                 (3, 1, 16, 16), (0, 1, 8, 8), (4, 2, 32, 10**9), (-1, -1, -1, -1), (2.5, 1, 16, 16))
TEMPERATURES = (1e-9, 0.01, 0.4, 2.0, 10.0, 0.0, -1.0, math.nan, math.inf, "hot")
SPEEDS = (1, 1000, 100_000, 0, -5, 10**12, 1.5, None)


class MonkeyFailure(AssertionError):
    """Something went wrong; the message says how to replay it."""

    def __init__(self, seed: int, index: int, gesture: str, detail: str):
        super().__init__(f"monkey seed {seed}, event {index} ({gesture}): {detail}\n"
                         f"replay: python bench/monkey.py --seed {seed} --events {index + 1} --replay {index}")
        self.seed, self.index, self.gesture, self.detail = seed, index, gesture, detail


def make_files(folder: Path) -> dict[str, Path]:
    """Files a visitor might drop on the window: missing, binary, huge, odd, and two good ones."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    files = {"missing": folder / "no such file.txt", "folder": folder}
    contents = {
        "binary": rng.integers(0, 256, 65_536, dtype=np.uint8).tobytes(),
        "empty": b"",
        "blank": b" \n\t \n",
        "one char": b"x" * 4000,
        "utf16": "Hello from a UTF-16 file. ".encode("utf-16") * 50,
        "latin1": "Caf\xe9 cr\xe8me br\xfbl\xe9e. ".encode("latin-1") * 100,
        "emoji": ("🦉 owls at night 🌙 " * 200).encode(),
        "story": ("Once upon a time a small model learned to write. " * 80).encode(),
        "png": b"\x89PNG\r\n\x1a\n" + rng.integers(0, 256, 4000, dtype=np.uint8).tobytes(),
        "big text": ("The museum is open every day but Monday. " * 25_000).encode(),      # ~1 MB
    }
    for name, data in contents.items():
        path = folder / f"{name} ünïcødé.txt"
        path.write_bytes(data)
        files[name] = path
    huge = folder / "huge.txt"
    with huge.open("wb") as f:           # sparse: a 50 MB file that costs no disk
        f.truncate(50_000_000)
    files["huge"] = huge
    return files


class _LoggedProblems(logging.Handler):
    """Collects the errors the app logs while it carries on (it catches what a visitor causes)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Monkey:
    def __init__(self, app, seed: int, files: dict[str, Path], steps_per_frame: int = 1):
        self.app, self.seed, self.files = app, seed, files
        self.rng = random.Random(seed)
        self.steps_per_frame = steps_per_frame
        self.index = 0
        self.posted = 0                    # pygame events posted
        self.log = _LoggedProblems()
        self._gestures = [(self.click_anywhere, 10), (self.click_control, 22), (self.pick_from_menu, 7),
                          (self.drag, 4), (self.drag_slider, 5), (self.hover, 6), (self.wheel, 2),
                          (self.key, 8), (self.type_text, 10), (self.paste, 3), (self.drop_file, 3),
                          (self.drop_text, 1), (self.resize, 2), (self.command, 6), (self.wait, 3)]

    # --- running ------------------------------------------------------------------------------
    def run(self, events: int, on_gesture=None) -> None:
        """`events` gestures; MonkeyFailure at the first exception, logged traceback or broken
        invariant. `on_gesture(index, description)` is called before each gesture runs."""
        logger = logging.getLogger("signet_arcade")
        logger.addHandler(self.log)
        try:
            while self.index < events:
                self.step(on_gesture)
        finally:
            logger.removeHandler(self.log)

    def step(self, on_gesture=None) -> str:
        gestures, weights = zip(*self._gestures)
        gesture = self.rng.choices(gestures, weights)[0]
        description = gesture.__name__
        try:
            description = gesture()
            if on_gesture:
                on_gesture(self.index, description)
            self.frames(1)
            self._check_log()
            if self.index % CHECK_EVERY == CHECK_EVERY - 1:
                self.check()
        except MonkeyFailure:
            raise
        except Exception as exc:
            raise MonkeyFailure(self.seed, self.index, description,
                                "".join(traceback.format_exception(exc))) from exc
        self.index += 1
        return description

    def frames(self, n: int) -> None:
        """Like the live loop (handle queued events, tick), with a few exact training steps."""
        app = self.app
        for _ in range(n):
            for event in pygame.event.get():
                app.handle_event(event)
            app.tick(FRAME_DT, exact_steps=self._steps_this_frame())

    def _steps_this_frame(self) -> int:
        session = self.app.session
        if not session.running:
            return 0
        t = session.trainer
        if t.model.num_params() * t.cfg.context <= SMALL_MODEL_COST or self.app.frames % BIG_MODEL_STEP_EVERY == 0:
            return self.steps_per_frame
        return 0

    def _check_log(self) -> None:
        if self.log.records:
            record = self.log.records[0]
            self.log.records.clear()
            detail = record.getMessage()
            if record.exc_info:
                detail += "\n" + "".join(traceback.format_exception(*record.exc_info))
            raise MonkeyFailure(self.seed, self.index, "an error the app logged", detail)

    def check(self) -> None:
        """The app still draws, and nothing in the model or on screen is NaN."""
        problems = drawing_problems(self.app.screen) + model_problems(self.app)
        if problems:
            raise MonkeyFailure(self.seed, self.index, "check", "; ".join(problems))

    # --- helpers ------------------------------------------------------------------------------
    def post(self, kind: int, **attributes) -> None:
        attributes.setdefault("window", None)
        pygame.event.post(pygame.event.Event(kind, attributes))
        self.posted += 1

    def _point(self, rect: pygame.Rect | None = None) -> tuple[int, int]:
        r = rect if rect is not None else self.app.screen.get_rect()
        return (self.rng.randrange(r.left, max(r.left + 1, r.right)),
                self.rng.randrange(r.top, max(r.top + 1, r.bottom)))

    def _press(self, pos, button: int = 1) -> None:
        pygame.mouse.set_pos(pos)
        self.post(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0), touch=False)
        self.post(pygame.MOUSEBUTTONDOWN, pos=pos, button=button, touch=False)
        self.post(pygame.MOUSEBUTTONUP, pos=pos, button=button, touch=False)

    def _elements(self):
        """Every pygame_gui element on screen now (open drop-downs' options included)."""
        screen = self.app.screen.get_rect()
        return [e for e in self.app.manager.get_sprite_group().sprites()
                if getattr(e, "visible", True) and e.rect.width > 0 and e.rect.colliderect(screen)]

    def _sliders(self):
        c = self.app.controls
        return [c.lr_slider, c.temp_slider, c.speed_slider]

    # --- gestures: each returns a description for replay logs ----------------------------------
    def click_anywhere(self) -> str:
        pos, button = self._point(), self.rng.choice((1, 1, 1, 1, 2, 3))
        self._press(pos, button)
        return f"click button {button} at {pos}"

    def click_control(self) -> str:
        elements = self._elements()
        element = self.rng.choice(elements)
        pos = self._point(element.rect.clip(self.app.screen.get_rect()))
        self._press(pos)
        return f"click {type(element).__name__} {element.most_specific_combined_id} at {pos}"

    def pick_from_menu(self) -> str:
        c = self.app.controls
        name, menu = self.rng.choice([("preset", c.preset_menu), *c.arch_menus.items()])
        self._press(menu.rect.center)
        self.frames(1)
        items = getattr(getattr(menu.current_state, "options_selection_list", None), "item_list", None)
        if not items:
            return f"open the {name} menu (no list appeared)"
        item = self.rng.choice(items)
        button = item["button_element"]
        if button is None or not button.rect.colliderect(self.app.screen.get_rect()):
            return f"open the {name} menu ({item['text']!r} is off screen)"
        self._press(button.rect.center)
        self.frames(1)
        return f"choose {item['text']!r} in the {name} menu"

    def drag(self) -> str:
        start, end = self._point(), self._point()
        self._drag(start, end)
        return f"drag from {start} to {end}"

    def drag_slider(self) -> str:
        slider = self.rng.choice(self._sliders())
        button = getattr(slider, "sliding_button", None)
        start = button.rect.center if button is not None else slider.rect.center
        end = (self.rng.randrange(slider.rect.left - 200, slider.rect.right + 200), start[1])
        self._drag(start, end)
        return f"drag slider {slider.most_specific_combined_id} from {start} to {end}"

    def _drag(self, start, end) -> None:
        pygame.mouse.set_pos(start)
        self.post(pygame.MOUSEBUTTONDOWN, pos=start, button=1, touch=False)
        self.frames(1)
        for t in (0.33, 0.66, 1.0):
            pos = (round(start[0] + (end[0] - start[0]) * t), round(start[1] + (end[1] - start[1]) * t))
            pygame.mouse.set_pos(pos)
            self.post(pygame.MOUSEMOTION, pos=pos, rel=(1, 0), buttons=(1, 0, 0), touch=False)
            self.frames(1)
        self.post(pygame.MOUSEBUTTONUP, pos=end, button=1, touch=False)

    def hover(self) -> str:
        pos = self._point()
        pygame.mouse.set_pos(pos)
        self.post(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0), touch=False)
        return f"hover at {pos}"

    def wheel(self) -> str:
        dy = self.rng.choice((-30, -1, 1, 30))
        self.post(pygame.MOUSEWHEEL, x=0, y=dy, flipped=False, precise_x=0.0, precise_y=float(dy),
                  touch=False, which=0)
        return f"mouse wheel {dy}"

    def key(self) -> str:
        key, mod = self.rng.choice(KEYS), self.rng.choice(MODS)
        pygame.key.set_mods(mod)
        unicode = chr(key) if 32 <= key < 127 and not mod & pygame.KMOD_CTRL else ""
        self.post(pygame.KEYDOWN, key=key, mod=mod, unicode=unicode, scancode=0)
        self.post(pygame.KEYUP, key=key, mod=mod, unicode=unicode, scancode=0)
        self.frames(1)
        pygame.key.set_mods(0)
        return f"key {pygame.key.name(key)!r} mod {mod}"

    def type_text(self) -> str:
        name = self.rng.choice(TYPING_TEXTS)
        if TEXTS[name]:
            self.post(pygame.TEXTINPUT, text=_as_sdl_delivers(TEXTS[name]))
        return f"type {name} text"

    def paste(self) -> str:
        name = self.rng.choice(sorted(TEXTS))
        clipboard_copy(_as_sdl_delivers(TEXTS[name]))
        pygame.key.set_mods(pygame.KMOD_LCTRL)
        self.post(pygame.KEYDOWN, key=pygame.K_v, mod=pygame.KMOD_LCTRL, unicode="\x16", scancode=25)
        self.post(pygame.KEYUP, key=pygame.K_v, mod=pygame.KMOD_LCTRL, unicode="\x16", scancode=25)
        self.frames(1)
        pygame.key.set_mods(0)
        return f"paste {name} text"

    def drop_file(self) -> str:
        name = self.rng.choice(sorted(self.files))
        self.post(pygame.DROPFILE, file=str(self.files[name]))
        return f"drop the {name} file"

    def drop_text(self) -> str:
        name = self.rng.choice(sorted(TEXTS))
        self.post(pygame.DROPTEXT, file=TEXTS[name])
        return f"drop {name} text"

    def resize(self) -> str:
        w, h = self.rng.choice(WINDOW_SIZES)
        if self.rng.random() < 0.5:
            self.post(pygame.VIDEORESIZE, size=(w, h), w=w, h=h)
            return f"resize to {w}x{h} (VIDEORESIZE)"
        self.post(pygame.WINDOWSIZECHANGED, x=w, y=h)
        return f"resize to {w}x{h} (WINDOWSIZECHANGED)"

    def command(self) -> str:
        r = self.rng
        kind = r.randrange(9)
        if kind == 0:
            c = cmd.SetLearningRate(r.choice(LEARNING_RATES))
        elif kind == 1:
            c = cmd.SetArchitecture(*r.choice(ARCHITECTURES))
        elif kind == 2:
            c = cmd.SetTemperature(r.choice(TEMPERATURES))
        elif kind == 3:
            c = cmd.SetSpeed(r.choice(SPEEDS))
        elif kind == 4:
            name = r.choice(sorted(TEXTS))
            c = cmd.SetText(TEXTS[name], name=r.choice(("", name, "🦉" * 50)))
        elif kind == 5:
            c = cmd.LoadTextFile(str(self.files[r.choice(sorted(self.files))]))
        elif kind == 6:
            c = cmd.SetPreset(r.choice(("rhymes", "patterns", "sums", "names", "no such preset", "")))
        else:
            c = r.choice((cmd.Train(), cmd.Pause(), cmd.StepOnce(), cmd.Reset()))
        self.app.send(c)
        return f"command {_short(c)}"

    def wait(self) -> str:
        self.frames(2)
        return "wait"


def _as_sdl_delivers(text: str) -> str:
    """SDL passes typed and pasted text as C strings: a NUL can never arrive."""
    return text.replace("\x00", "")


def _short(command) -> str:
    words = repr(command)
    return words if len(words) <= 120 else words[:117] + "..."


def drawing_problems(screen: pygame.Surface) -> list[str]:
    """Why the screen does not look like a drawn app (nothing if it does, or is too small to tell)."""
    w, h = screen.get_size()
    if w < 320 or h < 240:
        return []
    pixels = pygame.surfarray.array3d(screen).reshape(-1, 3)               # (w*h, 3)
    background = np.any(pixels != np.array(theme.BACKGROUND[:3]), axis=1).mean()
    colours = len(np.unique(pixels[::97], axis=0))
    problems = []
    if background < 0.2:
        problems.append(f"only {background:.0%} of the screen differs from the background")
    if colours < 20:
        problems.append(f"only {colours} colours on screen")
    return problems


def model_problems(app) -> list[str]:
    """NaN or infinity anywhere the visitor or the next step could meet it."""
    trainer = app.session.trainer
    snap = app.session.snapshot()
    problems = [f"parameter {n} is not finite" for n, p in trainer.model.params.items()
                if not np.isfinite(p).all()]
    for name in ("loss_values", "loss_smooth", "next_probs", "embedding_xy", "bigram_probs", "attention"):
        if not np.isfinite(getattr(snap, name)).all():
            problems.append(f"the snapshot's {name} is not finite")
    if snap.sample is not None and not np.isfinite(snap.sample.probs).all():
        problems.append("the sample's probabilities are not finite")
    if not math.isfinite(snap.lr):
        problems.append("the learning rate is not finite")
    return problems
