"""The command line: `signet-arcade [flags]` runs the app, `signet-arcade render ...` makes a video.

Builds one `Settings` (defaults < the profile's defaults < config file < flags) and hands it on.
The app, the renderer and NumPy are imported only after the environment is set, because BLAS and
SDL read it once, at import.
"""
from __future__ import annotations

import os

BLAS_THREADS = 1
"""OpenBLAS threads for training. A second thread spins on the other core after every matmul and
only pays off at embed >= 64, while the UI needs that core: one thread keeps the frame rate steady."""

# Before anything can import NumPy: OpenBLAS reads this once, when it loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(BLAS_THREADS))

import argparse  # noqa: E402 - the environment must be set first
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from signet_arcade.presets import DEFAULT_PRESET, list_presets  # noqa: E402
from signet_arcade.profile import apply_profile, resolve_profile  # noqa: E402
from signet_arcade.settings import Settings, apply_overrides, check_value, load_config  # noqa: E402


def _checked(key: str, parse):
    """An argparse type: parse the text, then apply the same rule as the config file."""
    def convert(text: str):
        try:
            value = parse(text)
        except ValueError:
            value = text  # fails the rule below, whose message says what was expected
        try:
            return check_value(key, value)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    return convert


def _size(text: str) -> tuple[int, int]:
    parts = text.lower().replace("×", "x").split("x")
    try:
        width, height = (int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1280x720, got {text!r}") from None
    try:
        return check_value("width", width), check_value("height", height)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"size {text!r}: {e}") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def _add_common(parser: argparse.ArgumentParser) -> None:
    """Flags the app and the renderer share."""
    parser.add_argument("--preset", metavar="NAME",
                        help=f"training text to start with (default {DEFAULT_PRESET}; the list is at the end)")
    parser.add_argument("--text-file", metavar="PATH", help="train on this .txt file instead of a preset")
    parser.add_argument("--size", metavar="WxH", type=_size,
                        help="window or video size in pixels (default 1280x720)")
    parser.add_argument("--seed", metavar="N", type=_checked("seed", int),
                        help="random seed: same seed, same model and training (default 0)")
    parser.add_argument("--config", metavar="PATH",
                        help="TOML config file for curators (see docs/KIOSK.md); flags win over it")
    parser.add_argument("--profile", choices=("auto", "full", "pi"),
                        help="'pi' is for a Raspberry Pi: 800x480, 30 fps, a smaller model and "
                             "lighter effects (flags and config keys still win); 'auto' picks it "
                             "on a Pi or a slow CPU, and never when rendering (default auto)")


def build_parser() -> argparse.ArgumentParser:
    presets = (f"Presets: {', '.join(p.name for p in list_presets())} "
               "(plus any .txt in a config's presets_dir).")
    parser = argparse.ArgumentParser(
        prog="signet-arcade",
        description="Watch a small language model learn to write.",
        epilog=f"{presets} F12 saves a screenshot at any time. "
               "`signet-arcade render --help` explains the video renderer.")
    _add_common(parser)
    parser.add_argument("--fullscreen", action="store_true", default=None, help="fill the screen")
    parser.add_argument("--speed", metavar="N", type=_checked("speed", int),
                        help="training steps per frame, at most (default 100)")
    parser.add_argument("--fps", metavar="N", type=_checked("fps", int),
                        help="frame-rate cap (default 60)")
    parser.add_argument("--headless", action="store_true", default=None,
                        help="no window: SDL's dummy video driver (for tests and benchmarks)")
    parser.add_argument("--frames", metavar="N", type=_checked("frames", int),
                        help="quit after N frames and print a one-line summary")
    parser.add_argument("--screenshot", metavar="PATH", help="save a PNG of the last frame here")
    parser.add_argument("--autotrain", action="store_true", default=None,
                        help="start training at once")
    parser.add_argument("--kiosk", action="store_true", default=None,
                        help="museum mode: fullscreen, visitors cannot quit, attract mode when idle")

    commands = parser.add_subparsers(dest="command", metavar="{render}")
    render = commands.add_parser(
        "render", help="make a time-lapse MP4 of training, offline",
        description="Render a deterministic time-lapse of training to MP4: a fixed number of "
                    "training steps per video frame, as fast as the machine allows. "
                    "The same seed gives the same video. Needs the video extra: pip install .[video]",
        epilog=presets)
    _add_common(render)
    render.add_argument("--steps", metavar="N", type=_positive, required=True,
                        help="training steps in the whole video")
    render.add_argument("--fps", metavar="N", type=_checked("fps", int), default=30,
                        help="video frames per second (default 30)")
    render.add_argument("--steps-per-frame", metavar="K", type=_positive,
                        help="training steps between video frames "
                             "(default: as many as make a video of about 20 seconds)")
    render.add_argument("--out", metavar="FILE.mp4", required=True, help="the video file to write")
    return parser


def _overrides(args: argparse.Namespace) -> dict:
    size = args.size or (None, None)
    values = {"preset": args.preset, "text_file": args.text_file, "width": size[0],
              "height": size[1], "seed": args.seed}
    if args.command is None:
        values.update(fullscreen=args.fullscreen, speed=args.speed, fps=args.fps,
                      headless=args.headless, frames=args.frames, screenshot=args.screenshot,
                      autotrain=args.autotrain, kiosk=args.kiosk)
    else:
        values["headless"] = True  # rendering is offline: no window
    return values


def _profile(args: argparse.Namespace) -> str:
    """The profile the flag, else the config file, asks for, with "auto" resolved."""
    requested = args.profile
    if requested is None:
        requested = load_config(args.config)[0].profile if args.config else Settings.profile
    profile, why = resolve_profile(requested, offline=args.command == "render")
    if requested == "auto" and profile == "pi":
        print(f"signet-arcade: using the low-power profile 'pi': {why}", file=sys.stderr)
    return profile


def build_settings(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Settings:
    # The profile sets the defaults, so that a key in the config file or a flag wins over it.
    profile = _profile(args)
    settings = apply_profile(Settings(profile=profile))
    if args.config:
        settings, warnings = load_config(args.config, defaults=settings)
        for warning in warnings:
            print(f"signet-arcade: config: {warning}", file=sys.stderr)
    settings = apply_overrides(settings, _overrides(args) | {"profile": profile})
    names = [p.name for p in list_presets(settings.presets_dir)]
    if settings.preset not in names:
        parser.error(f"argument --preset: no preset called {settings.preset!r}; "
                     f"choose from {', '.join(names)}")
    if args.text_file is not None and not Path(args.text_file).is_file():
        parser.error(f"argument --text-file: no such file {args.text_file!r}")
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = build_settings(args, parser)
    if settings.headless:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
        os.environ["SDL_AUDIODRIVER"] = "dummy"
    try:
        if args.command == "render":
            from signet_arcade.media.render import render_video
            return render_video(settings, args.steps, args.fps, args.out, args.steps_per_frame)
        from signet_arcade.app import run
        return run(settings)
    except KeyboardInterrupt:
        return 130
