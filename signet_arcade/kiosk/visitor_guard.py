"""Which pygame events come from a visitor, and which a kiosk must swallow so nobody can leave.

The operator's exit gesture is fed *before* this filter (see ExitGesture): Ctrl+Shift+Q is both
the operator's way out and, to a visitor, a Ctrl+Q that must do nothing.
"""
from __future__ import annotations

import pygame

# Events that mean someone is at the kiosk: they end attract mode and reset the idle timer.
_INPUT_EVENTS = frozenset({
    pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEMOTION, pygame.MOUSEWHEEL,
    pygame.FINGERDOWN, pygame.FINGERUP, pygame.FINGERMOTION, pygame.KEYDOWN, pygame.TEXTINPUT,
    pygame.DROPFILE, pygame.DROPTEXT,
})

# Ways out (or out of fullscreen) that a visitor might know.
_CLOSING_EVENTS = frozenset({pygame.QUIT, pygame.WINDOWCLOSE})
_KEYS_ALONE = frozenset({pygame.K_ESCAPE, pygame.K_AC_BACK})
_KEYS_WITH_ALT = frozenset({pygame.K_F4, pygame.K_RETURN})          # close; toggle fullscreen
_KEYS_WITH_CTRL_OR_META = frozenset({pygame.K_q, pygame.K_w})          # quit; close window


# Motion alone can be a jittery mouse or a touch panel's noise: enough to keep the kiosk awake,
# not enough to end a demo.
_MOTION_EVENTS = frozenset({pygame.MOUSEMOTION, pygame.FINGERMOTION})


def is_visitor_input(event) -> bool:
    """True for a touch, click, key, drop or mouse movement: someone is here."""
    return event.type in _INPUT_EVENTS


def is_deliberate_input(event) -> bool:
    """True for a touch, click, key or drop, but not mere movement: someone wants control."""
    return event.type in _INPUT_EVENTS and event.type not in _MOTION_EVENTS


def kiosk_swallows(event) -> bool:
    """True if a kiosk must ignore this event: quitting, closing, leaving fullscreen."""
    if event.type in _CLOSING_EVENTS:
        return True
    if event.type != pygame.KEYDOWN:
        return False
    mod = getattr(event, "mod", 0)
    return (event.key in _KEYS_ALONE
            or (mod & pygame.KMOD_ALT and event.key in _KEYS_WITH_ALT)
            or (mod & (pygame.KMOD_CTRL | pygame.KMOD_META) and event.key in _KEYS_WITH_CTRL_OR_META))
